from . import test_payslip
