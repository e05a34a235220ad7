from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

# Every item of the passport counts the same in its completeness.
PASSPORT_ITEMS = [
    "olimp_passport_decision_maker_id",
    "olimp_passport_contact_ids",
    "olimp_passport_needs",
    "olimp_passport_products",
    "olimp_passport_competitors",
    "olimp_passport_purchase_cycle",
]
# Without these a passport is not up to date, however recent its review.
PASSPORT_KEY_ITEMS = ["olimp_passport_decision_maker_id", "olimp_passport_needs", "olimp_passport_products"]
# Fields whose change counts as a review of the passport.
PASSPORT_FIELDS = [
    "olimp_passport_decision_maker_id",
    "olimp_passport_needs",
    "olimp_passport_products",
    "olimp_passport_competitors",
    "olimp_passport_purchase_cycle",
    "olimp_passport_notes",
]
CONTACT_ROLES = [
    ("decision_maker", "Decision maker"),
    ("influencer", "Influencer"),
    ("buyer", "Purchaser"),
    ("user", "User"),
    ("finance", "Finance"),
    ("technical", "Technical expert"),
    ("other", "Other"),
]
PURCHASE_CYCLES = [
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("half_yearly", "Half-yearly"),
    ("yearly", "Yearly"),
    ("project", "Per project"),
]
REORDER_STATES = [("none", "No order yet"), ("ok", "On track"), ("due", "Due"), ("overdue", "Overdue")]
# A repeat order is due this many days before its expected date.
REORDER_DUE_DAYS = 14


