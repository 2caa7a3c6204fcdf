"""The local state machine interpreter does what Step Functions does with the parts of the language
the project's definitions use: intrinsic functions, JSONPath, Choice rules, Retry and Catch."""

import pytest

from local_stack.asl import ExecutionFailed, LocalStateMachine, TaskFailed, intrinsic, lookup


def machine(states, tasks=None, start=None):
    return LocalStateMachine({"StartAt": start or next(iter(states)), "States": states}, {}, tasks or {})


def test_format_fills_placeholders_and_keeps_escaped_braces_literal():
    data = {"run": {"tenant_id": "acme", "days": 28}}
    assert intrinsic("States.Format('models/{}/{}/', $.run.tenant_id, $.run.days)", data) == "models/acme/28/"
    assert intrinsic(r"States.Format('\{\} {}', $.run.tenant_id)", data) == "{} acme"


def test_json_functions_round_trip_and_merge_shallowly():
    data = {"a": {"x": 1}, "b": {"y": 2}}
    merged = intrinsic("States.JsonMerge(States.StringToJson('{\"outcome\": \"failed\"}'), States.JsonMerge($.a, $.b, false), false)", data)
    assert merged == {"outcome": "failed", "x": 1, "y": 2}
    assert intrinsic("States.JsonToString($.a)", data) == '{"x":1}'
    assert intrinsic("States.ArrayContains(States.Array('a', 'b'), 'b')", data) is True


def test_paths_reach_into_lists():
    data = {"Endpoints": [{"EndpointName": "e1"}, {"EndpointName": "e2"}]}
    assert lookup(data, "$.Endpoints[*].EndpointName") == ["e1", "e2"]
    assert lookup(data, "$.Endpoints[1].EndpointName") == "e2"


def test_choice_rules_compare_match_and_check_presence():
    rules = [{"Variable": "$.id", "IsPresent": True}, {"Variable": "$.id", "IsString": True},
             {"Not": {"Variable": "$.id", "StringMatches": "*/*"}},
             {"Variable": "$.wape", "NumericLessThanPath": "$.baseline"}]
    states = {"Check": {"Type": "Choice", "Choices": [{"And": rules, "Next": "Yes"}], "Default": "No"},
              "Yes": {"Type": "Succeed"}, "No": {"Type": "Fail", "Error": "No"}}
    assert machine(states).run({"id": "acme", "wape": 0.3, "baseline": 0.4}) is not None
    for refused in ({"id": "a/b", "wape": 0.3, "baseline": 0.4}, {"wape": 0.3, "baseline": 0.4}, {"id": "acme", "wape": 0.4, "baseline": 0.4}):
        with pytest.raises(ExecutionFailed, match="No"):
            machine(states).run(refused)


def test_a_throttled_task_is_retried_then_a_failure_is_caught_with_its_name():
    calls = []

    def flaky(request):
        calls.append(request)
        raise TaskFailed("SageMaker.ThrottlingException", "slow down")

    states = {"Train": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:createTrainingJob",
                        "Parameters": {"TrainingJobName.$": "$.name"},
                        "Retry": [{"ErrorEquals": ["SageMaker.ThrottlingException"], "MaxAttempts": 2}],
                        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "End": True},
              "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}}
    with pytest.raises(ExecutionFailed) as failed:
        machine(states, {"arn:aws:states:::aws-sdk:sagemaker:createTrainingJob": flaky}).run({"name": "fc-1"})
    assert len(calls) == 3  # the first try and two retries
    assert calls[0] == {"TrainingJobName": "fc-1"}
    assert (failed.value.error, failed.value.cause) == ("SageMaker.ThrottlingException", "slow down")


def test_a_missing_path_fails_the_execution_even_with_a_catch():
    states = {"Read": {"Type": "Pass", "Parameters": {"x.$": "$.nowhere"}, "Next": "Done"}, "Done": {"Type": "Succeed"}}
    with pytest.raises(ExecutionFailed) as failed:
        machine(states).run({})
    assert failed.value.error == "States.Runtime"
