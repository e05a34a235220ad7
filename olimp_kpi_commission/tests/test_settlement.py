"""Commission settlements of OCA commission_oca / account_commission_oca pay the agent's KPI efficiency.

Anna sells; her contact is a commission agent of 10 % on invoices. Her November scorecard holds the article's sales
line (plan 500,000, actual 491,970): efficiency 98.394 %. An invoice of 10,000 in November gives a commission of
1,000, paid 983.94 once the month is closed. Settlements are made by a commission manager who may read no
scorecard (least-privileged: commission manager and invoicing rights, no KPI group).
"""

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.addons.olimp_kpi.tests.common import MONTH, OlimpKpiCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

EFFICIENCY = 491970 / 500000 * 100
COMMISSION = 1000.0
PAID = 983.94
SETTLE_DAY = "2026-12-05"


@tagged("post_install", "-at_install")
@freeze_time(SETTLE_DAY)
class TestSettlementEfficiency(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        cls.settler = new_test_user(
            cls.env,
            "olimp_commission_settler",
            groups="commission_oca.group_commission_manager,account.group_account_invoice",
        )
        sales = cls._kpi("COMM_SALES", aggregation="sum", measure="expected_revenue", unit="amount")
        cls.employee_a.olimp_kpi_profile_id = cls._profile("Seller", [(sales, 500000, 1)])
        cls._lead(cls.user_a, "2026-11-12", 491970)
        cls._lead(cls.user_a, "2026-10-12", 250000)
        cls.november = cls.Scorecard.generate(MONTH, cls.employee_a)
        cls.october = cls.Scorecard.generate("2026-10-01", cls.employee_a)
        (cls.november | cls.october).action_refresh()
        cls.commission = cls.env["commission"].create(
            {"name": "10 % × efficiency", "fix_qty": 10.0, "olimp_apply_efficiency": True}
        )
        cls.plain_commission = cls.env["commission"].create({"name": "10 %", "fix_qty": 10.0})
        cls.agent = cls.user_a.partner_id
        cls.agent.write({"agent": True, "settlement": "monthly", "commission_id": cls.commission.id})
        cls.customer = cls.env["res.partner"].create({"name": "Romashka"})
        cls.product = cls.env["product.product"].create({"name": "Scanner", "list_price": 10000.0})
        cls.commission_product = cls.env["product.product"].create({"name": "Commission", "type": "service"})
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", cls.company.id)], limit=1
        )

    @classmethod
    def _invoice(cls, day, agent=None, commission=None):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "price_unit": 10000.0,
                            "tax_ids": [Command.clear()],
                            "agent_ids": [
                                Command.create(
                                    {
                                        "agent_id": (agent or cls.agent).id,
                                        "commission_id": (commission or cls.commission).id,
                                    }
                                )
                            ],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _settle(self, agent=None, day=SETTLE_DAY, lang="en_US"):
        wizard = (
            self.env["commission.make.settle"]
            .with_user(self.settler)
            .with_context(lang=lang)
            .create(
                {
                    "date_to": day,
                    "agent_ids": [Command.set((agent or self.agent).ids)],
                    "settlement_type": "sale_invoice",
                }
            )
        )
        wizard.action_settle()
        settlement = self.env["commission.settlement"].search([("agent_id", "=", (agent or self.agent).id)])
        self.assertEqual(len(settlement), 1)
        return settlement.with_user(self.settler)

    def _close(self, scorecards):
        scorecards.with_user(self.manager_user).action_close()

    def test_closed_month_pays_the_efficiency(self):
        self._invoice("2026-11-20")
        self._close(self.november)
        settlement = self._settle()
        self.assertFalse(self.settler.has_group("olimp_kpi.group_kpi_user"))
        with self.assertRaises(AccessError):
            self.november.with_user(self.settler).read(["efficiency"])
        line = settlement.line_ids
        self.assertAlmostEqual(line.olimp_base_amount, COMMISSION)
        self.assertAlmostEqual(line.olimp_efficiency, EFFICIENCY)
        self.assertAlmostEqual(line.olimp_efficiency_rate, EFFICIENCY)
        self.assertEqual(line.olimp_efficiency_state, "applied")
        self.assertEqual(line.olimp_efficiency_note, "Scorecard of November 2026")
        self.assertAlmostEqual(line.settled_amount, PAID)
        self.assertAlmostEqual(settlement.total, PAID)
        self.assertFalse(settlement.olimp_efficiency_warning)
        self.assertFalse(settlement.olimp_efficiency_held)
        invoice = settlement.make_invoices(self.journal, self.commission_product)
        self.assertAlmostEqual(invoice.amount_untaxed, PAID)

    def test_month_without_closed_scorecard_says_so_and_pays_nothing(self):
        self._invoice("2026-11-20")
        settlement = self._settle()
        line = settlement.line_ids
        self.assertEqual(line.olimp_efficiency_state, "missing")
        self.assertAlmostEqual(line.olimp_base_amount, COMMISSION)
        self.assertEqual(line.settled_amount, 0.0)
        self.assertTrue(settlement.olimp_efficiency_held)
        self.assertIn("No closed scorecard of Anna for November 2026", settlement.olimp_efficiency_warning)
        self.assertIn("Apply Efficiency", settlement.olimp_efficiency_warning)
        held = self.env["commission.settlement"].search(
            [("olimp_efficiency_held", "=", True), ("agent_id", "=", self.agent.id)]
        )
        self.assertEqual(held, settlement.sudo())
        with self.assertRaisesRegex(UserError, "without the agent's KPI efficiency"):
            settlement.make_invoices(self.journal, self.commission_product)
        # The month is closed: applied again, the settlement pays the efficiency.
        self._close(self.november)
        settlement.action_olimp_apply_efficiency()
        self.assertAlmostEqual(line.settled_amount, PAID)
        self.assertFalse(settlement.olimp_efficiency_held)
        # Idempotent: from the commission before efficiency, not from the amount already reduced.
        settlement.action_olimp_apply_efficiency()
        self.assertAlmostEqual(line.settled_amount, PAID)
        self.assertAlmostEqual(line.olimp_base_amount, COMMISSION)

    def test_floor_and_cap(self):
        self._invoice("2026-11-20")
        self._close(self.november)
        self.commission.write({"olimp_efficiency_floor": 99.0})
        line = self._settle().line_ids
        self.assertEqual((line.olimp_efficiency_state, line.olimp_efficiency_rate), ("applied", 0.0))
        self.assertEqual(line.settled_amount, 0.0, "below the floor: no commission")
        self.assertFalse(line.settlement_id.olimp_efficiency_held, "not held: the efficiency is known")
        self.commission.write({"olimp_efficiency_floor": 50.0, "olimp_efficiency_cap": 90.0})
        line.settlement_id.action_olimp_apply_efficiency()
        self.assertEqual(line.olimp_efficiency_rate, 90.0)
        self.assertAlmostEqual(line.settled_amount, 900.0)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.commission.write({"olimp_efficiency_floor": 120.0})
            self.env.flush_all()

    def test_settlement_period_averages_the_closed_months(self):
        """A quarterly settlement of October to December with the period's efficiency: December is not closed."""
        self.commission.olimp_efficiency_basis = "period"
        self.agent.settlement = "quaterly"
        self._invoice("2026-10-20")
        self._invoice("2026-11-20")
        self._close(self.october | self.november)
        october = self.october.efficiency
        with freeze_time("2027-01-05"):
            settlement = self._settle(day="2027-01-05")
        self.assertEqual(len(settlement.line_ids), 2)
        average = (october + EFFICIENCY) / 2
        for line in settlement.line_ids:
            self.assertEqual(line.olimp_efficiency_state, "partial")
            self.assertAlmostEqual(line.olimp_efficiency, average)
            self.assertAlmostEqual(line.settled_amount, round(COMMISSION * average / 100, 2))
        self.assertIn("no closed scorecard for December 2026", settlement.olimp_efficiency_warning)
        self.assertFalse(settlement.olimp_efficiency_held, "the closed months are paid")

    def test_agent_without_employee(self):
        outside = self.env["res.partner"].create({"name": "Outside agent", "agent": True, "settlement": "monthly"})
        self._invoice("2026-11-20", agent=outside)
        settlement = self._settle(agent=outside)
        self.assertEqual(settlement.line_ids.olimp_efficiency_state, "no_employee")
        self.assertEqual(settlement.total, 0.0)
        self.assertIn("Outside agent is not the user of an employee", settlement.olimp_efficiency_warning)

    def test_commission_without_efficiency_is_untouched(self):
        self._invoice("2026-11-20", commission=self.plain_commission)
        settlement = self._settle()
        self.assertAlmostEqual(settlement.total, COMMISSION)
        self.assertFalse(settlement.line_ids.olimp_efficiency_state)
        self.assertFalse(settlement.olimp_efficiency_warning)

    def test_manual_settlement_amount_is_before_efficiency(self):
        self._close(self.november)
        settlement = (
            self.env["commission.settlement"]
            .with_user(self.settler)
            .create(
                {
                    "agent_id": self.agent.id,
                    "date_from": "2026-11-01",
                    "date_to": "2026-11-30",
                    "line_ids": [
                        Command.create(
                            {"date": "2026-11-15", "commission_id": self.commission.id, "settled_amount": 500}
                        )
                    ],
                }
            )
        )
        line = settlement.line_ids
        self.assertAlmostEqual(line.settled_amount, 491.97)
        line.settled_amount = 1000.0
        self.assertAlmostEqual(line.settled_amount, PAID)
        self.assertAlmostEqual(line.olimp_base_amount, COMMISSION)
        line.commission_id = self.plain_commission
        self.assertAlmostEqual(line.settled_amount, COMMISSION)
        self.assertFalse(line.olimp_efficiency_state)

    def test_auto_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "olimp_kpi_commission")])
        self.assertTrue(module.auto_install)
        self.assertEqual(module.state, "installed")
        self.assertEqual(set(module.dependencies_id.mapped("name")), {"olimp_kpi", "account_commission_oca"})

    def test_warning_in_russian(self):
        """A commission manager working in Russian reads why the line pays nothing, months named in Russian."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["olimp_kpi_commission"], ["ru_RU"], overwrite=True)
        self._invoice("2026-11-20")
        settlement = self._settle(lang="ru_RU")
        self.assertEqual(
            settlement.line_ids.olimp_efficiency_note, "Нет закрытой карты показателей за ноябрь 2026 (Anna)"
        )
        self.assertIn("Применить эффективность", settlement.with_context(lang="ru_RU").olimp_efficiency_warning)
        labels = (
            self.env["commission.settlement.line"]
            .with_context(lang="ru_RU")
            .fields_get(["olimp_base_amount", "olimp_efficiency_rate"], ["string"])
        )
        self.assertEqual(labels["olimp_efficiency_rate"]["string"], "Доля выплаты (%)")