class ResPartner(models.Model):
    _inherit = "res.partner"

    # -- customer passport (on the commercial entity) ----------------------------------------------------------
    olimp_passport_role = fields.Selection(
        selection=CONTACT_ROLES,
        string="Role in Purchases",
        help="The contact's role in the customer's purchase decisions (customer passport).",
    )
    olimp_passport_decision_maker_id = fields.Many2one(
        comodel_name="res.partner",
        string="Decision Maker",
        domain="[('parent_id', '=', id)]",
        help="The contact who decides on purchases.",
    )
    olimp_passport_contact_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Contacts' Roles",
        compute="_compute_olimp_passport_contact_ids",
        help="The customer's contacts with a role in purchases (set the role on the contact).",
    )
    olimp_passport_needs = fields.Text(string="Needs and Problems")
    olimp_passport_products = fields.Text(string="Products in Use")
    olimp_passport_competitors = fields.Text(string="Competitors")
    olimp_passport_purchase_cycle = fields.Selection(selection=PURCHASE_CYCLES, string="Purchase Cycle")
    olimp_passport_notes = fields.Html(string="Passport Notes")
    olimp_passport_date = fields.Date(
        string="Passport Reviewed On",
        copy=False,
        help="Last review of the customer passport; set when the passport changes or with 'Passport Reviewed'.",
    )
    olimp_passport_completeness = fields.Integer(
        string="Passport Completeness (%)",
        compute="_compute_olimp_passport_completeness",
        store=True,
        aggregator="avg",
    )
    olimp_passport_key_filled = fields.Boolean(
        string="Passport Key Items Filled",
        compute="_compute_olimp_passport_completeness",
        store=True,
        help="Decision maker, needs and problems, and products in use are filled.",
    )
    olimp_passport_up_to_date = fields.Boolean(
        string="Passport Up to Date",
        compute="_compute_olimp_passport_up_to_date",
        search="_search_olimp_passport_up_to_date",
        help="Reviewed within the validity set in the Sales settings, with its key items filled.",
    )

    # -- repeat-order rhythm (on the commercial entity) --------------------------------------------------------
    olimp_last_order_date = fields.Date(
        string="Last Order",
        compute="_compute_olimp_last_order_date",
        store=True,
        compute_sudo=True,
        help="Date of the last confirmed sales order of the customer or its contacts.",
    )
    olimp_next_order_date = fields.Date(
        string="Expected Next Order",
        compute="_compute_olimp_reorder",
        search="_search_olimp_next_order_date",
        help="Last order plus the repeat-order rhythm (days without order of the shortest active 'No order' "
        "follow-up rule, 90 days when there is none).",
    )
    olimp_reorder_state = fields.Selection(
        selection=REORDER_STATES,
        string="Repeat Order",
        compute="_compute_olimp_reorder",
        search="_search_olimp_reorder_state",
        help="On track until 14 days before the expected next order, then due, and overdue after it.",
    )
    olimp_followup_ids = fields.One2many(
        comodel_name="olimp.followup", inverse_name="partner_id", string="Follow-ups", readonly=True
    )

    # -- the post-sale cycle at a glance (in the current company) --------------------------------------------
    olimp_next_step = fields.Char(
        string="Next Step",
        compute="_compute_olimp_cycle",
        compute_sudo=True,
        help="The next planned follow-up of the customer in this company: its step, orders and responsible.",
    )
    olimp_next_step_date = fields.Date(string="Next Step Due", compute="_compute_olimp_cycle", compute_sudo=True)
    olimp_cycle_order = fields.Char(
        string="Cycle Started By",
        compute="_compute_olimp_cycle",
        compute_sudo=True,
        help="The latest confirmed order of the customer in this company: the regulation's steps count from it.",
    )

    olimp_followup_count = fields.Integer(compute="_compute_olimp_followup_count", string="Follow-ups Count")

    @api.depends("child_ids.olimp_passport_role")
    def _compute_olimp_passport_contact_ids(self):
        for partner in self:
            partner.olimp_passport_contact_ids = partner.child_ids.filtered("olimp_passport_role")

    @api.depends(
        "olimp_passport_decision_maker_id",
        "child_ids.olimp_passport_role",
        "olimp_passport_needs",
        "olimp_passport_products",
        "olimp_passport_competitors",
        "olimp_passport_purchase_cycle",
    )
    def _compute_olimp_passport_completeness(self):
        for partner in self:
            filled = {
                fname: bool(
                    partner.child_ids.filtered("olimp_passport_role")
                    if fname == "olimp_passport_contact_ids"
                    else (partner[fname].strip() if isinstance(partner[fname], str) else partner[fname])
                )
                for fname in PASSPORT_ITEMS
            }
            partner.olimp_passport_completeness = round(100 * sum(filled.values()) / len(PASSPORT_ITEMS))
            partner.olimp_passport_key_filled = all(filled[fname] for fname in PASSPORT_KEY_ITEMS)

    @api.depends("olimp_passport_date", "olimp_passport_key_filled", "company_id")
    @api.depends_context("company")
    def _compute_olimp_passport_up_to_date(self):
        today = fields.Date.context_today(self)
        for partner in self:
            oldest = today - timedelta(days=(partner.company_id or self.env.company).olimp_passport_validity_days)
            partner.olimp_passport_up_to_date = bool(
                partner.olimp_passport_key_filled
                and partner.olimp_passport_date
                and partner.olimp_passport_date >= oldest
            )

    def _search_olimp_passport_up_to_date(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Operation not supported"))
        day = fields.Date.context_today(self)
        if (operator == "=") == bool(value):
            return self._olimp_passport_fresh_domain(day)
        oldest = day - timedelta(days=self.env.company.olimp_passport_validity_days)
        return [
            "|",
            "|",
            ("olimp_passport_key_filled", "=", False),
            ("olimp_passport_date", "=", False),
            ("olimp_passport_date", "<", oldest),
        ]

    @api.model
    def _olimp_passport_fresh_domain(self, day):
        """Passports up to date on ``day``, with the validity of the current company."""
        oldest = day - timedelta(days=self.env.company.olimp_passport_validity_days)
        return [("olimp_passport_key_filled", "=", True), ("olimp_passport_date", ">=", oldest)]

    @api.depends(
        "is_company",
        "parent_id",
        "sale_order_ids.state",
        "sale_order_ids.date_order",
        "child_ids.sale_order_ids.state",
        "child_ids.sale_order_ids.date_order",
    )
    def _compute_olimp_last_order_date(self):
        # Carried by commercial entities only (companies and individuals): their orders and their contacts'.
        commercial = self.filtered(lambda p: p.id and p.commercial_partner_id == p)
        last = {}
        if commercial:
            rows = (
                self.env["sale.order"]
                .with_context(active_test=False)
                ._read_group(
                    [("partner_id", "child_of", commercial.ids), ("state", "=", "sale")],
                    ["partner_id"],
                    ["date_order:max"],
                )
            )
            for partner, date_order in rows:
                if not date_order:
                    continue
                day = fields.Date.context_today(self, date_order)
                key = partner.commercial_partner_id.id
                last[key] = max(last.get(key, day), day)
        for partner in self:
            partner.olimp_last_order_date = last.get(partner.id, False) if partner in commercial else False

    @api.depends("olimp_last_order_date")
    @api.depends_context("company")
    def _compute_olimp_reorder(self):
        today = fields.Date.context_today(self)
        days = self.env["olimp.followup.rule"]._reorder_days()
        for partner in self:
            last = partner.olimp_last_order_date
            if not last:
                partner.olimp_next_order_date = False
                partner.olimp_reorder_state = "none"
                continue
            expected = last + timedelta(days=days)
            partner.olimp_next_order_date = expected
            if today > expected:
                partner.olimp_reorder_state = "overdue"
            elif today >= expected - timedelta(days=REORDER_DUE_DAYS):
                partner.olimp_reorder_state = "due"
            else:
                partner.olimp_reorder_state = "ok"

    def _search_olimp_next_order_date(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UserError(self.env._("Operation not supported"))
        if not value:
            return [("olimp_last_order_date", operator, value)]
        days = self.env["olimp.followup.rule"]._reorder_days()
        return [("olimp_last_order_date", operator, fields.Date.to_date(value) - timedelta(days=days))]

    def _search_olimp_reorder_state(self, operator, value):
        if operator in ("=", "!="):
            states = {value}
        elif operator in ("in", "not in"):
            states = set(value)
        else:
            raise UserError(self.env._("Operation not supported"))
        # Next order expected at last + days: due from 14 days before it until that day, overdue after it.
        today = fields.Date.context_today(self)
        days = self.env["olimp.followup.rule"]._reorder_days()
        overdue_before = today - timedelta(days=days)
        due_until = overdue_before + timedelta(days=REORDER_DUE_DAYS)
        domains = {
            "none": [("olimp_last_order_date", "=", False)],
            "ok": [("olimp_last_order_date", ">", due_until)],
            "due": [("olimp_last_order_date", ">=", overdue_before), ("olimp_last_order_date", "<=", due_until)],
            "overdue": [("olimp_last_order_date", "<", overdue_before)],
        }
        if operator in ("!=", "not in"):
            # The complement, spelled out: a negated date comparison would leave out customers without orders.
            states = set(domains) - states
        return expression.OR([domains[state] for state in states if state in domains] or [expression.FALSE_DOMAIN])

    @api.depends_context("company")
    def _compute_olimp_cycle(self):
        commercial = self.commercial_partner_id.filtered("id")
        company = self.env.company
        next_steps = {}
        if commercial:
            for followup in self.env["olimp.followup"].search_fetch(
                [("partner_id", "in", commercial.ids), ("company_id", "=", company.id), ("state", "=", "planned")],
                ["partner_id", "rule_id", "order_ids", "order_id", "user_id", "date_deadline"],
                order="date_deadline, id",
            ):
                next_steps.setdefault(followup.partner_id.id, followup)
        cycles = {
            cycle.partner_id.id: cycle
            for cycle in self.env["olimp.followup.cycle"].search_fetch(
                [("partner_id", "in", commercial.ids), ("company_id", "=", company.id)],
                ["partner_id", "order_id"],
            )
        }
        for partner in self:
            followup = next_steps.get(partner.commercial_partner_id.id)
            cycle = cycles.get(partner.commercial_partner_id.id)
            partner.olimp_next_step = (
                self.env._("%(step)s (%(responsible)s)", step=followup.display_name, responsible=followup.user_id.name)
                if followup
                else False
            )
            partner.olimp_next_step_date = followup.date_deadline if followup else False
            partner.olimp_cycle_order = cycle.order_id.name if cycle and cycle.order_id else False

    def _compute_olimp_followup_count(self):
        Followup = self.env["olimp.followup"]
        # Follow-ups the user may see (own, team's, all); none for users outside the KPI groups.
        counts = (
            dict(Followup._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
            if Followup.has_access("read")
            else {}
        )
        for partner in self:
            partner.olimp_followup_count = counts.get(partner, 0)

    def write(self, vals):
        if "olimp_passport_date" not in vals and set(PASSPORT_FIELDS) & set(vals):
            vals = dict(vals, olimp_passport_date=fields.Date.context_today(self))
        return super().write(vals)

    def action_olimp_passport_reviewed(self):
        self.write({"olimp_passport_date": fields.Date.context_today(self)})
        return True

    def action_olimp_open_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_planned": 0}
        return action
