"""EventBridge rules of the template, delivered locally.

Each rule is created in moto with its real event pattern (scheduled rules are recorded, not fired).
Moto cannot invoke Lambda, so every
Lambda target is stood in for by a queue the rule targets, and a dispatcher invokes the local
function for each message, with the target's retry count and dead-letter queue.
"""

import json
import logging
import threading
from typing import Any, Callable

import boto3

from .functions import LocalFunction
from .template import Template

log = logging.getLogger("local_stack.events")


class EventDispatcher:
    def __init__(self, t: Template, functions: dict[str, LocalFunction],
                 machines: dict[str, Callable[[dict, str], Any]] | None = None):
        """`machines`: runners for state machines the emulator cannot run, by logical-ID prefix (the
        training pipeline: the local stack runs it in-process when a rule's event starts it)."""
        from .asl import LocalStateMachine
        from .resources import state_machine_definition

        by_arn = {t.resolve({"Fn::GetAtt": [logical, "Arn"]}): f for logical, f in functions.items()}
        self._events = boto3.client("events")
        self._sqs = boto3.client("sqs")
        self._routes: list[tuple[str, Callable[[dict, str], Any]]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        # Scheduled Lambda targets: (function, event) as the schedule would invoke them.
        self.scheduled: list[tuple[LocalFunction, dict[str, Any]]] = []
        for logical, res in t.resources("AWS::Events::Rule").items():
            props = t.resolve(res["Properties"])
            rule_name = t.local_name(logical, 64)
            if "ScheduleExpression" in props:
                # Recorded, never fired: locally `./dev up` runs what a schedule would (run_scheduled).
                # Its targets stay off the emulator, which would otherwise try them on every event it
                # receives and fail the S3 event deliveries with them (it cannot invoke Lambda code).
                self._events.put_rule(Name=rule_name, ScheduleExpression=props["ScheduleExpression"], State="ENABLED")
                for target in res["Properties"].get("Targets", []):
                    if _target_function(target) in functions:
                        event = json.loads(t.resolve(target).get("Input", "{}"))
                        self.scheduled.append((functions[_target_function(target)], event))
                continue
            self._events.put_rule(Name=rule_name, EventPattern=json.dumps(props["EventPattern"]), State="ENABLED")
            for target in res["Properties"].get("Targets", []):
                function_logical = _target_function(target)
                machine_logical = _target_state_machine(target)
                long_running = function_logical not in functions
                if function_logical in functions:
                    handler = functions[function_logical].invoke
                elif machine_logical and _runs_locally(t, machine_logical):
                    # Lambda-only definitions run in-process (the emulator cannot run their Lambda code).
                    definition = json.loads(state_machine_definition(t, machine_logical))
                    handler = _machine_runner(definition, by_arn, LocalStateMachine)
                elif machine_logical and (runner := next((r for prefix, r in (machines or {}).items()
                                                          if machine_logical.startswith(prefix)), None)):
                    handler = runner
                else:
                    continue
                queue_url = self._delivery_queue(t, rule_name, target, long_running)
                queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self._events.put_targets(Rule=rule_name, Targets=[{"Id": target["Id"], "Arn": queue_arn}])
                self._routes.append((queue_url, handler))

    def _delivery_queue(self, t: Template, rule_name: str, target: dict[str, Any], long_running: bool = False) -> str:
        # A state machine run locally may take many minutes: its event must not be redelivered meanwhile.
        attributes = {"VisibilityTimeout": "7200" if long_running else "30"}
        resolved = t.resolve(target)
        dlq_arn = resolved.get("DeadLetterConfig", {}).get("Arn")
        if dlq_arn:
            retries = int(resolved.get("RetryPolicy", {}).get("MaximumRetryAttempts", 2))
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": retries + 1})
        return self._sqs.create_queue(QueueName=f"{rule_name}-{target['Id']}"[:80], Attributes=attributes)["QueueUrl"]

    def run_scheduled(self) -> list[Any]:
        """Invoke every scheduled Lambda target once, as its schedule would (locally nothing fires)."""
        return [function.invoke(event) for function, event in self.scheduled]

    def start(self) -> None:
        for queue_url, handler in self._routes:
            thread = threading.Thread(target=self._poll, args=(queue_url, handler), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _poll(self, queue_url: str, handler: Callable[[dict, str], Any]) -> None:
        while not self._stop.is_set():
            try:
                messages = self._sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
            except Exception as exc:  # the emulator restarting or briefly unreachable: keep polling
                log.warning("polling %s failed, retrying in a second: %s", queue_url.rsplit("/", 1)[-1], exc)
                self._stop.wait(1)
                continue
            for message in messages:
                try:
                    handler(json.loads(message["Body"]), message["MessageId"])  # redeliveries keep the id
                    self._sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                except Exception as exc:  # InvocationError, ExecutionFailed
                    # Left on the queue: redelivered after the visibility timeout, then dead-lettered.
                    log.error("event delivery from %s failed: %s", queue_url.rsplit("/", 1)[-1], exc)


def _target_state_machine(target: dict[str, Any]) -> str | None:
    arn = target.get("Arn", {})
    return arn["Ref"] if isinstance(arn, dict) and "Ref" in arn else None


def _runs_locally(t: Template, logical: str) -> bool:
    """A definition whose Tasks all invoke Lambda functions (the emulator cannot run those)."""
    from .resources import state_machine_definition

    resource = t.body["Resources"].get(logical, {})
    if resource.get("Type") != "AWS::StepFunctions::StateMachine":
        return False
    states = json.loads(state_machine_definition(t, logical))["States"].values()
    tasks = [s for s in states if s["Type"] == "Task"]
    return bool(tasks) and all(s["Resource"] == "arn:aws:states:::lambda:invoke" for s in tasks)


def _machine_runner(definition: dict[str, Any], by_arn: dict[str, LocalFunction], machine: Any) -> Callable[[dict, str], Any]:
    def run(event: dict, _request_id: str | None = None) -> Any:
        return machine(definition, by_arn).run(event)
    return run


def _target_function(target: dict[str, Any]) -> str | None:
    arn = target.get("Arn", {})
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        return arn["Fn::GetAtt"][0]
    return None
