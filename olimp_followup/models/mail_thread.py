from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Subscribe each record once, also when ``self`` holds a record several times.

        Within the creation of the follow-ups' activities (context ``olimp_followers_subscribed``), nothing: the
        responsible users were subscribed to their customers for the whole batch beforehand.

        ``mail.activity.create`` subscribes the responsible user to ``browse(res_ids)`` with one id per activity:
        several activities for one user on one record in a single create (the regulation's steps on one order)
        would insert the same follower twice, a unique violation on ``mail_followers`` when the user did not
        follow the record yet (e.g. an imported order). Creating them one by one would cost a subscription each.
        """
        if self.env.context.get("olimp_followers_subscribed"):
            return True
        records = self.browse(list(dict.fromkeys(self.ids))) if len(set(self.ids)) < len(self.ids) else self
        return super(MailThread, records).message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
