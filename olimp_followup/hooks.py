from odoo.addons.olimp_kpi.hooks import forget_removed_models
from odoo.addons.olimp_kpi.services import parse_domain_or_none
from odoo.osv import expression

MODULE = "olimp_followup"


def uninstall_hook(env):
    """Archive the KPI definitions that count this module's records or read its fields (follow-ups, meetings held
    with minutes, passports): once it is gone they cannot be computed. Archived, they are left out of new
    scorecards; those that closed months (or the plans of profiles) refer to stay, and their figures with them,
    the open months keeping their last actuals (the refresh logs a warning and leaves them). The catalogue's
    Meetings held counts the meetings of the past again, as without this module."""
    env["calendar.event"]._olimp_count_held_meetings_only(undo=True)
    # Models made by this module (it extends others too), and the fields it adds to the others.
    own_models = {name for name, model in env.registry.items() if model._original_module == MODULE}
    data = env["ir.model.data"].sudo().search([("module", "=", MODULE), ("model", "=", "ir.model.fields")])
    own_fields = env["ir.model.fields"].browse(data.mapped("res_id")).filtered(lambda f: f.model not in own_models)
    field_names = set(own_fields.mapped("name"))
    kpis = env["olimp.kpi"].sudo().with_context(active_test=False).search([("kind", "=", "quantitative")])
    gone = kpis.filtered(
        lambda kpi: (
            kpi.model_name in own_models
            or (kpi.measure_field_id | kpi.date_field_id | kpi.user_field_id) & own_fields
            or _domain_fields(kpi.domain) & field_names
        )
    )
    # Ratios dividing those go with them.
    Kpi = env["olimp.kpi"].sudo().with_context(active_test=False)
    gone |= Kpi.search([("numerator_kpi_id", "in", gone.ids)]) | Kpi.search([("denominator_kpi_id", "in", gone.ids)])
    gone.filtered("active").write({"active": False})
    _keep_referenced_kpis(env)
    # The follow-ups go with their table; their rules (data of this module) can then be deleted, and the
    # activities they made stay as plain activities in the sales people's lists.
    env.cr.execute("DELETE FROM olimp_followup")
    forget_removed_models(env)


def _keep_referenced_kpis(env):
    """The follow-up KPIs of the catalogue are data of this module, deleted with it; those that profiles or
    scorecards refer to cannot be (and uninstalling would log each refused delete as an error): they stay, archived,
    their external ids no longer tied to this module."""
    data = env["ir.model.data"].sudo().search([("module", "=", MODULE), ("model", "=", "olimp.kpi")])
    kpi_ids = data.mapped("res_id")
    used = set()
    for model in ("olimp.kpi.profile.line", "olimp.kpi.scorecard.line"):
        used.update(env[model].sudo().search([("kpi_id", "in", kpi_ids)]).kpi_id.ids)
    data.filtered(lambda d: d.res_id in used).unlink()


def _domain_fields(text):
    """Names of the fields a domain's conditions go through (each part of a path)."""
    domain = parse_domain_or_none(text) or []
    names = set()
    for term in expression.normalize_domain(domain):
        if isinstance(term, tuple | list) and term and isinstance(term[0], str):
            names.update(term[0].split("."))
    return names
