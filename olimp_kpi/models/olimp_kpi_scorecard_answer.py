from odoo import api, fields, models


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
        help="What the data says about this question, next to the expert's answer.",
    )

    _sql_constraints = [
        ("item_unique", "UNIQUE(line_id, item_id)", "A checklist question is answered once per scorecard."),
    ]

    def _compute_evidence(self):
        """Modules that collect evidence (e.g. follow-ups) extend this per ``item_id.evidence``."""
        for answer in self:
            answer.evidence = False

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
        if "value" in vals or "comment" in vals:
            vals = dict(vals, answered_by_id=self.env.uid, answered_on=fields.Datetime.now())
        result = super().write(vals)
        if "value" in vals:
            self.line_id._update_checklist_actual()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        self.scorecard_id._check_open()
