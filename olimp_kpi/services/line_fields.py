"""The fields of KPI lines, by what they are for (see ``models/olimp_kpi_line_plan.py``): declared once, read by
the models (fields, values of a new line) and by the refresh (the columns it reads)."""

KIND_SELECTION = [("quantitative", "Quantitative"), ("qualitative", "Qualitative")]
UNIT_SELECTION = [("count", "Count"), ("amount", "Amount"), ("percent", "Percent"), ("number", "Number")]
DIRECTION_SELECTION = [("higher", "Higher is better"), ("lower", "Lower is better")]

# Copied from the KPI when a scorecard line is made.
KPI_SNAPSHOT_FIELDS = ("kind", "unit", "direction", "yellow_from", "green_from")
# Copied from the profile line when a scorecard line is made.
PLAN_FIELDS = ("sequence", "weight", "target", "floor", "cap")
# What the zone, the score and the efficiency of a line are computed from, besides its figures.
JUDGED_FIELDS = ("kind", "direction", "yellow_from", "green_from", "weight", "target", "floor", "cap")
