from odoo import fields, models

from ..engine import periods


class ResCompany(models.Model):
    _inherit = "res.company"

    def _olimp_kpi_tz(self):
        """Time zone of the company's months: its contact's, else its working hours', else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.resource_calendar_id.tz or "UTC"

    def _olimp_kpi_working_days(self, month, today):
        """``(elapsed, total)`` working days of the month of ``month`` on ``today``, by the company's working hours
        (their weekdays, less the public holidays of the calendar): the basis of a running month's trend.
        Without working hours, Monday to Friday."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        start = periods.month_start(month)
        stop = periods.next_month_start(start)
        weekdays = {
            int(day) for day in calendar.attendance_ids.filtered(lambda a: not a.display_type).mapped("dayofweek")
        }
        holidays = set()
        if calendar:
            leaves = (
                self.env["resource.calendar.leaves"]
                .sudo()
                .search_fetch(
                    [
                        ("resource_id", "=", False),
                        ("calendar_id", "in", [calendar.id, False]),
                        ("company_id", "in", [self.id, False]),
                        ("date_from", "<", fields.Datetime.to_datetime(stop)),
                        ("date_to", ">=", fields.Datetime.to_datetime(start)),
                    ],
                    ["date_from", "date_to"],
                )
            )
            tz_name = self._olimp_kpi_tz()
            for leave in leaves:
                first = periods.local_today(tz_name, leave.date_from)
                last = periods.local_today(tz_name, leave.date_to)
                day = max(first, start)
                while day <= min(last, periods.month_end(start)):
                    holidays.add(day)
                    day = periods.next_day(day)
        return periods.elapsed_working_days(start, today, weekdays or (0, 1, 2, 3, 4), holidays)
