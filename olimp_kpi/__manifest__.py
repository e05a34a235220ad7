{
    "name": "Olimp KPI: sales scorecards and efficiency",
    "summary": "Monthly KPI scorecards for sales people from CRM data, expert checklists and an efficiency % "
    "for bonuses",
    "version": "18.0.1.4.0",
    "category": "Sales/Sales",
    "author": "Olimp for Odoo",
    "maintainers": ["olimp-odoo"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": True,
    "depends": ["hr", "sale_management", "crm", "calendar", "base_import"],
    "data": [
        "security/olimp_kpi_security.xml",
        "data/olimp_kpi_data.xml",
        "data/ir_cron.xml",
        "report/scorecard_report.xml",
        "views/olimp_kpi_views.xml",
        "views/olimp_kpi_profile_views.xml",
        "views/olimp_kpi_scorecard_line_views.xml",
        "views/olimp_kpi_scorecard_views.xml",
        "views/olimp_kpi_plan_views.xml",
        "views/olimp_kpi_month_review_views.xml",
        "views/res_config_settings_views.xml",
        "views/hr_employee_views.xml",
        "views/olimp_kpi_screens.xml",
        "wizards/olimp_kpi_generate_wizard_views.xml",
        "wizards/olimp_kpi_export_wizard_views.xml",
        "wizards/olimp_kpi_close_wizard_views.xml",
        "views/menus.xml",
        "security/ir.model.access.csv",
    ],
    "demo": [
        "demo/olimp_kpi_demo.xml",
        "demo/olimp_kpi_team_demo.xml",
    ],
    "assets": {
        # Every backend page gets only the loader; the screens' own bundle is loaded when one of them opens.
        "web.assets_backend": [
            "olimp_kpi/static/src/screens_loader.js",
        ],
        "olimp_kpi.assets_screens": [
            ("include", "web._assets_helpers"),
            ("include", "web._assets_backend_helpers"),
            "web/static/src/scss/pre_variables.scss",
            "web/static/lib/bootstrap/scss/_variables.scss",
            "web/static/lib/bootstrap/scss/_variables-dark.scss",
            "web/static/lib/bootstrap/scss/_maps.scss",
            "olimp_kpi/static/src/screens/**/*",
        ],
        "web.assets_tests": [
            "olimp_kpi/static/tests/tours/**/*",
        ],
        # Hoot unit tests (/web/tests, run by tests/test_js.py) of the screens' helpers and shared hook; the
        # screens themselves are in olimp_kpi.assets_screens, which the unit tests page does not load.
        "web.assets_unit_tests": [
            "olimp_kpi/static/src/screens/common/format.js",
            "olimp_kpi/static/src/screens/common/freshness.js",
            "olimp_kpi/static/src/screens/common/month.js",
            "olimp_kpi/static/src/screens/common/screen.js",
            "olimp_kpi/static/src/screens/common/sorting.js",
            "olimp_kpi/static/src/screens/plan_grid/navigation.js",
            "olimp_kpi/static/tests/**/*.test.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
