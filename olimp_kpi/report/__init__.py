from . import scorecard_report
