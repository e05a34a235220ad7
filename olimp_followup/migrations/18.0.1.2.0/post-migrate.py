"""18.0.1.2.0: the catalogue's Meetings held counts only the meetings marked as held (unless a user changed it)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["calendar.event"]._olimp_count_held_meetings_only()
