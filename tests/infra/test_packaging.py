"""The Lambda layers ship what the functions import and nothing more: the domain library's layer is
made from the handlers' imports, each handler imports from it alone, and the dependency layer holds
exactly the third-party packages they reach, at the locked versions."""

import os
import re
import subprocess
import sys
import sysconfig
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from cdk.config import (CORE_LAYER_DIR, DEPS_LAYER_DIR, DOCUMENT_DEPS_LAYER_DIR, LAMBDAS_DIR, ROOT, SAGEMAKER_JOBS_DIR,
                        SEARCH_DEPS_LAYER_DIR)
from cdk.constructs.imports import import_closure
from cdk.constructs.packaging import RUNTIME_PROVIDED, core_bundling
from smartretail import settings as settings_models

FUNCTIONS = sorted(p.name for p in LAMBDAS_DIR.iterdir() if p.is_dir())
SETTINGS = {"api": settings_models.ApiSettings, "ingest_validation": settings_models.ValidationSettings,
            "forecast_loader": settings_models.ForecastLoaderSettings, "alerts_evaluator": settings_models.AlertsEvaluatorSettings,
            "document_processor": settings_models.DocumentProcessorSettings, "copilot": settings_models.CopilotSettings,
            "storefront": settings_models.StorefrontSettings, "storefront_loader": settings_models.StorefrontLoaderSettings}


@pytest.fixture(scope="module")
def core_layer(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("core-layer")
    core_bundling().try_bundle(str(out))
    return out / "python"


def _closure(function: str):
    folder = LAMBDAS_DIR / function
    return import_closure(sorted(folder.rglob("*.py")), [folder, CORE_LAYER_DIR / "python"])


def test_every_function_has_a_settings_model():
    assert set(FUNCTIONS) == set(SETTINGS)


def test_the_domain_layer_leaves_out_what_no_function_imports(core_layer):
    shipped = {p.relative_to(core_layer).as_posix() for p in core_layer.rglob("*.py")}
    for left_out in ("smartretail/adapters/memory.py", "smartretail/adapters/local_textract.py",
                     "smartretail/documents/generator.py", "smartretail/forecasting/model.py",
                     "smartretail/insights/positions.py", "smartretail/etl/transforms.py"):
        assert left_out not in shipped
    assert "smartretail/adapters/aws_textract.py" in shipped
    assert (core_layer / "smartretail/documents/policies/invoice.json").is_file()  # the rules read it


def test_the_domain_layer_ships_each_module_a_function_imports(core_layer):
    shipped = {p.relative_to(core_layer) for p in core_layer.rglob("*.py")}
    for function in FUNCTIONS:
        needed = {m.relative_to(CORE_LAYER_DIR / "python") for m in _closure(function).modules
                  if m.is_relative_to(CORE_LAYER_DIR / "python")}
        assert needed <= shipped, (function, needed - shipped)


def _dummy_environment(settings) -> dict[str, str]:
    values = {}
    for name, info in settings.model_fields.items():
        if info.is_required():  # the others keep their defaults
            values[name] = {int: "1", bool: "false"}.get(info.annotation, "x")
    return {**values, "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_handler_imports_with_the_domain_layer_alone(core_layer, function):
    # No site processing: the editable install of smartretail is not seen, only the layer's copy;
    # third-party packages come from this environment's site-packages.
    path = os.pathsep.join([str(LAMBDAS_DIR / function), str(core_layer), sysconfig.get_paths()["purelib"],
                            sysconfig.get_paths()["platlib"]])
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": path, **_dummy_environment(SETTINGS[function])}
    script = (f"import {function}_handler, smartretail, sys; "
              f"assert smartretail.__file__.startswith({str(core_layer)!r}), smartretail.__file__")
    done = subprocess.run([sys.executable, "-S", "-c", script], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]


def _requirements(path: Path = DEPS_LAYER_DIR / "requirements.txt") -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line.strip()).groups()
            pins[_canonical(name)] = version
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _needed(function: str) -> set[str]:
    """Distributions a function's code imports, less what the Lambda runtime provides."""
    distributions = packages_distributions()
    runtime = {_canonical(d) for d in RUNTIME_PROVIDED.values()}
    return {_canonical(d) for top in _closure(function).third_party for d in distributions.get(top, [top])} - runtime


# A function's layers beyond the shared ones: packages only they import.
DOCUMENT_DEPS, SEARCH_DEPS = DOCUMENT_DEPS_LAYER_DIR / "requirements.txt", SEARCH_DEPS_LAYER_DIR / "requirements.txt"
OWN_LAYERS = {"document_processor": [DOCUMENT_DEPS, SEARCH_DEPS], "copilot": [SEARCH_DEPS], "storefront": [SEARCH_DEPS],
              "storefront_loader": [SEARCH_DEPS]}


def test_each_function_gets_every_package_it_imports_from_its_layers():
    shared = set(_requirements())
    for function in FUNCTIONS:
        own = set().union(*(_requirements(path) for path in OWN_LAYERS.get(function, [])))
        assert _needed(function) <= shared | own, (function, _needed(function) - shared - own)


def test_no_layer_carries_a_package_its_functions_do_not_import():
    extra = {path for paths in OWN_LAYERS.values() for path in paths}
    assert set(_requirements()) == set().union(*(_needed(f) for f in FUNCTIONS)) - set().union(*(_requirements(p) for p in extra))
    for path in extra:
        users = [f for f in FUNCTIONS if path in OWN_LAYERS.get(f, [])]
        others = set().union(*(_needed(f) for f in FUNCTIONS if f not in users))
        for function in users:
            assert set(_requirements(path)) <= _needed(function), (path, function)
        assert not set(_requirements(path)) & others, f"{path} holds what other functions import: move it to the shared layer"


@pytest.mark.parametrize("requirements", [DEPS_LAYER_DIR / "requirements.txt", DOCUMENT_DEPS, SEARCH_DEPS,
                                          SAGEMAKER_JOBS_DIR / "forecasting" / "requirements.txt"],
                         ids=["lambda-layer", "document-processor-layer", "search-layer", "sagemaker-job"])
def test_what_is_deployed_pins_the_versions_the_tests_ran_with(requirements):
    from packaging.markers import Marker

    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)\s*(?:;\s*(.+))?$", line)
        if match and (not match.group(3) or Marker(match.group(3)).evaluate()):  # the pin for this Python (3.11)
            locked[_canonical(match.group(1))] = match.group(2)
    for name, version in _requirements(requirements).items():
        assert locked.get(name) == version, f"{requirements.name} pins {name} {version}, requirements.lock {locked.get(name)}"
