from odoo import api, fields, models
from odoo.addons.olimp_kpi.services import compile_domain
from odoo.exceptions import ValidationError

TRIGGERS = [
    ("order_confirmed", "Order confirmed"),
    ("invoice_paid", "Invoice paid"),
    ("order_delivered", "Order delivered"),
    ("no_order", "No order for N days"),
]
TASK_TYPES = [
    ("feedback", "Get feedback"),
    ("support", "Help with questions"),
    ("needs", "Find needs"),
    ("offer", "Present an offer"),
    ("reorder", "Repeat order"),
]
DEFAULT_NO_ORDER_DAYS = 90
# The activity of a follow-up appears this many days before its deadline, unless the rule says otherwise.
DEFAULT_ACTIVITY_LEAD_DAYS = 7
# Steps whose purpose a new order fulfils: a new order ends their pending follow-ups by default.
ENDED_BY_NEW_ORDER = ("offer", "reorder")
RESPONSIBLES = [
    ("order_salesperson", "Order's salesperson"),
    ("partner_salesperson", "Customer's salesperson"),
    ("team_leader", "Team leader"),
    ("user", "Fixed user"),
]


class OlimpFollowupRule(models.Model):
    """One step of the post-sale regulation: when, for whom, and what to ask the customer."""

    _name = "olimp.followup.rule"
    _description = "Follow-up Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, delay_days, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    trigger = fields.Selection(
        selection=TRIGGERS,
        required=True,
        default="order_confirmed",
        tracking=True,
        help="Order confirmed, invoice paid and order delivered fire once per sales order; 'No order for N days' "
        "fires once per customer and period of silence, from a daily scheduled action. 'Order delivered' needs "
        "the Inventory app (module olimp_followup_stock).",
    )
    delay_days = fields.Integer(
        string="Delay (days)",
        default=3,
        required=True,
        tracking=True,
        help="The follow-up is due this many days after the trigger date.",
    )
    task_type = fields.Selection(selection=TASK_TYPES, required=True, default="feedback", tracking=True)
    ends_on_new_order = fields.Boolean(
        string="A New Order Ends It",
        compute="_compute_ends_on_new_order",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="A new order of the customer ends the pending follow-up of this rule (cancelled, with the order as "
        "the reason) and the rule starts over from the new order. On by default for the repeat-order reminder and "
        "the favourable terms: the new order is what they were for. Off, a new order joins the pending follow-up.",
    )
    min_interval_days = fields.Integer(
        string="Minimum Interval",
        compute="_compute_min_interval_days",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Once a follow-up of this rule is done, a new order plans the next one only if it would be due at "
        "least this many days after that touch; otherwise the order is counted as covered by it. By default the "
        "rule's delay, so that a touch covers the orders placed before it.",
    )
    activity_lead_days = fields.Integer(
        string="Activity Shown",
        default=DEFAULT_ACTIVITY_LEAD_DAYS,
        required=True,
        tracking=True,
        help="The follow-up is planned at once, but its activity appears in the responsible's activities this "
        "many days before the deadline (0: on the day). Done within this window counts as on time; done before it, "
        "as done early.",
    )
    activity_type_id = fields.Many2one(
        comodel_name="mail.activity.type",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        domain="[('res_model', 'in', [False, source_model])]",
        help="Type of the activity scheduled on the order (or on the customer for 'No order' rules).",
    )
    responsible = fields.Selection(
        selection=RESPONSIBLES,
        required=True,
        default="order_salesperson",
        tracking=True,
        help="Who does the follow-up. When nobody is found (e.g. a customer without salesperson), the order's "
        "salesperson, then the customer's salesperson, then the team leader get it.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        tracking=True,
        domain="[('share', '=', False)]",
        help="The user responsible for every follow-up of this rule (responsible 'Fixed user').",
    )
    script = fields.Html(
        translate=True,
        sanitize_style=True,
        help="What to ask the customer: copied into the note of every activity.",
    )
    domain = fields.Text(
        string="Conditions",
        default="[]",
        required=True,
        help="Only orders (or, for 'No order' rules, customers) matching these conditions get the follow-up.",
    )
    no_order_days = fields.Integer(
        string="Days Without Order",
        default=DEFAULT_NO_ORDER_DAYS,
        required=True,
        help="For 'No order' rules: customers whose last confirmed order is older than this get a reactivation "
        "follow-up. The shortest of the active 'No order' rules also sets the expected repeat-order rhythm "
        "of every customer (90 days, a quarter, when there is none).",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to apply the rule in every company.",
    )
    source_model = fields.Char(compute="_compute_source_model")
    followup_ids = fields.One2many(comodel_name="olimp.followup", inverse_name="rule_id", string="Follow-ups")
    followup_count = fields.Integer(compute="_compute_followup_count", string="Follow-ups Count")

    @api.depends("task_type")
    def _compute_ends_on_new_order(self):
        for rule in self:
            rule.ends_on_new_order = rule.task_type in ENDED_BY_NEW_ORDER

    @api.depends("delay_days")
    def _compute_min_interval_days(self):
        for rule in self:
            rule.min_interval_days = rule.delay_days

    @api.depends("trigger")
    def _compute_source_model(self):
        for rule in self:
            rule.source_model = rule._source_model()

    def _compute_followup_count(self):
        counts = dict(self.env["olimp.followup"]._read_group([("rule_id", "in", self.ids)], ["rule_id"], ["__count"]))
        for rule in self:
            rule.followup_count = counts.get(rule, 0)

    @api.constrains("responsible", "user_id")
    def _check_responsible(self):
        for rule in self:
            if rule.responsible == "user" and not rule.user_id:
                raise ValidationError(
                    self.env._(
                        "Follow-up rule %(rule)s: choose the user responsible for its follow-ups, or another kind "
                        "of responsible.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("delay_days", "no_order_days", "min_interval_days", "activity_lead_days")
    def _check_days(self):
        for rule in self:
            if rule.delay_days < 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up rule %(rule)s: the delay cannot be negative (%(days)s days).",
                        rule=rule.display_name,
                        days=rule.delay_days,
                    )
                )
            if rule.min_interval_days < 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up rule %(rule)s: the minimum days between touches cannot be negative (%(days)s "
                        "days). Use 0 to plan a follow-up for every order that arrives once the last one is done.",
                        rule=rule.display_name,
                        days=rule.min_interval_days,
                    )
                )
            if rule.activity_lead_days < 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up rule %(rule)s: the activity cannot appear a negative number of days before the "
                        "deadline (%(days)s days). Use 0 to show it on the day of the deadline.",
                        rule=rule.display_name,
                        days=rule.activity_lead_days,
                    )
                )
            if rule.trigger == "no_order" and rule.no_order_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up rule %(rule)s: the days without order must be positive (%(days)s days).",
                        rule=rule.display_name,
                        days=rule.no_order_days,
                    )
                )

    @api.constrains("trigger", "domain")
    def _check_domain(self):
        for rule in self:
            rule._parsed_domain()

    @api.constrains("trigger")
    def _check_trigger_available(self):
        if not self._olimp_delivery_trigger_available() and any(r.trigger == "order_delivered" for r in self):
            raise ValidationError(
                self.env._(
                    "The trigger 'Order delivered' needs deliveries: install the Inventory app, the module "
                    "'Olimp Follow-ups: deliveries' is then installed with it."
                )
            )

    def _source_model(self):
        """Model the rule's conditions apply to and its activities are scheduled on."""
        self.ensure_one()
        return "res.partner" if self.trigger == "no_order" else "sale.order"

    def _parsed_domain(self):
        """The conditions as a normalized domain, checked against the source model's fields.

        A domain is data: it is read with :func:`ast.literal_eval` (never evaluated as code) and compiled to
        SQL without being run, so unknown fields and bad operators are reported before the rule is saved.
        """
        self.ensure_one()
        model = self._source_model()
        try:
            domain = compile_domain(self.env[model].sudo(), self.domain)
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "Follow-up rule %(rule)s: the conditions are not a valid domain on %(model)s. Use a list of "
                    'conditions with fixed values, e.g. [("amount_untaxed", ">", 1000)].\n%(detail)s',
                    rule=self.display_name,
                    model=self.env["ir.model"]._get(model).name,
                    detail=error,
                )
            ) from error
        return domain

    @api.model
    def _olimp_delivery_trigger_available(self):
        """Whether something fires the 'order_delivered' trigger; olimp_followup_stock says yes."""
        return False

    @api.model
    def _reorder_days(self, company=None):
        """Expected days between two orders of a customer: the shortest active 'No order' rule, else 90."""
        company = company or self.env.company
        rules = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch(
                [("trigger", "=", "no_order"), ("company_id", "in", [company.id, False])],
                ["no_order_days"],
                order="no_order_days",
                limit=1,
            )
        )
        return rules.no_order_days or DEFAULT_NO_ORDER_DAYS

    def write(self, vals):
        result = super().write(vals)
        if "activity_lead_days" in vals:
            # The planned follow-ups show their activity by the new lead time (done ones keep their window: it is
            # what their "on time" was measured against); those now within it get their activity at once.
            planned = self.env["olimp.followup"].sudo().search([("rule_id", "in", self.ids), ("state", "=", "planned")])
            self.env.add_to_compute(planned._fields["date_activity"], planned)
            planned._create_due_activities()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for rule, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(name)s (copy)", name=rule.name)
        return vals_list

    def action_open_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_planned": 0}
        return action
