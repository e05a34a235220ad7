{
    "name": "Olimp KPI: efficiency in commissions",
    "summary": "Applies the agent's KPI efficiency to OCA commission settlements, with a floor and a cap, and says "
    "when a month has no closed scorecard",
    "version": "18.0.1.0.0",
    "category": "Sales/Commissions",
    "author": "Olimp for Odoo",
    "maintainers": ["olimp-odoo"],
    "license": "LGPL-3",
    "development_status": "Beta",
    # commission_oca holds commissions and settlements; account_commission_oca makes settlements (from customer
    # invoices), which commission_oca alone cannot.
    "depends": ["olimp_kpi", "account_commission_oca"],
    "auto_install": True,
    "data": [
        "views/commission_views.xml",
        "views/commission_settlement_views.xml",
    ],
}
