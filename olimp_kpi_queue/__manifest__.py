{
    "name": "Olimp KPI: refresh in queue jobs",
    "summary": "Splits the daily scorecard refresh into queue jobs per company and batch, shared by several "
    "Odoo workers (OCA queue_job)",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Olimp for Odoo",
    "maintainers": ["olimp-odoo"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["olimp_kpi", "queue_job"],
    "auto_install": True,
    "data": [
        "data/queue_job_data.xml",
    ],
}
