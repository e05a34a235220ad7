"""Plain-Python core of olimp_kpi: no ORM state, importable and testable without Odoo.

- :mod:`.periods`: calendar months and their bounds in a company's time zone;
- :mod:`.scoring`: completion, zone, trend, score and efficiency of scorecard lines;
- :mod:`.collector`: one grouped query per KPI for all employees and both months;
- :mod:`.boards`: the shapes of the scorecard screen, the team board and the plan grid;
- :mod:`.plans`: typed plans read in the user's language, checked, pro-rated and scaled.
"""

from . import boards, collector, periods, plans, scoring
