from . import olimp_kpi_scorecard
