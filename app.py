#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c stage=dev` (or `python app.py`) builds the stack of one stage."""

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from cdk.config import load_stage
from cdk.stack import SmartRetailStack


# Feature flags live in code (not only cdk.json) so tests and `python app.py` synthesize the same template.
FEATURE_FLAGS = {
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    "@aws-cdk/core:checkSecretUsage": True,
    "@aws-cdk/aws-iam:minimizePolicies": True,
    "@aws-cdk/core:target-partitions": ["aws"],
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/aws-s3:createDefaultLoggingPolicy": True,
}


def build_app(context: dict | None = None, outdir: str | None = None) -> cdk.App:
    app = cdk.App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    if str(app.node.try_get_context("bundling")).lower() == "false":
        # `-c bundling=false`: synthesize offline without building the Lambda packages (pip needs PyPI).
        # Set on the node, because the CDK CLI passes its own bundling list in the context.
        app.node.set_context("aws:cdk:bundling-stacks", [])
    stage = app.node.try_get_context("stage") or "dev"
    SmartRetailStack(
        app,
        f"SmartRetail-{stage}",
        config=load_stage(stage),
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION", "eu-west-1")
        ),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
