from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import periods


class ResCompany(models.Model):
    _inherit = "res.company"

    # The month-end routine (olimp.kpi.month.review): when team leaders are reminded, and the optional automatic close.
    olimp_kpi_checklist_days = fields.Integer(
        string="Checklist Reminder (days before month end)",
        default=3,
        help="This many days before a month ends, each team leader gets one activity to score the checklists of "
        "their team. 0: no reminder.",
    )
    olimp_kpi_close_day = fields.Integer(
        string="Close Reminder (day of next month)",
        default=3,
        help="On this day of the next month, each team leader with open scorecards of the month gets one activity "
        "to close it.",
    )
    olimp_kpi_auto_close = fields.Boolean(
        string="Close Ready Scorecards Automatically",
        help="On the day below, the scorecards of last month that are ready are closed; the team leader is told "
        "which ones could not be, and why.",
    )
    olimp_kpi_auto_close_day = fields.Integer(string="Automatic Close (day of next month)", default=10)

    @api.constrains(
        "olimp_kpi_checklist_days", "olimp_kpi_close_day", "olimp_kpi_auto_close", "olimp_kpi_auto_close_day"
    )
    def _check_olimp_kpi_month_end(self):
        for company in self:
            if not 0 <= company.olimp_kpi_checklist_days <= 27:
                raise ValidationError(
                    self.env._("The checklist reminder comes 0 to 27 days before the month ends (0: none).")
                )
            if not 1 <= company.olimp_kpi_close_day <= 28:
                raise ValidationError(self.env._("The close reminder comes on a day from 1 to 28 of the next month."))
            if company.olimp_kpi_auto_close and not (
                company.olimp_kpi_close_day < company.olimp_kpi_auto_close_day <= 28
            ):
                raise ValidationError(
                    self.env._(
                        "The automatic close comes after the close reminder (day %(day)s) and by the 28th, so that "
                        "team leaders can close the month themselves first.",
                        day=company.olimp_kpi_close_day,
                    )
                )

    def _olimp_kpi_tz(self):
        """Time zone of the company's months: its contact's, else its working hours', else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.resource_calendar_id.tz or "UTC"

    def _olimp_kpi_working_days(self, month, today):
        """``(elapsed, total)`` working days of the month of ``month`` on ``today``, by the company's working hours
        (public holidays excepted; Monday to Friday without working hours), counted as the pro-rating of plans
        counts them (:meth:`hr.employee._olimp_kpi_working_days`): the basis of a running month's trend."""
        self.ensure_one()
        start = periods.month_start(month)
        days = self.env["hr.employee"]._olimp_kpi_working_days(
            self.resource_calendar_id, start, periods.month_end(start)
        )
        return periods.elapsed_working_days(days, today)
