"""What olimp_followup does that is not an Odoo model: the scheduler of the regulation (followup_scheduler.py)."""
