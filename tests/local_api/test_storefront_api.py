"""The storefront through the local gateway with real tokens: an admin registers a machine client,
the client gets an access token by the client-credentials grant, sends shopper events, and after the
storefront's training step reads recommendations, similar and bought-together items and search results
of its own tenant only; scopes are enforced and people's ID tokens are refused on these routes."""

from datetime import datetime, timedelta, timezone

import pytest

from local_stack.demo import upload_file, wait_for_upload
from local_stack.stack import http_json
from local_stack.storefront import client_token, register_client, send_events, train
from smartretail.demo.generator import DemoSpec, generate
from smartretail.demo.shoppers import shopper_events

TENANT, OTHER = "tenant-s", "tenant-t"


@pytest.fixture(scope="module")
def shop(local, tmp_path_factory):
    """tenant-s: a catalogue uploaded by its seller, a full client and a read-only one registered by its
    admin, a month of shopper events sent, the training step run. tenant-t: a client and nothing else."""
    users = {role: local.create_user(f"s-{role}", TENANT, group) for role, group in (("admin", "admins"), ("seller", "sellers"))}
    tokens = {role: local.id_token(u.username, u.password) for role, u in users.items()}
    other_admin = local.create_user("t-admin", OTHER, "admins")
    folder = tmp_path_factory.mktemp("storefront")
    generate(DemoSpec(tenant_id=TENANT, days=20, skus_per_category=3, stores=1, volume=5), folder)
    for dataset in ("products", "inventory"):
        slot = upload_file(local, tokens["seller"], dataset, folder / f"{dataset}.csv")
        assert wait_for_upload(local, tokens["seller"], slot["upload_id"])["status"] == "validated"
    full = register_client(local, tokens["admin"], "web-shop")
    read_only = register_client(local, tokens["admin"], "search-widget", ["storefront/read"])
    other = register_client(local, local.id_token(other_admin.username, other_admin.password), "other-shop")
    token = lambda c: client_token(c["token_url"], c["client_id"], c["client_secret"])[1]["access_token"]  # noqa: E731
    products = [{"sku_id": r.split(",")[0], "name": r.split(",")[1], "category": r.split(",")[2]}
                for r in (folder / "products.csv").read_text().splitlines()[1:]]
    events = shopper_events(products, shoppers=120, days=60, prefix="s")
    machine = {"full": token(full), "read": token(read_only), "other": token(other)}
    accepted = send_events(local, machine["full"], events)
    # A seller's export of past orders, uploaded as a file: the customer, the stock code and the day
    # in its own headers and forms; one row with an event type the contract does not know.
    now = datetime.now(timezone.utc)
    lines = ["Order Line ID,Customer ID,StockCode,Event Type,Date"]
    lines += [f"f{i},file-shopper,{products[i % 6]['sku_id']},purchase,{(now - timedelta(days=i + 1)):%Y-%m-%d %H:%M}" for i in range(30)]
    lines.append(f"f-bad,file-shopper,{products[0]['sku_id']},like,{now:%Y-%m-%d %H:%M}")
    (folder / "orders.csv").write_text("\n".join(lines) + "\n")
    slot = upload_file(local, tokens["seller"], "shopper-events", folder / "orders.csv")
    upload = wait_for_upload(local, tokens["seller"], slot["upload_id"])
    summary = train(local, TENANT)
    return {"tokens": tokens, "machine": machine, "names": {p["name"] for p in products}, "clients": (full, read_only, other), "events": events, "accepted": accepted,
            "summary": summary, "upload": upload}


def _get(local, path, token):
    return http_json("GET", f"{local.api_url}{path}", f"Bearer {token}")


