"""Synthesize the CDK app and read the template back, resolving intrinsics to local names."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"  # moto's default account
LOCAL_SECRET = "local"  # secret key of the emulated account's credentials (signs presigned POSTs)


_SYNTH = """
import sys
from app import build_app
assembly = build_app(
    context={"stage": sys.argv[2], "aws:cdk:bundling-stacks": [], "aws:cdk:enable-asset-metadata": True},
    outdir=sys.argv[1],
).synth()
print(assembly.stacks[0].template_full_path)
"""


def synthesize(outdir: Path, stage: str = "dev") -> Path:
    """Synthesize (as `cdk synth` would, minus bundling: no pip or Docker needed locally) in a child
    process, so the CDK's Node runtime does not outlive the synth; return the template path."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    done = subprocess.run(
        [sys.executable, "-c", _SYNTH, str(outdir), stage], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"cdk synth failed:\n{done.stderr[-4000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


@dataclass
class Template:
    path: Path
    region: str
    body: dict[str, Any] = field(init=False)
    stack_name: str = field(init=False)
    # Physical IDs of resources created locally (filled in as they are created).
    physical: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.body = json.loads(self.path.read_text())
        self.stack_name = self.path.name.removesuffix(".template.json")

    @property
    def assembly_dir(self) -> Path:
        return self.path.parent

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.body["Resources"].items() if v["Type"] == resource_type}

    def local_name(self, logical_id: str, max_length: int = 63) -> str:
        """Deterministic local physical name, like CloudFormation's generated ones."""
        return f"{self.stack_name}-{logical_id}".lower()[:max_length]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return self._ref(arg)
            if fn == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._get_att(logical, attribute)
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
            if fn == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(index)]
            if fn == "Fn::Split":
                sep, text = arg
                return str(self.resolve(text)).split(sep)
            if fn == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                variables = {} if isinstance(arg, str) else {k: self.resolve(v) for k, v in arg[1].items()}
                for name in list(variables) + ["AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix"]:
                    if name in variables:
                        text = text.replace("${" + name + "}", str(variables[name]))
                    else:
                        text = text.replace("${" + name + "}", str(self._ref(name)))
                return text
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.physical:
            return self.physical[name]
        resource = self.body["Resources"].get(name)
        if resource is None:
            raise KeyError(f"template has no resource or pseudo parameter {name}")
        return self.local_name(name)

    def _get_att(self, logical: str, attribute: str) -> str:
        resource_type = self.body["Resources"][logical]["Type"]
        if attribute == "Arn":
            if logical in self.arns:
                return self.arns[logical]
            name = self._ref(logical)
            service = {
                "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
                "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{name}",
                "AWS::Lambda::Function": f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{name}",
                "AWS::SQS::Queue": f"arn:aws:sqs:{self.region}:{ACCOUNT}:{name}",
                "AWS::SNS::Topic": f"arn:aws:sns:{self.region}:{ACCOUNT}:{name}",
                "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            }.get(resource_type)
            if service:
                return service
        if resource_type == "AWS::ApiGateway::RestApi" and attribute == "RootResourceId":
            return f"{logical}/root"
        if resource_type == "AWS::SQS::Queue" and attribute == "QueueName":
            return self._ref(logical)
        return f"{logical}.{attribute}"
