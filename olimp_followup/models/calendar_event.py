from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

# The catalogue's "Meetings held" counts, with this module, only the meetings marked as held.
MEETINGS_KPI = "olimp_kpi.kpi_meetings"
MEETINGS_DOMAIN = '[("olimp_with_customer", "=", True)]'
HELD_MEETINGS_DOMAIN = '[("olimp_with_customer", "=", True), ("olimp_held", "=", True)]'


def _has_text(html):
    return bool(html2plaintext(html or "").strip())


class CalendarEvent(models.Model):
    """Meeting protocols: whether the meeting was held, with whom, the minutes, the outcome and the next step."""

    _inherit = "calendar.event"

    olimp_held = fields.Boolean(
        string="Held",
        copy=False,
        help="The meeting took place: only such meetings count as meetings held. Writing its minutes marks it.",
    )
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
            event.olimp_has_protocol = _has_text(event.olimp_protocol)

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            start = fields.Datetime.to_datetime(vals.get("start"))
            if "olimp_held" not in vals and _has_text(vals.get("olimp_protocol")) and start and start <= now:
                vals["olimp_held"] = True
        events = super().create(vals_list)
        events.filtered("olimp_held")._olimp_check_started()
        return events

    def write(self, vals):
        if vals.get("olimp_held"):
            self._olimp_check_started()
        result = super().write(vals)
        if "olimp_held" not in vals and _has_text(vals.get("olimp_protocol")):
            # Minutes are written after a meeting: they mark it held (minutes prepared ahead do not).
            now = fields.Datetime.now()
            self.filtered(lambda event: not event.olimp_held and event.start and event.start <= now).write(
                {"olimp_held": True}
            )
        return result

    def _olimp_check_started(self):
        now = fields.Datetime.now()
        future = self.filtered(lambda event: event.start and event.start > now)
        if future:
            raise UserError(
                self.env._(
                    "%(meeting)s has not started yet: a meeting can be marked as held once it has taken place.",
                    meeting=future[0].display_name,
                )
            )

    def action_olimp_mark_held(self):
        """One click: the meeting took place."""
        self.filtered(lambda event: not event.olimp_held).write({"olimp_held": True})
        return True

    @api.model
    def _olimp_count_held_meetings_only(self, undo=False):
        """The catalogue's *Meetings held* counts the meetings marked as held (``undo``: any meeting of the past, as
        olimp_kpi alone does, when this module goes); its description, olimp_kpi's, says both. A KPI the user
        changed is left alone, and logged."""
        changes = {
            MEETINGS_KPI: {
                "old": {"domain": HELD_MEETINGS_DOMAIN if undo else MEETINGS_DOMAIN},
                "new": {"domain": MEETINGS_DOMAIN if undo else HELD_MEETINGS_DOMAIN},
            }
        }
        return self.env["olimp.kpi"]._olimp_upgrade_catalogue(changes)
