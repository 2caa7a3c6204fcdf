import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lambdas" / "api"))
sys.path.insert(0, str(ROOT / "lambdas" / "copilot"))
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_collection_modifyitems(config, items):
    # Unit tests first: they run with sockets off, and the local stack (started once by the API and
    # end-to-end tests, kept until the session ends) polls its event queues in background threads.
    items.sort(key=lambda item: 0 if Path(str(item.fspath)).is_relative_to(ROOT / "tests" / "unit") else 1)
    if os.environ.get("SMARTRETAIL_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow real-data check: run with SMARTRETAIL_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


class Users:
    """Tokens of the users the API tests act as (real Cognito JWTs from the emulator)."""

    def __init__(self, stack):
        self.stack = stack
        self._users = {
            "seller": stack.create_user("a-seller", "tenant-a", "sellers"),
            "manager": stack.create_user("a-manager", "tenant-a", "managers"),
            "admin": stack.create_user("a-admin", "tenant-a", "admins"),
            "nogroup": stack.create_user("a-nogroup", "tenant-a", None),
            "other_seller": stack.create_user("b-seller", "tenant-b", "sellers"),
        }
        self._tokens = {}

    def token(self, who: str) -> str:
        if who not in self._tokens:
            user = self._users[who]
            self._tokens[who] = self.stack.id_token(user.username, user.password)
        return self._tokens[who]


@pytest.fixture(scope="session")
def local(tmp_path_factory):
    """The local stack (stage `test`), started once for the API and end-to-end tests."""
    from local_stack.stack import LocalStack

    saved = dict(os.environ)
    workdir = tmp_path_factory.mktemp("local")
    # Step Functions mocked integrations: tests write their cases to this file (see local_stack.sfn_mocks).
    stack = LocalStack(workdir=workdir, stage="test", sfn_mock_config=workdir / "sfn_mocks.json").start()
    stack.users = Users(stack)
    yield stack
    stack.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def spark_session():
    from smartretail.etl.pipeline import local_spark

    session = local_spark("smartretail-tests", shuffle_partitions=2)
    yield session
    session.stop()
