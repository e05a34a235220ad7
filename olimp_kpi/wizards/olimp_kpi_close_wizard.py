from collections import Counter

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import periods
from ..services.groups import KPI_ADMIN_GROUP


class OlimpKpiCloseWizard(models.TransientModel):
    """Close scorecards on purpose: a selection, or a whole team's month.

    The dialog names the months and the number of scorecards it closes, lists those that are not ready and why
    (a month not over, unanswered checklist questions), and closes the ready ones. Unanswered questions count as
    No only when the closer ticks it, which the chatter records; KPI administrators may close a running month by
    ticking it too.
    """

    _name = "olimp.kpi.close.wizard"
    _description = "Close KPI Scorecards"

    month = fields.Date(help="Close the open scorecards of this month that you may close.")
    team_id = fields.Many2one(
        comodel_name="crm.team", string="Sales Team", help="Only this team's scorecards; leave empty for all yours."
    )
    scorecard_ids = fields.Many2many(
        comodel_name="olimp.kpi.scorecard",
        string="Scorecards",
        compute="_compute_scorecard_ids",
        store=True,
        readonly=False,
    )
    unanswered_as_no = fields.Boolean(
        string="Count Unanswered Questions as No",
        help="Unanswered checklist questions are answered No in your name when the month is closed, which lowers "
        "the efficiency; the scorecard's chatter records it.",
    )
    close_early = fields.Boolean(
        string="Close Before the Month Has Ended",
        help="KPI administrators only: freeze a month that is still running (its later records will not count).",
    )
    is_admin = fields.Boolean(default=lambda self: self.env.user.has_group(KPI_ADMIN_GROUP), readonly=True)
    summary = fields.Html(compute="_compute_check", sanitize=False)
    blockers = fields.Html(compute="_compute_check", sanitize=False)
    ready_count = fields.Integer(compute="_compute_check")

    @api.depends("month", "team_id")
    def _compute_scorecard_ids(self):
        for wizard in self.filtered("month"):
            domain = [("date_from", "=", periods.month_start(wizard.month)), ("state", "=", "open")]
            if wizard.team_id:
                domain.append(("team_id", "=", wizard.team_id.id))
            wizard.scorecard_ids = self.env["olimp.kpi.scorecard"].search(domain)

    def _is_admin(self):
        # Checked on the server: the form's flag only shows the option.
        return self.env.user.has_group(KPI_ADMIN_GROUP)

    def _ready_and_blocked(self):
        scorecards = self.scorecard_ids.filtered(lambda sc: sc.state == "open")
        blockers = scorecards.get_close_blockers(
            close_early=self.close_early and self._is_admin(), unanswered_as_no=self.unanswered_as_no
        )
        blocked = scorecards.browse(list(blockers))
        return scorecards - blocked, blocked, blockers

    @api.depends("scorecard_ids", "unanswered_as_no", "close_early")
    def _compute_check(self):
        for wizard in self:
            ready, blocked, blockers = wizard._ready_and_blocked()
            wizard.ready_count = len(ready)
            wizard.summary = wizard._summary(ready, len(wizard.scorecard_ids) - len(ready) - len(blocked))
            wizard.blockers = (
                Markup("<ul class='mb-0'>%s</ul>")
                % Markup().join(
                    Markup("<li><strong>%s</strong>: %s</li>")
                    % (scorecard.display_name, " ".join(blockers[scorecard.id]))
                    for scorecard in blocked
                )
                if blocked
                else False
            )

    def _summary(self, ready, already_closed):
        months = Counter(ready.mapped("date_from"))
        labels = {scorecard.date_from: scorecard.period_label for scorecard in ready}
        parts = [
            self.env._("%(month)s: %(count)s", month=labels[month], count=count)
            for month, count in sorted(months.items())
        ]
        if not self.scorecard_ids.filtered(lambda sc: sc.state == "open"):
            text = self.env._("There is no open scorecard to close here.")
        elif ready:
            text = self.env._(
                "Closing %(count)s scorecards (%(months)s) freezes their plans, actuals, answers and efficiency, "
                "with the records counted and the evidence beside each answer.",
                count=len(ready),
                months="; ".join(parts),
            )
        else:
            text = self.env._("No scorecard is ready to close.")
        if already_closed:
            text += " " + self.env._("%(count)s of the selected scorecards are closed already.", count=already_closed)
        return Markup("<p class='mb-0'>%s</p>") % escape(text)

    def _action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Scorecards"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_close(self):
        self.ensure_one()
        ready, blocked, __ = self._ready_and_blocked()
        if not ready:
            raise UserError(self.env._("No scorecard is ready to close: see what is missing in the dialog."))
        ready._close(close_early=self.close_early and self._is_admin(), unanswered_as_no=self.unanswered_as_no)
        message = self.env._("%(count)s scorecards closed.", count=len(ready))
        if blocked:
            message += " " + self.env._("%(count)s not ready stay open.", count=len(blocked))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
