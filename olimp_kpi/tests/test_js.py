import re
from pathlib import Path

from odoo.addons.web.tests.test_js import unit_test_error_checker
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path

# Hoot identifies a suite by a hash of its full name; "@olimp_kpi" holds every test file of the add-on.
SUITE = "@olimp_kpi"
TESTS_DIR = "olimp_kpi/static/tests"


def hoot_id(name):
    """Hoot's identifier of a suite or test, as Odoo's HOOTCommon computes it for its own filters."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


@tagged("post_install", "-at_install")
class TestScreensUnitJs(HttpCase):
    """The Hoot unit tests of the screens' helpers and shared hook (``static/tests/*.test.js``) in headless
    Chromium, on Odoo's ``/web/tests`` page, run for this add-on's suite only. As an administrator, as Odoo runs its
    own: the page reads the add-ons' dependencies (``ir.module.module.dependency``), which only administrators may.
    """

    def _declared_tests(self):
        """The number of ``test(...)`` in the add-on's test files."""
        files = Path(file_path(TESTS_DIR)).glob("*.test.js")
        return sum(len(re.findall(r"^\s*test\(", file.read_text(encoding="utf-8"), re.MULTILINE)) for file in files)

    def test_screens_unit_tests(self):
        declared = self._declared_tests()
        self.assertGreater(declared, 0)
        with self.assertLogs("odoo.addons.olimp_kpi.tests.test_js", "INFO") as logs:
            self.browser_js(
                f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&suite={hoot_id(SUITE)}",
                "",
                "",
                login="admin",
                timeout=300,
                success_signal="[HOOT] test suite succeeded",
                error_checker=unit_test_error_checker,
            )
        passed = [int(count) for line in logs.output for count in re.findall(r"\[HOOT\] passed (\d+) tests", line)]
        # A suite that matched nothing would succeed too: every test written must have run.
        self.assertEqual(passed, [declared], "the Hoot tests that ran")
