from . import regulation_report
