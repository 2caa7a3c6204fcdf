"""cdk-nag (AwsSolutions) acknowledgments, each made on the construct it is about.

cdk-nag 3 acknowledges one finding at a time and only where it is made: a finding acknowledged on the
API function is still reported on any other resource. So each construct acknowledges, next to the
grant that causes it, exactly the findings of its own resources, with the reason a reviewer would
accept; a new wildcard anywhere else fails `cdk synth`. `ACKNOWLEDGED` keeps every reason given, for
the test that each one says why.
"""

from aws_cdk import Acknowledgment, Stack, Token, Validations
from constructs import IConstruct

ACKNOWLEDGED: dict[str, str] = {}

# What CDK's bucket grants expand to: each on the granted bucket (and prefix) only.
S3_READ = {
    "AwsSolutions-IAM5[Action::s3:GetObject*]":
        "Read grants from CDK's grant_read: object-read actions (GetObject, GetObjectVersion, tags) on the granted bucket "
        "and prefix only.",
    "AwsSolutions-IAM5[Action::s3:GetBucket*]":
        "Bucket-level read (location, versioning) that S3 clients need, on the granted bucket only.",
    "AwsSolutions-IAM5[Action::s3:List*]":
        "Listing the granted bucket only; needed to find the files under the granted prefix.",
}
S3_PUT = {
    "AwsSolutions-IAM5[Action::s3:Abort*]":
        "Aborting this role's own multipart uploads into the granted prefix (part of CDK's grant_put).",
}
S3_DELETE = {
    "AwsSolutions-IAM5[Action::s3:DeleteObject*]":
        "Replacing what this role itself writes (derived tables or run artifacts) in the granted bucket; it has no "
        "delete on what users upload.",
}


def acknowledge(scope: IConstruct, findings: dict[str, str]) -> None:
    """Acknowledge `findings` (finding ID -> reason) on `scope` and the constructs under it only."""
    ACKNOWLEDGED.update(findings)
    Validations.of(scope).acknowledge(*(Acknowledgment(id=finding, reason=reason) for finding, reason in findings.items()))


def wildcard_under(resource: IConstruct, suffix: str) -> str:
    """The IAM5 finding of a grant on `<resource's ARN><suffix>`, e.g. a bucket's `/raw/*`."""
    logical_id = Stack.of(resource).get_logical_id(resource.node.default_child)
    return f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>{suffix}]"


def wildcard_arn(scope: IConstruct, service: str, resource: str, region: bool = True) -> str:
    """The IAM5 finding of a grant on `arn:<partition>:<service>:<region>:<account>:<resource>`."""
    stack = Stack.of(scope)
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    where = ("<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region) if region else ""
    return f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:{service}:{where}:{account}:{resource}]"
