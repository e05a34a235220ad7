from . import test_refresh_jobs
