from odoo import api, fields, models
from odoo.tools import SQL

from ..services.scorecard_refresh import pg_array


class OlimpKpiScorecardAnswer(models.Model):
    """An expert's answer to one checklist item of a qualitative KPI, for one scorecard."""

    _name = "olimp.kpi.scorecard.answer"
    _description = "KPI Checklist Answer"
    _order = "line_id, sequence, id"

    line_id = fields.Many2one(
        comodel_name="olimp.kpi.scorecard.line", string="Scorecard Line", required=True, ondelete="cascade", index=True
    )
    item_id = fields.Many2one(
        comodel_name="olimp.kpi.checklist.item", string="Checklist Item", required=True, ondelete="restrict"
    )
    name = fields.Char(related="item_id.name", string="Question")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    scorecard_id = fields.Many2one(related="line_id.scorecard_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    state = fields.Selection(related="line_id.state")
    value = fields.Selection(selection=[("yes", "Yes"), ("no", "No")], string="Answer")
    comment = fields.Char()
    answered_by_id = fields.Many2one(comodel_name="res.users", readonly=True)
    answered_on = fields.Datetime(readonly=True)
    evidence = fields.Char(
        compute="_compute_evidence",
        help="What the data says about this question, next to the expert's answer; once the month is closed, what it "
        "said at close.",
    )
    closed_evidence = fields.Char(string="Evidence at Close", readonly=True, copy=False)

    _sql_constraints = [
        ("item_unique", "UNIQUE(line_id, item_id)", "A checklist question is answered once per scorecard."),
    ]

    def _compute_evidence(self):
        live = self.filtered(lambda answer: answer.state != "closed")._live_evidence()
        for answer in self:
            answer.evidence = answer.closed_evidence if answer.state == "closed" else live.get(answer.id, False)

    def _live_evidence(self):
        """What the data says today about each answer's question: ``{answer id: text}``.

        Modules that collect evidence (e.g. follow-ups) extend this per ``item_id.evidence``; a closed month shows
        what it said at close (:meth:`_store_evidence`).
        """
        return {}

    def _store_evidence(self):
        """Keep today's evidence as the evidence of the closed month, in one statement."""
        if not self:
            return
        live = self._live_evidence()
        self.env.cr.execute(
            SQL(
                """UPDATE olimp_kpi_scorecard_answer AS answer SET closed_evidence = v.evidence
                     FROM unnest(%s::int[], %s::varchar[]) AS v(id, evidence) WHERE answer.id = v.id""",
                pg_array(self.ids),
                pg_array([live.get(answer_id) or None for answer_id in self.ids]),
            )
        )
        self.invalidate_recordset(["closed_evidence", "evidence"])

    @api.model_create_multi
    def create(self, vals_list):
        lines = self.env["olimp.kpi.scorecard.line"].browse({vals["line_id"] for vals in vals_list})
        lines.scorecard_id._check_open()
        for vals in vals_list:
            if vals.get("value"):
                vals.update(answered_by_id=self.env.uid, answered_on=fields.Datetime.now())
        answers = super().create(vals_list)
        answers.line_id._update_checklist_actual()
        return answers

    def write(self, vals):
        self.scorecard_id._check_open()
        if "value" in vals and not vals["value"]:
            # Cleared on purpose: nobody has answered any more.
            vals = dict(vals, answered_by_id=False, answered_on=False)
        elif vals.get("value") or ("comment" in vals and all(self.mapped("value"))):
            vals = dict(vals, answered_by_id=self.env.uid, answered_on=fields.Datetime.now())
        result = super().write(vals)
        if "value" in vals:
            self.line_id._update_checklist_actual()
        return result

    def action_clear(self):
        """Clear the answers of ``self`` explicitly: no answer, nobody who answered."""
        self.write({"value": False})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        self.scorecard_id._check_open()
