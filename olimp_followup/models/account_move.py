from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        orders = invoices.invoice_line_ids.sale_line_ids.order_id
        if orders:
            self.env["olimp.followup"]._schedule_orders("invoice_paid", orders)
        return result
