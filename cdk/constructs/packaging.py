"""Lambda code and layers packaged without Docker.

Dependencies are installed as manylinux wheels for the Lambda runtime; every package ships compiled
bytecode, because /var/task and /opt are read-only in Lambda: without .pyc files each cold start
recompiles every module it imports.
"""

import compileall
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, ILocalBundling, aws_lambda as lambda_
from constructs import Construct

from ..config import CORE_LAYER_DIR, DEPS_LAYER_DIR, LAMBDAS_DIR, SAGEMAKER_JOBS_DIR, StageConfig
from ..nag import acknowledge
from .imports import import_closure
from .log_groups import log_group

PYTHON_RUNTIME = lambda_.Runtime.PYTHON_3_11
_PY_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/*.egg-info"]
# Already in the Lambda Python runtime (boto3 and what it depends on): import name -> distribution.
# Shipping them again only adds size (botocore alone is ~30 MB) and shadows the runtime's copies.
RUNTIME_PROVIDED = {"boto3": "boto3", "botocore": "botocore", "s3transfer": "s3transfer", "jmespath": "jmespath",
                    "urllib3": "urllib3", "dateutil": "python_dateutil", "six": "six"}
# Packages of the domain library SageMaker jobs never import (Spark ETL, demo data).
NOT_FOR_SAGEMAKER = ("etl", "demo")
CORE_SOURCE = CORE_LAYER_DIR / "python"


def compile_tree(root: Path) -> None:
    """Precompile for the runtime's Python; hash-checked .pyc stay valid whatever the zip's mtimes."""
    ok = compileall.compile_dir(
        str(root), quiet=1, workers=0, invalidation_mode=compileall.py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    if not ok:
        raise RuntimeError(f"byte-compiling {root} failed")


def pip_install_for_lambda(target: Path, *args: str) -> None:
    """pip install Linux x86_64 CPython 3.11 wheels (the Lambda runtime's) into target, without compiling."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target),
         "--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11",
         "--only-binary=:all:", *args],
        check=True,
    )


@jsii.implements(ILocalBundling)
class PipWheelsBundling:
    """Installs requirements.txt as Linux x86_64 wheels for the Lambda runtime, into python/."""

    def __init__(self, requirements: Path):
        self._requirements = requirements

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_: object) -> bool:
        target = Path(output_dir) / "python"
        pip_install_for_lambda(target, "--requirement", str(self._requirements), "--upgrade")
        patterns = [*RUNTIME_PROVIDED, *(f"{m}.py" for m in RUNTIME_PROVIDED),
                    *(f"{d}-*.dist-info" for d in RUNTIME_PROVIDED.values()), "**/tests", "**/__pycache__"]
        for pattern in patterns:
            for path in target.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        compile_tree(target)
        return True


@jsii.implements(ILocalBundling)
class CompiledCopyBundling:
    """Copies our own source (minus what Lambda never imports) and precompiles it."""

    def __init__(self, source: Path):
        self._source = source

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_: object) -> bool:
        shutil.copytree(
            self._source, output_dir, dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info"),
        )
        compile_tree(Path(output_dir))
        return True


@jsii.implements(ILocalBundling)
class LambdaModulesBundling:
    """The domain library's modules that the Lambda functions import (read from their source), with
    the data files of their packages (the documents' policies), precompiled, under python/."""

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_: object) -> bool:
        target = Path(output_dir) / "python"
        for path in lambda_layer_files():
            destination = target / path.relative_to(CORE_SOURCE)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
        compile_tree(target)
        return True


def lambda_layer_files() -> list[Path]:
    """Every file of the domain library the Lambda functions need: the modules their handlers reach
    and, beside them, the non-Python files of those packages (not of packages they never import)."""
    modules: set[Path] = set()
    for function in sorted(p for p in LAMBDAS_DIR.iterdir() if p.is_dir()):
        closure = import_closure(sorted(function.rglob("*.py")), [function, CORE_SOURCE])
        modules |= {m for m in closure.modules if m.is_relative_to(CORE_SOURCE)}
    data = set()
    for package in {m.parent for m in modules}:
        for path in package.rglob("*"):
            inside_a_subpackage = any((d / "__init__.py").exists() for d in path.parents if d != package and d.is_relative_to(package))
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts and not inside_a_subpackage:
                data.add(path)
    return sorted(modules | data)


def _bundled(source: Path, local: object) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(source),
        exclude=_PY_EXCLUDES,
        bundling=BundlingOptions(
            image=PYTHON_RUNTIME.bundling_image,
            local=local,
            command=["bash", "-c", "cp -r /asset-input/. /asset-output/ && python -m compileall -q /asset-output"],
        ),
    )


def deps_bundling(folder: Path = DEPS_LAYER_DIR) -> PipWheelsBundling:
    return PipWheelsBundling(folder / "requirements.txt")


