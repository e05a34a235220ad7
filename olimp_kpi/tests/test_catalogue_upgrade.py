from odoo.tests import tagged

from ..models.olimp_kpi_catalogue import CATALOGUE_1_2
from .common import OlimpKpiCase


@tagged("post_install", "-at_install")
class TestCatalogueUpgrade(OlimpKpiCase):
    """The 18.0.1.2.0 migration's correction of the catalogue (``_olimp_upgrade_catalogue``), on KPIs put back to
    their 18.0.1.0.0 definitions."""

    def _set_old_definitions(self):
        Kpi = self.env["olimp.kpi"]
        for xmlid, change in CATALOGUE_1_2.items():
            kpi = self.env.ref(xmlid)
            values = {fname: Kpi._olimp_catalogue_value(fname, value) for fname, value in change["old"].items()}
            # The old definitions had no due date, and counted flows.
            values.setdefault("period_mode", "flow")
            values.update(due_date_field_id=False, exclude_future=values.get("exclude_future", False))
            kpi.with_context(lang="en_US").write({**values, "description": change["old_description"]})

    def test_old_definitions_are_corrected(self):
        self._set_old_definitions()
        result = self.env["olimp.kpi"]._olimp_upgrade_catalogue()
        self.assertEqual(set(result.values()), {"updated"})
        meetings = self.env.ref("olimp_kpi.kpi_meetings")
        self.assertTrue(meetings.exclude_future)
        customers = self.env.ref("olimp_kpi.kpi_new_customers")
        self.assertEqual((customers.model_name, customers.date_field_id.name), ("sale.order", "date_order"))
        self.assertIn("olimp_first_order", customers.domain)
        self.assertIn("first confirmed order", customers.description)
        receivables = self.env.ref("olimp_kpi.kpi_receivables")
        self.assertEqual(
            (receivables.period_mode, receivables.date_field_id.name, receivables.due_date_field_id.name),
            ("balance", "invoice_date", "invoice_date_due"),
        )
        # Run again (an update run twice): nothing to do, nothing broken.
        self.assertEqual(set(self.env["olimp.kpi"]._olimp_upgrade_catalogue().values()), {"up to date"})
        self.assertEqual(receivables.period_mode, "balance")

    def test_corrected_descriptions_in_every_language(self):
        """Writing the English description keeps the other languages' texts: the correction renews them too, from
        the add-on's translation catalogue, which holds the corrected description."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["olimp_kpi"], ["ru_RU"], overwrite=True)
        customers = self.env.ref("olimp_kpi.kpi_new_customers").with_context(lang="ru_RU")
        corrected = customers.description
        self._set_old_definitions()
        customers.description = "Клиенты, созданные в месяце (старое описание)"
        self.env["olimp.kpi"]._olimp_upgrade_catalogue()
        self.assertEqual(customers.description, corrected)
        self.assertIn("first confirmed order", customers.with_context(lang="en_US").description)

    def test_a_kpi_the_user_changed_is_left_alone_and_logged(self):
        self._set_old_definitions()
        receivables = self.env.ref("olimp_kpi.kpi_receivables")
        receivables.domain = '[("move_type", "=", "out_invoice"), ("state", "=", "posted")]'
        receivables.description = "Our own definition"
        with self.assertLogs("odoo.addons.olimp_kpi.models.olimp_kpi_catalogue", "WARNING") as logs:
            result = self.env["olimp.kpi"]._olimp_upgrade_catalogue()
        self.assertEqual(result["olimp_kpi.kpi_receivables"], "changed by the user")
        self.assertEqual(result["olimp_kpi.kpi_new_customers"], "updated")
        self.assertIn("RECEIVABLES", logs.output[0])
        self.assertIn("was changed by a user", logs.output[0])
        self.assertEqual(
            (receivables.period_mode, receivables.description, receivables.date_field_id.name),
            ("flow", "Our own definition", "invoice_date_due"),
        )

    def test_a_changed_description_is_kept(self):
        self._set_old_definitions()
        customers = self.env.ref("olimp_kpi.kpi_new_customers")
        customers.with_context(lang="en_US").description = "Counted our way"
        self.env["olimp.kpi"]._olimp_upgrade_catalogue()
        self.assertEqual(customers.model_name, "sale.order")
        self.assertEqual(customers.with_context(lang="en_US").description, "Counted our way")

    def test_missing_catalogue_kpi(self):
        result = self.env["olimp.kpi"]._olimp_upgrade_catalogue({"olimp_kpi.no_such_kpi": {"old": {}, "new": {}}})
        self.assertEqual(result, {"olimp_kpi.no_such_kpi": "missing"})
