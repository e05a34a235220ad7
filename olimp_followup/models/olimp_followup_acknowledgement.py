from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.olimp_kpi.services import KPI_USER_GROUP
from odoo.exceptions import UserError


class OlimpFollowupAcknowledgement(models.Model):
    """A salesperson's acknowledgement of one version of the company's regulation: who, which version, when.

    A daily scheduled action (:meth:`_cron_request`) asks every salesperson who has not acknowledged the current
    version, with one activity; a changed regulation is a new version, so everyone is asked again. A request still
    pending moves on to the new version instead of making a second one. Team leaders see who read what and when.
    """

    _name = "olimp.followup.acknowledgement"
    _description = "Regulation Acknowledgement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "version desc, state desc, user_id"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        comodel_name="res.users", string="Salesperson", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True, index=True)
    version = fields.Integer(required=True, readonly=True)
    current_version = fields.Integer(related="company_id.olimp_regulation_version", string="Current Version")
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_is_current")
    state = fields.Selection(
        selection=[("pending", "To Read"), ("done", "Acknowledged")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    requested_on = fields.Datetime(readonly=True, default=fields.Datetime.now)
    acknowledged_on = fields.Datetime(readonly=True)
    team_id = fields.Many2one(comodel_name="crm.team", string="Sales Team", readonly=True, index=True)
    manager_user_id = fields.Many2one(comodel_name="res.users", string="Manager", readonly=True, index=True)

    _sql_constraints = [
        (
            "user_version_unique",
            "UNIQUE(user_id, company_id, version)",
            "A salesperson acknowledges each version of the regulation once.",
        ),
    ]

    @api.depends("version", "company_id.olimp_regulation_version")
    def _compute_is_current(self):
        for acknowledgement in self:
            acknowledgement.is_current = acknowledgement.version == acknowledgement.company_id.olimp_regulation_version

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search the current version with “is set” or “is not set”."))
        companies = self.env["res.company"].sudo().search([])
        domain = ["|"] * (len(companies) - 1)
        for company in companies:
            domain += ["&", ("company_id", "=", company.id), ("version", "=", company.olimp_regulation_version)]
        if (operator == "=") != value:
            domain = ["!", *domain] if domain else []
        return domain or [("id", "=", 0)]

    @api.depends("user_id", "version")
    def _compute_display_name(self):
        for acknowledgement in self:
            acknowledgement.display_name = self.env._(
                "%(user)s: regulation version %(version)s",
                user=acknowledgement.user_id.name,
                version=acknowledgement.version,
            )

    # -- actions ---------------------------------------------------------------------------------------------
    def action_acknowledge(self):
        """The salesperson confirms having read the current regulation (only one's own, only the current one)."""
        for acknowledgement in self:
            if acknowledgement.user_id != self.env.user:
                raise UserError(
                    self.env._("Only %(user)s can acknowledge their reading.", user=acknowledgement.user_id.name)
                )
            if not acknowledgement.is_current:
                raise UserError(
                    self.env._("The regulation has changed since: read the current version, then acknowledge it.")
                )
        pending = self.filtered(lambda ack: ack.state == "pending").sudo()
        pending.write({"state": "done", "acknowledged_on": fields.Datetime.now()})
        pending.activity_ids.action_feedback(feedback=self.env._("Read and acknowledged."))
        return True

    def action_print_regulation(self):
        """The regulation of this acknowledgement's company, as printed."""
        self.ensure_one()
        steps = self.env["olimp.followup.rule"]._olimp_regulation_steps(self.company_id)
        if not steps:
            raise UserError(self.env._("The regulation has no step yet."))
        return self.env.ref("olimp_followup.action_report_regulation").report_action(steps)

    # -- asking ----------------------------------------------------------------------------------------------
    @api.model
    def _salespeople(self, company):
        """Internal active users of ``company`` measured by KPIs (sales people and team leaders)."""
        group = self.env.ref(KPI_USER_GROUP)
        return (
            self.env["res.users"]
            .sudo()
            .search([("groups_id", "in", group.ids), ("share", "=", False), ("company_ids", "in", company.ids)])
        )

    @api.model
    def _cron_request(self):
        companies = self.env["res.company"].search([])
        for company in companies:
            self._request(company)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)

    @api.model
    def _request(self, company):
        """Ask every salesperson of ``company`` who has not acknowledged its current regulation, once."""
        Acknowledgement = self.sudo()
        version = company.olimp_regulation_version
        users = self._salespeople(company)
        existing = Acknowledgement.search([("company_id", "=", company.id), ("user_id", "in", users.ids)])
        done = {ack.user_id for ack in existing if ack.state == "done" and ack.version == version}
        pending = {ack.user_id: ack for ack in existing if ack.state == "pending"}
        moved = Acknowledgement.browse(
            [ack.id for user, ack in pending.items() if ack.version != version and user not in done]
        )
        if moved:
            moved.write({"version": version, "requested_on": fields.Datetime.now()})
        new_users = [user for user in users if user not in done and user not in pending]
        created = Acknowledgement.create(
            [
                {
                    "user_id": user.id,
                    "company_id": company.id,
                    "version": version,
                    "team_id": user.sale_team_id.id,
                    "manager_user_id": user.employee_ids[:1].parent_id.user_id.id,
                }
                for user in new_users
            ]
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        for acknowledgement in created:
            env = self.with_context(lang=acknowledgement.user_id.lang).env
            acknowledgement.with_context(mail_activity_quick_update=True).activity_schedule(
                activity_type_id=todo.id,
                user_id=acknowledgement.user_id.id,
                summary=env._("Read and acknowledge the regulation"),
                note=Markup("<p>%s</p>")
                % env._(
                    "The post-sale regulation of %(company)s (version %(version)s) tells when to contact customers "
                    "after a sale and what to ask. Print it, read it, then click “I Have Read the Regulation”.",
                    company=company.name,
                    version=version,
                ),
            )
        return created | moved