def core_bundling() -> LambdaModulesBundling:
    return LambdaModulesBundling()


def function_bundling(name: str) -> CompiledCopyBundling:
    return CompiledCopyBundling(LAMBDAS_DIR / name)


def deps_layer(scope: Construct, construct_id: str, folder: Path = DEPS_LAYER_DIR,
               description: str = "SmartRetail third-party dependencies") -> lambda_.LayerVersion:
    """Third-party packages of `folder`/requirements.txt: by default those of every function
    (FastAPI, Mangum, powertools, PyJWT); a function that alone needs more gets a layer of its own."""
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(
            str(folder),
            bundling=BundlingOptions(
                image=PYTHON_RUNTIME.bundling_image,
                local=deps_bundling(folder),
                command=["bash", "-c", "pip install -r requirements.txt -t /asset-output/python"],
            ),
        ),
        compatible_runtimes=[PYTHON_RUNTIME],
        description=description,
    )


def core_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """The smartretail modules the Lambda functions import; training code, the local OCR engine, the
    test-document generator and the in-memory fakes stay out. The asset is hashed on what it ships."""
    return lambda_.LayerVersion(
        scope, construct_id,
        code=lambda_.Code.from_asset(
            str(CORE_LAYER_DIR), exclude=_PY_EXCLUDES, asset_hash_type=AssetHashType.OUTPUT,
            bundling=BundlingOptions(image=PYTHON_RUNTIME.bundling_image, local=core_bundling(),
                                     command=["bash", "-c", "echo 'bundled locally only' && exit 1"]),
        ),
        compatible_runtimes=[PYTHON_RUNTIME], description="SmartRetail domain library",
    )


def function_code(name: str) -> lambda_.Code:
    return _bundled(LAMBDAS_DIR / name, function_bundling(name))


LAMBDA_BASIC = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def python_function(scope: Construct, construct_id: str, folder: str, *, config: StageConfig, logs_id: str, description: str,
                    environment: dict[str, str], layers: list[lambda_.ILayerVersion], memory_size: int,
                    timeout: Duration, **options) -> lambda_.Function:
    """A function of lambdas/<folder> (handler <folder>_handler.handler) as every function here is
    made: the shared layers, active tracing, its own log group kept as the stage says."""
    fn = lambda_.Function(
        scope, construct_id, description=description, runtime=PYTHON_RUNTIME, handler=f"{folder}_handler.handler",
        code=function_code(folder), layers=layers, memory_size=memory_size, timeout=timeout, tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group(scope, logs_id, config), environment=environment, **options,
    )
    acknowledge(fn, {
        "AwsSolutions-L1": "Functions run Python 3.11, the version the code and the dependency layers are built and tested "
                           "with (Glue 5.0 parity); moving runtimes is a deliberate, tested change.",
        f"AwsSolutions-IAM4[{LAMBDA_BASIC}]": "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch "
                                              "logs; it is the AWS-maintained minimum for Lambda.",
        "AwsSolutions-IAM5[Resource::*]": "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) exist only on "
                                          "all resources.",
    })
    return fn


@jsii.implements(ILocalBundling)
class SageMakerSourceBundling:
    """SageMaker script mode's source directory as the sourcedir.tar.gz it expects: a job's entry
    points and requirements.txt, with the smartretail library beside them (minus Spark and demo data)."""

    def __init__(self, job: str):
        self._job = SAGEMAKER_JOBS_DIR / job

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_: object) -> bool:
        with tarfile.open(Path(output_dir) / "sourcedir.tar.gz", "w:gz") as tar:
            tar.add(self._job, arcname=".", filter=_source_only)
            tar.add(CORE_LAYER_DIR / "python" / "smartretail", arcname="smartretail", filter=_source_only)
        return True


def _source_only(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    parts = Path(info.name).parts
    if any(p in ("__pycache__", ".pytest_cache") or p.endswith((".pyc", ".egg-info")) for p in parts):
        return None
    if parts[:1] == ("smartretail",) and len(parts) > 1 and parts[1] in NOT_FOR_SAGEMAKER:
        return None
    return info


def sagemaker_source(scope: Construct, construct_id: str, job: str) -> "object":
    """An S3 asset holding the job's sourcedir.tar.gz (its URL goes to `sagemaker_submit_directory`)."""
    from aws_cdk import BundlingOutput, aws_s3_assets as assets

    return assets.Asset(
        scope, construct_id, path=str(SAGEMAKER_JOBS_DIR / job),
        bundling=BundlingOptions(
            image=PYTHON_RUNTIME.bundling_image, local=SageMakerSourceBundling(job), output_type=BundlingOutput.SINGLE_FILE,
            command=["bash", "-c", "tar -czf /asset-output/sourcedir.tar.gz -C /asset-input ."],
        ),
    )
