from odoo import api, fields, models
from odoo.tools import SQL


class OlimpFollowupCycle(models.Model):
    """The post-sale cycle of a customer in a company: which order started it last, and when.

    Every change the regulation makes to a customer's follow-ups (an order scheduled, joined, ending or cancelled)
    begins with :meth:`_lock`, an upsert of the customer's cycle row. Two transactions that work on the same
    customer therefore take turns, and the second one, whose snapshot cannot see what the first one did, fails with
    a serialization failure that Odoo retries (every JSON-RPC call is retried so) instead of planning a duplicate
    or joining an order to a follow-up that is no longer open.
    """

    _name = "olimp.followup.cycle"
    _description = "Post-sale Cycle"
    _order = "date_start desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, ondelete="cascade", readonly=True)
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Started By",
        ondelete="set null",
        readonly=True,
        help="The latest confirmed order of the customer: it started (or restarted) the cycle.",
    )
    date_start = fields.Date(string="Started On", readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "A customer has one post-sale cycle per company."),
    ]

    @api.model
    def _lock(self, starts):
        """Lock the cycles of ``starts`` (created when missing), restarting those an order confirmation restarts.

        :param starts: ``{(commercial partner id, company id): (order id, date)}`` for confirmed orders (the latest
            order of the batch per customer), ``{key: None}`` for the other triggers, which only lock
        :raise psycopg2.errors.SerializationFailure: another transaction changed one of these cycles since this
            one began (the caller's retry then sees what it did)
        """
        if not starts:
            return
        keys = sorted(starts)
        partner_ids, company_ids, order_ids, dates = [], [], [], []
        for key in keys:
            order_id, day = starts[key] or (None, None)
            partner_ids.append(key[0])
            company_ids.append(key[1])
            order_ids.append(order_id)
            dates.append(day)
        self.env.flush_all()
        # Sorted keys: two transactions lock their common customers in the same order and never wait for each other
        # in a circle. Not logged on failure: a serialization failure here is the expected way to take turns.
        self.env.cr.execute(
            SQL(
                """INSERT INTO olimp_followup_cycle AS cycle
                               (partner_id, company_id, order_id, date_start, create_uid, create_date, write_uid,
                                write_date)
                   SELECT v.partner_id, v.company_id, v.order_id, v.date_start, %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(partners)s::int[], %(companies)s::int[], %(orders)s::int[], %(dates)s::date[])
                          WITH ORDINALITY AS v(partner_id, company_id, order_id, date_start, position)
                    ORDER BY v.position
                       ON CONFLICT (partner_id, company_id) DO UPDATE
                      SET order_id = CASE WHEN EXCLUDED.date_start >= cycle.date_start OR cycle.date_start IS NULL
                                          THEN COALESCE(EXCLUDED.order_id, cycle.order_id) ELSE cycle.order_id END,
                          date_start = GREATEST(cycle.date_start, EXCLUDED.date_start),
                          write_uid = EXCLUDED.write_uid,
                          write_date = EXCLUDED.write_date""",
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partners=partner_ids,
                companies=company_ids,
                orders=order_ids,
                dates=dates,
            ),
            log_exceptions=False,
        )
        self.invalidate_model()
