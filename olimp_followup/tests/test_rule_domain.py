from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestRuleDomainInWords(FollowupCase):
    """A rule's conditions that are not a domain of fixed values: what is wrong, in the user's words."""

    def test_rule_domain_errors_in_the_users_words(self):
        cases = {
            "[('date_order', '>', context_today())]": "“context_today()” is not a fixed value",
            "[('amount_total', '>', 10 * 2)]": "“10 * 2” is not a fixed value",
            "[('no_such_field', '=', 1)]": "has no field “no_such_field”",
        }
        for domain, message in cases.items():
            with self.subTest(domain=domain):
                with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
                    self._rule(domain=domain)
                self.assertIn(message, str(caught.exception))
                self.assertNotIn("<ast.", str(caught.exception))
