from odoo import models


class MailActivity(models.Model):
    """Keeps follow-ups and their activities in step: done on one side is done on the other."""

    _inherit = "mail.activity"

    def _olimp_planned_followups(self):
        if not self.ids:
            return self.env["olimp.followup"]
        return self.env["olimp.followup"].sudo().search([("activity_id", "in", self.ids), ("state", "=", "planned")])

    def _action_done(self, feedback=False, attachment_ids=None):
        # Marked done in the chatter or the activity view: the follow-up is done too (its own action_done marks
        # the follow-up first, so nothing is left planned here and there is no loop).
        self._olimp_planned_followups()._done_from_activity(feedback=feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        # Removed without being done (cancelled in the chatter, or the document deleted): cancel the follow-up.
        followups = self._olimp_planned_followups()
        result = super().unlink()
        followups._cancel("activity")
        return result

    def write(self, vals):
        result = super().write(vals)
        if vals.get("user_id"):
            # Reassigned activity: the follow-up (and its KPIs) follow the new responsible.
            followups = self._olimp_planned_followups().filtered(lambda f: f.user_id.id != vals["user_id"])
            followups.write({"user_id": vals["user_id"]})
        return result
