from odoo import api, fields, models
from odoo.tools import html2plaintext


class CalendarEvent(models.Model):
    """Meeting protocols: whether the meeting was held, with whom, the minutes, the outcome and the next step."""

    _inherit = "calendar.event"

    olimp_held = fields.Boolean(string="Held", copy=False, help="The meeting took place.")
    olimp_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        compute="_compute_olimp_partner_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="The customer met; by default the company of the first external attendee.",
    )
    olimp_protocol = fields.Html(string="Minutes", copy=False, sanitize_style=True)
    olimp_has_protocol = fields.Boolean(
        string="Has Minutes", compute="_compute_olimp_has_protocol", store=True, copy=False
    )
    olimp_outcome = fields.Text(string="Outcome", copy=False)
    olimp_next_step = fields.Char(string="Next Step", copy=False)

    @api.depends("partner_ids")
    def _compute_olimp_partner_id(self):
        for event in self:
            external = event.partner_ids.filtered("partner_share")[:1]
            event.olimp_partner_id = event.olimp_partner_id or external.commercial_partner_id

    @api.depends("olimp_protocol")
    def _compute_olimp_has_protocol(self):
        for event in self:
            event.olimp_has_protocol = bool(html2plaintext(event.olimp_protocol or "").strip())

    def action_olimp_mark_held(self):
        self.write({"olimp_held": True})
        return True
