from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

MONTH = "2026-11-01"
TODAY = "2026-11-15"


def close_scorecards(scorecards, unanswered_as_no=True, day=None):
    """Close ``scorecards`` (with their user's rights) once their month is over: on the morning of the day after
    their last month ends, unless ``day`` says otherwise; unanswered checklist questions count as No by the
    closer's explicit choice, unless ``unanswered_as_no`` is False."""
    last = max(scorecards.mapped("date_to"))
    when = day or datetime.combine(last + timedelta(days=1), time(9))
    with freeze_time(when):
        scorecards.with_context(olimp_unanswered_as_no=unanswered_as_no).action_close()


class OlimpKpiCase(TransactionCase):
    """Users, employees and helpers to build KPIs on CRM leads, whose dates and amounts tests can set freely."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.company.partner_id.tz = "UTC"
        cls.Kpi = cls.env["olimp.kpi"]
        cls.Scorecard = cls.env["olimp.kpi.scorecard"]
        cls.Lead = cls.env["crm.lead"]
        cls.admin_user = new_test_user(cls.env, "olimp_admin", groups="olimp_kpi.group_kpi_admin")
        cls.manager_user = new_test_user(cls.env, "olimp_manager", groups="olimp_kpi.group_kpi_manager")
        cls.user_a = new_test_user(cls.env, "olimp_user_a", groups="olimp_kpi.group_kpi_user")
        cls.user_b = new_test_user(cls.env, "olimp_user_b", groups="olimp_kpi.group_kpi_user")
        cls.employee_manager = cls._employee("Manager", cls.manager_user)
        cls.employee_a = cls._employee("Anna", cls.user_a, parent=cls.employee_manager)
        cls.employee_b = cls._employee("Boris", cls.user_b)

    @classmethod
    def _employee(cls, name, user, parent=None, profile=None):
        return cls.env["hr.employee"].create(
            {
                "name": name,
                "user_id": user.id,
                "parent_id": parent.id if parent else False,
                "olimp_kpi_profile_id": profile.id if profile else False,
            }
        )

    @classmethod
    def _field(cls, model, name):
        return cls.env["ir.model.fields"]._get(model, name)

    @classmethod
    def _kpi(cls, code, aggregation="count", measure=None, date_field="date_deadline", **vals):
        """A quantitative KPI on CRM leads, credited to the salesperson."""
        values = {
            "name": code.title(),
            "code": code,
            "model_id": cls.env["ir.model"]._get_id("crm.lead"),
            "aggregation": aggregation,
            "measure_field_id": cls._field("crm.lead", measure).id if measure else False,
            "date_field_id": cls._field("crm.lead", date_field).id,
            "user_field_id": cls._field("crm.lead", "user_id").id,
            "domain": "[]",
        }
        values.update(vals)
        return cls.Kpi.create(values)

    @classmethod
    def _qualitative_kpi(cls, code, questions):
        return cls.Kpi.create(
            {
                "name": code.title(),
                "code": code,
                "kind": "qualitative",
                "unit": "percent",
                "checklist_item_ids": [Command.create({"name": question}) for question in questions],
            }
        )

    @classmethod
    def _profile(cls, name, lines):
        """``lines``: (kpi, target, weight[, floor, cap]) tuples."""
        commands = []
        for kpi, target, weight, *limits in lines:
            floor, cap = (limits + [0.0, 100.0][len(limits) :])[:2]
            commands.append(
                Command.create({"kpi_id": kpi.id, "target": target, "weight": weight, "floor": floor, "cap": cap})
            )
        return cls.env["olimp.kpi.profile"].create({"name": name, "line_ids": commands})

    @classmethod
    def _lead(cls, user, day=None, revenue=0.0, **vals):
        values = {"name": "Lead", "type": "opportunity", "user_id": user.id, "expected_revenue": revenue}
        if day:
            values["date_deadline"] = day
        values.update(vals)
        return cls.Lead.create(values)

    def _close(self, scorecards, user=None, **kwargs):
        """Close as ``user`` (default: the test's environment) once the month is over; see
        :func:`close_scorecards`."""
        close_scorecards(scorecards.with_user(user) if user else scorecards, **kwargs)

    def _scorecard(self, employee, month=MONTH):
        scorecard = self.Scorecard.generate(month, employee)
        self.assertEqual(len(scorecard), 1)
        return scorecard

    def _line(self, scorecard, kpi):
        line = scorecard.line_ids.filtered(lambda ln: ln.kpi_id == kpi)
        self.assertEqual(len(line), 1)
        return line
