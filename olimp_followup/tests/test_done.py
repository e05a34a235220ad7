from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestDone(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule(delay_days=3)
        with freeze_time("2025-03-10 10:00:00"):
            cls.order = cls._order(confirm=True)
        cls.followup = cls.order.olimp_followup_ids

    def test_done_from_activity_on_time(self):
        activity = self.followup.activity_id
        with freeze_time("2025-03-13 16:00:00"):
            activity.with_user(self.salesman).action_feedback(feedback="Happy with the delivery")
        self.assertRecordValues(
            self.followup,
            [
                {
                    "state": "done",
                    "date_done": date(2025, 3, 13),
                    "on_time": True,
                    "is_overdue": False,
                    "feedback": "Happy with the delivery",
                    "activity_id": False,
                }
            ],
        )
        self.assertFalse(activity.exists())

    def test_done_from_activity_late(self):
        with freeze_time("2025-03-14 08:00:00"):
            self.followup.activity_id.with_user(self.salesman).action_done()
        self.assertRecordValues(
            self.followup, [{"state": "done", "date_done": date(2025, 3, 14), "on_time": False, "is_overdue": True}]
        )

    def test_done_from_followup_closes_activity(self):
        activity = self.followup.activity_id
        with freeze_time("2025-03-12 10:00:00"):
            self.followup.with_user(self.salesman).action_done(rating="5", feedback="All good", offer_made=True)
        self.assertRecordValues(
            self.followup,
            [{"state": "done", "date_done": date(2025, 3, 12), "on_time": True, "rating": "5", "offer_made": True}],
        )
        self.assertFalse(activity.exists())
        self.assertFalse(self._activities(self.customer))
        # The standard "activity done" message is in the customer's chatter, with the feedback.
        message = self.customer.message_ids.filtered(lambda m: m.mail_activity_type_id)[:1]
        self.assertIn("All good", message.body)
        self.assertIn(self.order.name, message.body)
        # Nothing left to do: done twice is harmless.
        self.followup.action_done(rating="1")
        self.assertEqual(self.followup.rating, "5")

    def test_done_wizard_with_opportunity(self):
        action = self.followup.with_user(self.salesman).action_open_done_wizard()
        self.assertEqual(action["res_model"], "olimp.followup.done.wizard")
        wizard_form = Form(
            self.env["olimp.followup.done.wizard"].with_user(self.salesman).with_context(**action["context"])
        )
        wizard_form.rating = "4"
        wizard_form.feedback = "Needs scanners for the new branch"
        wizard_form.need_found = True
        wizard_form.lead_name = "Scanners for the new branch"
        wizard_form.expected_revenue = 25000
        result = wizard_form.save().action_confirm()
        lead = self.followup.lead_id
        self.assertEqual(result["res_model"], "crm.lead")
        self.assertEqual(result["res_id"], lead.id)
        self.assertRecordValues(
            lead,
            [
                {
                    "name": "Scanners for the new branch",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "team_id": self.team.id,
                    "expected_revenue": 25000,
                }
            ],
        )
        self.assertRecordValues(self.followup, [{"state": "done", "rating": "4", "offer_made": False}])

    def test_done_wizard_needs_a_name_for_the_need(self):
        wizard = (
            self.env["olimp.followup.done.wizard"]
            .with_user(self.salesman)
            .create({"followup_ids": self.followup.ids, "need_found": True})
        )
        with self.assertRaisesRegex(UserError, "Describe the need found"):
            wizard.action_confirm()
        self.assertEqual(self.followup.state, "planned")

    def test_done_wizard_on_closed_followups(self):
        self.followup.action_done()
        with self.assertRaisesRegex(UserError, "Only planned follow-ups"):
            self.followup.action_open_done_wizard()
        wizard = self.env["olimp.followup.done.wizard"].create({"followup_ids": self.followup.ids})
        with self.assertRaisesRegex(UserError, "no longer planned"):
            wizard.action_confirm()

    def test_activity_cancelled_cancels_followup(self):
        self.followup.activity_id.with_user(self.salesman).action_cancel()
        self.assertRecordValues(
            self.followup, [{"state": "cancelled", "cancel_reason": "activity", "is_overdue": False, "on_time": False}]
        )

    def test_followup_cancelled_removes_activity(self):
        activity = self.followup.activity_id
        self.followup.with_user(self.salesman).action_cancel()
        self.assertRecordValues(self.followup, [{"state": "cancelled", "cancel_reason": "manual"}])
        self.assertFalse(activity.exists())

    def test_order_deleted(self):
        self.order._action_cancel()
        self.order.unlink()
        self.assertFalse(self.followup.exists())

    def test_overdue_flag_by_cron(self):
        with freeze_time("2025-03-13 10:00:00"):
            self.Followup._cron_flag_overdue()
            self.assertFalse(self.followup.is_overdue)
        with freeze_time("2025-03-14 10:00:00"):
            self.Followup._cron_flag_overdue()
            self.assertTrue(self.followup.is_overdue)
            # Done late stays overdue; moved deadline is re-evaluated at once.
            self.followup.date_deadline = date(2025, 3, 20)
            self.assertFalse(self.followup.is_overdue)

    def test_overdue_cron_batches(self):
        for index in range(4):
            self._rule(name=f"Extra {index}", delay_days=index)
        with freeze_time("2025-03-10 10:00:00"):
            order = self._order(confirm=True)
        followups = order.olimp_followup_ids
        with freeze_time("2025-04-01"):
            self.Followup._cron_flag_overdue(batch_size=3)
            self.assertEqual(len(followups.filtered("is_overdue")), 3)
            self.Followup._cron_flag_overdue(batch_size=3)
            self.assertTrue(all(followups.mapped("is_overdue")))

    def test_reassigned_activity_moves_followup(self):
        self.followup.activity_id.write({"user_id": self.salesman_2.id})
        self.assertEqual(self.followup.user_id, self.salesman_2)

    def test_manager_reschedules(self):
        followup = self.followup.with_user(self.manager)
        followup.write({"date_deadline": date(2025, 3, 20), "user_id": self.salesman_2.id})
        self.assertRecordValues(
            self.followup.activity_id, [{"date_deadline": date(2025, 3, 20), "user_id": self.salesman_2.id}]
        )

    def test_salesperson_cannot_move_own_deadline(self):
        followup = self.followup.with_user(self.salesman)
        self.assertFalse(followup.user_can_manage)
        with self.assertRaisesRegex(AccessError, "Only team leaders"):
            followup.date_deadline = date(2025, 4, 30)
        with self.assertRaisesRegex(AccessError, "Only team leaders"):
            followup.write({"state": "done", "date_done": date(2025, 3, 1)})
        followup.write({"feedback": "Called, no answer"})
        self.assertEqual(self.followup.feedback, "Called, no answer")

    def test_open_document(self):
        action = self.followup.action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("sale.order", self.order.id))

    def test_salesperson_form_shows_read_only_what_they_may_not_change(self):
        """Every field of the regulation on the form is read-only for the salesperson; saving the outcome works."""
        from ..models.olimp_followup import PROTECTED_FIELDS  # noqa: PLC0415

        with Form(self.followup.with_user(self.salesman)) as form:
            shown = [name for name in PROTECTED_FIELDS if name in form._view["fields"]]
            self.assertGreaterEqual(len(shown), 10)
            editable = [name for name in shown if not form._get_modifier(name, "readonly")]
            self.assertEqual(editable, [])
            form.feedback = "Called, no answer"
            form.rating = "3"
        self.assertRecordValues(self.followup, [{"feedback": "Called, no answer", "rating": "3"}])
        # A team leader may move the deadline and change the responsible and the task of a planned follow-up.
        with Form(self.followup.with_user(self.leader)) as form:
            self.assertFalse(form._get_modifier("date_deadline", "readonly"))
            self.assertFalse(form._get_modifier("user_id", "readonly"))
            self.assertTrue(form._get_modifier("rule_id", "readonly"))
            form.date_deadline = date(2025, 3, 20)
        self.assertEqual(self.followup.activity_id.date_deadline, date(2025, 3, 20))

    def test_mark_as_done_on_a_phone(self):
        """On a phone the header's buttons go into a menu: the form keeps a "Mark as Done" button in the sheet."""
        arch = self.Followup.with_user(self.salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        sheet = arch[arch.index("<sheet") : arch.index("</sheet>")]
        self.assertIn('name="action_open_done_wizard"', sheet)
        self.assertIn("d-md-none", sheet)
