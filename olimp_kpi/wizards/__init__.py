from . import olimp_kpi_generate_wizard
from . import olimp_kpi_profile_assign_wizard
from . import olimp_kpi_export_wizard
from . import base_import
from . import olimp_kpi_close_wizard
