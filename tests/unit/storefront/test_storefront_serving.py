"""Serving lists: the business rules (stock, banned sellers, already bought, at most three of one
seller in a row), lists for shoppers known only by a few clicks, and one tenant never reading another's."""

import pytest

from smartretail.adapters.memory import MemoryItemStore
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.storefront.lists import serving_lists
from smartretail.storefront.recommend import Recommender, RecommenderConfig
from smartretail.storefront.serving import META_KEY, CatalogItem, Listed, Rules, StorefrontService, apply_rules, list_key


def _listed(*ids):
    return [Listed(i, 1.0 - n / 100, "r") for n, i in enumerate(ids)]


def test_no_more_than_three_items_of_one_seller_follow_each_other():
    catalog = {f"a{i}": CatalogItem(f"a{i}", seller_id="A") for i in range(6)} | {"b0": CatalogItem("b0", seller_id="B"),
                                                                                  "b1": CatalogItem("b1", seller_id="B")}
    chosen = apply_rules(_listed("a0", "a1", "a2", "a3", "a4", "b0", "a5", "b1"), catalog, k=8)
    assert [c.item_id for c in chosen] == ["a0", "a1", "a2", "b0", "a3", "a4", "a5", "b1"]
    only_a = apply_rules(_listed("a0", "a1", "a2", "a3", "a4"), catalog, k=5)
    assert len(only_a) == 5  # nothing else to show: the seller's items still fill the page


def test_out_of_stock_banned_sellers_and_bought_items_are_dropped_with_reasons():
    catalog = {"x": CatalogItem("x", stock=0), "y": CatalogItem("y", seller_id="bad"), "z": CatalogItem("z"),
               "milk": CatalogItem("milk", repeat_purchase=True), "ok": CatalogItem("ok", stock=4)}
    rules = Rules(banned_sellers=frozenset({"bad"}))
    chosen = apply_rules(_listed("x", "y", "z", "milk", "ok", "gone"), catalog, k=10, owned={"z", "milk"}, rules=rules)
    assert [c.item_id for c in chosen] == ["milk", "ok"]
    assert rules.dropped == {"out of stock": 1, "seller not allowed": 1, "already bought": 1, "not in the catalogue": 1}


@pytest.fixture(scope="module")
def served(events, items):
    model = Recommender(RecommenderConfig(factors=8, iterations=5, candidates_per_source=15, ranker_trees=30), embedder=WordLlamaEmbedder()).fit(events, items)
    store = MemoryItemStore()
    store.put_many("tenant-a", serving_lists(model, events))
    store.put_many("tenant-a", {list_key("item", i): CatalogItem(i, t, seller_id="S1" if i.startswith("K") else "S2").record()
                                for i, t in zip(items["item_id"], items["title"])})
    return StorefrontService(store)


def test_a_known_shopper_gets_their_precomputed_list_without_what_they_have(served, events):
    answer = served.recommendations("tenant-a", "u0", k=5)
    owned = set(events.loc[events["user_id"] == "u0", "item_id"])
    assert answer["source"] == "personal" and len(answer["items"]) == 5
    assert not owned & {i["item_id"] for i in answer["items"]}
    assert all(i["reason"] for i in answer["items"])


def test_a_shopper_known_by_three_clicks_gets_neighbours_of_those_items(served):
    answer = served.recommendations("tenant-a", "visitor-1", k=5, recent=[("G1", "view"), ("G2", "view"), ("G3", "add_to_cart")])
    assert answer["source"] == "session"
    assert {i["item_id"] for i in answer["items"]}.isdisjoint({"G1", "G2", "G3"})
    assert sum(i["item_id"].startswith(("G", "NEW-G")) for i in answer["items"]) >= 4
    assert answer["items"][0]["reason"].startswith("because you")


def test_a_shopper_with_nothing_known_gets_regional_popularity(served):
    answer = served.recommendations("tenant-a", "visitor-2", k=3, region="north")
    assert answer["source"] == "popular" and [i["reason"] for i in answer["items"]] == ["popular in north"] * 3


def test_similar_items_reach_an_item_nobody_bought_and_bought_together_is_a_basket(served):
    assert "NEW-K" in [i["item_id"] for i in served.similar("tenant-a", "K1", k=30)["items"]]
    together = served.bought_together("tenant-a", "G1", k=5)["items"]
    assert together and all(i["item_id"].startswith("G") and i["reason"] == "bought together" for i in together)


def test_one_tenant_never_reads_another_tenants_lists(served):
    assert served.recommendations("tenant-b", "u0", k=5)["items"] == []
    assert served.similar("tenant-b", "K1")["items"] == []
    assert served.lists.get("tenant-b", list_key("user", "u0")) is None


def test_where_the_gate_chose_popularity_a_new_shopper_gets_popular_items(served):
    served.lists.put("tenant-c", META_KEY, {"order_by": "popularity", "trained_at": "r1"})
    for key in (list_key("popular", "all"), list_key("similar", "G1"), list_key("item", "K1"), list_key("item", "G2")):
        served.lists.put("tenant-c", key, served.lists.get("tenant-a", key))
    answer = served.recommendations("tenant-c", "visitor-3", k=1, recent=[("G1", "view")])
    assert answer["source"] == "popular" and answer["items"][0]["reason"] == "popular"


def test_a_banned_sellers_items_leave_every_list(served):
    from types import SimpleNamespace

    from smartretail.storefront.rules import StorefrontRules, StorefrontRulesStore

    rules = StorefrontRulesStore(served.lists)
    manager = SimpleNamespace(tenant_id="tenant-a", user_id="m1", groups=frozenset({"managers"}))
    rules.put(manager, StorefrontRules(banned_sellers=[" S1 ", "S1"]))
    try:
        fresh = StorefrontService(served.lists)  # another container: reads the rules anew
        assert rules.get("tenant-a").banned_sellers == ["S1"]
        answer = fresh.recommendations("tenant-a", "u0", k=5)  # u0 buys kitchen items, all sold by S1
        assert answer["items"] and all(i["seller_id"] != "S1" for i in answer["items"])
        assert all(i["seller_id"] != "S1" for i in fresh.similar("tenant-a", "K1", k=10)["items"])
    finally:
        rules.put(manager, StorefrontRules())
