from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.olimp_followup import RATINGS


class OlimpFollowupDoneWizard(models.TransientModel):
    """The outcome of follow-ups, asked in one short dialog when they are marked as done."""

    _name = "olimp.followup.done.wizard"
    _description = "Follow-up Outcome"

    followup_ids = fields.Many2many(comodel_name="olimp.followup", string="Follow-ups", required=True)
    followup_count = fields.Integer(compute="_compute_followup_count")
    early_count = fields.Integer(
        string="Not Due Yet",
        compute="_compute_followup_count",
        help="Follow-ups whose window has not opened yet: done now, they count as done early, not on time.",
    )
    rating = fields.Selection(selection=RATINGS, string="Customer Rating", default="0")
    feedback = fields.Text(help="What the customer said.")
    offer_made = fields.Boolean(help="An offer (e.g. favourable purchase terms) was presented to the customer.")
    need_found = fields.Boolean(
        help="The customer has a need our products solve: create an opportunity for the salesperson.",
    )
    lead_name = fields.Char(string="Opportunity")
    expected_revenue = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(comodel_name="res.currency", default=lambda self: self.env.company.currency_id)

    @api.depends("followup_ids")
    def _compute_followup_count(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.followup_count = len(wizard.followup_ids)
            wizard.early_count = len(
                wizard.followup_ids.filtered(
                    lambda f: f.state == "planned" and f.date_activity and f.date_activity > today
                )
            )

    def action_confirm(self):
        self.ensure_one()
        followups = self.followup_ids.filtered(lambda f: f.state == "planned")
        if not followups:
            raise UserError(self.env._("These follow-ups are no longer planned: nothing to mark as done."))
        if self.need_found and not (self.lead_name or "").strip():
            raise UserError(self.env._("Describe the need found: it becomes the name of the opportunity."))
        lead_values = None
        if self.need_found:
            lead_values = {"name": self.lead_name.strip(), "expected_revenue": self.expected_revenue}
            if self.feedback:
                lead_values["description"] = self.feedback
        followups.action_done(
            rating=self.rating if self.rating != "0" else False,
            feedback=self.feedback or False,
            offer_made=self.offer_made,
            lead_values=lead_values,
        )
        if len(followups) == 1 and followups.lead_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "crm.lead",
                "res_id": followups.lead_id.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {"type": "ir.actions.act_window_close"}
