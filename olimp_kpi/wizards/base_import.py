from odoo import models
from odoo.addons.base_import.models.base_import import ImportValidationError


class BaseImportImport(models.TransientModel):
    _inherit = "base_import.import"

    def _parse_float_from_data(self, data, index, name, options):
        """Plans: every value that is not a number is reported with its row, not only the first one without it."""
        if self.res_model != "olimp.kpi.plan":
            return super()._parse_float_from_data(data, index, name, options)
        first_row = 2 if options.get("has_headers") else 1
        bad = []
        for row, line in enumerate(data, start=first_row):
            value = line[index]
            try:
                super()._parse_float_from_data([line], index, name, options)
            except ImportValidationError:
                bad.append(self.env._("row %(row)s: “%(value)s”", row=row, value=value.strip()))
        if bad:
            raise ImportValidationError(
                self.env._(
                    "Column %(column)s holds values that are not numbers, nothing was imported: %(values)s.",
                    column=name,
                    values="; ".join(bad),
                ),
                field=name,
            )
