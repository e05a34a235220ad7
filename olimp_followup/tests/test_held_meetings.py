"""Meetings count once held, the repeat-order rhythm as a ratio, and the catalogue's correction (issue 12)."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.calendar_event import HELD_MEETINGS_DOMAIN, MEETINGS_DOMAIN
from .common import FollowupCase


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestHeldMeetings(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        cls.meetings = cls.env.ref("olimp_kpi.kpi_meetings")
        cls.rhythm = cls.env.ref("olimp_followup.kpi_repeat_order_rhythm")
        cls.profile = cls.env["olimp.kpi.profile"].create(
            {
                "name": "Meetings and rhythm",
                "line_ids": [
                    Command.create({"kpi_id": cls.meetings.id, "target": 10}),
                    Command.create({"kpi_id": cls.rhythm.id, "target": 80}),
                ],
            }
        )
        cls.salesman_employee.olimp_kpi_profile_id = cls.profile
        Event = cls.env["calendar.event"].with_user(cls.salesman)
        cls.events = Event.browse()
        for day in ("03", "10", "14", "20"):
            cls.events |= Event.create(
                {
                    "name": f"Meeting {day}",
                    "user_id": cls.salesman.id,
                    "partner_ids": [Command.set((cls.customer | cls.salesman.partner_id).ids)],
                    "start": f"2025-03-{day} 09:00:00",
                    "stop": f"2025-03-{day} 10:00:00",
                }
            )

    def _line(self, kpi):
        scorecard = self.env["olimp.kpi.scorecard"].generate(date(2025, 3, 1), employees=self.salesman_employee)
        scorecard.action_refresh()
        return scorecard.line_ids.filtered(lambda line: line.kpi_id == kpi)

    def test_the_catalogue_counts_meetings_marked_held(self):
        self.assertEqual(self.meetings.domain, HELD_MEETINGS_DOMAIN)
        line = self._line(self.meetings)
        self.assertEqual(line.actual, 0, "created in the calendar is not held")
        first, second, third, future = self.events.with_user(self.salesman)
        first.action_olimp_mark_held()  # one click, from the form or the list
        second.write({"olimp_protocol": "<p>Agreed on a pilot.</p>"})  # minutes mark it held
        self.assertTrue(second.olimp_held)
        third.write({"olimp_protocol": "<p><br></p>"})  # no text: not held
        self.assertFalse(third.olimp_held)
        line = self._line(self.meetings)
        self.assertEqual(line.actual, 2)
        self.assertEqual(self.env["calendar.event"].search(line.action_open_records()["domain"]), first | second)
        # A meeting still to come cannot be held; minutes prepared ahead do not mark it.
        with self.assertRaisesRegex(UserError, "has not started yet"):
            future.action_olimp_mark_held()
        future.write({"olimp_protocol": "<p>Agenda</p>"})
        self.assertFalse(future.olimp_held)

    def test_the_calendar_offers_held_on_the_form_and_the_list(self):
        form = self.env.ref("olimp_followup.calendar_event_view_form")
        lists = self.env.ref("olimp_followup.calendar_event_view_list_held") | self.env.ref(
            "olimp_followup.calendar_event_view_list"
        )
        for view in form | lists:
            self.assertIn('name="action_olimp_mark_held"', view.arch_db, view.name)
        arch = self.env["calendar.event"].get_view(self.env.ref("calendar.view_calendar_event_tree").id, "list")["arch"]
        self.assertIn("action_olimp_mark_held", arch)

    def test_catalogue_correction_leaves_a_changed_kpi_alone(self):
        Event = self.env["calendar.event"]
        self.meetings.domain = MEETINGS_DOMAIN
        self.assertEqual(Event._olimp_count_held_meetings_only(), {"olimp_kpi.kpi_meetings": "updated"})
        self.assertEqual(self.meetings.domain, HELD_MEETINGS_DOMAIN)
        self.assertEqual(Event._olimp_count_held_meetings_only(), {"olimp_kpi.kpi_meetings": "up to date"})
        self.assertEqual(Event._olimp_count_held_meetings_only(undo=True), {"olimp_kpi.kpi_meetings": "updated"})
        self.assertEqual(self.meetings.domain, MEETINGS_DOMAIN)
        self.meetings.domain = '[("partner_ids.partner_share", "=", True), ("duration", ">", 0.5)]'
        with self.assertLogs("odoo.addons.olimp_kpi.models.olimp_kpi_catalogue", "WARNING") as logs:
            result = Event._olimp_count_held_meetings_only()
        self.assertEqual(result, {"olimp_kpi.kpi_meetings": "changed by the user"})
        self.assertIn("was changed by a user", logs.output[0])
        self.assertIn("duration", self.meetings.domain)

    def test_the_description_says_what_is_counted_in_every_language(self):
        """*Meetings held* says, in English and in Russian, that with this module only the meetings marked as held
        count; switching what it counts (install, uninstall) leaves the catalogue's description as it is."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["olimp_kpi"], ["ru_RU"], overwrite=True)
        Event = self.env["calendar.event"]
        english, russian = self.meetings.with_context(lang="en_US"), self.meetings.with_context(lang="ru_RU")
        base = (english.description, russian.description)
        self.assertIn("only the meetings marked as held", english.description)
        self.assertIn("только встречи, отмеченные как проведённые", russian.description)
        Event._olimp_count_held_meetings_only(undo=True)
        self.assertEqual(self.meetings.domain, MEETINGS_DOMAIN)
        self.assertEqual((english.description, russian.description), base)
        Event._olimp_count_held_meetings_only()
        self.assertEqual(self.meetings.domain, HELD_MEETINGS_DOMAIN)
        self.assertEqual((english.description, russian.description), base)

    def test_share_of_current_customers_on_repeat_order_rhythm(self):
        Partner = self.env["res.partner"]
        customers = Partner.create(
            [{"name": f"Rhythm {index}", "is_company": True, "user_id": self.salesman.id} for index in range(4)]
        )
        for customer, day in zip(customers[:3], ("2025-03-01", "2024-12-20", "2024-10-01"), strict=True):
            with freeze_time(f"{day} 10:00:00"):
                self._order(partner=customer).write({"state": "sale"})
        # 90 days of rhythm: on track (March), due (December), overdue (October); the fourth never ordered.
        self.assertEqual(customers.mapped("olimp_reorder_state"), ["ok", "due", "overdue", "none"])
        line = self._line(self.rhythm)
        self.assertEqual((line.numerator_actual, line.denominator_actual), (2, 3))
        self.assertAlmostEqual(line.actual, 200 / 3)
        self.assertEqual((line.trend_basis, str(line.measured_on)), ("none", "2025-03-15"))
        records = self.env["res.partner"].search(line.action_open_records()["domain"])
        self.assertEqual(records & customers, customers[:2])
        self.assertEqual(
            len(line.sudo().denominator_record_ids),
            len(
                self.env["res.partner"].search(
                    [("user_id", "=", self.salesman.id), ("olimp_reorder_state", "!=", "none")]
                )
            ),
        )
