from collections import defaultdict

from odoo import fields, models
from odoo.addons.olimp_kpi.engine import periods


class OlimpKpiScorecardAnswer(models.Model):
    """Evidence from the data next to the expert's answer: passports, meeting minutes, meeting plan."""

    _inherit = "olimp.kpi.scorecard.answer"

    def _compute_evidence(self):
        result = super()._compute_evidence()
        by_kind = defaultdict(list)
        for answer in self:
            if answer.item_id.evidence in ("passport", "protocols", "meeting_plan") and answer.scorecard_id.user_id:
                by_kind[answer.item_id.evidence].append(answer)
        if by_kind["passport"]:
            self._olimp_passport_evidence(by_kind["passport"])
        if by_kind["protocols"]:
            self._olimp_protocol_evidence(by_kind["protocols"])
        if by_kind["meeting_plan"]:
            self._olimp_meeting_plan_evidence(by_kind["meeting_plan"])
        return result

    def _olimp_passport_evidence(self, answers):
        """Share of the salesperson's customers (with a confirmed order) whose passport is up to date."""
        today = fields.Date.context_today(self)
        groups = defaultdict(list)
        for answer in answers:
            scorecard = answer.scorecard_id
            groups[scorecard.company_id, min(today, scorecard.date_to)].append(answer)
        Partner = self.env["res.partner"].sudo().with_context(active_test=True)
        for (company, day), group in groups.items():
            users = list({answer.scorecard_id.user_id.id for answer in group})
            customers = [
                ("user_id", "in", users),
                ("olimp_last_order_date", "!=", False),
                ("company_id", "in", [company.id, False]),
            ]
            fresh_domain = customers + Partner.with_company(company)._olimp_passport_fresh_domain(day)
            total = {user.id: count for user, count in Partner._read_group(customers, ["user_id"], ["__count"])}
            fresh = {user.id: count for user, count in Partner._read_group(fresh_domain, ["user_id"], ["__count"])}
            for answer in group:
                user_id = answer.scorecard_id.user_id.id
                if not total.get(user_id):
                    answer.evidence = self.env._("No customer with a confirmed order is assigned to this salesperson.")
                    continue
                answer.evidence = self.env._(
                    "%(fresh)s of %(total)s customers have an up-to-date passport (%(share)s%%).",
                    fresh=fresh.get(user_id, 0),
                    total=total[user_id],
                    share=round(100 * fresh.get(user_id, 0) / total[user_id]),
                )

    def _olimp_month_groups(self, answers, next_month=False):
        """Answers grouped by the UTC bounds of their scorecard's month (or of the month after)."""
        groups = defaultdict(list)
        for answer in answers:
            scorecard = answer.scorecard_id
            start = periods.next_month_start(scorecard.date_from) if next_month else scorecard.date_from
            bounds = periods.utc_bounds(start, periods.next_month_start(start), scorecard.company_id._olimp_kpi_tz())
            groups[bounds].append(answer)
        return groups

    def _olimp_protocol_evidence(self, answers):
        """Share of the meetings held in the month that have minutes."""
        Event = self.env["calendar.event"].sudo().with_context(active_test=True)
        for (low, high), group in self._olimp_month_groups(answers).items():
            users = list({answer.scorecard_id.user_id.id for answer in group})
            counts = defaultdict(lambda: [0, 0])
            for user, has_protocol, count in Event._read_group(
                [("user_id", "in", users), ("olimp_held", "=", True), ("start", ">=", low), ("start", "<", high)],
                ["user_id", "olimp_has_protocol"],
                ["__count"],
            ):
                counts[user.id][0] += count
                if has_protocol:
                    counts[user.id][1] += count
            for answer in group:
                held, with_minutes = counts[answer.scorecard_id.user_id.id]
                if not held:
                    answer.evidence = self.env._("No meeting of the month is marked as held.")
                    continue
                answer.evidence = self.env._(
                    "%(with_minutes)s of %(held)s meetings held have minutes (%(share)s%%).",
                    with_minutes=with_minutes,
                    held=held,
                    share=round(100 * with_minutes / held),
                )

    def _olimp_meeting_plan_evidence(self, answers):
        """Meetings in the salesperson's calendar for the month after the scorecard's."""
        Event = self.env["calendar.event"].sudo().with_context(active_test=True)
        for (low, high), group in self._olimp_month_groups(answers, next_month=True).items():
            users = list({answer.scorecard_id.user_id.id for answer in group})
            counts = {
                user.id: count
                for user, count in Event._read_group(
                    [("user_id", "in", users), ("start", ">=", low), ("start", "<", high)], ["user_id"], ["__count"]
                )
            }
            for answer in group:
                answer.evidence = self.env._(
                    "Meetings planned for the next month: %(count)s.",
                    count=counts.get(answer.scorecard_id.user_id.id, 0),
                )
