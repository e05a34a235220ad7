from . import olimp_followup_rule
from . import stock_picking
