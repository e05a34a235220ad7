from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..services.scorecard_refresh import ScorecardRefresh, pg_array
from .common import MONTH, TODAY, OlimpKpiCase


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestScorecardEngine(OlimpKpiCase):
    """Actuals, completion, zones, trend, score and efficiency, computed from real records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_1 = cls.env["res.partner"].create({"name": "Customer 1"})
        cls.partner_2 = cls.env["res.partner"].create({"name": "Customer 2"})

    def _refresh(self, *scorecards):
        self.Scorecard.browse([sc.id for sc in scorecards]).action_refresh()

    def _drilldown(self, line):
        action = line.action_open_records()
        return self.env[action["res_model"]].search(action["domain"])

    def test_aggregations(self):
        kpis = {
            "count": self._kpi("COUNT"),
            "sum": self._kpi("SUM", aggregation="sum", measure="expected_revenue"),
            "avg": self._kpi("AVG", aggregation="avg", measure="expected_revenue"),
            "count_distinct": self._kpi("DISTINCT", aggregation="count_distinct", measure="partner_id"),
        }
        profile = self._profile("All", [(kpi, 1, 1) for kpi in kpis.values()])
        self.employee_a.olimp_kpi_profile_id = profile
        self._lead(self.user_a, "2026-11-01", 100, partner_id=self.partner_1.id)
        self._lead(self.user_a, "2026-11-15", 200, partner_id=self.partner_1.id)
        self._lead(self.user_a, "2026-11-30", 600, partner_id=self.partner_2.id)
        self._lead(self.user_a, "2026-10-31", 50, partner_id=self.partner_1.id)  # previous month
        self._lead(self.user_a, "2026-12-01", 1000)  # next month: ignored
        self._lead(self.user_b, "2026-11-10", 1000)  # someone else: ignored
        self._lead(self.user_a, "2026-11-10", 1000, active=False)  # archived: ignored
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        expected = {"count": (3, 1), "sum": (900, 50), "avg": (300, 50), "count_distinct": (2, 1)}
        for aggregation, (actual, previous) in expected.items():
            line = self._line(scorecard, kpis[aggregation])
            self.assertAlmostEqual(line.actual, actual, msg=aggregation)
            self.assertAlmostEqual(line.previous_actual, previous, msg=aggregation)
            self.assertEqual(line.trend, "up", aggregation)
        self.assertEqual(len(self._drilldown(self._line(scorecard, kpis["count"]))), 3)

    def test_domain_filters_records(self):
        kpi = self._kpi("OPPS", domain='[("type", "=", "opportunity"), ("expected_revenue", ">", 150)]')
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 2, 1)])
        self._lead(self.user_a, "2026-11-02", 100)
        self._lead(self.user_a, "2026-11-03", 200)
        self._lead(self.user_a, "2026-11-04", 300, type="lead")
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        self.assertEqual(line.actual, 1)
        self.assertEqual(self._drilldown(line).mapped("expected_revenue"), [200])

    def test_zones_at_thresholds(self):
        kpi = self._kpi("ZONES", yellow_from=80, green_from=100)
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 10, 1)])
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, kpi)
        for count, zone in [(7, "red"), (8, "yellow"), (9, "yellow"), (10, "green"), (12, "green")]:
            while len(self.Lead.search([("user_id", "=", self.user_a.id)])) < count:
                self._lead(self.user_a, "2026-11-05")
            self._refresh(scorecard)
            self.assertEqual((line.actual, line.zone), (count, zone))
        self.assertEqual(line.completion, 120)

    def test_lower_is_better(self):
        kpi = self._kpi("DEBT", aggregation="sum", measure="expected_revenue", direction="lower")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 100, 1, 0, 150)])
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, kpi)
        self._refresh(scorecard)
        self.assertEqual((line.actual, line.completion, line.zone, line.score), (0, 150, "green", 150))
        lead = self._lead(self.user_a, "2026-11-05", 50)
        self._refresh(scorecard)
        self.assertEqual((line.completion, line.zone, line.score), (200, "green", 150))
        lead.expected_revenue = 200
        self._refresh(scorecard)
        self.assertEqual((line.completion, line.zone, line.score), (50, "red", 50))
        self.assertEqual(line.trend, "up")  # the value went up, which is bad news for this KPI

    @freeze_time("2026-12-01 09:00:00")
    def test_trend_down_and_flat(self):
        """A month that is over compares whole months (mid-month trends: test_trend_and_previous)."""
        kpi = self._kpi("TREND")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 5, 1)])
        self._lead(self.user_a, "2026-10-05")
        self._lead(self.user_a, "2026-10-06")
        self._lead(self.user_a, "2026-11-05")
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        self.assertEqual((line.actual, line.previous_actual, line.trend), (1, 2, "down"))
        self.assertEqual((line.trend_basis, line.trend_reference), ("month", 2))
        self._lead(self.user_a, "2026-11-06")
        self._refresh(scorecard)
        self.assertEqual(line.trend, "flat")

    def test_floor_and_cap(self):
        kpi = self._kpi("FLOOR")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 10, 1, 50, 120)])
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, kpi)
        for _ in range(4):
            self._lead(self.user_a, "2026-11-05")
        self._refresh(scorecard)
        self.assertEqual((line.completion, line.score), (40, 0))
        for _ in range(11):
            self._lead(self.user_a, "2026-11-05")
        self._refresh(scorecard)
        self.assertEqual((line.completion, line.score), (150, 120))
        self.assertEqual(scorecard.efficiency, 120)

    def test_zero_target_and_weights(self):
        sales = self._kpi("W_SALES", aggregation="sum", measure="expected_revenue")
        count = self._kpi("W_COUNT")
        unplanned = self._kpi("W_NONE")
        profile = self._profile("P", [(sales, 1000, 3), (count, 5, 1), (unplanned, 0, 5)])
        self.employee_a.olimp_kpi_profile_id = profile
        self._lead(self.user_a, "2026-11-05", 1000)
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        self.assertEqual(self._line(scorecard, unplanned).zone, "none")
        self.assertEqual(self._line(scorecard, unplanned).score, 0)
        # (3 × 100 + 1 × 20) / (3 + 1): the line without plan is left out.
        self.assertAlmostEqual(scorecard.efficiency, 80)
        self.assertEqual(scorecard.counted_line_count, 2)
        self.assertFalse(scorecard.efficiency_warning)
        self.assertEqual((scorecard.red_count, scorecard.yellow_count, scorecard.green_count), (1, 0, 1))

        # A plan edited by hand recomputes through the ORM with the same rules.
        self._line(scorecard, sales).target = 2000
        self.assertAlmostEqual(scorecard.efficiency, (3 * 50 + 1 * 20) / 4)

        # Nothing planned: efficiency 0 with a visible warning.
        scorecard.line_ids.write({"target": 0})
        self.assertEqual(scorecard.efficiency, 0)
        self.assertTrue(scorecard.efficiency_warning)

    def test_qualitative_completion(self):
        kpi = self._qualitative_kpi("PLAN", ["Plan made", "Customers named", "Purposes set", "Shared"])
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 100, 1)])
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, kpi)
        self.assertEqual(len(line.answer_ids), 4)
        self.assertEqual(line.unanswered_count, 4)
        line.answer_ids[:3].with_user(self.manager_user).write({"value": "yes"})
        line.answer_ids[3].with_user(self.manager_user).write({"value": "no", "comment": "Not shared yet"})
        self.assertEqual(line.actual, 75)
        self.assertEqual((line.completion, line.zone), (75, "red"))
        self.assertEqual(line.answer_ids[3].answered_by_id, self.manager_user)
        self.assertTrue(line.answer_ids[3].answered_on)
        self._refresh(scorecard)
        self.assertEqual(line.actual, 75)
        self.assertEqual(scorecard.efficiency, 75)

    def test_qualitative_previous_month(self):
        kpi = self._qualitative_kpi("MATERIAL", ["Leaflets", "Presentation"])
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 100, 1)])
        october = self._scorecard(self.employee_a, "2026-10-01")
        self._line(october, kpi).answer_ids.write({"value": "yes"})
        november = self._scorecard(self.employee_a)
        self._line(november, kpi).answer_ids[0].value = "yes"
        self._refresh(november)
        line = self._line(november, kpi)
        self.assertEqual((line.actual, line.previous_actual, line.trend), (50, 100, "down"))

    def _datetime_kpi(self):
        kpi = self._kpi("CLOSED", date_field="date_closed")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 1, 1)])
        return kpi

    def test_month_bounds_east_of_utc(self):
        kpi = self._datetime_kpi()
        self.company.partner_id.tz = "Asia/Vladivostok"  # UTC+10
        self._lead(self.user_a, date_closed="2026-10-31 15:00:00")  # 1 November 01:00 local
        self._lead(self.user_a, date_closed="2026-11-30 13:59:00")  # 30 November 23:59 local
        self._lead(self.user_a, date_closed="2026-11-30 14:30:00")  # 1 December 00:30 local
        self._lead(self.user_a, date_closed="2026-10-31 13:00:00")  # 31 October 23:00 local
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        self.assertEqual((line.actual, line.previous_actual), (2, 1))
        self.assertEqual(len(self._drilldown(line)), 2)

    def test_month_bounds_west_of_utc(self):
        kpi = self._datetime_kpi()
        self.company.partner_id.tz = "America/Los_Angeles"  # UTC-7 (PDT) / UTC-8 (PST)
        self._lead(self.user_a, date_closed="2026-11-01 05:00:00")  # 31 October 22:00 local
        self._lead(self.user_a, date_closed="2026-11-01 08:00:00")  # 1 November 01:00 local
        self._lead(self.user_a, date_closed="2026-12-01 06:00:00")  # 30 November 22:00 local
        self._lead(self.user_a, date_closed="2026-12-01 09:00:00")  # 1 December 01:00 local
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        self.assertEqual((line.actual, line.previous_actual), (2, 1))
        self.assertEqual(len(self._drilldown(line)), 2)

    def _foreign_currency(self):
        code = "EUR" if self.company.currency_id.name != "EUR" else "USD"
        currency = self.env.ref(f"base.{code}")
        currency.active = True
        currency.rate_ids.unlink()
        return currency

    def _order(self, pricelist, amount, day, state="sale"):
        product = self.env["product.product"].create({"name": "Service", "type": "service", "taxes_id": False})
        return self.env["sale.order"].create(
            {
                "partner_id": self.partner_1.id,
                "user_id": self.user_a.id,
                "pricelist_id": pricelist.id,
                "state": state,
                "date_order": day,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": amount, "tax_id": [Command.clear()]})
                ],
            }
        )

    def _sales_kpi(self):
        return self.Kpi.create(
            {
                "name": "Sales",
                "code": "SALES_TEST",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "aggregation": "sum",
                "measure_field_id": self._field("sale.order", "amount_untaxed").id,
                "date_field_id": self._field("sale.order", "date_order").id,
                "user_field_id": self._field("sale.order", "user_id").id,
                "domain": '[("state", "=", "sale")]',
            }
        )

    def test_multi_currency(self):
        foreign = self._foreign_currency()
        self.env["res.currency.rate"].create(
            [
                # 1 company-currency unit = 0.5 foreign units, so 1 foreign unit = 2 company units.
                {"currency_id": foreign.id, "name": "2026-01-01", "rate": 0.5, "company_id": self.company.id},
                {"currency_id": foreign.id, "name": "2026-12-15", "rate": 0.25, "company_id": self.company.id},
            ]
        )
        home = self.env["product.pricelist"].create({"name": "Home", "currency_id": self.company.currency_id.id})
        abroad = self.env["product.pricelist"].create({"name": "Abroad", "currency_id": foreign.id})
        kpi = self._sales_kpi()
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 1000, 1)])
        self._order(home, 300, "2026-11-03 10:00:00")
        self._order(abroad, 100, "2026-11-04 10:00:00")
        self._order(abroad, 50, "2026-10-04 10:00:00")
        self._order(abroad, 999, "2026-11-05 10:00:00", state="draft")
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        self.assertAlmostEqual(line.actual, 300 + 100 * 2)
        self.assertAlmostEqual(line.previous_actual, 50 * 2)
        self.assertEqual(len(self._drilldown(line)), 2)

    def test_missing_currency_rate_is_a_clear_error(self):
        foreign = self._foreign_currency()
        abroad = self.env["product.pricelist"].create({"name": "Abroad", "currency_id": foreign.id})
        kpi = self._sales_kpi()
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 1000, 1)])
        self._order(abroad, 100, "2026-11-04 10:00:00")
        scorecard = self._scorecard(self.employee_a)
        with self.assertRaises(UserError) as caught:
            self._refresh(scorecard)
        self.assertIn(f"no exchange rate for {foreign.name}", str(caught.exception))
        self.assertEqual(self._line(scorecard, kpi).actual, 0)

    def test_drilldown_equals_actual(self):
        kpi = self._kpi("DRILL", aggregation="sum", measure="expected_revenue", date_field="date_closed")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 1000, 1)])
        for day, revenue in [("2026-11-01 00:00:00", 10), ("2026-11-30 23:59:59", 20), ("2026-12-01 00:00:00", 40)]:
            self._lead(self.user_a, date_closed=day, expected_revenue=revenue)
        self._lead(self.user_b, date_closed="2026-11-10 10:00:00", expected_revenue=80)
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        line = self._line(scorecard, kpi)
        records = self._drilldown(line)
        self.assertEqual(line.actual, 30)
        self.assertEqual(sum(records.mapped("expected_revenue")), line.actual)
        self.assertEqual(records.user_id, self.user_a)

    def test_kpi_that_cannot_be_computed_any_more_keeps_its_actuals(self):
        """Its source model, a field or a field of its conditions went away (an uninstalled module): the refresh
        logs a warning and leaves its last actuals, the other KPIs are computed, the drill-down says why."""
        broken, fine = self._kpi("BROKEN"), self._kpi("FINE")
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(broken, 4, 1), (fine, 4, 1)])
        self._lead(self.user_a, "2026-11-02")
        self._lead(self.user_a, "2026-11-03")
        scorecard = self._scorecard(self.employee_a)
        self._refresh(scorecard)
        self.assertEqual(self._line(scorecard, broken).actual, 2)
        self._lead(self.user_a, "2026-11-04")
        for sql in (
            'UPDATE olimp_kpi SET domain = \'[("no_longer_a_field", "=", True)]\' WHERE id = %s',
            "UPDATE olimp_kpi SET date_field_id = NULL WHERE id = %s",
            "UPDATE olimp_kpi SET model_id = NULL WHERE id = %s",
        ):
            with self.subTest(sql=sql), self.env.cr.savepoint():
                self.env.cr.execute(sql, [broken.id])
                self.env.invalidate_all()
                with self.assertLogs("odoo.addons.olimp_kpi.services.scorecard_refresh", "WARNING") as logs:
                    self._refresh(scorecard)
                self.assertIn("BROKEN", logs.output[0])
                self.assertEqual(self._line(scorecard, broken).actual, 2, "last actual kept")
                self.assertEqual(self._line(scorecard, fine).actual, 3, "the others computed")
                self.assertEqual(scorecard.efficiency, (50 + 75) / 2)
                with self.assertRaises(UserError):
                    self._line(scorecard, broken).action_open_records()

    def test_drilldown_of_checklist_is_refused(self):
        kpi = self._qualitative_kpi("CHECK", ["A"])
        self.employee_a.olimp_kpi_profile_id = self._profile("P", [(kpi, 100, 1)])
        with self.assertRaises(UserError):
            self._line(self._scorecard(self.employee_a), kpi).action_open_records()

    def test_employee_based_kpi(self):
        kpi = self.Kpi.create(
            {
                "name": "Reports' birthdays",
                "code": "BIRTHDAYS",
                "model_id": self.env["ir.model"]._get_id("hr.employee"),
                "aggregation": "count",
                "date_field_id": self._field("hr.employee", "birthday").id,
                "user_field_id": self._field("hr.employee", "parent_id").id,
            }
        )
        self.employee_manager.olimp_kpi_profile_id = self._profile("P", [(kpi, 1, 1)])
        self.employee_a.birthday = "1990-11-20"
        self.employee_b.write({"parent_id": self.employee_manager.id, "birthday": "1990-10-20"})
        scorecard = self._scorecard(self.employee_manager)
        self._refresh(scorecard)
        # Birthdays are dates of 1990: none falls in November 2026.
        self.assertEqual(self._line(scorecard, kpi).actual, 0)
        self.employee_a.birthday = MONTH
        self._refresh(scorecard)
        self.assertEqual(self._line(scorecard, kpi).actual, 1)

    def test_query_count_does_not_grow_with_employees(self):
        kpis = [
            self._kpi("Q_COUNT"),
            self._kpi("Q_SUM", aggregation="sum", measure="expected_revenue"),
            self._kpi("Q_DATETIME", date_field="date_closed"),
            self._qualitative_kpi("Q_CHECK", ["A", "B"]),
        ]
        profile = self._profile("P", [(kpi, 10, 1) for kpi in kpis])
        employees = self.env["hr.employee"]
        for index in range(50):
            user = self.env["res.users"].create({"name": f"Seller {index}", "login": f"seller_{index}"})
            employees |= self.env["hr.employee"].create(
                {"name": f"Seller {index}", "user_id": user.id, "olimp_kpi_profile_id": profile.id}
            )
            self._lead(user, f"2026-11-0{1 + index % 9}", 100 * index, date_closed="2026-11-02 10:00:00")
            self._lead(user, "2026-10-15", 10)
        scorecards = self.Scorecard.generate(MONTH, employees)
        self.assertEqual(len(scorecards), 50)

        def count_queries(records):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records.action_refresh()
            return self.env.cr.sql_log_count - before

        count_queries(scorecards)  # warm-up: same state for both measures
        small = count_queries(scorecards[:5])
        large = count_queries(scorecards)
        self.assertEqual(small, large, f"5 employees: {small} queries, 50 employees: {large} queries")
        self.assertLessEqual(large, 20)
        last = scorecards[-1]
        self.assertEqual(self._line(last, kpis[1]).actual, 100 * 49)
        self.assertEqual(self._line(last, kpis[0]).previous_actual, 1)

    def test_kpis_on_the_same_records_share_one_query(self):
        kpis = [
            self._kpi("SHARED_COUNT"),
            self._kpi("SHARED_SUM", aggregation="sum", measure="expected_revenue"),
            self._kpi("OTHER_DATE", date_field="date_closed"),
        ]
        self.employee_a.olimp_kpi_profile_id = self._profile("Shared", [(kpi, 1, 1) for kpi in kpis])
        self._lead(self.user_a, "2026-11-03", 300, date_closed="2026-11-04 10:00:00")
        self._lead(self.user_a, "2026-11-05", 200)
        scorecard = self._scorecard(self.employee_a)
        refresh = ScorecardRefresh(self.env)
        refresh.run(scorecard.ids)
        self.assertEqual(refresh.collector.queries, 2)
        self.assertEqual([self._line(scorecard, kpi).actual for kpi in kpis], [2, 500, 1])

    def test_array_literals_reach_postgresql_intact(self):
        cases = [
            ("SELECT %s::float8[]", [0.1, 1e-07, 12345678.9, -2.5, None]),
            ("SELECT %s::int[]", [1, 0, -3, None]),
            ("SELECT %s::varchar[]", ["red", 'say "hi"', "back\\slash", "", None]),
        ]
        for query, column in cases:
            self.env.cr.execute(SQL(query, pg_array(column)))
            self.assertEqual(self.env.cr.fetchone()[0], column)
