"""Running a state machine definition in-process, exactly as written.

The emulator executes definitions but cannot run Lambda code, Glue scripts or SageMaker jobs (no
Docker). Definitions that need those run here instead: the document pipeline (Lambda tasks only) and
the training pipeline (Glue, SageMaker, Lambda, DynamoDB, S3 and SNS tasks), with local stand-ins
for the tasks the emulator cannot do (`local_stack.pipeline`) and the emulator for the rest.

Supported: Pass, Task, Choice, Wait, Succeed and Fail (Error/Cause or ErrorPath/CausePath) states;
Parameters, ResultSelector and ResultPath with JSONPath (`$`, `$.a.b`, `$.a[*].b`, `$.a[0]`); the
intrinsic functions States.Format, JsonMerge, StringToJson, JsonToString, UUID, Array and
ArrayContains; Choice rules on strings, numbers (also ...Path), booleans, IsPresent, IsNull,
IsString, IsNumeric, StringMatches, And, Or, Not; Retry (without the waits: locally a retry is
immediate) and Catch, with Step Functions' error names. A Wait does not wait: every local task has
finished when it answers.

Not run here: Map and Parallel states, InputPath, OutputPath and Result (refused, not ignored),
JSONata, timeouts. Error names of emulator calls are `<Service>.<botocore error code>`
(`SageMaker.ThrottlingException`); AWS names a few differently (`S3.NoSuchKeyException` for
NoSuchKey), so a Retry or Catch on such a name is matched here only if written both ways.
"""

import json
import logging
import re
import uuid
from typing import Any, Callable

from .functions import InvocationError, LocalFunction

log = logging.getLogger("local_stack.asl")
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
MISSING = object()

# A task's stand-in: its resource ARN's handler, given the task's parameters, returns its result or
# raises TaskFailed with Step Functions' error name.
TaskHandler = Callable[[dict[str, Any]], Any]


