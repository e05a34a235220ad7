from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    olimp_followup_ids = fields.Many2many(
        comodel_name="olimp.followup",
        relation="olimp_followup_sale_order_rel",
        column1="order_id",
        column2="followup_id",
        string="Follow-ups",
        readonly=True,
        copy=False,
        help="The follow-ups about this order: those it started and those it joined.",
    )
    olimp_followup_count = fields.Integer(compute="_compute_olimp_followup_count", string="Follow-ups Count")

    @api.depends("olimp_followup_ids")
    def _compute_olimp_followup_count(self):
        Followup = self.env["olimp.followup"]
        # Follow-ups the user may see (own, team's, all); none for users outside the KPI groups.
        counts = (
            dict(Followup._read_group([("order_ids", "in", self.ids)], ["order_ids"], ["__count"]))
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
        self.env["olimp.followup"]._orders_cancelled(self)
        return result

    def unlink(self):
        # The follow-ups these orders started go with them (through the ORM, so that their activities on the
        # customer go too); those still covering other orders were handed over when the orders were cancelled.
        self.env["olimp.followup"].sudo().search([("order_id", "in", self.ids)]).unlink()
        return super().unlink()

    def action_olimp_open_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["domain"] = [("order_ids", "in", self.ids)]
        action["context"] = {"search_default_planned": 0}
        return action
