{
    "name": "Olimp Follow-ups: deliveries",
    "summary": "Fires the follow-up rules with the trigger 'Order delivered' when a customer delivery is validated",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Olimp for Odoo",
    "maintainers": ["olimp-odoo"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["olimp_followup", "sale_stock"],
    "auto_install": True,
}
