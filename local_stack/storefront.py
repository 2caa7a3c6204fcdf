"""The storefront on the local stack: a machine client registered through the admin route, its token
from the emulator's token endpoint, shopper events sent through the events route, and the storefront's
training pipeline (statemachines/storefront_training.asl.json from the template) run for a tenant: the
training job as a local process, the loader Lambda and the notifications on the emulator."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .asl import ExecutionFailed, LocalStateMachine
from .pipeline import SDK, PipelineFailed, ScriptModeJobs
from .stack import LocalStack, http_json
from .template import ROOT

TRAIN_SCRIPT = ROOT / "sagemaker_jobs" / "storefront" / "train.py"


def register_client(stack: LocalStack, admin_token: str, name: str, scopes: list[str] | None = None) -> dict[str, Any]:
    body = {"name": name, **({"scopes": scopes} if scopes else {})}
    status, created = http_json("POST", f"{stack.api_url}/admin/storefront-clients", admin_token, body)
    if status != 201:
        raise RuntimeError(f"POST /admin/storefront-clients answered {status}: {created}")
    return created


def client_token(token_url: str, client_id: str, secret: str, scopes: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    """The client-credentials grant, as a storefront back end asks it: (status, Cognito's answer)."""
    form = {"grant_type": "client_credentials", **({"scope": " ".join(scopes)} if scopes else {})}
    request = urllib.request.Request(token_url, data=urllib.parse.urlencode(form).encode(), method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def send_events(stack: LocalStack, token: str, events: list[dict[str, Any]], batch: int = 500) -> int:
    accepted = 0
    for start in range(0, len(events), batch):
        status, answer = http_json("POST", f"{stack.api_url}/storefront/events", f"Bearer {token}", {"events": events[start:start + batch]})
        if status != 200:
            raise RuntimeError(f"POST /storefront/events answered {status}: {answer}")
        accepted += answer["accepted"]
    return accepted


class LocalStorefrontTraining(ScriptModeJobs):
    """One execution of the storefront training pipeline, as Step Functions runs it in AWS."""

    def __init__(self, stack: LocalStack):
        from .resources import state_machine_definition

        super().__init__(TRAIN_SCRIPT)
        template = stack.template
        (logical,) = [n for n in template.resources("AWS::StepFunctions::StateMachine") if n.startswith("StorefrontTraining")]
        self.definition = json.loads(state_machine_definition(template, logical))
        self.functions = {template.resolve({"Fn::GetAtt": [name, "Arn"]}): f for name, f in stack.functions.items()}
        self.table = stack.function_env("StorefrontTrainingLoader")["STOREFRONT_TABLE"]

    def run(self, tenant_id: str) -> dict[str, Any]:
        """The run's summary as the loader stored it (promoted or not), with the states entered."""
        from smartretail.adapters.aws_dynamodb import DynamoItemStore
        from smartretail.storefront.publishing import run_key

        machine = LocalStateMachine(self.definition, self.functions, tasks={
            f"{SDK}sagemaker:createTrainingJob": self._train,
            f"{SDK}sagemaker:describeTrainingJob": self._training_job,
        })
        try:
            data = machine.run({"tenant_id": tenant_id, "poll_seconds": 0})
        except ExecutionFailed as failed:
            detail = "\n".join(f"{name}: {job.reason}" for name, job in self._jobs.items() if job.reason)
            raise PipelineFailed(failed.error, failed.cause, detail, machine.entered) from None
        summary = DynamoItemStore(self.table).get(tenant_id, run_key(data["model_version"])) or {}
        return {**summary, "outcome": data["published"]["status"], "steps": machine.entered}


def train(stack: LocalStack, tenant_id: str) -> dict[str, Any]:
    """The storefront's training pipeline for one tenant, on the emulator."""
    return LocalStorefrontTraining(stack).run(tenant_id)


def load_demo_storefront(stack: LocalStack, admin_token: str, tenant_id: str, products_csv, say=print) -> dict[str, Any]:
    """What `./dev up` does for the demo tenant's storefront: register a machine client, send three
    months of generated shopper events through the events route, run the training step. The client."""
    import csv

    from smartretail.demo.shoppers import shopper_events

    say("Storefront: registering a machine client, sending shopper events, training recommendations ...", flush=True)
    client = register_client(stack, admin_token, "demo-storefront")
    status, answer = client_token(client["token_url"], client["client_id"], client["client_secret"])
    if status != 200:
        raise RuntimeError(f"the token endpoint answered {status}: {answer}")
    with open(products_csv, newline="") as f:
        products = [{"sku_id": r["sku_id"], "category": r["category"]} for r in csv.DictReader(f)]
    stores = tuple(sorted({"S01", "S02", "S03", "S04", "S05"}))
    events = shopper_events(products, shoppers=400, days=90, stores=stores, prefix="demo-shopper")
    sent = send_events(stack, answer["access_token"], events)
    summary = train(stack, tenant_id)
    backtest = summary.get("backtest", {})
    say(f"  {sent} events from 400 shoppers; {summary['lists']} lists; ordering: {summary['order_by']}; "
        f"backtest NDCG@10 {backtest.get('ndcg_at_10', 'n/a')} vs popularity {backtest.get('popularity_ndcg_at_10', 'n/a')}")
    return client
