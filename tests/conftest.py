import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lambdas" / "api"))
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SMARTRETAIL_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow real-data check: run with SMARTRETAIL_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
