from babel.dates import format_date

from odoo import Command, api, fields, models
from odoo.tools.misc import get_lang

# Code of the payslip input that carries the KPI efficiency (%): any salary rule declaring an input with this code
# gets it filled, e.g. the example rule KPI bonus (data/hr_salary_rule_data.xml).
EFFICIENCY_INPUT_CODE = "OLIMP_EFF"


class HrPayslip(models.Model):
    _inherit = "hr.payslip"

    olimp_efficiency_warning = fields.Char(
        string="KPI Efficiency Warning",
        compute="_compute_olimp_efficiency_warning",
        help="Months of the payslip's period without a closed KPI scorecard: their efficiency is not paid on.",
    )

    @api.depends("employee_id", "date_from", "date_to", "struct_id", "state")
    def _compute_olimp_efficiency_warning(self):
        locale = get_lang(self.env).code
        for payslip in self:
            payslip.olimp_efficiency_warning = False
            if payslip.state not in ("draft", "verify") or not payslip._olimp_efficiency_input():
                continue
            detail = self._olimp_efficiency_detail(payslip.employee_id, payslip.date_from, payslip.date_to)
            if not detail or not detail["missing_months"]:
                continue

            def months(days):
                return ", ".join(format_date(day, "LLLL y", locale=locale) for day in days)

            if detail["efficiency"] is None:
                payslip.olimp_efficiency_warning = self.env._(
                    "No closed KPI scorecard for %(months)s: the KPI efficiency is 0 on this payslip, and so is any "
                    "bonus computed from it. Close the month's scorecard (KPI > Scorecards), then compute the "
                    "payslip again.",
                    months=months(detail["missing_months"]),
                )
            else:
                payslip.olimp_efficiency_warning = self.env._(
                    "No closed KPI scorecard for %(missing)s: the KPI efficiency is that of %(closed)s only.",
                    missing=months(detail["missing_months"]),
                    closed=months(detail["closed_months"]),
                )

    def _olimp_efficiency_input(self):
        """The efficiency input of the payslip's salary rules, if they declare one."""
        self.ensure_one()
        return self._get_salary_rules().input_ids.filtered(lambda item: item.code == EFFICIENCY_INPUT_CODE)[:1]

    def get_inputs(self, contracts, date_from, date_to):
        """Fill the efficiency input when payroll proposes the inputs of a payslip (employee, dates, structure)."""
        inputs = super().get_inputs(contracts, date_from, date_to)
        for values in inputs:
            if values.get("code") == EFFICIENCY_INPUT_CODE:
                employee = contracts.browse(values["contract_id"]).employee_id
                values["amount"] = self._olimp_efficiency(employee, date_from, date_to)
        return inputs

    def compute_sheet(self):
        self._olimp_sync_efficiency_inputs()
        return super().compute_sheet()

    def _olimp_sync_efficiency_inputs(self):
        """Add or update the efficiency input of draft payslips before their lines are computed.

        Payslips made by a batch (whose inputs payroll leaves empty), by ``create``, or before the month's scorecard
        was closed lack the input or hold a stale value. The closed scorecards are the reference: they are frozen and
        reopening one is recorded in its chatter, so the input is read from them again at every computation, and a
        done payslip is never touched.
        """
        for payslip in self.filtered(lambda slip: slip.state in ("draft", "verify")):
            rule_input = payslip._olimp_efficiency_input()
            if not rule_input:
                continue
            efficiency = self._olimp_efficiency(payslip.employee_id, payslip.date_from, payslip.date_to)
            existing = payslip.input_line_ids.filtered(lambda line: line.code == EFFICIENCY_INPUT_CODE)
            commands = [
                Command.update(line.id, {"amount": efficiency}) for line in existing if line.amount != efficiency
            ]
            commands += [
                Command.create(
                    {
                        "name": rule_input.name,
                        "code": EFFICIENCY_INPUT_CODE,
                        "contract_id": contract.id,
                        "amount": efficiency,
                    }
                )
                for contract in payslip._get_employee_contracts() - existing.contract_id
            ]
            if commands:
                payslip.write({"input_line_ids": commands})

    @api.model
    def _olimp_efficiency(self, employee, date_from, date_to):
        """Efficiency (%) of ``employee`` over the closed scorecards of the months from ``date_from`` to ``date_to``;
        0 when none of them is closed (the payslip then shows :attr:`olimp_efficiency_warning`)."""
        detail = self._olimp_efficiency_detail(employee, date_from, date_to)
        return (detail and detail["efficiency"]) or 0.0

    @api.model
    def _olimp_efficiency_detail(self, employee, date_from, date_to):
        """:meth:`hr.employee.olimp_get_efficiency_detail`, or ``None`` for a payslip still missing its employee or
        dates.

        Read as superuser, on purpose: who reads scorecards is decided by the KPI groups, and payroll users are not
        KPI HR readers (OCA Payroll gives payroll rights to every user); the payslip needs this one figure of the
        employee it pays, and nothing else of the scorecards is shown.
        """
        if not (employee and date_from and date_to) or date_from > date_to:
            return None
        # The scorecards belong to the employee's company, which may not be the active one of the switcher.
        return employee.sudo().with_company(employee.company_id).olimp_get_efficiency_detail(date_from, date_to)
