"""What a KPI line is judged by, declared once for the KPI, the profile line and the scorecard line.

A scorecard line is a snapshot: when it is made it copies from its KPI the :data:`KPI_SNAPSHOT_FIELDS` (a later
change of the KPI does not move the past) and from the employee's profile line the :data:`PLAN_FIELDS` (the target:
the month's plan when there is one). The fields of :data:`PLAN_FIELDS` and their checks are those of
:class:`OlimpKpiLinePlan`, inherited by both lines; the refresh reads :data:`JUDGED_FIELDS` of each line
(``services/scorecard_refresh.py``), and a test checks that the ORM's computation depends on no other field.
Adding a property to every line is one line here.
"""

from odoo import fields, models

KIND_SELECTION = [("quantitative", "Quantitative"), ("qualitative", "Qualitative")]
UNIT_SELECTION = [("count", "Count"), ("amount", "Amount"), ("percent", "Percent"), ("number", "Number")]
DIRECTION_SELECTION = [("higher", "Higher is better"), ("lower", "Lower is better")]

# Copied from the KPI when a scorecard line is made.
KPI_SNAPSHOT_FIELDS = ("kind", "unit", "direction", "yellow_from", "green_from")
# Copied from the profile line when a scorecard line is made.
PLAN_FIELDS = ("sequence", "weight", "target", "floor", "cap")
# What the zone, the score and the efficiency of a line are computed from, besides its figures.
JUDGED_FIELDS = ("kind", "direction", "yellow_from", "green_from", "weight", "target", "floor", "cap")


class OlimpKpiLinePlan(models.AbstractModel):
    """The plan of a KPI in a profile or a scorecard: its weight, monthly target, floor and cap."""

    _name = "olimp.kpi.line.plan"
    _description = "KPI Line Plan"

    sequence = fields.Integer(default=10)
    weight = fields.Float(default=1.0, help="Share of this KPI in the efficiency.")
    target = fields.Float(
        string="Plan", help="Monthly plan. Qualitative KPIs: % of checklist items answered yes (100 = all)."
    )
    floor = fields.Float(default=0.0, help="Completion (%) under which the KPI scores 0.")
    cap = fields.Float(default=100.0, help="Highest score (%) the KPI can reach, however far the plan is exceeded.")

    _sql_constraints = [
        ("weight_positive", "CHECK(weight >= 0)", "The weight of a KPI cannot be negative."),
        ("target_positive", "CHECK(target >= 0)", "The target of a KPI cannot be negative."),
        ("floor_cap", "CHECK(floor >= 0 AND cap > 0 AND floor <= cap)", "The floor must be between 0 and the cap."),
    ]
