"""The plan of a KPI line, declared once for the profile line and the scorecard line.

A scorecard line is a snapshot: when it is made it copies from its KPI the ``KPI_SNAPSHOT_FIELDS`` (a later change
of the KPI does not move the past) and from the employee's profile line the ``PLAN_FIELDS`` (the target: the month's
plan when there is one), both named in ``services/line_fields.py``. The fields of ``PLAN_FIELDS`` and their checks
are those of :class:`OlimpKpiLinePlan`, inherited by both lines; the refresh reads the ``JUDGED_FIELDS`` of each
line, and a test checks that the ORM's computations depend on no other field. Adding a property to every line is
one line here and one in ``services/line_fields.py``.
"""

from odoo import fields, models


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