def test_an_admin_registers_a_client_whose_secret_gets_an_access_token_with_its_scopes(local, shop):
    full, read_only, _ = shop["clients"]
    assert full["client_secret"] and full["scopes"] == ["storefront/read", "storefront/events"]
    status, answer = client_token(read_only["token_url"], read_only["client_id"], read_only["client_secret"])
    assert status == 200 and answer["token_type"] == "Bearer" and answer["expires_in"] == 3600
    status, listed = http_json("GET", f"{local.api_url}/admin/storefront-clients", shop["tokens"]["admin"])
    assert status == 200 and {c["name"] for c in listed["clients"]} == {"web-shop", "search-widget"}
    assert all("client_secret" not in c for c in listed["clients"])


def test_a_wrong_secret_or_a_scope_the_client_lacks_gets_no_token(shop):
    full, read_only, _ = shop["clients"]
    assert client_token(full["token_url"], full["client_id"], "not-the-secret")[0] == 401
    status, answer = client_token(read_only["token_url"], read_only["client_id"], read_only["client_secret"], ["storefront/events"])
    assert (status, answer) == (400, {"error": "invalid_scope"})


def test_only_admins_register_clients(local, shop):
    status, _ = http_json("POST", f"{local.api_url}/admin/storefront-clients", shop["tokens"]["seller"], {"name": "mine"})
    assert status == 403


def test_events_are_accepted_once_each_and_the_training_pipeline_uses_streamed_and_uploaded_ones(local, shop):
    assert shop["accepted"] == len(shop["events"])
    again = send_events(local, shop["machine"]["full"], shop["events"][:10] + shop["events"][:10])
    assert again == 10  # a batch's repeats are dropped; repeats across batches when the events are read
    upload = shop["upload"]
    assert (upload["status"], upload["rows_accepted"], upload["rows_quarantined"]) == ("validated", 30, 1)
    assert "event_type must be one of view, add_to_cart, purchase" in str(upload["quarantine_sample"])
    summary = shop["summary"]
    assert summary["status"] == "trained" and summary["events"] == len(shop["events"]) + 30
    assert summary["outcome"] == "published" and summary["promoted"] and summary["model_version"].startswith("sf-")
    assert summary["steps"][:3] == ["Configure", "CheckInput", "StartTraining"] and "LoadLists" in summary["steps"]
    assert summary["steps"][-1] == "NotifyPublished"


def test_a_shopper_known_only_from_an_uploaded_file_gets_a_list(local, shop):
    status, answer = _get(local, "/storefront/recommendations?user_id=file-shopper&k=5", shop["machine"]["read"])
    assert status == 200 and answer["source"] == "personal" and len(answer["items"]) == 5
    assert any(i["reason"].startswith("because you bought") for i in answer["items"])


def test_a_failed_training_job_ends_the_run_failed_with_the_jobs_reason(local):
    from local_stack.pipeline import PipelineFailed
    from local_stack.storefront import LocalStorefrontTraining

    training = LocalStorefrontTraining(local)
    training._overrides = {"raw_bucket": ""}  # the job refuses to start without its bucket
    with pytest.raises(PipelineFailed) as failed:
        training.run(TENANT)
    assert failed.value.error == "TrainingFailed" and "raw_bucket" in failed.value.detail
    assert failed.value.steps[-2:] == ["NotifyFailure", "PipelineFailed"]


def test_a_bad_event_is_refused_with_what_is_wrong(local, shop):
    event = {**shop["events"][0], "event_type": "like"}
    status, answer = http_json("POST", f"{local.api_url}/storefront/events", f"Bearer {shop['machine']['full']}", {"events": [event]})
    assert status == 422 and "event_type" in str(answer)


def test_a_shopper_gets_new_to_them_items_with_reasons(local, shop):
    shopper = shop["events"][-1]["user_id"]
    bought = {e["item_id"] for e in shop["events"] if e["user_id"] == shopper and e["event_type"] == "purchase"}
    status, answer = _get(local, f"/storefront/recommendations?user_id={shopper}&k=5", shop["machine"]["read"])
    assert status == 200 and answer["source"] == "personal" and len(answer["items"]) == 5
    assert not bought & {i["item_id"] for i in answer["items"]}
    assert all(i["reason"] and i["title"] in shop["names"] for i in answer["items"])
    named = [i["reason"].split(" bought ", 1)[1] for i in answer["items"] if i["reason"].startswith("because you bought ")]
    assert named and set(named) <= shop["names"]  # the shopper's own item, by its catalogue name