class ExecutionFailed(RuntimeError):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class TaskFailed(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(error)
        self.error, self.cause = error, cause


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def lookup(data: Any, path: str) -> Any:
    """The value at a JSONPath, or MISSING."""
    if path == "$":
        return data
    if not path.startswith("$"):
        raise ValueError(f"unsupported path {path!r}")
    values, spread = [data], False
    for name, index in _SEGMENT.findall(path[1:]):
        found = []
        for value in values:
            if name:
                if isinstance(value, dict) and name in value:
                    found.append(value[name])
            elif index == "*":
                if isinstance(value, list):
                    found.extend(value)
                    spread = True
            elif isinstance(value, list) and int(index) < len(value):
                found.append(value[int(index)])
        values = found
        if not values and not spread:
            return MISSING
    return values if spread else values[0]


def read_path(data: Any, path: str) -> Any:
    value = lookup(data, path)
    if value is MISSING:
        raise TaskFailed("States.Runtime", f"the path {path} was not found in the state's input")
    return value


def _write_path(data: Any, path: str | None, value: Any) -> Any:
    if path is None:
        return data
    if path == "$":
        return value
    out = json.loads(json.dumps(data, default=str))
    target = out
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return out


# --- intrinsic functions ---------------------------------------------------------------------

def _arguments(text: str) -> list[str]:
    """Split an intrinsic's argument list at top-level commas (not inside quotes or brackets)."""
    parts, depth, quoted, current, i = [], 0, False, "", 0
    while i < len(text):
        char = text[i]
        if quoted:
            current += char
            if char == "\\" and i + 1 < len(text):
                current += text[i + 1]
                i += 1
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted, current = True, current + char
        elif char == "(":
            depth, current = depth + 1, current + char
        elif char == ")":
            depth, current = depth - 1, current + char
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    if current.strip():
        parts.append(current.strip())
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _argument(text: str, data: Any) -> Any:
    if text.startswith("'"):
        return _unescape(text[1:-1])
    if text.startswith("$"):
        return read_path(data, text)
    if text.startswith("States."):
        return intrinsic(text, data)
    return json.loads(text)  # numbers, true, false, null


def _render(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def intrinsic(expression: str, data: Any) -> Any:
    match = re.fullmatch(r"(States\.\w+)\((.*)\)", expression.strip(), re.S)
    if not match:
        raise ValueError(f"not an intrinsic function: {expression!r}")
    name, raw = match.group(1), _arguments(match.group(2))
    args = [_argument(a, data) for a in raw]
    if name == "States.Format":
        # Placeholders are the unescaped {}; \{ \} \' \\ in the template are literal.
        pieces = [_unescape(p) for p in re.split(r"(?<!\\)\{\}", raw[0][1:-1])]
        if len(pieces) - 1 != len(args) - 1:
            raise TaskFailed("States.IntrinsicFailure", f"{expression}: {len(pieces) - 1} placeholders, {len(args) - 1} values")
        out = pieces[0]
        for value, piece in zip(args[1:], pieces[1:]):
            out += _render(value) + piece
        return out
    if name == "States.StringToJson":
        return json.loads(args[0])
    if name == "States.JsonToString":
        return json.dumps(args[0], separators=(",", ":"))
    if name == "States.JsonMerge":
        if args[2] is not False:
            raise TaskFailed("States.IntrinsicFailure", "States.JsonMerge merges shallowly only: its third argument must be false")
        return {**args[0], **args[1]}
    if name == "States.UUID":
        return str(uuid.uuid4())
    if name == "States.Array":
        return list(args)
    if name == "States.ArrayContains":
        return args[1] in args[0]
    raise ValueError(f"intrinsic function {name} is not run locally")


def parameters(template: Any, data: Any) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = intrinsic(value, data) if value.startswith("States.") else read_path(data, value)
            else:
                out[key] = parameters(value, data)
        return out
    if isinstance(template, list):
        return [parameters(v, data) for v in template]
    return template


def _matches(names: list[str], error: str) -> bool:
    """Retry and Catch matching: the name itself, States.ALL, or States.TaskFailed for any task error."""
    if error == "States.Runtime":
        return False
    return error in names or "States.ALL" in names or ("States.TaskFailed" in names and not error.startswith("States.Timeout"))


# --- Choice rules ----------------------------------------------------------------------------

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b, "LessThan": lambda a, b: a < b, "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b, "GreaterThanEquals": lambda a, b: a >= b,
}
_KINDS = {"String": str, "Numeric": (int, float), "Timestamp": str}


def _choose(rule: dict, data: Any) -> bool:
    if "Not" in rule:
        return not _choose(rule["Not"], data)
    if "And" in rule:
        return all(_choose(r, data) for r in rule["And"])
    if "Or" in rule:
        return any(_choose(r, data) for r in rule["Or"])
    value = lookup(data, rule["Variable"])
    if "IsPresent" in rule:
        return (value is not MISSING) == rule["IsPresent"]
    if value is MISSING:
        raise TaskFailed("States.Runtime", f"Invalid path {rule['Variable']}: the choice state's input has no such field")
    if "IsNull" in rule:
        return (value is None) == rule["IsNull"]
    if "IsString" in rule:
        return isinstance(value, str) == rule["IsString"]
    if "IsNumeric" in rule:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) == rule["IsNumeric"]
    if "IsBoolean" in rule:
        return isinstance(value, bool) == rule["IsBoolean"]
    if "StringMatches" in rule:  # only * is a wildcard (\* a literal star)
        pattern = "".join(".*" if part == "*" else re.escape(part.replace("\\*", "*"))
                          for part in re.split(r"(?<!\\)(\*)", rule["StringMatches"]))
        return isinstance(value, str) and re.fullmatch(pattern, value, re.S) is not None
    if "BooleanEquals" in rule:
        return value is rule["BooleanEquals"]
    for key, expected in rule.items():
        match = re.fullmatch(r"(String|Numeric|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?", key)
        if match:
            kind, comparison, by_path = match.groups()
            other = lookup(data, expected) if by_path else expected
            if other is MISSING:
                raise TaskFailed("States.Runtime", f"Invalid path {expected}: the choice state's input has no such field")
            types = _KINDS[kind]
            if not (isinstance(value, types) and isinstance(other, types)) or isinstance(value, bool):
                return False
            return _COMPARISONS[comparison](value, other)
    raise ValueError(f"unsupported Choice rule locally: {rule}")


# --- the interpreter ---------------------------------------------------------------------------

