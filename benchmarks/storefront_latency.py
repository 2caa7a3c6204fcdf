"""A ranked storefront page through the local API: p50/p95 milliseconds of 20 items, as a storefront
back end asks them (a machine client's access token, the emulated API Gateway, the storefront
function, its DynamoDB reads on the emulator).

    PYTHONPATH=. .venv/bin/python -m benchmarks.storefront_latency [--requests 300]

A tenant is set up as `./dev up` sets up the demo one (catalogue and stock uploaded by its seller, a
machine client, 400 generated shoppers' events sent through the events route, the training step);
then, after 20 warm-up calls, each kind of page is asked `--requests` times, one at a time: a known
shopper's recommendations, a new shopper's from three clicks, an item's similar items, a search page.
Writes storefront_latency.json and the recommendations' p95 as `page_p95_ms` of `smartretail` in
storefront_recs.json (when that file exists)."""

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from ._results import RESULTS, write_result

TENANT = "bench-shop"


def main() -> None:
    from local_stack.demo import upload_file, wait_for_upload
    from local_stack.stack import LocalStack, http_json
    from local_stack.storefront import client_token, register_client, send_events, train
    from smartretail.demo.generator import DemoSpec, generate
    from smartretail.demo.shoppers import shopper_events

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        stack = LocalStack(workdir=Path(work) / "local", stage="dev").start()
        try:
            users = {role: stack.create_user(f"bench-{role}", TENANT, group) for role, group in (("admin", "admins"), ("seller", "sellers"))}
            tokens = {role: stack.id_token(u.username, u.password) for role, u in users.items()}
            data = Path(work) / "data"
            generate(DemoSpec(tenant_id=TENANT, days=30), data)
            for dataset in ("products", "inventory"):
                slot = upload_file(stack, tokens["seller"], dataset, data / f"{dataset}.csv")
                wait_for_upload(stack, tokens["seller"], slot["upload_id"])
            client = register_client(stack, tokens["admin"], "bench")
            token = client_token(client["token_url"], client["client_id"], client["client_secret"])[1]["access_token"]
            products = [dict(zip(["sku_id", "name", "category"], line.split(",")[:3])) for line in (data / "products.csv").read_text().splitlines()[1:]]
            events = shopper_events(products, shoppers=400, days=90, stores=("S01", "S02", "S03", "S04", "S05"), prefix="bench")
            send_events(stack, token, events)
            summary = train(stack, TENANT)
            shoppers = sorted({e["user_id"] for e in events})
            items = [p["sku_id"] for p in products]
            queries = ["beverages", "snack", "dairy milk", "bakery bread", "houshold", "personal care", "fizzco", "crisps 2"]
            rng = random.Random(7)
            pages = {
                "recommendations": lambda: f"/storefront/recommendations?user_id={rng.choice(shoppers)}&k=20",
                "new_shopper_recommendations": lambda: ("/storefront/recommendations?user_id=visitor&k=20&recent="
                                                        + ",".join(f"{i}:view" for i in rng.sample(items, 3))),
                "similar": lambda: f"/storefront/items/{rng.choice(items)}/similar?k=20",
                "search": lambda: f"/storefront/search?q={rng.choice(queries).replace(' ', '+')}&page_size=20",
            }
            timings = {}
            for name, path in pages.items():
                for _ in range(20):
                    http_json("GET", stack.api_url + path(), f"Bearer {token}")
                spent = []
                for _ in range(args.requests):
                    url = stack.api_url + path()
                    started = time.perf_counter()
                    status, body = http_json("GET", url, f"Bearer {token}")
                    spent.append(1000 * (time.perf_counter() - started))
                    assert status == 200, (url, status, body)
                timings[name] = {"p50_ms": round(float(np.percentile(spent, 50)), 1), "p95_ms": round(float(np.percentile(spent, 95)), 1),
                                 "requests": args.requests}
                print(name, timings[name], flush=True)
        finally:
            stack.stop()
    write_result("storefront_latency", f"local API, {TENANT}: 36 items, 400 generated shoppers' events ({len(events)}), "
                 "pages of 20, one request at a time", {"smartretail": {f"{k}_p95_ms": v["p95_ms"] for k, v in timings.items()}},
                 pages=timings, training=summary)
    recs = RESULTS / "storefront_recs.json"
    if recs.exists():
        body = json.loads(recs.read_text())
        body["systems"]["smartretail"]["page_p95_ms"] = timings["recommendations"]["p95_ms"]
        body["page_latency"] = {"source": "benchmarks/storefront_latency.py", **timings}
        recs.write_text(json.dumps(body, indent=2) + "\n")


if __name__ == "__main__":
    main()
