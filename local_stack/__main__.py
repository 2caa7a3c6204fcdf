"""`python -m local_stack up` runs SmartRetail locally; `python -m local_stack token seller` prints a
fresh ID token for a demo user while the stack is up (`token storefront`: an access token of the demo
storefront's machine client)."""

import argparse
import json
import logging
import signal
import sys
import threading
import time

from .template import ROOT

STATE_FILE = ROOT / ".local" / "state.json"
DEMO_TENANT = "demo"
DEMO_USERS = {"seller": "sellers", "manager": "managers", "admin": "admins"}
DASHBOARD_PERIOD = ("2026-07-01", "2026-09-30")  # the demo tenant's last quarter


def up(args: argparse.Namespace) -> int:
    from .demo import load_demo_tenant
    from .stack import LocalStack

    started = time.monotonic()
    print("Starting the local AWS emulator and reading the CDK template ...", flush=True)
    stack = LocalStack(moto_port=args.moto_port, api_port=args.port).start()
    stop = threading.Event()
    try:
        users = {role: stack.create_user(f"demo-{role}", DEMO_TENANT, group) for role, group in DEMO_USERS.items()}
        STATE_FILE.write_text(json.dumps({
            "endpoint": stack.endpoint, "api_url": stack.api_url, "user_pool_id": stack.user_pool_id,
            "client_id": stack.client_id, "users": {r: {"username": u.username, "password": u.password} for r, u in users.items()},
        }, indent=2))
        STATE_FILE.chmod(0o600)
        seller_token = stack.id_token(users["seller"].username, users["seller"].password)
        load_demo_tenant(stack, seller_token, DEMO_TENANT, ROOT / ".local" / "demo-data")
        print("Uploading sample invoices and GST certificates (PDFs and scans) through the document pipeline ...", flush=True)
        from smartretail.documents.generator import write as write_documents

        from .demo import load_documents

        documents_dir = ROOT / ".local" / "demo-documents"
        write_documents(documents_dir)
        counts: dict[str, int] = {}
        for result in load_documents(stack, seller_token, documents_dir):
            counts[result["status"]] = counts.get(result["status"], 0) + 1
        print("  " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
        chunks = stack.load_knowledge(ROOT / "knowledge")
        print(f"The copilot's knowledge base (marketplace policies and SOPs): {chunks} passages indexed for every tenant", flush=True)
        from .storefront import load_demo_storefront

        admin_token = stack.id_token(users["admin"].username, users["admin"].password)
        machine = load_demo_storefront(stack, admin_token, DEMO_TENANT, ROOT / ".local" / "demo-data" / "products.csv")
        state = json.loads(STATE_FILE.read_text())
        state["storefront"] = {k: machine[k] for k in ("client_id", "client_secret", "token_url")}
        STATE_FILE.write_text(json.dumps(state, indent=2))
        # Spark installs its own SIGINT handler; take Ctrl-C back once it is done.
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        tokens = {role: stack.id_token(u.username, u.password) for role, u in users.items()}
        from .demo import warm_first_page

        seconds = warm_first_page(stack, tokens["seller"], *DASHBOARD_PERIOD)
        print(f"The dashboard's first page asked once, as the seller's first visit will ({seconds:.0f}s)", flush=True)
        dashboard = stack.serve_dashboard(args.dashboard_port, *DASHBOARD_PERIOD)
        print(f"\nSmartRetail is up in {time.monotonic() - started:.0f}s.\n")
        print(f"  Dashboard  {dashboard}   sign in as {users['seller'].username} / {users['seller'].password}")
        print(f"  API        {stack.api_url}")
        print(f"  AWS (moto) {stack.endpoint}")
        for role, token in tokens.items():
            print(f"\n  {role} token (valid 1 hour; renew with: .venv/bin/python -m local_stack token {role}):\n  {token}")
        print(f"\n  storefront machine client {machine['client_id']} / {machine['client_secret']}"
              f"\n  (client-credentials grant at {machine['token_url']}; or .venv/bin/python -m local_stack token storefront)")
        print(
            "\nTry:\n"
            f"  TOKEN=$(.venv/bin/python -m local_stack token seller)\n"
            f"  curl -s -H \"Authorization: $TOKEN\" '{stack.api_url}/kpis?start=2026-01-01&end=2026-03-31'\n"
            f"  curl -s -H \"Authorization: $TOKEN\" -H 'Content-Type: application/json' {stack.api_url}/forecast \\\n"
            "       -d '{\"store_id\": \"S01\", \"sku_ids\": [\"BEV-001\"], \"horizon_days\": 14}'\n"
            f"  curl -s -H \"Authorization: $TOKEN\" -H 'Content-Type: application/json' {stack.api_url}/pricing-suggest \\\n"
            "       -d '{\"store_id\": \"S01\", \"sku_id\": \"BEV-001\", \"objective\": \"maximize_margin\"}'\n"
            f"  curl -s -H \"Authorization: $TOKEN\" '{stack.api_url}/alerts?status=open'\n"
            f"  curl -s -H \"Authorization: $TOKEN\" -H 'Content-Type: application/json' {stack.api_url}/copilot/chat \\\n"
            "       -d '{\"message\": \"Which SKUs will stock out next week in S01?\"}'\n"
            f"  SHOP=$(.venv/bin/python -m local_stack token storefront)\n"
            f"  curl -s -H \"Authorization: Bearer $SHOP\" '{stack.api_url}/storefront/recommendations?user_id=demo-shopper-0001&k=10'\n"
            f"  curl -s -H \"Authorization: Bearer $SHOP\" '{stack.api_url}/storefront/search?q=beverages&in_stock=true'\n"
            "\nCtrl-C stops everything.", flush=True,
        )
        while not stop.is_set():
            stop.wait(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping ...", flush=True)
        stack.stop()
        STATE_FILE.unlink(missing_ok=True)
    return 0


def token(args: argparse.Namespace) -> int:
    import os

    import boto3

    if not STATE_FILE.exists():
        print("the local stack is not running: start it with ./dev up", file=sys.stderr)
        return 1
    state = json.loads(STATE_FILE.read_text())
    if args.role == "storefront":  # the demo storefront's machine client: an access token by client credentials
        from .storefront import client_token

        client = state["storefront"]
        status, answer = client_token(client["token_url"], client["client_id"], client["client_secret"])
        if status != 200:
            print(f"the token endpoint answered {status}: {answer}", file=sys.stderr)
            return 1
        print(answer["access_token"])
        return 0
    user = state["users"][args.role]
    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    idp = boto3.client("cognito-idp", endpoint_url=state["endpoint"], region_name="eu-west-1")
    result = idp.admin_initiate_auth(
        UserPoolId=state["user_pool_id"], ClientId=state["client_id"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )
    print(result["AuthenticationResult"]["IdToken"])
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m local_stack")
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="run SmartRetail locally with the demo tenant")
    p_up.add_argument("--port", type=int, default=8080, help="API port (default 8080)")
    p_up.add_argument("--moto-port", type=int, default=4566, help="AWS emulator port (default 4566)")
    p_up.add_argument("--dashboard-port", type=int, default=8090,
                      help="dashboard port (default 8090, the origin the dev stage's API allows)")
    p_up.set_defaults(func=up)
    p_token = sub.add_parser("token", help="print a fresh ID token for a demo user, or an access token for the demo storefront")
    p_token.add_argument("role", choices=sorted([*DEMO_USERS, "storefront"]))
    p_token.set_defaults(func=token)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
