"""The one way this app makes a log group: kept as long as the stage's `log_retention_days` says, and
kept when the stack is deleted (logs are the record of what happened)."""

from aws_cdk import RemovalPolicy, aws_logs as logs
from constructs import Construct

from ..config import StageConfig

# CloudWatch Logs accepts these retention periods only.
_RETENTION = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
              60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
              365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS",
              1827: "FIVE_YEARS", 2557: "SEVEN_YEARS", 3653: "TEN_YEARS"}


def retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTION:
        raise ValueError(f"log_retention_days must be one of CloudWatch's periods: {sorted(_RETENTION)}")
    return logs.RetentionDays[_RETENTION[days]]


def log_group(scope: Construct, construct_id: str, config: StageConfig) -> logs.LogGroup:
    return logs.LogGroup(scope, construct_id, retention=retention(config.log_retention_days), removal_policy=RemovalPolicy.RETAIN)
