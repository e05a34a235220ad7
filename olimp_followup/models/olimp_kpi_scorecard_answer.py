from collections import defaultdict

from odoo import fields, models
from odoo.addons.olimp_kpi.engine import periods


class OlimpKpiScorecardAnswer(models.Model):
    """Evidence from the data next to the expert's answer: passports, meeting minutes, meeting plan.

    Computed from today's data while the month is open; a closed month shows the evidence stored at close.
    """

    _inherit = "olimp.kpi.scorecard.answer"

    def _live_evidence(self):
        result = super()._live_evidence()
        by_kind = defaultdict(list)
        for answer in self:
            if answer.item_id.evidence in ("passport", "protocols", "meeting_plan") and answer.scorecard_id.user_id:
                by_kind[answer.item_id.evidence].append(answer)
        if by_kind["passport"]:
            result.update(self._olimp_passport_evidence(by_kind["passport"]))
        if by_kind["protocols"]:
            result.update(self._olimp_protocol_evidence(by_kind["protocols"]))
        if by_kind["meeting_plan"]:
            result.update(self._olimp_meeting_plan_evidence(by_kind["meeting_plan"]))
        return result

    def _olimp_passport_evidence(self, answers):
        """Share of the customers the salesperson sold to in the month (a confirmed order of theirs dated in the
        month, whoever is the customer's salesperson) whose passport is up to date."""
        today = fields.Date.context_today(self)
        Order = self.env["sale.order"].sudo().with_context(active_test=False)
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        result = {}
        for (low, high), group in self._olimp_month_groups(answers).items():
            companies = {answer.scorecard_id.company_id for answer in group}
            users = list({answer.scorecard_id.user_id.id for answer in group})
            customers_of = defaultdict(set)
            for user, company, partners in Order._read_group(
                [
                    ("user_id", "in", users),
                    ("state", "=", "sale"),
                    ("date_order", ">=", low),
                    ("date_order", "<", high),
                    ("company_id", "in", [company.id for company in companies]),
                ],
                ["user_id", "company_id"],
                ["partner_id:array_agg"],
            ):
                customers_of[user.id, company.id] |= set(partners)
            commercial = {
                partner.id: partner.commercial_partner_id.id
                for partner in Partner.browse({pid for ids in customers_of.values() for pid in ids})
            }
            customers_of_answer = {
                answer: {
                    commercial[pid]
                    for pid in customers_of[answer.scorecard_id.user_id.id, answer.scorecard_id.company_id.id]
                }
                for answer in group
            }
            # Passports up to date on the month's last day (today while it runs), one search per company and day.
            by_day = defaultdict(set)
            for answer, customers in customers_of_answer.items():
                scorecard = answer.scorecard_id
                by_day[scorecard.company_id, min(today, scorecard.date_to)] |= customers
            fresh_on = {
                key: set(
                    Partner.with_company(key[0])
                    .search(
                        [("id", "in", list(ids)), *Partner.with_company(key[0])._olimp_passport_fresh_domain(key[1])]
                    )
                    .ids
                )
                for key, ids in by_day.items()
                if ids
            }
            for answer, customers in customers_of_answer.items():
                if not customers:
                    result[answer.id] = self.env._("No confirmed order of this salesperson in the month.")
                    continue
                scorecard = answer.scorecard_id
                fresh = len(customers & fresh_on[scorecard.company_id, min(today, scorecard.date_to)])
                result[answer.id] = self.env._(
                    "%(fresh)s of the %(total)s customers sold to in the month have an up-to-date passport "
                    "(%(share)s%%).",
                    fresh=fresh,
                    total=len(customers),
                    share=round(100 * fresh / len(customers)),
                )
        return result

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
        result = {}
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
                    result[answer.id] = self.env._("No meeting of the month is marked as held.")
                    continue
                result[answer.id] = self.env._(
                    "%(with_minutes)s of %(held)s meetings held have minutes (%(share)s%%).",
                    with_minutes=with_minutes,
                    held=held,
                    share=round(100 * with_minutes / held),
                )
        return result

    def _olimp_meeting_plan_evidence(self, answers):
        """Meetings in the salesperson's calendar for the month after the scorecard's."""
        Event = self.env["calendar.event"].sudo().with_context(active_test=True)
        result = {}
        for (low, high), group in self._olimp_month_groups(answers, next_month=True).items():
            users = list({answer.scorecard_id.user_id.id for answer in group})
            counts = {
                user.id: count
                for user, count in Event._read_group(
                    [("user_id", "in", users), ("start", ">=", low), ("start", "<", high)], ["user_id"], ["__count"]
                )
            }
            for answer in group:
                result[answer.id] = self.env._(
                    "Meetings planned for the next month: %(count)s.",
                    count=counts.get(answer.scorecard_id.user_id.id, 0),
                )
        return result
