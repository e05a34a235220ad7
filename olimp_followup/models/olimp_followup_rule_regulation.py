from odoo import api, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

# What the printed regulation shows of a step: changing one of these makes a new version to acknowledge.
PRINTED_FIELDS = {
    "name",
    "sequence",
    "active",
    "trigger",
    "delay_days",
    "task_type",
    "responsible",
    "user_id",
    "script",
    "no_order_days",
    "company_id",
}


class OlimpFollowupRule(models.Model):
    """The steps of the regulation as a document: printed, versioned, acknowledged by salespeople."""

    _inherit = "olimp.followup.rule"

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._olimp_regulation_companies()._olimp_regulation_changed()
        return rules

    def write(self, vals):
        printed = PRINTED_FIELDS & set(vals)
        before = {rule: rule._olimp_printed_values(printed) for rule in self} if printed else {}
        companies = self._olimp_regulation_companies()
        result = super().write(vals)
        changed = self.filtered(lambda rule: rule in before and rule._olimp_printed_values(printed) != before[rule])
        if changed:
            (companies | changed._olimp_regulation_companies())._olimp_regulation_changed()
        return result

    def unlink(self):
        companies = self._olimp_regulation_companies()
        result = super().unlink()
        companies._olimp_regulation_changed()
        return result

    def _olimp_printed_values(self, fnames):
        self.ensure_one()
        return {fname: self[fname] for fname in fnames}

    def _olimp_regulation_companies(self):
        """The companies whose regulation these steps belong to: a shared step is in every company's. Steps loaded
        with the module (the default regulation) are its first version; uninstalling it makes none."""
        if self.env.context.get("install_mode") or self.env.context.get(MODULE_UNINSTALL_FLAG):
            return self.env["res.company"]
        companies = self.sudo().company_id
        if self.sudo().filtered(lambda rule: not rule.company_id):
            companies = self.env["res.company"].sudo().search([])
        return companies

    @api.model
    def _olimp_regulation_steps(self, company):
        """The active steps of ``company``'s regulation, in sequence order."""
        return self.with_context(active_test=True).search([("company_id", "in", [company.id, False])])
