"""Mocked service integrations for moto's Step Functions engine.

The file format is AWS's Step Functions Local MockConfigFile.json: `StateMachines` name test cases,
each mapping state names to a mocked response; `MockedResponses` holds what each attempt returns
(`Return`) or raises (`Throw`). An execution started on `<state machine ARN>#<test case>` uses them;
every other state calls the emulated services. moto runs such executions but ships no loader for
the file: this installs one, reading the file named by SFN_MOCK_CONFIG on every execution.
"""

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, RootModel

log = logging.getLogger(__name__)


class _Return(BaseModel):
    model_config = ConfigDict(extra="allow")  # the mocked API response, whatever its shape


class _Throw(BaseModel):
    Error: str
    Cause: str = ""


class _Response(BaseModel):
    Return: _Return | None = None
    Throw: _Throw | None = None


class _TestCase(RootModel[dict[str, str]]):
    """state name -> mocked response name"""


class _StateMachine(BaseModel):
    TestCases: dict[str, _TestCase]


class MockConfig(BaseModel):
    StateMachines: dict[str, _StateMachine]
    MockedResponses: dict[str, dict[str, _Response]]


def install(path: str) -> None:
    from moto.stepfunctions.parser import provider
    from moto.stepfunctions.parser.mocking import mock_config

    def load_mock_test_case_for(state_machine_name: str, test_case_name: str):
        config = MockConfig.model_validate_json(Path(path).read_text())
        try:
            return mock_config._mock_test_case_from_raw(
                state_machine_name=state_machine_name, test_case_name=test_case_name, raw_mock_config=config)
        except RuntimeError:
            log.exception("no mocked test case %s for state machine %s in %s", test_case_name, state_machine_name, path)
            return None

    provider.load_mock_test_case_for = load_mock_test_case_for
