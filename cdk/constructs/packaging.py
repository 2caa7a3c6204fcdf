"""Lambda code and layers packaged without Docker: pip installs manylinux wheels locally."""

import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling, aws_lambda as lambda_
from constructs import Construct

from ..config import CORE_LAYER_DIR, DEPS_LAYER_DIR, LAMBDAS_DIR

PYTHON_RUNTIME = lambda_.Runtime.PYTHON_3_11
_PY_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache"]


@jsii.implements(ILocalBundling)
class PipWheelsBundling:
    """Installs requirements.txt as Linux x86_64 wheels for the Lambda runtime, into python/."""

    def __init__(self, requirements: Path):
        self._requirements = requirements

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: object) -> bool:
        target = Path(output_dir) / "python"
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                "--requirement", str(self._requirements), "--target", str(target),
                "--platform", "manylinux2014_x86_64", "--implementation", "cp",
                "--python-version", "3.11", "--only-binary=:all:", "--upgrade",
            ],
            check=True,
        )
        # boto3 is in the Lambda runtime; tests and caches are dead weight.
        for pattern in ("**/__pycache__", "**/tests"):
            for path in target.glob(pattern):
                shutil.rmtree(path, ignore_errors=True)
        return True


def deps_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """Third-party packages of the Lambda functions (FastAPI, Mangum, powertools, PyJWT)."""
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(
            str(DEPS_LAYER_DIR),
            bundling=BundlingOptions(
                image=PYTHON_RUNTIME.bundling_image,
                local=PipWheelsBundling(DEPS_LAYER_DIR / "requirements.txt"),
                command=["bash", "-c", "pip install -r requirements.txt -t /asset-output/python"],
            ),
        ),
        compatible_runtimes=[PYTHON_RUNTIME],
        description="SmartRetail third-party dependencies",
    )


def core_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """The smartretail domain library, minus the Spark and demo-data modules Lambdas never import."""
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(
            str(CORE_LAYER_DIR),
            exclude=_PY_EXCLUDES + ["python/smartretail/etl/**", "python/smartretail/demo/**"],
        ),
        compatible_runtimes=[PYTHON_RUNTIME],
        description="SmartRetail domain library",
    )


def function_code(name: str) -> lambda_.Code:
    return lambda_.Code.from_asset(str(LAMBDAS_DIR / name), exclude=_PY_EXCLUDES)
