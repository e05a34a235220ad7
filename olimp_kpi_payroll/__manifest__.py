{
    "name": "Olimp KPI: efficiency in payroll",
    "summary": "Feeds the KPI efficiency of the pay period into OCA Payroll payslips, with an example KPI bonus "
    "salary rule",
    "version": "18.0.1.0.0",
    "category": "Payroll",
    "author": "Olimp for Odoo",
    "maintainers": ["olimp-odoo"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["olimp_kpi", "payroll"],
    "auto_install": True,
    "data": [
        "data/hr_salary_rule_data.xml",
        "views/hr_contract_views.xml",
        "views/hr_payslip_views.xml",
    ],
}