class LocalStateMachine:
    def __init__(self, definition: dict[str, Any], functions_by_arn: dict[str, LocalFunction],
                 tasks: dict[str, TaskHandler] | None = None, max_steps: int = 500):
        self.definition = definition
        self.functions = functions_by_arn
        self.tasks = tasks or {}
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
            try:
                if kind == "Fail":
                    error = read_path(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error", "States.Fail")
                    cause = read_path(data, state["CausePath"]) if "CausePath" in state else state.get("Cause", "")
                    raise ExecutionFailed(error, cause)
                unsupported = {"InputPath", "OutputPath", "Result", "ItemsPath", "Iterator", "Branches"} & set(state)
                if unsupported:
                    raise ValueError(f"{name}: {', '.join(sorted(unsupported))} not run locally")
                if kind == "Pass":
                    result = parameters(state["Parameters"], data) if "Parameters" in state else data
                    data = _write_path(data, state.get("ResultPath", "$"), result)
                elif kind == "Wait":
                    pass  # the local tasks have finished by the time they answer
                elif kind == "Choice":
                    name = next((c["Next"] for c in state["Choices"] if _choose(c, data)), state.get("Default"))
                    if name is None:
                        raise ExecutionFailed("States.NoChoiceMatched", f"no choice matched in {self.entered[-1]}")
                    continue
                elif kind == "Task":
                    data = _write_path(data, state.get("ResultPath", "$"), self._task(state, data))
                else:
                    raise ValueError(f"state type {kind} is not run locally")
            except TaskFailed as failure:
                catcher = next((c for c in state.get("Catch", []) if _matches(c["ErrorEquals"], failure.error)), None)
                if catcher is None or failure.error == "States.Runtime":  # a runtime error fails the execution
                    raise ExecutionFailed(failure.error, failure.cause) from None
                data = _write_path(data, catcher.get("ResultPath", "$"), {"Error": failure.error, "Cause": failure.cause})
                name = catcher["Next"]
                continue
            if state.get("End"):
                return data
            name = state["Next"]
        raise ExecutionFailed("States.Runtime", f"more than {self.max_steps} states entered")

    def _task(self, state: dict[str, Any], data: Any) -> Any:
        request = parameters(state.get("Parameters", {}), data)
        attempts = {id(r): 0 for r in state.get("Retry", [])}
        while True:
            try:
                result = self._call(state["Resource"], request)
                break
            except TaskFailed as failure:
                retry = next((r for r in state.get("Retry", []) if _matches(r["ErrorEquals"], failure.error)), None)
                if retry is not None and attempts[id(retry)] < retry.get("MaxAttempts", 3):
                    attempts[id(retry)] += 1  # retried at once: locally there is nothing to wait for
                    log.info("retrying %s after %s", state["Resource"], failure.error)
                    continue
                raise
        result = json.loads(json.dumps(result, default=str))  # as Step Functions serialises it (dates as text)
        if "ResultSelector" in state:
            result = parameters(state["ResultSelector"], result)
        return result

    def _call(self, resource: str, request: dict[str, Any]) -> Any:
        if resource in self.tasks:
            try:
                return self.tasks[resource](request)
            except TaskFailed:
                raise
            except Exception as exc:  # a stand-in that broke fails its task, as a service error would
                raise TaskFailed(f"States.TaskFailed.{type(exc).__name__}", str(exc)) from exc
        if resource == LAMBDA_INVOKE:
            function = self.functions[request["FunctionName"]]
            try:
                return {"StatusCode": 200, "Payload": function.invoke(request.get("Payload", {}))}
            except InvocationError as exc:
                error = exc.error.get("errorType", "Lambda.Unknown")
                raise TaskFailed(error, json.dumps({"errorMessage": exc.error.get("errorMessage", ""), "errorType": error})) from None
        return emulator_task(resource, request)


# Step Functions' name for a service in error names (SageMaker.ThrottlingException, DynamoDB....).
_SERVICE_NAMES = {"s3": "S3", "sagemaker": "SageMaker", "glue": "Glue", "dynamodb": "DynamoDB", "sns": "SNS", "sqs": "SQS"}


def emulator_task(resource: str, request: dict[str, Any]) -> Any:
    """An AWS SDK or optimised integration (`arn:aws:states:::aws-sdk:s3:getObject`,
    `arn:aws:states:::dynamodb:getItem`) as the same call on the emulator."""
    import boto3
    from botocore.exceptions import ClientError

    match = re.fullmatch(r"arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+):(\w+)", resource)
    if not match:
        raise ValueError(f"no local stand-in for the task {resource}")
    service, action = match.groups()
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
    try:
        result = getattr(boto3.client(service), method)(**request)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        raise TaskFailed(f"{_SERVICE_NAMES.get(service, service)}.{code}", str(exc)) from None
    except Exception as exc:  # the request itself was wrong (botocore's parameter validation)
        raise TaskFailed(f"{_SERVICE_NAMES.get(service, service)}.{type(exc).__name__}", str(exc)) from None
    result.pop("ResponseMetadata", None)
    if service == "s3" and action == "getObject":
        result["Body"] = result["Body"].read().decode()  # the SDK integration answers the body as text
    return result
