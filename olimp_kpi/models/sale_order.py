from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# A change of these can make another order the customer's first.
FIRST_ORDER_FIELDS = {"state", "date_order", "partner_id", "company_id"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    olimp_first_order = fields.Boolean(
        string="Customer's First Order",
        readonly=True,
        copy=False,
        help="The first confirmed order of the customer (its commercial entity) in this company: the KPI New "
        "customers counts the customer in the month of this order, for its salesperson.",
    )

    def init(self):
        # New customers of a month are a few first orders among many: an index of those alone makes the KPI's
        # grouped query read them only.
        create_index(
            self.env.cr,
            "sale_order_olimp_first_order_idx",
            self._table,
            ["user_id", "date_order"],
            where="olimp_first_order",
        )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        confirmed = orders.filtered(lambda order: order.state == "sale")
        if confirmed:
            self._olimp_update_first_orders(confirmed.partner_id.commercial_partner_id.ids)
        return orders

    def write(self, vals):
        # Only confirmed orders can be first orders: a quotation's changes (e.g. its customer cleared for a moment by
        # sale's warning onchange) touch no flag, and nothing is flushed for them.
        confirmed = self.filtered(lambda order: order.state == "sale") if FIRST_ORDER_FIELDS & set(vals) else None
        before = confirmed.partner_id.commercial_partner_id if confirmed is not None else None
        result = super().write(vals)
        if confirmed is not None:
            customers = before | self.filtered(lambda order: order.state == "sale").partner_id.commercial_partner_id
            self._olimp_update_first_orders(customers.ids)
        return result

    def unlink(self):
        customers = self.filtered("olimp_first_order").partner_id.commercial_partner_id
        result = super().unlink()
        if customers:
            self._olimp_update_first_orders(customers.ids)
        return result

    @api.model
    def _olimp_update_first_orders(self, customer_ids=None):
        """Mark the first confirmed order of each customer (commercial entity) and company, in one statement.

        Maintained here rather than as a computed field: an order's flag depends on the customer's other orders
        (confirming an older quotation makes it the first). ``customer_ids=None`` redoes every customer (install,
        migration).
        """
        if customer_ids is not None and not customer_ids:
            return
        self.env.flush_all()
        scope = SQL("WHERE partner.commercial_partner_id = ANY(%s)", list(customer_ids)) if customer_ids else SQL()
        self.env.cr.execute(
            SQL(
                """WITH ranked AS (
                       SELECT sale.id, sale.state = 'sale' AND sale.id = FIRST_VALUE(sale.id) OVER (
                                  PARTITION BY partner.commercial_partner_id, sale.company_id
                                  ORDER BY sale.state = 'sale' DESC, sale.date_order, sale.id
                              ) AS first
                         FROM sale_order AS sale
                         JOIN res_partner AS partner ON partner.id = sale.partner_id
                       %s
                   )
                   UPDATE sale_order SET olimp_first_order = ranked.first
                     FROM ranked
                    WHERE sale_order.id = ranked.id AND sale_order.olimp_first_order IS DISTINCT FROM ranked.first""",
                scope,
            )
        )
        self.invalidate_model(["olimp_first_order"])
