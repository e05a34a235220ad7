from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    olimp_with_customer = fields.Boolean(
        string="With a Customer",
        compute="_compute_olimp_with_customer",
        store=True,
        help="At least one attendee is a customer (an external contact): such meetings count as meetings held.",
    )

    def _auto_init(self):
        # Existing meetings get the flag in one statement, rather than computed one by one when the module is
        # installed.
        if not column_exists(self.env.cr, self._table, "olimp_with_customer"):
            create_column(self.env.cr, self._table, "olimp_with_customer", "bool")
            self._olimp_set_with_customer()
        return super()._auto_init()

    @api.model
    def _olimp_set_with_customer(self):
        """Set the flag of every meeting in one statement (install; meetings inserted in bulk)."""
        self.env.cr.execute(
            SQL(
                """UPDATE calendar_event AS event SET olimp_with_customer = EXISTS(
                       SELECT 1 FROM calendar_event_res_partner_rel AS rel
                         JOIN res_partner AS partner ON partner.id = rel.res_partner_id
                        WHERE rel.calendar_event_id = event.id AND partner.partner_share)"""
            )
        )
        self.invalidate_model(["olimp_with_customer"])

    @api.depends("partner_ids.partner_share")
    def _compute_olimp_with_customer(self):
        for event in self:
            event.olimp_with_customer = any(event.partner_ids.mapped("partner_share"))
