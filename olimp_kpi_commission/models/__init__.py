from . import commission
from . import commission_settlement
from . import commission_settlement_line
