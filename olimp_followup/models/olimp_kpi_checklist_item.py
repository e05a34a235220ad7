from odoo import api, fields, models

# Items of the default KPI catalogue (olimp_kpi) and the evidence this module shows next to their answers.
CATALOGUE_EVIDENCE = {
    "olimp_kpi.kpi_passport_protocols_item_passport": "passport",
    "olimp_kpi.kpi_passport_protocols_item_protocols": "protocols",
    "olimp_kpi.kpi_meeting_plan_item_planned": "meeting_plan",
}


class OlimpKpiChecklistItem(models.Model):
    _inherit = "olimp.kpi.checklist.item"

    evidence = fields.Selection(
        selection_add=[
            ("passport", "Customer passports up to date"),
            ("protocols", "Meetings held with minutes"),
            ("meeting_plan", "Meetings planned for the next month"),
        ],
        ondelete={"passport": "set default", "protocols": "set default", "meeting_plan": "set default"},
    )

    @api.model
    def _olimp_followup_set_catalogue_evidence(self):
        """Give the catalogue's items their evidence, for those items still there (they are editable data)."""
        for xmlid, evidence in CATALOGUE_EVIDENCE.items():
            item = self.env.ref(xmlid, raise_if_not_found=False)
            if item and item.evidence == "none":
                item.evidence = evidence
