import json
import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    """(assembly dir, template dict, assertions Template) of the dev stage, synthesized offline."""
    from aws_cdk.assertions import Template

    from app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(context={"stage": "dev", "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
    assembly = app.synth()
    stack = assembly.stacks[0]
    body = json.loads(open(stack.template_full_path).read())
    return outdir, body, Template.from_json(body)
