"""Corrections of the default KPI catalogue for databases made with an earlier version.

The catalogue is data the user may edit (``noupdate``): an update of the module never overwrites it. When a
catalogue KPI was defined wrongly, the migration script applies the correction through
:meth:`OlimpKpi._olimp_upgrade_catalogue`, KPI by KPI, only where the KPI still has the old definition; a KPI the
user changed is left alone and the log says so, with what to change by hand.
"""

import logging

from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL

from ..services.domains import parse_domain_or_none

_logger = logging.getLogger(__name__)

DEFINITION_FIELDS = ("model_id", "aggregation", "measure_field_id", "date_field_id", "user_field_id", "domain")

# 18.0.1.2.0: what the article's KPIs count (see README, "Upgrading").
CATALOGUE_1_2 = {
    "olimp_kpi.kpi_meetings": {
        "old": {
            "model_id": "calendar.event",
            "aggregation": "count",
            "date_field_id": ("calendar.event", "start"),
            "user_field_id": ("calendar.event", "user_id"),
            "domain": '[("partner_ids.partner_share", "=", True)]',
            "exclude_future": False,
        },
        "new": {
            "exclude_future": True,
            "domain": '[("olimp_with_customer", "=", True)]',
            "description": "Meetings of the month organised by the salesperson with at least one customer attending, "
            "counted once they have taken place (never a meeting still to come); with Olimp Follow-ups installed, "
            "only the meetings marked as held.",
        },
        "old_description": "Meetings of the month organised by the salesperson with at least one customer attending.",
    },
    "olimp_kpi.kpi_new_customers": {
        "old": {
            "model_id": "res.partner",
            "aggregation": "count",
            "date_field_id": ("res.partner", "create_date"),
            "user_field_id": ("res.partner", "user_id"),
            "domain": '[("parent_id", "=", False), ("sale_order_ids.state", "=", "sale")]',
        },
        "new": {
            "model_id": "sale.order",
            "aggregation": "count",
            "measure_field_id": False,
            "date_field_id": ("sale.order", "date_order"),
            "user_field_id": ("sale.order", "user_id"),
            "domain": '[("state", "=", "sale"), ("olimp_first_order", "=", True)]',
            "description": "Customers whose first confirmed order falls in the month, credited to the salesperson "
            "of that order.",
        },
        "old_description": "Customers created in the month, with the salesperson in charge, who have placed a "
        "confirmed order.",
    },
    "olimp_kpi.kpi_receivables": {
        "old": {
            "model_id": "account.move",
            "aggregation": "sum",
            "measure_field_id": ("account.move", "amount_residual_signed"),
            "date_field_id": ("account.move", "invoice_date_due"),
            "user_field_id": ("account.move", "invoice_user_id"),
            "domain": '[("move_type", "=", "out_invoice"), ("state", "=", "posted"), '
            '("payment_state", "in", ["not_paid", "partial"])]',
            "period_mode": "flow",
        },
        "new": {
            "period_mode": "balance",
            "date_field_id": ("account.move", "invoice_date"),
            "due_date_field_id": ("account.move", "invoice_date_due"),
            "domain": '[("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"), '
            '("amount_residual_signed", "!=", 0)]',
            "description": "What the salesperson's customers owe at the end of the month: the unpaid part of the "
            "customer invoices issued up to then, credit notes deducted, with the overdue part shown apart. The "
            "lower, the better.",
        },
        "old_description": "Amount still unpaid on the customer invoices falling due in the month: the lower, the "
        "better.",
    },
}


