"""SageMaker script-mode training of one tenant's storefront recommendations.

Reads the tenant's shopper events (the stream's deliveries under `stream/<tenant>/shopper-events/`
and files uploaded through ingestion) and its accepted products and inventory straight from the raw
bucket (optional inputs that may be absent, which SageMaker channels cannot be), fits the
recommender with its backtest gate, backtests it against popularity, and writes the run (summary and
every serving list) to SM_MODEL_DIR, which SageMaker packs into model.tar.gz for the pipeline's
loader to promote or not.

Hyperparameters (strings, as SageMaker passes them): tenant_id, raw_bucket, model_version.
"""

import json
import os
import sys
import time


def main() -> int:
    from smartretail.adapters.aws_s3 import S3ObjectStore
    from smartretail.lake import check_id
    from smartretail.search.embedder import WordLlamaEmbedder
    from smartretail.storefront.publishing import save_run
    from smartretail.storefront.training import fit_storefront, load_inputs

    hps = json.loads(os.environ.get("SM_HPS", "{}"))
    missing = [name for name in ("tenant_id", "raw_bucket", "model_version") if not hps.get(name)]
    if missing:
        print(f"error: hyperparameters {', '.join(missing)} are required", file=sys.stderr)
        return 2
    tenant_id = check_id(hps["tenant_id"], "tenant_id")
    started = time.perf_counter()
    records, catalogue = load_inputs(S3ObjectStore(), hps["raw_bucket"], tenant_id)
    run = fit_storefront(tenant_id, records, catalogue, WordLlamaEmbedder(), model_version=hps["model_version"])
    run.summary["training_seconds"] = round(time.perf_counter() - started, 1)
    save_run(run, os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    test = run.summary.get("backtest") or {}
    # Read by the training job's metric definitions.
    print(f"events={run.summary['events']} lists={run.summary.get('lists', 0)} "
          f"backtest_ndcg={test.get('ndcg_at_10', -1)} popularity_ndcg={test.get('popularity_ndcg_at_10', -1)}")
    print(json.dumps({k: v for k, v in run.summary.items() if k != "gate"}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
