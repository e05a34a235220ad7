from odoo import api, models


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
        }

    def _selection(self, record, fname):
        return dict(record._fields[fname]._description_selection(self.env)).get(record[fname], "")
