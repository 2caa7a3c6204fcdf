"""The training pipeline's definition and smartretail.forecasting.artefacts agree: the same artefact
keys under a run's prefix, the same run names, and the same promotion rule with the same reasons.
The definition's Choice and Pass states are evaluated here for the operators they use."""

import itertools
import json
import re

import pytest

from cdk.constructs.training_pipeline import DEFINITION, RUN_PREFIX
from smartretail.forecasting import artefacts
from smartretail.forecasting.artefacts import TrainingRun, should_promote

STATES = json.loads(DEFINITION.read_text())["States"]
RUN = TrainingRun("acme", "fc-0001")
PATHS = {"run": {"tenant_id": RUN.tenant_id}, "model_version": RUN.model_version}
MISSING = object()


def _path(data: dict, path: str):
    value = data
    for part in path.removeprefix("$.").split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _format(expression: str, data: dict) -> str:
    """States.Format('template', $.a, ...) as Step Functions renders it; ${Substitutions} stay named."""
    match = re.fullmatch(r"States\.Format\('(.*?)'((?:, \$[\w.]+)*)\)", expression)
    assert match, expression
    template = re.sub(r"\$\{(\w+)\}", r"<\1>", match.group(1))
    values = [_path(data, p.strip()) for p in match.group(2).split(",") if p.strip()]
    return template.format(*(json.dumps(v) if v is None else v for v in values))


def _evaluate(expression: str, data: dict):
    if expression.startswith("States.Format("):
        return _format(expression, data)
    if expression.startswith("States.StringToJson("):
        return json.loads(_path(data, expression[len("States.StringToJson("):-1]))
    assert expression.startswith("$."), f"not modelled: {expression}"
    return _path(data, expression)


def _s3(expression: str) -> str:
    return _format(expression, PATHS)


def test_every_artefact_key_in_the_definition_is_the_one_the_module_names():
    training = STATES["StartTraining"]["Parameters"]
    assert _s3(training["HyperParameters"]["output_uri.$"]) == f"s3://<ArtifactsBucket>/{RUN.prefix}"
    assert training["TrainingJobName.$"] == "$.model_version"  # so SageMaker's archive lands under the run's prefix
    archive = f"{_s3(training['OutputDataConfig']['S3OutputPath.$'])}{RUN.model_version}/{artefacts.MODEL_ARCHIVE}"
    assert archive == f"s3://<ArtifactsBucket>/{RUN.key(artefacts.MODEL_ARCHIVE)}"
    assert _s3(training["OutputDataConfig"]["S3OutputPath.$"]) == f"s3://<ArtifactsBucket>/{artefacts.training_output_prefix('acme')}"
    register = STATES["RegisterModel"]["Parameters"]["InferenceSpecification"]["Containers"][0]
    assert _s3(register["ModelDataUrl.$"]) == archive
    assert _s3(STATES["CreateModel"]["Parameters"]["PrimaryContainer"]["ModelDataUrl.$"]) == archive
    assert _s3(STATES["ReadEvaluation"]["Parameters"]["Key.$"]) == RUN.key(artefacts.DECISION)
    transform = STATES["StartBatchForecast"]["Parameters"]
    assert _s3(transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri.$"]) == \
        f"s3://<ArtifactsBucket>/{RUN.key(artefacts.BATCH_INPUTS)}"
    assert _s3(transform["TransformOutput"]["S3OutputPath.$"]) == f"s3://<ArtifactsBucket>/{RUN.key(artefacts.FORECASTS)}"
    assert artefacts.BATCH_INPUT.startswith(artefacts.BATCH_INPUTS)


def test_run_names_and_the_live_pointer_are_the_modules():
    assert STATES["Configure"]["Parameters"]["model_version.$"] == f"States.Format('{artefacts.RUN_NAME_PREFIX}{{}}', States.UUID())"
    assert RUN_PREFIX == artefacts.RUN_NAME_PREFIX  # the IAM grants on SageMaker names
    assert STATES["GetLiveModel"]["Parameters"]["Key"]["model_version"] == {"S": artefacts.LIVE_POINTER}


def _holds(rule: dict, data: dict) -> bool:
    value = _path(data, rule["Variable"])
    if "IsNull" in rule:
        return (value is None) == rule["IsNull"]
    if "IsPresent" in rule:
        return (value is not MISSING) == rule["IsPresent"]
    if "NumericLessThanPath" in rule:
        other = _path(data, rule["NumericLessThanPath"])
        return isinstance(value, (int, float)) and isinstance(other, (int, float)) and value < other
    raise AssertionError(f"a Choice operator this test does not model: {rule}")


def _decide(decision: dict, live: dict | None) -> tuple[bool, str]:
    """Walk the definition from the backtest's Choice to RegisterModel (promote) or RecordRejected."""
    data = {"run": {"tenant_id": "acme"}, "model_version": "fc-0001", "evaluation": {"document": decision}}
    name = "BeatsBaseline?"
    while name not in ("RegisterModel", "RecordRejected"):
        state = STATES[name]
        if state["Type"] == "Choice":
            name = next((r["Next"] for r in state["Choices"] if _holds(r, data)), state["Default"])
        elif state["Type"] == "Task" and state["Resource"].endswith("sagemaker:updateModelCard"):
            assert state["ResultPath"] is None, name  # the card's status follows the decision; the data passes on
            name = state["Next"]
        elif name == "GetLiveModel":  # DynamoDB GetItem of the live pointer, as the registry writes it
            item = {"live_version": {"S": live["model_version"]}, "wape": {"N": str(live["wape"])}} if live else None
            data["live"] = {"Item": item} if item else {}
            name = state["Next"]
        else:
            assert state["Type"] == "Pass", name
            result = {key[:-2]: _evaluate(value, data) for key, value in state["Parameters"].items()}
            data[state["ResultPath"].removeprefix("$.")] = result
            name = state["Next"]
    return name == "RegisterModel", (data.get("decision") or {}).get("reason", "")


CASES = list(itertools.product((0.3, 0.42, 0.45), (None, 0.42), (None, 0.25, 0.42, 0.5)))


@pytest.mark.parametrize("ours, baseline, live_wape", CASES)
def test_the_definition_promotes_exactly_when_the_module_does_and_says_why_the_same_way(ours, baseline, live_wape):
    decision = {"model_version": "fc-0001", "wape": ours, "best_baseline": "autoets" if baseline else None,
                "best_baseline_wape": baseline}
    live = {"model_version": "fc-live", "wape": live_wape} if live_wape is not None else None
    promoted, reason = _decide(decision, live)
    expected, expected_reason = should_promote(decision, live)
    assert promoted == expected
    if not promoted:
        assert reason == expected_reason
