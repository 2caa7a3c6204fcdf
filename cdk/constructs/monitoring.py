"""Operations: CloudWatch alarms with the design's thresholds, all to one operations topic, and a
dashboard of the same metrics.

- the API answers 5xx to more than 2% of requests for 10 minutes;
- any function reports an error (its retries and dead-letter queues keep the event; someone looks);
- any dead-letter queue holds a message;
- any state machine execution fails, times out or is aborted;
- more than 5% of the documents read in an hour could not be read (needs_review by the pipeline).
"""

from aws_cdk import Duration, aws_apigateway as apigw, aws_cloudwatch as cw, aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam, aws_kms as kms, aws_lambda as lambda_, aws_sns as sns, aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs, aws_stepfunctions as sfn
from constructs import Construct

from ..config import StageConfig

API_5XX_PERCENT = 2
DOCUMENT_FAILURE_PERCENT = 5
DOCUMENTS_SERVICE = "smartretail-document-processor"  # the processor's powertools service (a metric dimension)
FIVE_MINUTES = Duration.minutes(5)


class MonitoringConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, api: apigw.RestApi,
                 functions: dict[str, lambda_.IFunction], queues: dict[str, sqs.IQueue],
                 state_machines: dict[str, sfn.IStateMachine]):
        super().__init__(scope, construct_id)
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key (its policy cannot be
        # changed): this topic has a key of its own that lets CloudWatch encrypt alarm messages.
        key = kms.Key(self, "OperationsTopicKey", enable_key_rotation=True, description="SmartRetail operations topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:GenerateDataKey*", "kms:Decrypt")
        self.topic = sns.Topic(self, "OperationsTopic", display_name="SmartRetail operations", master_key=key, enforce_ssl=True)
        for address in config.operations_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        self.alarms: list[cw.Alarm] = []

        stage = api.deployment_stage
        api_errors = cw.MathExpression(
            expression="IF(requests > 0, 100 * errors / requests, 0)", label="API 5xx (% of requests)", period=FIVE_MINUTES,
            using_metrics={"errors": stage.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                           "requests": stage.metric_count(period=FIVE_MINUTES, statistic="Sum")})
        self._alarm("Api5xxRate", api_errors, API_5XX_PERCENT, periods=2,
                    why=f"the API answered 5xx to more than {API_5XX_PERCENT}% of requests for 10 minutes")
        for name, fn in functions.items():
            self._alarm(f"{name}Errors", fn.metric_errors(period=FIVE_MINUTES, statistic="Sum"), 0,
                        why=f"the {name} function failed (its event is retried, then dead-lettered)")
        for name, queue in queues.items():
            self._alarm(f"{name}DeadLetters", queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                        0, why=f"{name}: events wait in a dead-letter queue for someone to look at them and redrive them")
        for name, machine in state_machines.items():
            ended_badly = cw.MathExpression(
                expression="failed + timedout + aborted", label=f"{name} executions that did not succeed", period=FIVE_MINUTES,
                using_metrics={"failed": machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
                               "timedout": machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"),
                               "aborted": machine.metric_aborted(period=FIVE_MINUTES, statistic="Sum")})
            self._alarm(f"{name}ExecutionsFailed", ended_badly, 0, why=f"a {name} execution failed, timed out or was aborted")
        read, unreadable = (cw.Metric(namespace="SmartRetail", metric_name=metric, dimensions_map={"service": DOCUMENTS_SERVICE},
                                      period=Duration.hours(1), statistic="Sum")
                            for metric in ("DocumentsRead", "DocumentsUnreadable"))
        failures = cw.MathExpression(
            expression="IF(read + unreadable > 0, 100 * unreadable / (read + unreadable), 0)",
            label="documents that could not be read (%)", period=Duration.hours(1),
            using_metrics={"read": read, "unreadable": unreadable})
        self._alarm("DocumentReadingFailures", failures, DOCUMENT_FAILURE_PERCENT,
                    why=f"more than {DOCUMENT_FAILURE_PERCENT}% of the documents in the last hour could not be read")

        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"smartretail-{config.stage}-operations")
        self.dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
            cw.GraphWidget(title="API requests and 5xx", left=[stage.metric_count(period=FIVE_MINUTES, statistic="Sum"),
                                                               stage.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                                                               stage.metric_client_error(period=FIVE_MINUTES, statistic="Sum")]),
            cw.GraphWidget(title="API latency (p50, p95)", left=[stage.metric_latency(period=FIVE_MINUTES, statistic="p50"),
                                                                 stage.metric_latency(period=FIVE_MINUTES, statistic="p95")]),
            cw.GraphWidget(title="Function errors", left=[fn.metric_errors(period=FIVE_MINUTES, statistic="Sum", label=name)
                                                          for name, fn in functions.items()]),
            cw.GraphWidget(title="Function duration (p95)", left=[fn.metric_duration(period=FIVE_MINUTES, statistic="p95", label=name)
                                                                  for name, fn in functions.items()]),
            cw.GraphWidget(title="Dead-letter queues", left=[
                q.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum", label=name)
                for name, q in queues.items()]),
            cw.GraphWidget(title="Pipeline executions", left=[
                m.metric_succeeded(period=FIVE_MINUTES, statistic="Sum", label=f"{name} succeeded") for name, m in state_machines.items()
            ] + [m.metric_failed(period=FIVE_MINUTES, statistic="Sum", label=f"{name} failed") for name, m in state_machines.items()]),
            cw.GraphWidget(title="Documents read per hour", left=[read, unreadable], right=[failures]),
        )

    def _alarm(self, construct_id: str, metric: cw.IMetric, threshold: float, why: str, periods: int = 1) -> cw.Alarm:
        alarm = metric.create_alarm(
            self, construct_id, threshold=threshold, evaluation_periods=periods, datapoints_to_alarm=periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=why,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm
