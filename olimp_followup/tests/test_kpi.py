from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestFollowupKpis(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        kpis = [
            cls.env.ref("olimp_followup.kpi_followups_on_time"),
            cls.env.ref("olimp_followup.kpi_followups_overdue"),
            cls.env.ref("olimp_followup.kpi_meetings_protocol"),
            cls.env.ref("olimp_kpi.kpi_passport_protocols"),
            cls.env.ref("olimp_kpi.kpi_meeting_plan"),
        ]
        cls.profile = cls.env["olimp.kpi.profile"].create(
            {
                "name": "Follow-up profile",
                "line_ids": [Command.create({"kpi_id": kpi.id, "target": 10, "weight": 1}) for kpi in kpis],
            }
        )
        cls.salesman_employee.olimp_kpi_profile_id = cls.profile

        Partner = cls.env["res.partner"]
        cls.fresh = Partner.create({"name": "Fresh Passport", "is_company": True, "user_id": cls.salesman.id})
        cls.stale = Partner.create({"name": "Stale Passport", "is_company": True, "user_id": cls.salesman.id})
        cls.director = Partner.create({"name": "Director", "parent_id": cls.fresh.id})
        with freeze_time("2025-02-01 10:00:00"):
            # Orders without triggers: the passports' customers need a confirmed order to count.
            (cls._order(partner=cls.fresh) | cls._order(partner=cls.stale)).write({"state": "sale"})
            cls.fresh.write(
                {
                    "olimp_passport_decision_maker_id": cls.director.id,
                    "olimp_passport_needs": "Scanners",
                    "olimp_passport_products": "Our service",
                }
            )
        with freeze_time("2025-03-05 10:00:00"):
            # Sold to Fresh Passport in March, through its director; Stale Passport, also Sam's, bought nothing.
            cls._order(partner=cls.director).write({"state": "sale"})

        for delay in (3, 3, 3, 31):
            cls._rule(name=f"Step {delay}", delay_days=delay)
        with freeze_time("2025-03-10 10:00:00"):
            order = cls._order(confirm=True)
        cls.on_time, cls.late, cls.open, cls.later = order.olimp_followup_ids.sorted("date_deadline")
        with freeze_time("2025-03-12 10:00:00"):
            cls.on_time.action_done()
        with freeze_time("2025-03-20 10:00:00"):
            cls.late.activity_id.action_done()

        Event = cls.env["calendar.event"]
        for day, held, minutes in (
            ("03", True, "<p>Agreed on a pilot.</p>"),
            ("04", True, False),
            ("05", False, False),
        ):
            Event.create(
                {
                    "name": f"Meeting {day}",
                    "user_id": cls.salesman.id,
                    "start": f"2025-03-{day} 09:00:00",
                    "stop": f"2025-03-{day} 10:00:00",
                    "olimp_held": held,
                    "olimp_protocol": minutes,
                }
            )
        Event.create(
            {
                "name": "Planned",
                "user_id": cls.salesman.id,
                "start": "2025-04-07 09:00:00",
                "stop": "2025-04-07 10:00:00",
            }
        )

    @freeze_time("2025-03-31 20:00:00")
    def test_scorecard_actuals_and_evidence(self):
        self.Followup._cron_flag_overdue()
        self.assertEqual(
            (self.on_time | self.late | self.open | self.later).mapped("is_overdue"), [False, True, True, False]
        )
        scorecard = self.env["olimp.kpi.scorecard"].generate(date(2025, 3, 1), employees=self.salesman_employee)
        scorecard.action_refresh()
        actual = {line.kpi_id.code: line.actual for line in scorecard.line_ids}
        self.assertEqual(actual["FOLLOWUPS_ON_TIME"], 1)
        self.assertEqual(actual["FOLLOWUPS_OVERDUE"], 2)
        self.assertEqual(actual["MEETINGS_PROTOCOL"], 1)

        evidence = {answer.item_id.evidence: answer.evidence for answer in scorecard.answer_ids}
        # The customers Sam sold to in March: Fresh Passport, and Customer Co (whose salesperson is Sue).
        self.assertEqual(
            evidence["passport"], "1 of the 2 customers sold to in the month have an up-to-date passport (50%)."
        )
        self.assertEqual(evidence["protocols"], "1 of 2 meetings held have minutes (50%).")
        self.assertEqual(evidence["meeting_plan"], "Meetings planned for the next month: 1.")
        # The team leader reads the same evidence; the expert's answer stays theirs.
        answers = scorecard.answer_ids.with_user(self.manager)
        self.assertEqual({a.item_id.evidence: a.evidence for a in answers}, evidence)

    @freeze_time("2025-03-31 20:00:00")
    def test_drill_down_opens_the_counted_followups(self):
        self.Followup._cron_flag_overdue()
        scorecard = self.env["olimp.kpi.scorecard"].generate(date(2025, 3, 1), employees=self.salesman_employee)
        scorecard.action_refresh()
        line = scorecard.line_ids.filtered(lambda ln: ln.kpi_id.code == "FOLLOWUPS_OVERDUE")
        action = line.action_open_records()
        self.assertEqual(self.Followup.search(action["domain"]), self.late | self.open)

    def test_evidence_without_data(self):
        scorecard = self.env["olimp.kpi.scorecard"].generate(date(2024, 1, 1), employees=self.salesman_employee)
        evidence = {answer.item_id.evidence: answer.evidence for answer in scorecard.answer_ids}
        self.assertEqual(evidence["protocols"], "No meeting of the month is marked as held.")
        self.assertEqual(evidence["meeting_plan"], "Meetings planned for the next month: 0.")

    def test_catalogue_items_have_evidence(self):
        self.assertEqual(self.env.ref("olimp_kpi.kpi_passport_protocols_item_passport").evidence, "passport")
        self.assertEqual(self.env.ref("olimp_kpi.kpi_passport_protocols_item_protocols").evidence, "protocols")
        self.assertEqual(self.env.ref("olimp_kpi.kpi_meeting_plan_item_planned").evidence, "meeting_plan")

    def test_closed_month_keeps_its_followup_figures(self):
        """Follow-ups, meetings and orders of a closed month change afterwards: its scorecard does not."""
        with freeze_time("2025-03-31 20:00:00"):
            self.Followup._cron_flag_overdue()
            scorecard = self.env["olimp.kpi.scorecard"].generate(date(2025, 3, 1), employees=self.salesman_employee)
            scorecard.answer_ids.write({"value": "yes"})
        with freeze_time("2025-04-01 08:00:00"):
            scorecard.with_user(self.manager).action_close()
        frozen = {line.kpi_id.code: (line.actual, line.zone, line.score) for line in scorecard.line_ids}
        evidence = {answer.item_id.evidence: answer.evidence for answer in scorecard.answer_ids}
        self.assertEqual(evidence["protocols"], "1 of 2 meetings held have minutes (50%).")
        efficiency = scorecard.efficiency
        self.assertEqual(frozen["FOLLOWUPS_ON_TIME"][0], 1)
        self.assertEqual(frozen["FOLLOWUPS_OVERDUE"][0], 2)

        with freeze_time("2025-04-05 10:00:00"):
            self.on_time.unlink()
            self.late.with_user(self.manager).date_deadline = date(2025, 3, 25)  # done on the 20th: on time now
            self.open.action_done()
            self.env["calendar.event"].search([("name", "=", "Meeting 04")]).olimp_protocol = "<p>Minutes, late.</p>"
            self.later.order_id._action_cancel()
            scorecard.action_refresh()
            self.env["olimp.kpi.scorecard"]._cron_refresh()
            self.Followup._cron_flag_overdue()
        scorecard.invalidate_recordset()
        after = {line.kpi_id.code: (line.actual, line.zone, line.score) for line in scorecard.line_ids}
        self.assertEqual(after, frozen)
        scorecard.answer_ids.invalidate_recordset(["evidence"])
        self.assertEqual(
            {answer.item_id.evidence: answer.evidence for answer in scorecard.answer_ids},
            evidence,
            "the evidence beside the answers is the one at close, though a meeting got its minutes since",
        )
        self.assertEqual(scorecard.efficiency, efficiency)
        self.assertEqual(set(scorecard.answer_ids.mapped("value")), {"yes"})

        # Reopened by a team leader (recorded in its chatter), the month is computed again from today's data.
        with freeze_time("2025-04-05 10:00:00"):
            scorecard.with_user(self.manager).action_reopen()
            scorecard.action_refresh()
        actual = {line.kpi_id.code: line.actual for line in scorecard.line_ids}
        self.assertEqual(
            (actual["FOLLOWUPS_ON_TIME"], actual["FOLLOWUPS_OVERDUE"], actual["MEETINGS_PROTOCOL"]), (1, 1, 2)
        )
        self.assertIn("reopened by Max Manager", scorecard.message_ids[0].body)
