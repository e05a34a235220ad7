from . import olimp_followup_done_wizard