def test_a_new_shopper_gets_lists_from_their_first_clicks_then_popular_items(local, shop):
    first = shop["events"][0]["item_id"]
    status, answer = _get(local, f"/storefront/recommendations?user_id=newcomer&k=5&recent={first}:view", shop["machine"]["read"])
    assert status == 200 and answer["source"] == "session" and answer["items"][0]["reason"].startswith("because you viewed")
    status, cold = _get(local, "/storefront/recommendations?user_id=nobody&k=5&region=S01", shop["machine"]["read"])
    assert status == 200 and cold["source"] == "popular" and len(cold["items"]) == 5


def test_similar_and_bought_together_items(local, shop):
    item = shop["events"][0]["item_id"]
    status, similar = _get(local, f"/storefront/items/{item}/similar?k=5", shop["machine"]["read"])
    assert status == 200 and similar["items"] and item not in {i["item_id"] for i in similar["items"]}
    status, together = _get(local, f"/storefront/items/{item}/bought-together?k=5", shop["machine"]["read"])
    assert status == 200


def test_search_finds_the_catalogue_with_facets_and_says_when_nothing_matches(local, shop):
    status, page = _get(local, "/storefront/search?q=beverage&page_size=5", shop["machine"]["read"])
    assert status == 200 and page["items"] and page["facets"]["category"]
    assert page["items"][0]["category"] == "Beverages"
    status, none = _get(local, "/storefront/search?q=zzqqxx", shop["machine"]["read"])
    assert status == 200 and none["items"] and none["fallback"] and "zzqqxx" in none["message"]


def test_another_tenants_client_sees_none_of_this_tenants_lists(local, shop):
    shopper = shop["events"][-1]["user_id"]
    status, answer = _get(local, f"/storefront/recommendations?user_id={shopper}&k=5", shop["machine"]["other"])
    assert status == 200 and answer["items"] == []
    status, page = _get(local, "/storefront/search?q=beverage", shop["machine"]["other"])
    assert status == 200 and page["items"] == []


def test_a_read_only_client_cannot_send_events(local, shop):
    status, _ = http_json("POST", f"{local.api_url}/storefront/events", f"Bearer {shop['machine']['read']}", {"events": shop["events"][:1]})
    assert status == 401  # the gateway's authorizer: the token lacks the route's scope


def test_a_persons_id_token_is_refused_on_storefront_routes_and_a_machine_token_elsewhere(local, shop):
    status, _ = _get(local, "/storefront/search?q=beverage", shop["tokens"]["seller"])
    assert status == 401
    status, _ = http_json("GET", f"{local.api_url}/catalog", f"Bearer {shop['machine']['full']}")
    assert status == 401


def test_a_revoked_client_gets_no_more_tokens(local, shop):
    created = register_client(local, shop["tokens"]["admin"], "short-lived")
    status, _ = http_json("DELETE", f"{local.api_url}/admin/storefront-clients/{created['client_id']}", shop["tokens"]["admin"])
    assert status == 200
    assert client_token(created["token_url"], created["client_id"], created["client_secret"])[0] == 401


def test_managers_set_the_banned_sellers_and_sellers_may_not(local, shop):
    manager = local.create_user("s-manager", TENANT, "managers")
    token = local.id_token(manager.username, manager.password)
    status, saved = http_json("PUT", f"{local.api_url}/admin/storefront-rules", token, {"banned_sellers": ["bad-seller"]})
    assert (status, saved) == (200, {"banned_sellers": ["bad-seller"]})
    assert http_json("GET", f"{local.api_url}/admin/storefront-rules", token) == (200, {"banned_sellers": ["bad-seller"]})
    status, _ = http_json("PUT", f"{local.api_url}/admin/storefront-rules", shop["tokens"]["seller"], {"banned_sellers": []})
    assert status == 403
