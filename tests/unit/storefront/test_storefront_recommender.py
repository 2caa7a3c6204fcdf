"""The recommender on generated shoppers with two tastes (kitchen and garden): who bought from one
side is offered the rest of that side, never what they already have, with a reason naming their item."""

import pytest

from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.storefront.recommend import SOURCES, Recommender, RecommenderConfig

KITCHEN = [f"K{i}" for i in range(12)]

@pytest.fixture(scope="module")
def model(events, items):
    config = RecommenderConfig(factors=8, iterations=5, candidates_per_source=15, ranker_trees=30)
    return Recommender(config, embedder=WordLlamaEmbedder()).fit(events, items)


def test_a_shopper_is_offered_more_of_their_taste_and_nothing_they_already_have(model, events):
    owned = set(events.loc[events["user_id"] == "u0", "item_id"])
    recs = model.recommend(["u0"], k=5)["u0"]
    assert len(recs) == 5
    assert not owned & {r.item_id for r in recs}
    assert sum(r.item_id in KITCHEN or r.item_id == "NEW-K" for r in recs) >= 4


def test_each_recommendation_says_why_naming_an_item_the_shopper_bought(model, events, items):
    titles = dict(zip(items["item_id"], items["title"]))
    owned_titles = {titles[i] for i in events.loc[events["user_id"] == "u1", "item_id"]}
    recs = model.recommend(["u1"], k=3)["u1"]
    assert all(r.reason.startswith(("because you bought", "similar to")) for r in recs)
    assert any(any(title in r.reason for title in owned_titles) for r in recs)


def test_the_ordering_is_chosen_by_a_backtest_on_the_newest_cut_off(model):
    report = model.training_report
    assert len(report["cuts"]) == 2 and all(cut["shoppers"] > 0 for cut in report["cuts"])
    assert set(report["gate"]) == {"ranker", *SOURCES}
    assert model.order_by == max(report["gate"], key=report["gate"].get)
    assert (model.ranker is not None) == (model.order_by == "ranker")


def test_a_new_shopper_with_three_interactions_gets_their_side_of_the_shop(model):
    recs = model.recommend_for_session([("G1", "view"), ("G2", "add_to_cart"), ("G3", "purchase")], k=5)
    assert {"G1", "G2", "G3"}.isdisjoint(r.item_id for r in recs)
    assert sum(r.item_id.startswith(("G", "NEW-G")) for r in recs) >= 4


def test_a_shopper_with_no_history_gets_what_is_popular_in_their_region(model, events):
    north = events[events["store_id"] == "north"].drop_duplicates(["user_id", "item_id"])["item_id"].value_counts()
    recs = model.recommend_for_session([], k=3, region="north")
    assert [r.reason for r in recs] == ["popular in north"] * 3
    assert recs[0].item_id in set(north.index[:5])
    assert model.recommend(["someone-new"], k=3)["someone-new"][0].reason == "popular"


def test_an_item_nobody_has_bought_is_reachable_through_its_text(model, items):
    similar = model.recommend_for_session([("K1", "purchase"), ("K2", "purchase")], k=len(items))
    assert "NEW-K" in [r.item_id for r in similar]
