"""Mocked service integrations for moto's Step Functions engine.

The file format is AWS's Step Functions Local MockConfigFile.json: `StateMachines` name test cases,
each mapping state names to a mocked response; `MockedResponses` holds what each attempt returns
(`Return`) or raises (`Throw`). An execution started on `<state machine ARN>#<test case>` uses them;
every other state calls the emulated services. moto runs such executions but ships no loader for
the file: this installs one, reading the file named by SFN_MOCK_CONFIG on every execution.
"""

import copy
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict, RootModel


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
    """Make moto's Step Functions backend honour `<state machine ARN>#<test case>`: it has the mocked
    execution mode but neither parses the suffix nor loads the file."""
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.mocking.mock_config import _mock_test_case_from_raw
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    pending = threading.local()  # the test case of the execution being started on this request thread
    start_execution = StepFunctionsParserBackend.start_execution
    start_worker = Execution._get_start_execution_worker

    def start_mocked_execution(self, state_machine_arn: str, *args, **kwargs):
        arn, _, test_case = state_machine_arn.partition("#")
        pending.test_case = None
        if test_case:
            config = MockConfig.model_validate_json(Path(path).read_text())
            pending.test_case = _mock_test_case_from_raw(
                state_machine_name=arn.rsplit(":", 1)[-1], test_case_name=test_case, raw_mock_config=config)
        try:
            return start_execution(self, arn, *args, **kwargs)
        finally:
            pending.test_case = None

    def worker_with_mocks(self):
        worker = start_worker(self)
        if getattr(pending, "test_case", None) is not None:
            worker._mock_test_case = pending.test_case
        return worker

    StepFunctionsParserBackend.start_execution = start_mocked_execution
    Execution._get_start_execution_worker = worker_with_mocks


def allow_repeated_executions() -> None:
    """moto deep-copies a state machine, past executions included, on every start; an execution holds
    a lock, so a state machine's second execution fails with "cannot pickle '_thread.RLock'". Copy it
    without them (start_execution's idempotency check still sees them)."""
    from moto.stepfunctions.models import StateMachine

    def deepcopy_without_executions(self, memo):
        clone = StateMachine.__new__(StateMachine)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
        return clone

    StateMachine.__deepcopy__ = deepcopy_without_executions
