from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MONTH, OlimpKpiCase

# Figures collected at REFRESHED; FRESH is within the screens' five minutes, LATER beyond them.
REFRESHED = "2026-11-15 09:00:00"
FRESH = "2026-11-15 09:04:00"
LATER = "2026-11-15 09:06:00"


@tagged("post_install", "-at_install")
class TestScreensLiveNumbers(OlimpKpiCase):
    """The scorecard screen and the team board refresh the open scorecards they show when their figures are stale,
    and only those the caller may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls._kpi("LIVE_LEADS")
        cls.check = cls._qualitative_kpi("LIVE_CHECK", ["Leaflets"])
        profile = cls._profile("Live", [(cls.leads, 4, 2), (cls.check, 100, 1)])
        cls.employee_a.olimp_kpi_profile_id = profile
        cls.employee_b.olimp_kpi_profile_id = profile
        cls._lead(cls.user_a, "2026-11-03")
        cls._lead(cls.user_b, "2026-11-04")
        with freeze_time(REFRESHED):
            cls.cards = cls.Scorecard.generate(MONTH, cls.employee_a | cls.employee_b)
            cls.cards.action_refresh()
        # Their own sales team: demo data may have cards of the same month.
        cls.team = cls.env["crm.team"].create({"name": "Live Team"})
        cls.cards.team_id = cls.team
        cls.card_a = cls.cards.filtered(lambda card: card.employee_id == cls.employee_a)
        cls.card_b = cls.cards.filtered(lambda card: card.employee_id == cls.employee_b)

    def setUp(self):
        super().setUp()
        # A sale of each salesperson since the last refresh: only a refresh counts them.
        self._lead(self.user_a, "2026-11-14")
        self._lead(self.user_b, "2026-11-14")

    def _screen(self, user, refresh, **kwargs):
        return self.Scorecard.with_user(user).get_screen_data(month=MONTH, refresh=refresh, **kwargs)

    def _close(self, card):
        card.answer_ids.value = "yes"
        with freeze_time("2026-12-02 09:00:00"):
            card.action_close()

    def _leads_actual(self, card):
        return self._line(card, self.leads).actual

    # -- the scorecard screen --------------------------------------------------------------------------------
    @freeze_time(LATER)
    def test_salesperson_screen_refreshes_stale_figures(self):
        data = self._screen(self.user_a, "stale")
        self.assertEqual(data["scorecard"]["id"], self.card_a.id)
        leads = next(line for line in data["lines"] if line["kpi_id"][0] == self.leads.id)
        self.assertEqual(leads["actual"], 2, "the sale made since the last refresh is counted")
        self.assertEqual(data["freshness"]["refreshed_on"], LATER)
        self.assertTrue(data["freshness"]["refreshed"])
        self.assertFalse(data["freshness"]["error"])
        self.assertEqual(data["freshness"]["stale_after_minutes"], 5)
        self.assertEqual(self._leads_actual(self.card_b), 1, "a colleague's card is left alone")

    @freeze_time(FRESH)
    def test_fresh_figures_are_shown_as_they_are(self):
        data = self._screen(self.user_a, "stale")
        self.assertFalse(data["freshness"]["refreshed"])
        self.assertEqual(data["freshness"]["refreshed_on"], REFRESHED)
        self.assertEqual(self._leads_actual(self.card_a), 1)
        data = self._screen(self.user_a, "all")
        self.assertTrue(data["freshness"]["refreshed"], "the Refresh button refreshes fresh figures too")
        self.assertEqual(self._leads_actual(self.card_a), 2)

    @freeze_time(LATER)
    def test_without_refresh_the_screen_only_reads(self):
        data = self._screen(self.user_a, False)
        self.assertFalse(data["freshness"]["refreshed"])
        self.assertEqual(self._leads_actual(self.card_a), 1)

    @freeze_time(LATER)
    def test_salesperson_cannot_refresh_a_colleague(self):
        data = self._screen(self.user_a, "all", employee_id=self.employee_b.id)
        self.assertFalse(data["scorecard"])
        self.assertFalse(data["freshness"])
        self.assertEqual(self.card_b.refreshed_on, fields.Datetime.to_datetime(REFRESHED))
        self.assertEqual(self._leads_actual(self.card_b), 1)

    @freeze_time(LATER)
    def test_closed_scorecard_is_not_refreshed(self):
        self._close(self.card_a)
        self._lead(self.user_a, "2026-11-20")
        data = self._screen(self.admin_user, "all", employee_id=self.employee_a.id)
        self.assertEqual(data["scorecard"]["state"], "closed")
        self.assertFalse(data["freshness"], "a closed month's figures never change: nothing to say about them")
        self.assertEqual(self._leads_actual(self.card_a), 2, "the figures of the close")

    @freeze_time(LATER)
    def test_refresh_that_cannot_be_done_keeps_the_figures_and_says_why(self):
        """An order in a currency without exchange rate, counted by a sales KPI of her card: no refresh possible."""
        code = "EUR" if self.env.company.currency_id.name != "EUR" else "USD"
        currency = self.env.ref(f"base.{code}")
        currency.active = True
        currency.rate_ids.unlink()
        sales = self._kpi(
            "LIVE_SALES",
            aggregation="sum",
            model_id=self.env["ir.model"]._get_id("sale.order"),
            measure_field_id=self._field("sale.order", "amount_untaxed").id,
            date_field_id=self._field("sale.order", "date_order").id,
            user_field_id=self._field("sale.order", "user_id").id,
            domain="[('state', '=', 'sale')]",
        )
        self.env["olimp.kpi.scorecard.line"].create({"scorecard_id": self.card_a.id, "kpi_id": sales.id, "target": 1})
        self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Abroad customer"}).id,
                "user_id": self.user_a.id,
                "pricelist_id": self.env["product.pricelist"].create({"name": "Abroad", "currency_id": currency.id}).id,
                "state": "sale",
                "date_order": "2026-11-10 10:00:00",
                "order_line": [
                    Command.create(
                        {"product_id": self.env["product.product"].create({"name": "Export"}).id, "price_unit": 100}
                    )
                ],
            }
        )
        data = self._screen(self.user_a, "stale")
        self.assertIn(f"There is no exchange rate for {currency.name}", data["freshness"]["error"])
        self.assertFalse(data["freshness"]["refreshed"])
        self.assertEqual(data["freshness"]["refreshed_on"], REFRESHED)
        self.assertEqual(data["scorecard"]["id"], self.card_a.id, "the screen still shows the figures it has")
        self.assertEqual(self._leads_actual(self.card_a), 1, "nothing written")

    def test_unknown_refresh_mode(self):
        with self.assertRaises(UserError):
            self._screen(self.user_a, "everything")

    @freeze_time(LATER)
    def test_one_employee_refresh_is_a_handful_of_queries(self):
        """The screen of a stale card costs the read of a fresh one plus the refresh of that one card."""
        screen = self.Scorecard.with_user(self.user_a)
        screen.get_screen_data(month=MONTH)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        screen.get_screen_data(month=MONTH)
        read_only = self.env.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        screen.get_screen_data(month=MONTH, refresh="stale")
        refresh = self.env.cr.sql_log_count - before - read_only
        # Savepoints, the lock of the card, its lines with the previous month's scorecard and lines, the working
        # days of the month (the company's working hours, their attendances and public holidays), the KPI and its
        # fields, one grouped query on the leads (the month, and the month before only for employees without a
        # previous scorecard), the line and scorecard UPDATEs, the new refresh date: 18 here, and one grouped query
        # more per other source of its KPIs; never one per employee.
        self.assertLessEqual(refresh, 18, f"{refresh} queries for one employee's refresh")
        self.assertEqual(self._leads_actual(self.card_a), 2)

    # -- the team board --------------------------------------------------------------------------------------
    @freeze_time(LATER)
    def test_salesperson_board_refreshes_only_own_card(self):
        board = self.Scorecard.with_user(self.user_a).get_team_board(MONTH, refresh="all")
        self.assertEqual([row["employee"]["id"] for row in board["rows"]], [self.employee_a.id])
        self.assertEqual(board["rows"][0]["cells"][0]["actual"], 2)
        self.assertTrue(board["freshness"]["refreshed"])
        self.assertEqual(self._leads_actual(self.card_b), 1, "nobody else's card is refreshed")
        self.assertEqual(self.card_b.refreshed_on, fields.Datetime.to_datetime(REFRESHED))

    def test_board_refreshes_the_team_when_stale(self):
        board_of = self.Scorecard.with_user(self.admin_user).get_team_board
        with freeze_time(FRESH):
            board = board_of(MONTH, team_id=self.team.id, refresh="stale")
            self.assertFalse(board["freshness"]["refreshed"])
            self.assertEqual(board["freshness"]["refreshed_on"], REFRESHED)
        with freeze_time(LATER):
            board = board_of(MONTH, team_id=self.team.id, refresh="stale")
        self.assertTrue(board["freshness"]["refreshed"])
        self.assertEqual(board["freshness"]["refreshed_on"], LATER, "the oldest figures shown")
        actuals = {row["employee"]["id"]: row["cells"][0]["actual"] for row in board["rows"]}
        self.assertEqual((actuals[self.employee_a.id], actuals[self.employee_b.id]), (2, 2))

    @freeze_time(LATER)
    def test_board_of_a_team_leader_refreshes_the_team_only(self):
        board = self.Scorecard.with_user(self.manager_user).get_team_board(MONTH, refresh="stale")
        self.assertEqual([row["employee"]["id"] for row in board["rows"]], [self.employee_a.id])
        self.assertEqual(self._leads_actual(self.card_a), 2)
        self.assertEqual(self._leads_actual(self.card_b), 1)

    @freeze_time(LATER)
    def test_board_freshness_is_the_oldest_open_card(self):
        with freeze_time(FRESH):
            self.card_a.action_refresh()
        board = self.Scorecard.with_user(self.admin_user).get_team_board(MONTH, team_id=self.team.id)
        self.assertEqual(board["freshness"]["refreshed_on"], REFRESHED, "Boris's figures are older")
        self._close(self.card_b)
        board = self.Scorecard.with_user(self.admin_user).get_team_board(MONTH, team_id=self.team.id)
        self.assertEqual(board["freshness"]["refreshed_on"], FRESH, "a closed card's figures do not age")
