"""Running a state machine definition in-process, for definitions whose Tasks are Lambda functions.

The emulator executes definitions but cannot run Lambda code (no Docker). Definitions that only
invoke functions (the document pipeline) run here instead, exactly as written: Pass, Task
(`lambda:invoke` on the template's local functions), Choice, Succeed and Fail states; Parameters,
ResultSelector and ResultPath with `$.a.b` paths; Retry (without the waits) and Catch, with the error
name and the Lambda-style JSON cause Step Functions would give.
"""

import json
import logging
from typing import Any

from .functions import InvocationError, LocalFunction

log = logging.getLogger("local_stack.asl")
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


class ExecutionFailed(RuntimeError):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class TaskFailed(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(error)
        self.error, self.cause = error, cause


def read_path(data: Any, path: str) -> Any:
    if path == "$":
        return data
    if not path.startswith("$."):
        raise ValueError(f"unsupported path {path!r}: only $ and $.a.b are supported locally")
    for part in path[2:].split("."):
        if not isinstance(data, dict) or part not in data:
            raise TaskFailed("States.Runtime", f"the path {path} was not found in the state's input")
        data = data[part]
    return data


def _write_path(data: dict, path: str | None, value: Any) -> Any:
    if path is None:
        return data
    if path == "$":
        return value
    out = json.loads(json.dumps(data))
    target = out
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return out


def parameters(template: Any, data: Any) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = read_path(data, value)
            else:
                out[key] = parameters(value, data)
        return out
    if isinstance(template, list):
        return [parameters(v, data) for v in template]
    return template


def _choose(choice: dict, data: Any) -> bool:
    value = read_path(data, choice["Variable"]) if "Variable" in choice else None
    if "StringEquals" in choice:
        return value == choice["StringEquals"]
    if "BooleanEquals" in choice:
        return value is choice["BooleanEquals"]
    if "NumericEquals" in choice:
        return value == choice["NumericEquals"]
    if "IsNull" in choice:
        return (value is None) == choice["IsNull"]
    if "Not" in choice:
        return not _choose(choice["Not"], data)
    if "And" in choice:
        return all(_choose(c, data) for c in choice["And"])
    if "Or" in choice:
        return any(_choose(c, data) for c in choice["Or"])
    raise ValueError(f"unsupported Choice rule locally: {choice}")


class LocalStateMachine:
    def __init__(self, definition: dict[str, Any], functions_by_arn: dict[str, LocalFunction], max_steps: int = 200):
        self.definition = definition
        self.functions = functions_by_arn
        self.max_steps = max_steps
        self.entered: list[str] = []

    def run(self, data: Any) -> Any:
        name = self.definition["StartAt"]
        for _ in range(self.max_steps):
            state = self.definition["States"][name]
            self.entered.append(name)
            kind = state["Type"]
            if kind == "Succeed":
                return data
            if kind == "Fail":
                raise ExecutionFailed(state.get("Error", "States.Fail"), state.get("Cause", ""))
            if kind == "Pass":
                result = parameters(state["Parameters"], data) if "Parameters" in state else data
                data = _write_path(data, state.get("ResultPath", "$"), result)
            elif kind == "Choice":
                name = next((c["Next"] for c in state["Choices"] if _choose(c, data)), state.get("Default"))
                if name is None:
                    raise ExecutionFailed("States.NoChoiceMatched", f"no choice matched in {self.entered[-1]}")
                continue
            elif kind == "Task":
                try:
                    result = self._task(state, data)
                except TaskFailed as failure:
                    catcher = next((c for c in state.get("Catch", [])
                                    if "States.ALL" in c["ErrorEquals"] or failure.error in c["ErrorEquals"]), None)
                    if catcher is None:
                        raise ExecutionFailed(failure.error, failure.cause) from None
                    data = _write_path(data, catcher.get("ResultPath", "$"), {"Error": failure.error, "Cause": failure.cause})
                    name = catcher["Next"]
                    continue
                data = _write_path(data, state.get("ResultPath", "$"), result)
            else:
                raise ValueError(f"state type {kind} is not run locally")
            if state.get("End"):
                return data
            name = state["Next"]
        raise ExecutionFailed("States.Runtime", f"more than {self.max_steps} states entered")

    def _task(self, state: dict[str, Any], data: Any) -> Any:
        if state["Resource"] != LAMBDA_INVOKE:
            raise ValueError(f"only {LAMBDA_INVOKE} tasks run locally, not {state['Resource']}")
        request = parameters(state["Parameters"], data)
        function = self.functions[request["FunctionName"]]
        attempts = {id(r): 0 for r in state.get("Retry", [])}
        while True:
            try:
                result = {"StatusCode": 200, "Payload": function.invoke(request.get("Payload", {}))}
                break
            except InvocationError as exc:
                error = exc.error.get("errorType", "Lambda.Unknown")
                retry = next((r for r in state.get("Retry", []) if error in r["ErrorEquals"] or "States.ALL" in r["ErrorEquals"]), None)
                if retry is not None and attempts[id(retry)] < retry.get("MaxAttempts", 3):
                    attempts[id(retry)] += 1  # retried at once: locally there is nothing to wait for
                    continue
                raise TaskFailed(error, json.dumps({"errorMessage": exc.error.get("errorMessage", ""), "errorType": error})) from None
        if "ResultSelector" in state:
            result = parameters(state["ResultSelector"], result)
        return result
