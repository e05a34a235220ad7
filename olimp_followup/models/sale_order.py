from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    olimp_followup_ids = fields.One2many(
        comodel_name="olimp.followup", inverse_name="order_id", string="Follow-ups", readonly=True
    )
    olimp_followup_count = fields.Integer(compute="_compute_olimp_followup_count", string="Follow-ups Count")

    @api.depends("olimp_followup_ids")
    def _compute_olimp_followup_count(self):
        Followup = self.env["olimp.followup"]
        # Follow-ups the user may see (own, team's, all); none for users outside the KPI groups.
        counts = (
            dict(Followup._read_group([("order_id", "in", self.ids)], ["order_id"], ["__count"]))
            if Followup.has_access("read")
            else {}
        )
        for order in self:
            order.olimp_followup_count = counts.get(order, 0)

    def _action_confirm(self):
        result = super()._action_confirm()
        self.env["olimp.followup"]._schedule_orders("order_confirmed", self)
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["olimp.followup"].sudo().search([("order_id", "in", self.ids), ("state", "=", "planned")])._cancel(
            "order"
        )
        return result

    def action_olimp_open_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "search_default_planned": 0}
        return action
