"""The training run's contract: where each artefact lies under a run's prefix, and when a trained
model may go live.

The training job writes these artefacts, the state machine and the loader read them, and the local
stack runs the same steps; `statemachines/training_pipeline.asl.json` names the same keys and states
the same rule in its Choice states (tests/unit/forecasting/test_pipeline_contract.py holds it to this
module). Standard library only: this runs in the training job, the loader Lambda and the API.
"""

from dataclasses import dataclass
from typing import Any

from ..lake import model_prefix, models_prefix

RUN_NAME_PREFIX = "fc-"                # a run's model version (and its SageMaker job names) start with it
LIVE_POINTER = "#live"                 # the registry item naming a tenant's live version and its WAPE

# Inside the model directory (SM_MODEL_DIR), packed by SageMaker into the run's model archive.
MODEL_FILE = "model.pkl"
MODEL_EVALUATION = "evaluation.json"

# Under the run's prefix in the artifacts bucket.
EVALUATION = "evaluation.json"         # the backtest, for people and GET /models
DECISION = "decision.json"             # what the Choice compares, and the version record
BATCH_INPUTS = "batch/"                # the batch forecast's input (the transform reads every file under it)
BATCH_INPUT = BATCH_INPUTS + "input.jsonl"  # the requests, one per line
FORECASTS = "forecasts/"               # the batch forecast's output, one .out file per input file
ELASTICITIES = "insights/elasticities.json"
POSITIONS = "insights/positions.jsonl"
MODEL_ARCHIVE = "output/model.tar.gz"  # where SageMaker puts MODEL_FILE after training


def training_output_prefix(tenant_id: str) -> str:
    """The training job's S3OutputPath: SageMaker adds `<job name>/output/model.tar.gz`, and the job is
    named after the model version, so the archive lands under the run's prefix."""
    return models_prefix(tenant_id)


@dataclass(frozen=True)
class TrainingRun:
    """One run of the training pipeline for a tenant: its model version names every artefact."""

    tenant_id: str
    model_version: str

    @property
    def prefix(self) -> str:
        return model_prefix(self.tenant_id, self.model_version)

    def key(self, artefact: str) -> str:
        """The S3 key (or prefix, for BATCH_INPUTS and FORECASTS) of one artefact of this run."""
        return self.prefix + artefact


def beats(ours: float, other: float | None) -> bool:
    """Strictly better on WAPE; anything beats nothing. A NaN never beats."""
    return ours == ours and (other is None or ours < other)


def should_promote(decision: dict[str, Any], live: dict[str, Any] | None) -> tuple[bool, str]:
    """Deploy only a model whose backtest WAPE is strictly below the best baseline's and the live
    model's. `decision` is the decision document (DECISION); `live` has the live version's
    `model_version` and `wape`, or is None. The reasons read as the state machine writes them."""
    ours, best, best_wape = decision["wape"], decision.get("best_baseline"), decision.get("best_baseline_wape")
    if not beats(ours, best_wape):
        return False, f"backtest WAPE {ours} does not beat {best} ({best_wape})"
    if live is not None and not beats(ours, live["wape"]):
        return False, f"backtest WAPE {ours} does not beat the live model {live['model_version']} ({live['wape']})"
    return True, f"backtest WAPE {ours} beats the baselines" + (f" and {live['model_version']}" if live else "")