class OlimpKpi(models.Model):
    _inherit = "olimp.kpi"

    @api.model
    def _olimp_catalogue_value(self, fname, value):
        """A definition value of :data:`CATALOGUE_1_2` in the terms of the field (ids for metadata)."""
        if fname == "model_id" and value:
            return self.env["ir.model"]._get_id(value)
        if fname.endswith("_field_id") and value:
            return self.env["ir.model.fields"]._get(*value).id
        return value

    @api.model
    def _olimp_same_definition(self, kpi, expected):
        for fname, value in expected.items():
            value = self._olimp_catalogue_value(fname, value)
            current = kpi[fname]
            if fname == "domain":
                same = normalized_domain(current) == normalized_domain(value)
            elif kpi._fields[fname].type == "many2one":
                same = current.id == (value or False)
            else:
                same = (current or False) == (value or False)
            if not same:
                return False
        return True

    @api.model
    def _olimp_set_description(self, kpi, description):
        """Give the catalogue KPI ``kpi`` a new description, in every installed language.

        ``description``: the English text, or ``{language code: text}`` with ``en_US``. Writing the English text
        alone would keep the other languages' old texts: they go, those given are set, and the others are read again
        from the translation catalogues (``i18n/<lang>.po``) of the module the KPI comes from, which hold its current
        description (the English text shows where none does).
        """
        texts = description if isinstance(description, dict) else {"en_US": description}
        self.env.cr.execute(
            SQL(
                "UPDATE olimp_kpi SET description = jsonb_build_object('en_US', %s::text) WHERE id = %s",
                texts["en_US"],
                kpi.id,
            )
        )
        kpi.invalidate_recordset(["description"])
        given = {lang: text for lang, text in texts.items() if lang != "en_US" and text}
        if given:
            kpi.update_field_translations("description", given)
        others = [code for code, __ in self.env["res.lang"].get_installed() if code != "en_US" and code not in given]
        module = next(iter(kpi.get_external_id().values()), "").partition(".")[0]
        if others and module:
            # Only missing translations are filled (overwrite=False): the others, the user's included, stay.
            self.env["ir.module.module"]._load_module_terms([module], others)
            kpi.invalidate_recordset(["description"])

    @api.model
    def _olimp_upgrade_catalogue(self, changes=None):
        """Give the catalogue KPIs of ``changes`` (default: :data:`CATALOGUE_1_2`) their corrected definition,
        where they still have the old one. Returns ``{xml id: "updated" | "up to date" | "changed by the user" |
        "missing"}``, and logs the KPIs left alone."""
        changes = CATALOGUE_1_2 if changes is None else changes
        result = {}
        Kpi = self.sudo().with_context(active_test=False)
        for xmlid, change in changes.items():
            kpi = Kpi.env.ref(xmlid, raise_if_not_found=False)
            if not kpi:
                result[xmlid] = "missing"
                continue
            new = dict(change["new"])
            description = new.pop("description", None)
            old_description = (kpi.with_context(lang="en_US").description or "") == change.get("old_description")
            if self._olimp_same_definition(kpi, new):
                # Defined as it should be, yet still described the old way (e.g. a definition corrected earlier).
                if description and old_description:
                    self._olimp_set_description(kpi, description)
                    result[xmlid] = "updated"
                else:
                    result[xmlid] = "up to date"
                continue
            if not self._olimp_same_definition(kpi, change["old"]):
                _logger.warning(
                    "KPI %s (%s) was changed by a user: its definition is left as it is. The catalogue's corrected "
                    "definition, to apply by hand if wanted: %s",
                    kpi.code,
                    xmlid,
                    change["new"],
                )
                result[xmlid] = "changed by the user"
                continue
            values = {fname: self._olimp_catalogue_value(fname, value) for fname, value in new.items()}
            kpi.with_context(lang="en_US").write(values)
            if description and old_description:
                self._olimp_set_description(kpi, description)
            _logger.info("KPI %s (%s): catalogue definition corrected", kpi.code, xmlid)
            result[xmlid] = "updated"
        return result


def normalized_domain(text):
    """A stored domain in one spelling (normalized, its terms as tuples), to compare two definitions."""
    domain = parse_domain_or_none(text)
    if domain is None:
        return text
    return repr(expression.normalize_domain([tuple(term) if isinstance(term, list) else term for term in domain]))
