from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OlimpKpiCase


@tagged("post_install", "-at_install")
class TestKpiValidation(OlimpKpiCase):
    """Every way of defining a KPI wrongly gets a clear error, and nothing is saved."""

    def _assert_rejected(self, message_part, **vals):
        count = self.Kpi.with_context(active_test=False).search_count([])
        with self.assertRaises(ValidationError) as caught, mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self._kpi(vals.pop("code", "BAD"), **vals)
        self.assertIn(message_part, str(caught.exception))
        self.assertEqual(self.Kpi.with_context(active_test=False).search_count([]), count)

    def test_valid_kpi(self):
        kpi = self._kpi("GOOD", aggregation="sum", measure="expected_revenue", domain='[("type", "=", "opportunity")]')
        self.assertEqual(kpi._engine_spec().measure, "expected_revenue")

    def test_domain_not_parsed(self):
        self._assert_rejected("not a valid domain", domain="[('type', '=', ")

    def test_domain_is_code(self):
        self._assert_rejected("not a valid domain", domain="__import__('os').system('true')")
        self._assert_rejected("not a valid domain", domain="[('user_id', '=', uid)]")

    def test_domain_not_a_list(self):
        self._assert_rejected("not a valid domain", domain="{'a': 1}")

    def test_domain_unknown_field(self):
        self._assert_rejected("not a valid domain", domain="[('no_such_field', '=', 1)]")

    def test_domain_bad_operator(self):
        self._assert_rejected("not a valid domain", domain="[('name', 'resembles', 'x')]")

    def test_domain_errors_in_the_users_words(self):
        """What is wrong in the conditions, said plainly: never Python's internals (``<ast.Compare object ...>``)."""
        cases = {
            "[('date_deadline', '>', context_today())]": "“context_today()” is not a fixed value",
            "[('expected_revenue', '>', 1 == 2)]": "“1 == 2” is not a fixed value",
            "[('user_id', '=', uid)]": "“uid” is not a fixed value",
            "[('type', '=', ": "a bracket, a parenthesis or a quote is not closed",
            "{'a': 1}": "must be a list in square brackets",
            "[('no_such_field', '=', 1)]": "Lead/Opportunity has no field “no_such_field”",
            "[('name.id', '=', 1)]": "“name” of Lead/Opportunity does not link to other records",
            "[('name', 'resembles', 'x')]": "“resembles” is not an operator",
            "[('name', '=')]": "is not a condition: write each condition as (field, operator, value)",
            "['|', ('name', '=', 'x')]": "do not have the number of conditions they combine",
            "['~', ('name', '=', 'x')]": "“~” is neither a condition nor one of the operators",
        }
        for domain, message in cases.items():
            with self.subTest(domain=domain):
                with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
                    self._kpi("WORDS", domain=domain)
                text = str(caught.exception)
                self.assertIn(message, text)
                self.assertNotIn("<ast.", text)
                self.assertNotIn("object at 0x", text)
        # A qualitative KPI's text is checked too.
        with self.assertRaises(ValidationError) as caught:
            self._qualitative_kpi("WORDS_Q", []).domain = "[('a', '=', b)]"
        self.assertIn("“b” is not a fixed value", str(caught.exception))

    def test_measure_not_numeric(self):
        self._assert_rejected("is not a number", aggregation="sum", measure="name")

    def test_measure_missing(self):
        self._assert_rejected("needs a measure field", aggregation="avg")

    def test_count_distinct_accepts_any_field(self):
        kpi = self._kpi("DISTINCT", aggregation="count_distinct", measure="partner_id")
        self.assertEqual(kpi._engine_spec().aggregation, "count_distinct")

    def test_date_field_not_a_date(self):
        self._assert_rejected("must be a date", date_field="name")

    def test_date_field_of_another_model(self):
        self._assert_rejected("does not belong", date_field_id=self._field("sale.order", "date_order").id)

    def test_user_field_wrong_comodel(self):
        self._assert_rejected(
            "must link to a user or an employee", user_field_id=self._field("crm.lead", "partner_id").id
        )

    def test_user_field_employee_accepted(self):
        kpi = self.Kpi.create(
            {
                "name": "Reports",
                "code": "REPORTS",
                "model_id": self.env["ir.model"]._get_id("hr.employee"),
                "aggregation": "count",
                "date_field_id": self._field("hr.employee", "birthday").id,
                "user_field_id": self._field("hr.employee", "parent_id").id,
            }
        )
        self.assertEqual(kpi.user_field_id.relation, "hr.employee")

    def test_model_missing(self):
        self._assert_rejected("choose the source model", model_id=False)

    def test_thresholds_out_of_order(self):
        self._assert_rejected("yellow zone must start at or below the green zone", yellow_from=90, green_from=80)

    def test_thresholds_negative(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self._kpi("NEG", yellow_from=-1, green_from=10)

    def test_code_unique_per_company(self):
        self._kpi("DUP")
        self._assert_rejected("already used", code="DUP")

    def test_qualitative_needs_no_source(self):
        kpi = self._qualitative_kpi("QUAL", ["Has a plan"])
        self.assertEqual(kpi.kind, "qualitative")

    def test_profile_rejects_archived_kpi_and_bad_numbers(self):
        kpi = self._kpi("ARCHIVED")
        kpi.active = False
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._profile("P", [(kpi, 10, 1)])
        live = self._kpi("LIVE")
        for target, weight, floor, cap in [(-1, 1, 0, 100), (1, -1, 0, 100), (1, 1, 120, 100)]:
            with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self._profile("P", [(live, target, weight, floor, cap)])

    def test_profile_needs_user_on_employee(self):
        profile = self._profile("P", [(self._kpi("K1"), 1, 1)])
        employee = self.env["hr.employee"].create({"name": "No user"})
        with self.assertRaises(ValidationError) as caught:
            employee.olimp_kpi_profile_id = profile
        self.assertIn("has no related user", str(caught.exception))
