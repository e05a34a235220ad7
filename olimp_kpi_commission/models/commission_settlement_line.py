from collections import defaultdict

from babel.dates import format_date

from odoo import api, fields, models
from odoo.addons.olimp_kpi.engine import periods, scoring
from odoo.tools.misc import get_lang

EFFICIENCY_STATES = [
    ("applied", "Applied"),
    ("partial", "Applied, months missing"),
    ("missing", "No closed scorecard"),
    ("no_employee", "Agent without employee"),
]
# Lines in these states pay nothing until the efficiency is found: the settlement says so and cannot be invoiced.
HELD_STATES = ("missing", "no_employee")
EFFICIENCY_FIELDS = (
    "olimp_base_amount",
    "olimp_efficiency",
    "olimp_efficiency_rate",
    "olimp_efficiency_state",
    "olimp_efficiency_note",
)


class CommissionSettlementLine(models.Model):
    """A settled commission × the agent's KPI efficiency, when its commission says so.

    The line keeps what it started from (the commission before efficiency), the efficiency found and the rate paid
    (the efficiency within the commission's floor and cap); ``settled_amount`` is the result. Without a closed
    scorecard the line pays nothing and says why, so that neither 0 % nor 100 % is paid silently.
    """

    _inherit = "commission.settlement.line"

    olimp_base_amount = fields.Monetary(
        string="Commission before Efficiency", readonly=True, help="The commission as settled, before efficiency."
    )
    olimp_efficiency = fields.Float(
        string="Efficiency (%)", readonly=True, help="The agent's KPI efficiency from the closed monthly scorecards."
    )
    olimp_efficiency_rate = fields.Float(
        string="Rate Paid (%)",
        readonly=True,
        help="The efficiency within the commission's floor and cap: the share of the commission paid.",
    )
    olimp_efficiency_state = fields.Selection(selection=EFFICIENCY_STATES, string="KPI Efficiency", readonly=True)
    olimp_efficiency_note = fields.Char(string="Efficiency From", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._olimp_apply_efficiency(from_settled_amount=True)
        return lines

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("olimp_applying_efficiency") and {"settled_amount", "commission_id", "date"} & set(
            vals
        ):
            # An amount typed on a manual settlement is the commission before efficiency.
            self._olimp_apply_efficiency(from_settled_amount="settled_amount" in vals)
        return result

    def _olimp_apply_efficiency(self, from_settled_amount=False):
        """Pay the commission × the rate of the agent's efficiency; give the commission back to lines whose
        commission no longer applies efficiency. Idempotent: applied again, it starts from the kept base amount
        (``from_settled_amount``: from the settled amount, just written)."""
        applying = self.filtered(lambda line: line.commission_id.olimp_apply_efficiency)
        updates = [
            (line, {"settled_amount": line.olimp_base_amount, **dict.fromkeys(EFFICIENCY_FIELDS, False)})
            for line in (self - applying).filtered("olimp_efficiency_state")
        ]
        found = applying._olimp_find_efficiency()
        for line in applying:
            commission = line.commission_id
            base = (
                line.settled_amount
                if from_settled_amount or not line.olimp_efficiency_state
                else line.olimp_base_amount
            )
            efficiency, state, note = found[line]
            rate = (
                scoring.score(efficiency, commission.olimp_efficiency_floor, commission.olimp_efficiency_cap)
                if efficiency is not None
                else 0.0
            )
            values = {
                "olimp_base_amount": base,
                "olimp_efficiency": efficiency or 0.0,
                "olimp_efficiency_rate": rate,
                "olimp_efficiency_state": state,
                "olimp_efficiency_note": note,
                "settled_amount": line.currency_id.round(base * rate / 100.0),
            }
            updates.append((line, values))
        # One write per distinct set of values.
        lines_by_values = defaultdict(lambda: self.browse())
        for line, values in updates:
            lines_by_values[tuple(sorted(values.items()))] |= line
        for values, lines in lines_by_values.items():
            lines.with_context(olimp_applying_efficiency=True).write(dict(values))

    def _olimp_find_efficiency(self):
        """For each line: (efficiency or None, state, note), from the closed scorecards of the agent's employee."""
        employees = self._olimp_agent_employees()
        months_of = {line: line._olimp_months() for line in self}
        wanted = {month for months in months_of.values() for month in months}
        closed = {}
        if employees and wanted:
            # Scorecards are read by the KPI groups only, and people who settle commissions are seldom in them: the
            # settlement needs this one figure of the agent's own employee, so it is read as superuser, on purpose.
            for scorecard in (
                self.env["olimp.kpi.scorecard"]
                .sudo()
                .search(
                    [
                        ("employee_id", "in", [employee.id for employee in employees.values()]),
                        ("state", "=", "closed"),
                        ("date_from", "in", sorted(wanted)),
                    ]
                )
            ):
                closed[scorecard.employee_id.id, scorecard.date_from] = scorecard.efficiency
        result = {}
        for line in self:
            employee = employees.get((line.agent_id.id, line.company_id.id))
            if not employee:
                result[line] = (None, "no_employee", line._olimp_no_employee_note())
                continue
            months = months_of[line]
            found = [month for month in months if (employee.id, month) in closed]
            missing = [month for month in months if (employee.id, month) not in closed]
            if not found:
                note = self.env._(
                    "No closed scorecard of %(employee)s for %(months)s",
                    employee=employee.name,
                    months=self._olimp_month_names(missing),
                )
                result[line] = (None, "missing", note)
                continue
            efficiency = sum(closed[employee.id, month] for month in found) / len(found)
            if missing:
                note = self.env._(
                    "Average of %(months)s; no closed scorecard for %(missing)s",
                    months=self._olimp_month_names(found),
                    missing=self._olimp_month_names(missing),
                )
                result[line] = (efficiency, "partial", note)
            else:
                note = self.env._("Scorecard of %(months)s", months=self._olimp_month_names(found))
                result[line] = (efficiency, "applied", note)
        return result

    def _olimp_agent_employees(self):
        """(agent id, company id) → the employee whose user the agent is, in the company of the settlement."""
        # The agent is a contact; their user and employee may be out of the settling user's reach.
        agents = self.agent_id.sudo()
        users = agents.user_ids
        if not users:
            return {}
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search([("user_id", "in", users.ids), ("company_id", "in", self.company_id.ids)], order="id")
        )
        found = {}
        for employee in employees:
            found.setdefault((employee.user_id.partner_id.id, employee.company_id.id), employee)
        return found

    def _olimp_months(self):
        """The months whose efficiency applies to this line."""
        self.ensure_one()
        if self.commission_id.olimp_efficiency_basis == "period":
            settlement = self.settlement_id
            month = periods.month_start(settlement.date_from)
            months = []
            while month <= settlement.date_to:
                months.append(month)
                month = periods.next_month_start(month)
            return months
        return [periods.month_start(self.date)]

    def _olimp_no_employee_note(self):
        return self.env._(
            "%(agent)s is not the user of an employee of %(company)s",
            agent=self.agent_id.display_name,
            company=self.company_id.name,
        )

    def _olimp_month_names(self, months):
        locale = get_lang(self.env).code
        return ", ".join(format_date(month, "LLLL y", locale=locale) for month in months)
