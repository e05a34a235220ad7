from odoo import api, models
from odoo.tools.misc import format_date


class RegulationReport(models.AbstractModel):
    """The printed regulation (``olimp_followup.report_regulation``): the goal, then each step in sequence order with
    its trigger, delay, responsible and script; one document per company of the steps printed."""

    _name = "report.olimp_followup.report_regulation"
    _description = "Printed Post-sale Regulation"

    @api.model
    def _get_report_values(self, docids, data=None):
        steps = self.env["olimp.followup.rule"].browse(docids)
        steps.check_access("read")
        steps = steps.sorted(lambda rule: (rule.sequence, rule.delay_days, rule.id))
        companies = steps.company_id or self.env.company
        if steps.filtered(lambda rule: not rule.company_id):
            companies |= self.env.company
        documents = [
            {
                "company": company,
                "steps": steps.filtered(
                    lambda rule, company=company: not rule.company_id or rule.company_id == company
                ),
            }
            for company in companies.sorted("sequence")
        ]
        return {
            "doc_ids": docids,
            "doc_model": "olimp.followup.rule",
            "docs": steps,
            "documents": [document for document in documents if document["steps"]],
            "selection": self._selection,
            "when": self._when,
            "version": self._version,
        }

    def _when(self, step):
        """When a step comes, as a sentence."""
        if step.trigger == "no_order":
            if step.delay_days:
                return self.env._(
                    "%(silence)s days without an order, then %(days)s days",
                    silence=step.no_order_days,
                    days=step.delay_days,
                )
            return self.env._("%(silence)s days without an order", silence=step.no_order_days)
        return self.env._(
            "%(days)s days after: %(trigger)s", days=step.delay_days, trigger=self._selection(step, "trigger")
        )

    def _version(self, company):
        if not company.olimp_regulation_changed_on:
            return self.env._("Version %(version)s", version=company.olimp_regulation_version)
        return self.env._(
            "Version %(version)s of %(date)s",
            version=company.olimp_regulation_version,
            date=format_date(self.env, company.olimp_regulation_changed_on),
        )

    def _selection(self, record, fname):
        return dict(record._fields[fname]._description_selection(self.env)).get(record[fname], "")
