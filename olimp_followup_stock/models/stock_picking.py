from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        # A delivery to the customer (the last step of a multi-step delivery, not a return) of a sales order.
        deliveries = self.filtered(
            lambda picking: (
                picking.state == "done"
                and picking.sale_id
                and picking.picking_type_code == "outgoing"
                and picking.location_dest_id.usage == "customer"
            )
        )
        if deliveries:
            trigger_dates = {}
            for picking in deliveries.sorted("date_done"):
                trigger_dates.setdefault(picking.sale_id.id, fields.Date.context_today(picking, picking.date_done))
            self.env["olimp.followup"]._schedule_orders("order_delivered", deliveries.sale_id, trigger_dates)
        return result
