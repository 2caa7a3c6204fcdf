"""The storefront on the local stack: a machine client registered through the admin route, its token
from the emulator's token endpoint, shopper events sent through the events route, and the storefront's
training step run for a tenant against the emulator (as the training job does in AWS)."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .stack import LocalStack, http_json


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


def train(stack: LocalStack, tenant_id: str) -> dict[str, Any]:
    """The storefront's training step for one tenant, on the emulator's bucket and table."""
    from smartretail.adapters.aws_dynamodb import DynamoItemStore
    from smartretail.adapters.aws_s3 import S3ObjectStore
    from smartretail.search.embedder import WordLlamaEmbedder
    from smartretail.storefront.training import train_storefront

    env = stack.function_env("Storefront")
    return train_storefront(tenant_id, S3ObjectStore(), env["RAW_BUCKET"], DynamoItemStore(env["STOREFRONT_TABLE"]), WordLlamaEmbedder())


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
