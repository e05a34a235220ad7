"""Numbers a company can pay on: what the catalogue's KPIs count, balances, ratios, the previous month and the
trend of a running month (issue 12)."""

from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MONTH, TODAY, OlimpKpiCase

OCTOBER = "2026-10-01"
AFTER_NOVEMBER = "2026-12-01 09:00:00"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestNumbers(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.count = cls._kpi("NUM_COUNT")
        cls.customer = cls.env["res.partner"].create({"name": "Numbers customer", "is_company": True})

    def _card(self, kpis, employee=None, month=MONTH, targets=None):
        employee = employee or self.employee_a
        targets = targets or {}
        employee.olimp_kpi_profile_id = self._profile(
            f"Numbers {len(kpis)}", [(kpi, targets.get(kpi, 10), 1) for kpi in kpis]
        )
        return self._scorecard(employee, month)

    # -- the previous month and the trend --------------------------------------------------------------------
    def test_previous_month_comes_from_its_closed_scorecard(self):
        """The trend compares with the figure October was closed and paid on: an order booked into October
        afterwards does not move November's arrow."""
        self._lead(self.user_a, "2026-10-05")
        self._lead(self.user_a, "2026-10-06")
        october = self._card([self.count], month=OCTOBER)
        november = self._scorecard(self.employee_a)
        self._close(october)
        self.assertEqual(self._line(october, self.count).actual, 2)
        self._lead(self.user_a, "2026-10-20")  # late, into the closed month
        self._lead(self.user_a, "2026-11-03")
        november.action_refresh()
        line = self._line(november, self.count)
        self.assertEqual((line.actual, line.previous_actual), (1, 2), "October as closed, not as the data says now")
        self.assertEqual(self._line(october, self.count).actual, 2)

    def test_previous_month_from_the_data_without_a_scorecard(self):
        self._lead(self.user_a, "2026-10-05")
        self._lead(self.user_a, "2026-10-06")
        self._lead(self.user_a, "2026-11-03")
        november = self._card([self.count])
        november.action_refresh()
        self.assertEqual(self._line(november, self.count).previous_actual, 2)

    def test_open_previous_scorecard_gives_its_current_figure(self):
        self._lead(self.user_a, "2026-10-05")
        october = self._card([self.count], month=OCTOBER)
        november = self._scorecard(self.employee_a)
        october.action_refresh()
        self._lead(self.user_a, "2026-10-06")
        # Both months in one refresh: October's new figure is November's previous month.
        (october | november).action_refresh()
        self.assertEqual(self._line(november, self.count).previous_actual, 2)

    def test_running_month_compares_like_with_like(self):
        """On the 15th, half a month is compared with the previous month pro-rated to the working days elapsed,
        and the screen says so; once the month is over, whole months are compared."""
        for day in ("2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"):
            self._lead(self.user_a, day)
        self._lead(self.user_a, "2026-11-03")
        self._lead(self.user_a, "2026-11-04")
        card = self._card([self.count])
        card.action_refresh()
        line = self._line(card, self.count)
        # Monday to Friday: November 2026 has 21 working days, 10 of them before the 15th.
        self.assertEqual((card.trend_basis, card.elapsed_working_days, card.working_days), ("prorated", 10, 21))
        self.assertEqual((line.previous_actual, line.trend_basis), (4, "prorated"))
        self.assertAlmostEqual(line.trend_reference, 4 * 10 / 21)
        self.assertEqual(line.trend, "up", "2 in half a month is ahead of 4 in a whole one")
        data = self.Scorecard.with_user(self.user_a).get_screen_data(month=MONTH)
        self.assertEqual(data["scorecard"]["trend_basis"], "prorated")
        self.assertEqual(data["lines"][0]["trend_basis"], "prorated")
        with freeze_time(AFTER_NOVEMBER):
            card.action_refresh()
        self.assertEqual((line.trend_basis, line.trend_reference, line.trend), ("month", 4, "down"))
        self.assertEqual(card.trend_basis, "none", "no October scorecard: no efficiency to compare with")

    def test_first_day_of_the_month_is_not_a_fall(self):
        self._lead(self.user_a, "2026-10-05")
        card = self._card([self.count])
        with freeze_time("2026-11-01 08:00:00"):
            card.action_refresh()
        line = self._line(card, self.count)
        self.assertEqual((line.actual, line.trend_reference, line.trend), (0, 0, "flat"))
        self.assertEqual(card.efficiency_trend, "flat")

    def test_no_previous_figure_no_trend(self):
        check = self._qualitative_kpi("NUM_CHECK", ["Leaflets"])
        card = self._card([check])
        self._line(card, check).answer_ids.value = "yes"
        card.action_refresh()
        line = self._line(card, check)
        self.assertEqual((line.trend_basis, line.trend), ("none", "flat"), "nothing to compare a checklist with")

    def test_working_days_follow_the_company_calendar(self):
        calendar = self.env.company.resource_calendar_id
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 11, 4, 0, 0),
                "date_to": datetime(2026, 11, 4, 23, 59),
            }
        )
        elapsed, total = self.env.company._olimp_kpi_working_days(
            datetime(2026, 11, 1).date(), datetime(2026, 11, 15).date()
        )
        self.assertEqual((elapsed, total), (9, 20))

    # -- flows that only count what has happened -------------------------------------------------------------
    def test_future_records_do_not_count(self):
        kpi = self._kpi("NUM_PAST", exclude_future=True)
        self._lead(self.user_a, "2026-11-14")
        self._lead(self.user_a, "2026-11-15")
        self._lead(self.user_a, "2026-11-20")  # still to come
        card = self._card([kpi])
        card.action_refresh()
        line = self._line(card, kpi)
        self.assertEqual(line.actual, 2)
        action = line.action_open_records()
        self.assertEqual(len(self.Lead.search(action["domain"])), 2, "the drill-down opens what is counted")

    def test_meetings_count_once_they_have_taken_place(self):
        kpi = self.env.ref("olimp_kpi.kpi_meetings")
        Event = self.env["calendar.event"]
        held = {"olimp_held": True} if "olimp_held" in Event._fields else {}
        for day, values in (("2026-11-10", held), ("2026-11-14", held), ("2026-11-25", {})):
            Event.create(
                {
                    "name": "Customer meeting",
                    "user_id": self.user_a.id,
                    "partner_ids": [Command.set(self.customer.ids)],
                    "start": f"{day} 10:00:00",
                    "stop": f"{day} 11:00:00",
                    **values,
                }
            )
        card = self._card([kpi])
        card.action_refresh()
        self.assertEqual(self._line(card, kpi).actual, 2, "the meeting of the 25th has not taken place yet")

    # -- new customers ---------------------------------------------------------------------------------------
    def _order(self, partner, user, day, confirm=True):
        with freeze_time(f"{day} 10:00:00"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.env["product.product"].create({"name": "Thing"}).id,
                                "product_uom_qty": 1,
                                "price_unit": 100,
                            }
                        )
                    ],
                }
            )
            if confirm:
                order.action_confirm()
        return order

    def test_new_customer_counts_in_the_month_of_its_first_order(self):
        kpi = self.env.ref("olimp_kpi.kpi_new_customers")
        # Made in September, first order in November by Anna, a second one by Boris.
        with freeze_time("2026-09-03"):
            september = self.env["res.partner"].create({"name": "Made in September", "is_company": True})
            contact = self.env["res.partner"].create({"name": "Its buyer", "parent_id": september.id})
        first = self._order(contact, self.user_a, "2026-11-05")
        second = self._order(september, self.user_b, "2026-11-06")
        # An older customer: first order in October.
        old = self.env["res.partner"].create({"name": "Older customer", "is_company": True})
        self._order(old, self.user_a, "2026-10-07")
        self._order(old, self.user_a, "2026-11-08")
        self.assertTrue(first.olimp_first_order)
        self.assertFalse(second.olimp_first_order)
        card_a = self._card([kpi])
        card_b = self._card([kpi], employee=self.employee_b)
        (card_a | card_b).action_refresh()
        self.assertEqual(self._line(card_a, kpi).actual, 1, "Made in September, for Anna who sold first")
        self.assertEqual(self._line(card_a, kpi).previous_actual, 1, "Older customer, in October")
        self.assertEqual(self._line(card_b, kpi).actual, 0)
        with freeze_time("2026-11-09"):
            first._action_cancel()
        self.assertTrue(second.olimp_first_order, "cancelled, the first order is no longer the first")
        (card_a | card_b).action_refresh()
        self.assertEqual((self._line(card_a, kpi).actual, self._line(card_b, kpi).actual), (0, 1))

    def test_a_quotation_without_customer_for_a_moment_is_not_written(self):
        """sale's warning onchange clears the customer of a quotation (a blocked customer): only confirmed orders
        are first orders, so nothing is flushed, as without this module (sale's test_sale_warnings)."""
        customer = self.env["res.partner"].create({"name": "Quoted", "is_company": True})
        quotation = self._order(customer, self.user_a, "2026-11-05", confirm=False)
        quotation.partner_id = False
        self.assertFalse(quotation.partner_id)
        quotation.partner_id = customer
        with freeze_time("2026-11-05 10:00:00"):
            quotation.action_confirm()
        self.assertTrue(quotation.olimp_first_order)
        # A confirmed order moved to another customer: both customers' first orders are measured again.
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        later = self._order(other, self.user_a, "2026-11-07")
        self.assertTrue(later.olimp_first_order)
        quotation.partner_id = other
        self.assertTrue(quotation.olimp_first_order, "the earlier order is now the other customer's first")
        self.assertFalse(later.olimp_first_order)

    # -- balances --------------------------------------------------------------------------------------------
    def _balance_kpi(self, **values):
        return self._kpi(
            "NUM_BALANCE",
            aggregation="sum",
            measure="expected_revenue",
            period_mode="balance",
            due_date_field_id=self._field("crm.lead", "date_deadline").id,
            direction="lower",
            **values,
        )

    def test_balance_is_the_state_at_the_month_end(self):
        kpi = self._balance_kpi()
        self._lead(self.user_a, "2026-09-20", 100)  # dated before the month: part of the balance, overdue
        self._lead(self.user_a, "2026-11-20", 200)  # due later this month: overdue at its end
        self._lead(self.user_a, "2026-12-05", 400)  # next month: not yet
        card = self._card([kpi])
        card.action_refresh()
        line = self._line(card, kpi)
        self.assertEqual((line.actual, line.actual_overdue, str(line.measured_on)), (300, 100, TODAY))
        self.assertEqual((line.previous_actual, line.trend_basis), (100, "month"), "a state against a state")
        with freeze_time("2026-11-30 06:00:00"):
            self._lead(self.user_a, "2026-11-25", 50)
            card.action_refresh()
        self.assertEqual((line.actual, line.actual_overdue, str(line.measured_on)), (350, 350, "2026-11-30"))
        counted = self.Lead.browse(line.sudo().record_ids)
        self.assertEqual(sorted(counted.mapped("expected_revenue")), [50, 100, 200])
        # The month is over: payments or new records no longer change it.
        with freeze_time(AFTER_NOVEMBER):
            self.Lead.search([("user_id", "=", self.user_a.id)]).write({"expected_revenue": 1})
            card.action_refresh()
            self.assertEqual((line.actual, str(line.measured_on)), (350, "2026-11-30"))
            self._close(card)
        self.assertEqual(line.actual, 350)
        action = line.action_open_records()
        self.assertEqual(self.Lead.search(action["domain"]), counted, "the records of the last measure")

    def test_balance_measured_after_its_month_says_when(self):
        kpi = self._balance_kpi()
        self._lead(self.user_a, "2026-11-20", 200)
        card = self._card([kpi])
        with freeze_time("2026-12-03 09:00:00"):
            card.action_refresh()
            card.action_refresh()
        line = self._line(card, kpi)
        self.assertEqual((line.actual, str(line.measured_on)), (200, "2026-12-03"))

    def test_balance_needs_an_employee_field(self):
        with self.assertRaisesRegex(ValidationError, "measures a balance: choose the employee field"):
            self._balance_kpi(user_field_id=False)
        with self.assertRaisesRegex(ValidationError, "due date field splits off the overdue part"):
            self._kpi("NUM_DUE", due_date_field_id=self._field("crm.lead", "date_deadline").id)

    def test_catalogue_receivables_owed_at_month_end(self):
        kpi = self.env.ref("olimp_kpi.kpi_receivables")
        self.assertEqual((kpi.period_mode, kpi.direction), ("balance", "lower"))
        if not self.env.company.chart_template:
            self.skipTest("no chart of accounts in this company")
        product = self.env["product.product"].create({"name": "Service", "lst_price": 1000})

        def invoice(day, due):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_user_id": self.user_a.id,
                    "invoice_date": day,
                    "invoice_date_due": due,
                    "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 1000, "tax_ids": []})],
                }
            )
            move.action_post()
            return move

        invoice("2026-10-10", "2026-10-20")  # overdue at the month's end
        invoice("2026-11-10", "2026-12-10")
        invoice("2026-12-02", "2026-12-20")  # issued after the month
        card = self._card([kpi])
        with freeze_time("2026-11-30 06:00:00"):
            card.action_refresh()
        line = self._line(card, kpi)
        self.assertAlmostEqual(line.actual, 2000)
        self.assertAlmostEqual(line.actual_overdue, 1000)

    # -- ratios ----------------------------------------------------------------------------------------------
    def _ratio(self, numerator, denominator, **values):
        return self.Kpi.create(
            {
                "name": "Ratio",
                "code": values.pop("code", "NUM_RATIO"),
                "aggregation": "ratio",
                "unit": "percent",
                "numerator_kpi_id": numerator.id,
                "denominator_kpi_id": denominator.id,
                **values,
            }
        )

    def test_ratio_of_two_kpis(self):
        won = self._kpi("NUM_WON", domain='[("expected_revenue", ">", 100)]')
        ratio = self._ratio(won, self.count)
        for revenue in (500, 50, 50, 300):
            self._lead(self.user_a, "2026-11-05", revenue)
        card_a = self._card([ratio], targets={ratio: 40})
        card_b = self._card([ratio], employee=self.employee_b, targets={ratio: 40})
        (card_a | card_b).action_refresh()
        line = self._line(card_a, ratio)
        self.assertEqual((line.numerator_actual, line.denominator_actual, line.actual), (2, 4, 50))
        self.assertEqual((line.completion, line.zone), (125, "green"))
        self.assertEqual(
            sorted(self.Lead.search(line.action_open_records()["domain"]).mapped("expected_revenue")), [300, 500]
        )
        self.assertEqual(len(self.Lead.search(line.action_open_denominator_records()["domain"])), 4)
        # Nothing to divide: no ratio, no zone, left out of the efficiency.
        empty = self._line(card_b, ratio)
        self.assertEqual((empty.actual, empty.zone, empty.score), (0, "none", 0))
        self.assertEqual(card_b.counted_line_count, 0)
        self.assertTrue(card_b.efficiency_warning)
        # A plan changed by hand keeps "no ratio" (the ORM and the refresh judge alike).
        empty.target = 10
        self.assertEqual(empty.zone, "none")
        data = self.Scorecard.with_user(self.manager_user).get_screen_data(self.employee_a.id, MONTH)
        self.assertFalse(data["lines"][0]["can_open_denominator"], "a team leader without Sales rights reads no lead")
        self.manager_user.groups_id += self.env.ref("sales_team.group_sale_salesman_all_leads")
        data = self.Scorecard.with_user(self.manager_user).get_screen_data(self.employee_a.id, MONTH)
        self.assertTrue(data["lines"][0]["can_open_records"])
        self.assertTrue(data["lines"][0]["can_open_denominator"])
        self.assertIn("÷", data["lines"][0]["definition"])
        plain = self._line(self._card([self.count], employee=self.employee_b, month=OCTOBER), self.count)
        with self.assertRaisesRegex(UserError, "not a ratio"):
            plain.action_open_denominator_records()

    def test_ratio_closed_keeps_both_record_lists(self):
        ratio = self._ratio(self._kpi("NUM_BIG", domain='[("expected_revenue", ">", 100)]'), self.count)
        small = self._lead(self.user_a, "2026-11-05", 50)
        big = self._lead(self.user_a, "2026-11-06", 500)
        card = self._card([ratio])
        self._close(card)
        line = self._line(card, ratio)
        self.assertEqual(line.sudo().record_ids, [big.id])
        self.assertEqual(sorted(line.sudo().denominator_record_ids), sorted((small | big).ids))

    def test_bad_ratios(self):
        check = self._qualitative_kpi("NUM_Q", ["Q"])
        archived = self._kpi("NUM_ARCHIVED")
        ratio = self._ratio(self.count, self._kpi("NUM_OTHER"))
        archived.active = False
        cases = {
            "a ratio itself": (ratio, self.count),
            "scored with a checklist": (check, self.count),
            "it is archived": (self.count, archived),
        }
        for message, (numerator, denominator) in cases.items():
            with self.subTest(message), self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                self._ratio(numerator, denominator, code="NUM_BAD")
        with self.assertRaisesRegex(ValidationError, "no source model or fields of its own"), self.env.cr.savepoint():
            self._ratio(self.count, self.count, code="NUM_BAD", model_id=self.env["ir.model"]._get_id("crm.lead"))
        with self.assertRaisesRegex(ValidationError, "choose its numerator and its denominator"):
            self.Kpi.create({"name": "R", "code": "NUM_BAD", "aggregation": "ratio"})
        # What a ratio divides stays divisible.
        with self.assertRaisesRegex(UserError, "ratio KPIs Ratio divide it"):
            self.count.action_archive()
        with self.assertRaisesRegex(ValidationError, "cannot divide"):
            self.count.write({"kind": "qualitative"})
        self.assertTrue(self.count.active)
