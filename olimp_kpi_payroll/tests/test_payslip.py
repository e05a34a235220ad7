from freezegun import freeze_time

from odoo.addons.olimp_kpi.tests.common import MONTH, OlimpKpiCase
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

# The article's sales line: plan 500,000, actual 491,970, the only KPI: efficiency 98.394 %.
EFFICIENCY = 491970 / 500000 * 100
TARGET_BONUS = 50000.0
BONUS = 49197.0
# Payroll runs on the last day of the month: the payslip form proposes that month; the month's scorecard is
# closed by a team leader the next morning, once the month is over (or, earlier, by a KPI administrator's choice).
PAY_DAY = "2026-11-30"
CLOSING = "2026-12-01 08:00:00"


@tagged("post_install", "-at_install")
@freeze_time(PAY_DAY)
class TestPayslipEfficiency(OlimpKpiCase):
    """A payslip of November for Anna, whose November scorecard is closed, pays her KPI bonus."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payroll_officer = new_test_user(cls.env, "olimp_payroll_officer", groups="payroll.group_payroll_user")
        cls.payroll_manager = new_test_user(cls.env, "olimp_payroll_manager", groups="payroll.group_payroll_manager")
        sales = cls._kpi("PAY_SALES", aggregation="sum", measure="expected_revenue", unit="amount")
        cls.employee_a.olimp_kpi_profile_id = cls._profile("Seller", [(sales, 500000, 1)])
        cls._lead(cls.user_a, "2026-11-12", 491970)
        cls.scorecard = cls.Scorecard.generate(MONTH, cls.employee_a)
        cls.scorecard.action_refresh()
        cls.kpi_bonus = cls.env.ref("olimp_kpi_payroll.hr_salary_rule_kpi_bonus")
        basic = cls.env["hr.salary.rule"].create(
            {
                "name": "Basic",
                "code": "BASIC",
                "sequence": 1,
                "amount_select": "code",
                "amount_python_compute": "result = contract.wage",
            }
        )
        cls.structure = cls.env["hr.payroll.structure"].create(
            {
                "name": "Sales",
                "code": "OLIMP_SALES",
                "parent_id": False,
                "rule_ids": [(6, 0, (basic | cls.kpi_bonus).ids)],
            }
        )
        cls.contract = cls.env["hr.contract"].create(
            {
                "name": "Anna's contract",
                "employee_id": cls.employee_a.id,
                "date_start": "2026-01-01",
                "wage": 3000.0,
                "olimp_target_bonus": TARGET_BONUS,
                "struct_id": cls.structure.id,
                "state": "open",
            }
        )

    def _close_scorecard(self):
        with freeze_time(CLOSING):
            self.scorecard.with_user(self.manager_user).action_close()
        self.assertEqual(self.scorecard.state, "closed")
        self.assertAlmostEqual(self.scorecard.efficiency, EFFICIENCY)

    def _november_payslip(self):
        """A payslip of November made by the payroll officer with ``create`` (no onchange: no inputs yet)."""
        return (
            self.env["hr.payslip"]
            .with_user(self.payroll_officer)
            .create(
                {
                    "employee_id": self.employee_a.id,
                    "contract_id": self.contract.id,
                    "struct_id": self.structure.id,
                    "date_from": "2026-11-01",
                    "date_to": "2026-11-30",
                }
            )
        )

    def _efficiency_inputs(self, payslip):
        return payslip.input_line_ids.filtered(lambda line: line.code == "OLIMP_EFF")

    def _assert_bonus(self, payslip):
        inputs = self._efficiency_inputs(payslip)
        self.assertEqual(len(inputs), 1)
        self.assertAlmostEqual(inputs.amount, EFFICIENCY)
        bonus = payslip.line_ids.filtered(lambda line: line.code == "OLIMP_KPI_BONUS")
        self.assertEqual(len(bonus), 1)
        self.assertAlmostEqual(bonus.amount, TARGET_BONUS)
        self.assertAlmostEqual(bonus.rate, EFFICIENCY)
        self.assertAlmostEqual(bonus.total, BONUS, places=2)
        self.assertAlmostEqual(payslip.get_salary_line_total("BASIC"), 3000.0)

    def test_payslip_form_fills_efficiency_and_pays_bonus(self):
        self._close_scorecard()
        form = Form(self.env["hr.payslip"].with_user(self.payroll_officer))
        form.employee_id = self.employee_a
        payslip = form.save()
        self.assertEqual((str(payslip.date_from), str(payslip.date_to)), ("2026-11-01", "2026-11-30"))
        self.assertEqual(payslip.struct_id, self.structure)
        self.assertAlmostEqual(self._efficiency_inputs(payslip).amount, EFFICIENCY)
        payslip.compute_sheet()
        self._assert_bonus(payslip)
        payslip.action_payslip_done()
        self.assertEqual(payslip.state, "done")
        self._assert_bonus(payslip)

    def test_batch_payslips_get_the_efficiency(self):
        self._close_scorecard()
        run = (
            self.env["hr.payslip.run"]
            .with_user(self.payroll_manager)
            .create({"name": "November", "date_start": "2026-11-01", "date_end": "2026-11-30"})
        )
        wizard = (
            self.env["hr.payslip.employees"]
            .with_user(self.payroll_manager)
            .create({"employee_ids": [(6, 0, self.employee_a.ids)]})
        )
        wizard.with_context(active_id=run.id).compute_sheet()
        self.assertEqual(len(run.slip_ids), 1)
        self._assert_bonus(run.slip_ids)

    def test_scorecard_closed_after_the_payslip_was_made(self):
        payslip = self._november_payslip()
        payslip.compute_sheet()
        self.assertEqual(self._efficiency_inputs(payslip).amount, 0.0, "an open scorecard does not count")
        self.assertEqual(payslip.get_salary_line_total("OLIMP_KPI_BONUS"), 0.0)
        # Not a silent 0: the payslip says which month has no closed scorecard.
        self.assertIn("No closed KPI scorecard for November 2026", payslip.olimp_efficiency_warning)
        self._close_scorecard()
        payslip.invalidate_recordset(["olimp_efficiency_warning"])
        self.assertFalse(payslip.olimp_efficiency_warning)
        payslip.compute_sheet()
        self._assert_bonus(payslip)

    def test_a_period_with_an_open_month_says_so(self):
        self._close_scorecard()
        payslip = self._november_payslip()
        payslip.write({"date_from": "2026-10-01"})
        self.assertIn(
            "No closed KPI scorecard for October 2026: the KPI efficiency is that of November 2026 only",
            payslip.olimp_efficiency_warning,
        )
        view = self.env["hr.payslip"].get_view(self.env.ref("payroll.hr_payslip_view_form").id, "form")["arch"]
        self.assertIn("olimp_efficiency_warning", view)

    def test_no_target_bonus_no_bonus_line(self):
        self._close_scorecard()
        self.contract.olimp_target_bonus = 0.0
        payslip = self._november_payslip()
        payslip.compute_sheet()
        self.assertAlmostEqual(self._efficiency_inputs(payslip).amount, EFFICIENCY)
        self.assertFalse(payslip.line_ids.filtered(lambda line: line.code == "OLIMP_KPI_BONUS"))

    def test_payroll_users_pay_efficiency_they_may_not_read(self):
        """Payroll users are HR officers, not KPI HR readers: they read no scorecard, yet their payslips pay it."""
        self._close_scorecard()
        for user in (self.payroll_officer, self.payroll_manager):
            self.assertTrue(user.has_group("hr.group_hr_user"))
            self.assertFalse(user.has_group("olimp_kpi.group_kpi_hr_reader"))
            with self.assertRaises(AccessError):
                self.scorecard.with_user(user).read(["efficiency"])
            with self.assertRaises(AccessError):
                self.employee_a.with_user(user).read(["olimp_efficiency"])
        payslip = self._november_payslip()
        payslip.compute_sheet()
        self._assert_bonus(payslip)
        # A quarter averages its closed months: October and December have no closed scorecard.
        quarter = (
            self.env["hr.payslip"]
            .with_user(self.payroll_officer)
            ._olimp_efficiency(self.employee_a, "2026-10-01", "2026-12-31")
        )
        self.assertAlmostEqual(quarter, EFFICIENCY)
        october = (
            self.env["hr.payslip"]
            .with_user(self.payroll_officer)
            ._olimp_efficiency_detail(self.employee_a, "2026-10-01", "2026-10-31")
        )
        self.assertIsNone(october["efficiency"], "no closed month: no figure")

    def test_salespeople_with_payroll_rights_read_only_their_own(self):
        """OCA Payroll puts its manager group on the default user template, so every user gets payroll (and HR)
        rights: a salesperson with them still reads their own scorecard and no colleague's."""
        self.assertIn(self.env.ref("payroll.group_payroll_manager"), self.env.ref("base.default_user").groups_id)
        self._close_scorecard()
        seller = new_test_user(
            self.env, "olimp_seller_payroll", groups="sales_team.group_sale_salesman,payroll.group_payroll_manager"
        )
        self.assertTrue(seller.has_group("hr.group_hr_user"))
        employee = self.env["hr.employee"].create(
            {"name": "Seller", "user_id": seller.id, "olimp_kpi_profile_id": self.employee_a.olimp_kpi_profile_id.id}
        )
        own = self.Scorecard.generate(MONTH, employee)
        visible = self.Scorecard.with_user(seller).search([("id", "in", (own | self.scorecard).ids)])
        self.assertEqual(visible, own)
        with self.assertRaises(AccessError):
            self.scorecard.with_user(seller).read(["efficiency"])

    def test_auto_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "olimp_kpi_payroll")])
        self.assertTrue(module.auto_install)
        self.assertEqual(module.state, "installed")
