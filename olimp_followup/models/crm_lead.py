from odoo import api, fields, models


class CrmLead(models.Model):
    """The customer's post-sale state on the opportunity, where sales people who live in the pipeline look."""

    _inherit = "crm.lead"

    olimp_source_followup_ids = fields.One2many(
        comodel_name="olimp.followup",
        inverse_name="lead_id",
        string="Found in Follow-ups",
        readonly=True,
        groups="olimp_kpi.group_kpi_user",
        help="The follow-ups in which the need behind this opportunity was found.",
    )
    # The rhythm and the passport live on the customer (the commercial entity), as on the contact form.
    olimp_reorder_state = fields.Selection(
        related="partner_id.commercial_partner_id.olimp_reorder_state", string="Customer's Repeat Order"
    )
    olimp_next_order_date = fields.Date(
        related="partner_id.commercial_partner_id.olimp_next_order_date", string="Customer's Next Order"
    )
    olimp_passport_completeness = fields.Integer(
        related="partner_id.commercial_partner_id.olimp_passport_completeness", string="Customer Passport (%)"
    )
    olimp_passport_up_to_date = fields.Boolean(
        related="partner_id.commercial_partner_id.olimp_passport_up_to_date", string="Customer Passport Up to Date"
    )
    olimp_customer_followup_count = fields.Integer(
        string="Customer's Open Follow-ups",
        compute="_compute_olimp_customer_followup_count",
        help="Planned follow-ups of the customer that you may see.",
    )

    @api.depends("partner_id")
    @api.depends_context("uid")
    def _compute_olimp_customer_followup_count(self):
        Followup = self.env["olimp.followup"]
        customers = self.partner_id.commercial_partner_id
        # Follow-ups the user may see (own, team's, all); none for users outside the KPI groups.
        counts = (
            dict(
                Followup._read_group(
                    [("partner_id", "in", customers.ids), ("state", "=", "planned")], ["partner_id"], ["__count"]
                )
            )
            if customers and Followup.has_access("read")
            else {}
        )
        for lead in self:
            lead.olimp_customer_followup_count = counts.get(lead.partner_id.commercial_partner_id, 0)

    def action_olimp_open_customer_followups(self):
        """The customer's follow-ups, the open ones first shown."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["name"] = self.env._("Follow-ups of %(customer)s", customer=customer.display_name)
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"search_default_planned": 1, "default_partner_id": customer.id}
        return action

    def action_olimp_open_source_followups(self):
        """The follow-up(s) in which the need behind this opportunity was found."""
        self.ensure_one()
        followups = self.olimp_source_followup_ids
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["domain"] = [("id", "in", followups.ids)]
        action["context"] = {"create": False}
        if len(followups) == 1:
            action.update(res_id=followups.id, view_mode="form", views=[(False, "form")])
        return action
