from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The groups and menus as installed: who is what, who sees which menu."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi_user = new_test_user(cls.env, "inst_kpi_user", groups="olimp_kpi.group_kpi_user")
        cls.kpi_manager = new_test_user(cls.env, "inst_kpi_manager", groups="olimp_kpi.group_kpi_manager")
        cls.kpi_admin = new_test_user(cls.env, "inst_kpi_admin", groups="olimp_kpi.group_kpi_admin")
        cls.hr_officer = new_test_user(cls.env, "inst_hr_officer", groups="hr.group_hr_user")
        cls.hr_reader = new_test_user(cls.env, "inst_hr_reader", groups="olimp_kpi.group_kpi_hr_reader")
        cls.internal = new_test_user(cls.env, "inst_internal", groups="base.group_user")

    def test_groups_imply_each_other(self):
        user = self.env.ref("olimp_kpi.group_kpi_user")
        manager = self.env.ref("olimp_kpi.group_kpi_manager")
        admin = self.env.ref("olimp_kpi.group_kpi_admin")
        self.assertIn(user, manager.implied_ids)
        self.assertIn(manager, admin.implied_ids)
        self.assertIn(self.env.ref("base.group_user"), user.implied_ids)
        self.assertTrue(self.kpi_admin.has_group("olimp_kpi.group_kpi_user"))
        self.assertFalse(self.kpi_user.has_group("olimp_kpi.group_kpi_manager"))
        self.assertFalse(self.internal.has_group("olimp_kpi.group_kpi_user"))

    def test_sales_groups_imply_kpi_groups(self):
        for sales_group, kpi_group in [
            ("sales_team.group_sale_salesman", "olimp_kpi.group_kpi_user"),
            ("sales_team.group_sale_salesman_all_leads", "olimp_kpi.group_kpi_manager"),
            ("sales_team.group_sale_manager", "olimp_kpi.group_kpi_admin"),
        ]:
            user = new_test_user(self.env, f"inst_{sales_group.split('.')[1]}", groups=sales_group)
            self.assertTrue(user.has_group(kpi_group), f"{sales_group} should imply {kpi_group}")
        salesman = self.env["res.users"].search([("login", "=", "inst_group_sale_salesman")])
        self.assertFalse(salesman.has_group("olimp_kpi.group_kpi_manager"))

    def _visible(self, user, xmlid):
        menu = self.env.ref(xmlid)
        return menu.id in self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_follow_groups(self):
        expectations = {
            "olimp_kpi.olimp_kpi_menu_root": [self.kpi_user, self.kpi_manager, self.kpi_admin, self.hr_reader],
            "olimp_kpi.olimp_kpi_scorecard_menu_my": [self.kpi_user, self.kpi_manager, self.kpi_admin],
            "olimp_kpi.olimp_kpi_scorecard_screen_menu": [self.kpi_user, self.kpi_manager, self.kpi_admin],
            "olimp_kpi.olimp_kpi_team_board_menu": [self.kpi_manager, self.kpi_admin, self.hr_reader],
            "olimp_kpi.olimp_kpi_plan_grid_menu": [self.kpi_manager, self.kpi_admin],
            "olimp_kpi.olimp_kpi_scorecard_line_plan_menu": [self.kpi_manager, self.kpi_admin],
            "olimp_kpi.olimp_kpi_scorecard_line_menu_team": [self.kpi_manager, self.kpi_admin, self.hr_reader],
            "olimp_kpi.olimp_kpi_scorecard_menu": [self.kpi_manager, self.kpi_admin, self.hr_reader],
            "olimp_kpi.olimp_kpi_generate_wizard_menu": [self.kpi_manager, self.kpi_admin],
            "olimp_kpi.olimp_kpi_menu": [self.kpi_admin],
            "olimp_kpi.olimp_kpi_profile_menu": [self.kpi_admin],
            "olimp_kpi.olimp_kpi_scorecard_menu_hr": [self.hr_reader],
        }
        everyone = [self.kpi_user, self.kpi_manager, self.kpi_admin, self.hr_officer, self.hr_reader, self.internal]
        for xmlid, allowed in expectations.items():
            for user in everyone:
                self.assertEqual(
                    self._visible(user, xmlid),
                    user in allowed,
                    f"menu {xmlid} visible to {user.login}: expected {user in allowed}",
                )

    def test_crons_and_catalogue_installed(self):
        for xmlid in ("olimp_kpi.ir_cron_olimp_kpi_refresh", "olimp_kpi.ir_cron_olimp_kpi_generate"):
            self.assertTrue(self.env.ref(xmlid).active)
        codes = set(self.env["olimp.kpi"].search([]).mapped("code"))
        expected = {"MEETINGS", "NEW_OPPS", "NEW_OPPS_AMOUNT", "SALES", "NEW_CUSTOMERS", "RECEIVABLES"}
        expected |= {"MEETING_PLAN", "INFO_MATERIAL", "PASSPORT_PROTOCOLS"}
        self.assertLessEqual(expected, codes)
        receivables = self.env.ref("olimp_kpi.kpi_receivables")
        self.assertEqual(receivables.direction, "lower")
