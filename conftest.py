"""Settings for every pytest run, unit tests and notebooks alike (kernels inherit them).

- the quick profile, unless CVCOURSE_PROFILE is set already;
- the class mirror: CVCOURSE_MIRROR if set, else ../shared/datasets beside the checkout;
- under CI (CVCOURSE_STRICT=1, set by .ci/run) a skipped test is a failure, so a missing
  mirror or dependency cannot hide behind a skip.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

os.environ.setdefault("CVCOURSE_PROFILE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_shared_mirror = ROOT.parent / "shared" / "datasets"
if not os.environ.get("CVCOURSE_MIRROR") and _shared_mirror.is_dir():
    os.environ["CVCOURSE_MIRROR"] = str(_shared_mirror)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CVCOURSE_STRICT") == "1" and report.skipped and call.when != "teardown":
        report.outcome = "failed"
        report.longrepr = f"skipped under CVCOURSE_STRICT=1 (CI): {report.longrepr}"
