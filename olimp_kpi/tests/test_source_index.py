from odoo.tests import tagged
from odoo.tools import SQL

from .common import OlimpKpiCase


@tagged("post_install", "-at_install")
class TestSourceIndex(OlimpKpiCase):
    """Saving a quantitative KPI gives its source table an index on (employee field, date field), once."""

    def _indexes(self, table, first, second):
        return [
            name
            for (name,) in self.env.execute_query(
                SQL(
                    """SELECT cls.relname FROM pg_index AS idx
                         JOIN pg_class AS cls ON cls.oid = idx.indexrelid
                         JOIN pg_attribute AS a0 ON a0.attrelid = idx.indrelid AND a0.attnum = idx.indkey[0]
                         JOIN pg_attribute AS a1 ON a1.attrelid = idx.indrelid AND a1.attnum = idx.indkey[1]
                        WHERE idx.indrelid = %s::regclass AND a0.attname = %s AND a1.attname = %s""",
                    table,
                    first,
                    second,
                )
            )
        ]

    def test_catalogue_sources_are_indexed(self):
        self.assertEqual(
            self._indexes("calendar_event", "user_id", "start"), ["olimp_kpi_src__calendar_event__user_id__start"]
        )
        self.assertTrue(self._indexes("sale_order", "user_id", "date_order"))

    def test_date_fields_are_indexed_alone_too(self):
        """A whole company's month is read by date: meetings get an index on their start (Odoo has none)."""
        indexes = self.env.execute_query(
            SQL(
                """SELECT cls.relname FROM pg_index AS idx
                     JOIN pg_class AS cls ON cls.oid = idx.indexrelid
                     JOIN pg_attribute AS a0 ON a0.attrelid = idx.indrelid AND a0.attnum = idx.indkey[0]
                    WHERE idx.indrelid = 'calendar_event'::regclass AND a0.attname = 'start'"""
            )
        )
        self.assertEqual(indexes, [("olimp_kpi_src__calendar_event__start",)])
        # sale_order.date_order has Odoo's own index: none added.
        self.assertFalse(
            self.env.execute_query(
                SQL("SELECT 1 FROM pg_indexes WHERE indexname = 'olimp_kpi_src__sale_order__date_order'")
            )
        )

    def test_index_made_once_per_source(self):
        # Tests that commit (concurrency) may have made this index already: either way there is one, not two.
        self._kpi("DEADLINES")
        self._kpi("DEADLINE_AMOUNT", aggregation="sum", measure="expected_revenue")
        self.assertEqual(len(self._indexes("crm_lead", "user_id", "date_deadline")), 1)

    def test_index_follows_a_changed_date_field(self):
        kpi = self._kpi("CLOSED", date_field="date_deadline")
        kpi.date_field_id = self._field("crm.lead", "date_last_stage_update")
        self.assertTrue(self._indexes("crm_lead", "user_id", "date_last_stage_update"))

    def test_indexes_can_be_left_to_the_administrator(self):
        self.env["ir.config_parameter"].set_param("olimp_kpi.source_indexes", "False")
        self._kpi("CONVERTED", date_field="date_conversion")
        self.assertFalse(self._indexes("crm_lead", "user_id", "date_conversion"))

    def test_catalogue_sources_have_covering_indexes(self):
        """The month's confirmed orders, the opportunities and the unpaid invoices (a balance no date narrows) are
        read from indexes that hold every column of their grouped queries."""
        definitions = dict(
            self.env.execute_query(
                SQL(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
                    [
                        "olimp_kpi_src__sale_order__confirmed",
                        "olimp_kpi_src__crm_lead__opportunities",
                        "olimp_kpi_src__account_move__unpaid",
                    ],
                )
            )
        )
        self.assertEqual(len(definitions), 3)
        sales = definitions["olimp_kpi_src__sale_order__confirmed"]
        self.assertIn("(date_order) INCLUDE (user_id, company_id, currency_id, amount_untaxed)", sales)
        self.assertIn("WHERE ((state)::text = 'sale'::text)", sales)
        unpaid = definitions["olimp_kpi_src__account_move__unpaid"]
        self.assertIn("INCLUDE (invoice_user_id, company_id, invoice_date_due, amount_residual_signed, id)", unpaid)
        self.assertIn("amount_residual_signed <> ", unpaid)
