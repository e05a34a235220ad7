"""18.0.1.1.0: the regulation follows the customer, not each order.

Up to 18.0.1.0.0 every order got its own follow-up of every rule, with its activity on the order from the day of
the sale. This turns a database of that version into the new shape:

1. each follow-up lists the order that started it (``order_ids``, new);
2. a rule keeps one open follow-up per customer and company: of the planned duplicates, the rules that a new order
   ends (repeat-order reminder, favourable terms) keep the one of the latest order and the others are cancelled
   with that order as the reason; the other rules (and the periods of a silent customer) keep the one due first,
   which takes over the orders of the others, cancelled as merged. Done and cancelled follow-ups are kept as they
   are;
3. the activities of the open follow-ups move to the customer, naming their orders, and those whose window has not
   opened yet are removed (the daily scheduled action brings them back a few days before their deadline);
4. "on time" is measured against the step's window (from a week before the deadline): recomputed for the
   follow-ups done (closed months keep their figures: scorecards are frozen);
5. every customer with a confirmed order gets its cycle (latest order per company); the unique index that keeps
   one open follow-up per rule and customer is made; the description of the catalogue KPI "Follow-ups done on
   time", when nobody edited it, tells the new meaning.
"""

import logging
from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

KPI_DESCRIPTIONS = {
    "old": "Post-sale follow-ups of the regulation done in the month, on or before their deadline.",
    "en_US": "Post-sale follow-ups of the regulation done in the month within their step's window, from the day "
    "their activity appears to the deadline. Those closed before their window are counted apart (done early).",
    "ru_RU": "Шаги послепродажного регламента, выполненные в месяце в своё окно: от дня появления задачи до срока. "
    "Закрытые раньше окна считаются отдельно (выполнены досрочно).",
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
    Followup = env["olimp.followup"].with_context(active_test=False)
    _starting_orders(env)
    merged, ended = _merge_open_duplicates(env)
    moved, removed = _move_activities(env)
    _recompute_windows(env)
    cycles = _cycles(env)
    Followup._create_unique_indexes()
    _kpi_description(env)
    _logger.info(
        "olimp_followup 18.0.1.1.0: %s open duplicates merged, %s ended by a later order; %s activities moved to "
        "the customer, %s removed until their window opens; %s customer cycles",
        merged,
        ended,
        moved,
        removed,
        cycles,
    )


def _starting_orders(env):
    env.cr.execute(
        SQL(
            """INSERT INTO olimp_followup_sale_order_rel (followup_id, order_id)
               SELECT id, order_id FROM olimp_followup WHERE order_id IS NOT NULL
               ON CONFLICT DO NOTHING"""
        )
    )


def _merge_open_duplicates(env):
    Followup = env["olimp.followup"]
    env.cr.execute(
        SQL(
            """SELECT array_agg(id ORDER BY id) FROM olimp_followup WHERE state = 'planned'
                GROUP BY rule_id, partner_id, company_id HAVING count(*) > 1"""
        )
    )
    groups = [ids for (ids,) in env.cr.fetchall()]
    everything = Followup.browse([followup_id for ids in groups for followup_id in ids])
    merged, ended = Followup, defaultdict(lambda: Followup)
    joins = []
    for ids in groups:
        group = everything.browse(ids).with_prefetch(everything._prefetch_ids)
        latest = group.sorted(lambda f: (f.trigger_date or f.date_deadline, f.id))[-1]
        if group.rule_id.ends_on_new_order and latest.order_id:
            ended[latest.order_id] |= group - latest
        else:
            keep = group.sorted(lambda f: (f.date_deadline, f.id))[0]
            joins += [(keep.id, order.id) for order in (group - keep).order_ids]
            merged |= group - keep
    merged._cancel("merged")
    for order, followups in ended.items():
        followups._cancel("new_order", ended_by=order)
    Followup._add_orders(joins)
    return len(merged), sum(len(followups) for followups in ended.values())


def _move_activities(env):
    """The open follow-ups' activities go to the customer; those not due for a while go until their window."""
    Followup = env["olimp.followup"]
    env.flush_all()
    planned = Followup.search([("state", "=", "planned"), ("activity_id", "!=", False)])
    today = env.cr.now().date()
    early = planned.filtered(lambda f: f.date_activity and f.date_activity > today)
    # Removed without cancelling the follow-ups: the link goes first (mail.activity.unlink cancels linked ones).
    activities = early.activity_id
    early.write({"activity_id": False})
    activities.unlink()
    moving = planned - early
    env.cr.execute(
        SQL(
            """UPDATE mail_activity AS activity
                  SET res_model = 'res.partner', res_model_id = %s, res_id = followup.partner_id
                 FROM olimp_followup AS followup
                WHERE followup.activity_id = activity.id AND followup.id = ANY(%s)""",
            env["ir.model"]._get_id("res.partner"),
            moving.ids,
        )
    )
    env["mail.activity"].invalidate_model(["res_model", "res_model_id", "res_id"])
    moving._refresh_activity_texts()
    return len(moving), len(activities)


def _recompute_windows(env):
    """``date_activity`` and ``done_early`` are new: Odoo computed them when it made their columns. ``on_time`` is
    recomputed for the follow-ups done, against the window."""
    done = env["olimp.followup"].search([("state", "=", "done")])
    env.add_to_compute(done._fields["on_time"], done)
    done.flush_recordset(["on_time", "done_early"])


def _cycles(env):
    env.cr.execute(
        SQL(
            """INSERT INTO olimp_followup_cycle (partner_id, company_id, order_id, date_start, create_uid, create_date,
                                                 write_uid, write_date)
               SELECT DISTINCT ON (partner.commercial_partner_id, sale.company_id)
                      partner.commercial_partner_id, sale.company_id, sale.id, sale.date_order::date,
                      %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                 FROM sale_order AS sale JOIN res_partner AS partner ON partner.id = sale.partner_id
                WHERE sale.state = 'sale' AND partner.commercial_partner_id IS NOT NULL
                ORDER BY partner.commercial_partner_id, sale.company_id, sale.date_order DESC, sale.id DESC
               ON CONFLICT (partner_id, company_id) DO NOTHING""",
            uid=SUPERUSER_ID,
        )
    )
    return env.cr.rowcount


def _kpi_description(env):
    kpi = env.ref("olimp_followup.kpi_followups_on_time", raise_if_not_found=False)
    if not kpi or kpi.with_context(lang="en_US").description != KPI_DESCRIPTIONS["old"]:
        return
    langs = {lang for lang, __ in env["res.lang"].get_installed()}
    kpi.update_field_translations(
        "description", {lang: text for lang, text in KPI_DESCRIPTIONS.items() if lang in langs or lang == "en_US"}
    )
