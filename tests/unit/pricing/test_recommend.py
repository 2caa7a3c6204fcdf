"""Price recommendations: the guardrails hold for every objective, the answer says what bound it,
and the fallback is labelled."""

import math

from hypothesis import given, settings, strategies as st

from smartretail.pricing.recommend import ElasticityEstimate, PricingContext, PricingPolicy, guardrails, simulate, suggest

OBJECTIVES = ("maximize_margin", "maximize_revenue", "match_competitors")
POLICY = PricingPolicy(max_delta_pct=10, competitor_band_pct=15)


def context(**overrides) -> PricingContext:
    base = dict(sku_id="BEV-001", store_id="S01", current_price=2.0, baseline_units=70, unit_cost=1.3, min_margin_pct=10,
                competitor_prices={"ShopRival": 2.1, "ValueMart": 2.3},
                elasticity=ElasticityEstimate(-1.8, -2.1, -1.5, True, "pooled", "sku"), on_hand=50, safety_stock=20)
    return PricingContext(**{**base, **overrides})


@st.composite
def contexts(draw):
    """A SKU whose price today already respects its contractual and margin limits."""
    cost = draw(st.floats(0.2, 50))
    margin = draw(st.floats(0, 40))
    floor = cost / (1 - margin / 100)
    current = draw(st.floats(floor, floor * 3))
    quotes = draw(st.dictionaries(st.sampled_from(["A", "B", "C"]), st.floats(current * 0.5, current * 1.6), max_size=3))
    e = draw(st.floats(-4, -0.2))
    on_hand = draw(st.one_of(st.none(), st.floats(0, 200)))
    return context(current_price=current, unit_cost=cost, min_margin_pct=margin, competitor_prices=quotes,
                   elasticity=draw(st.sampled_from([None, ElasticityEstimate(e, e - 0.3, e + 0.3, True, "own", "sku")])),
                   map_price=draw(st.one_of(st.none(), st.floats(current * 0.5, current))),
                   max_price=draw(st.one_of(st.none(), st.floats(current, current * 2))),
                   on_hand=on_hand, safety_stock=draw(st.floats(0, 100)) if on_hand is not None else None,
                   baseline_units=draw(st.floats(0, 500)))


@settings(max_examples=300, deadline=None)
@given(ctx=contexts(), objective=st.sampled_from(OBJECTIVES))
def test_every_guardrail_that_was_not_relaxed_holds_for_every_objective(ctx, objective):
    result = suggest(ctx, objective, POLICY)
    price = result["recommended_price"]
    relaxed = {r["guardrail"] for r in result["guardrails"]["relaxed"]}
    for bound in guardrails(ctx, POLICY):
        if bound.guardrail in relaxed:
            continue
        assert bound.low is None or price >= bound.low - 0.005, (bound, price)
        assert bound.high is None or price <= bound.high + 0.01, (bound, price)  # a cent over when no cent fits
    # The contractual limits, the margin floor and the daily change never give way when today's price respects them.
    assert not relaxed & {"map", "min_price", "max_price", "max_daily_change", "min_margin"}
    assert abs(price - ctx.current_price) <= ctx.current_price * POLICY.max_delta_pct / 100 + 0.01
    if ctx.on_hand is not None and ctx.on_hand < ctx.safety_stock:
        assert price >= ctx.current_price - 0.005  # no cut while stock is below safety stock


def test_the_margin_optimum_is_held_back_by_the_daily_change_limit_and_says_so():
    result = suggest(context(), "maximize_margin", POLICY)
    assert result["unconstrained_price"] == round(1.3 * -1.8 / (1 - 1.8), 2)  # c * e / (1 + e) = 2.93
    assert result["recommended_price"] == 2.2
    assert result["guardrails"]["bound_by"] == ["max_daily_change"]
    margin = result["impact"]["margin"]
    assert margin["change"] > 0
    assert margin["change_range"][0] <= margin["change"] <= margin["change_range"][1]


def test_elastic_demand_asks_for_a_lower_price_to_maximise_revenue():
    result = suggest(context(), "maximize_revenue", POLICY)
    assert result["recommended_price"] < 2.0
    assert result["impact"]["revenue"]["change"] > 0
    assert result["guardrails"]["bound_by"] == ["competitor_band"]  # 15% under the competitors' median 2.20


def test_no_price_cut_while_stock_is_below_safety_stock():
    result = suggest(context(on_hand=5, safety_stock=20), "maximize_revenue", POLICY)
    assert result["recommended_price"] == 2.0
    assert "no_decrease_below_safety_stock" in result["guardrails"]["bound_by"]


def test_a_weaker_guardrail_gives_way_to_a_stronger_one_and_the_answer_says_why():
    # Competitors sell far below our minimum advertised price: MAP wins, the competitor band is relaxed.
    result = suggest(context(current_price=10.0, unit_cost=5, map_price=9.5, competitor_prices={"A": 6.0}), "match_competitors", POLICY)
    assert result["recommended_price"] == 9.5
    assert [r["guardrail"] for r in result["guardrails"]["relaxed"]] == ["competitor_band"]


def test_without_an_elasticity_the_fallback_is_competitor_parity_labelled_as_such():
    result = suggest(context(elasticity=None), "maximize_margin", POLICY)
    assert result["method"] == "fallback_competitor_parity"
    assert result["recommended_price"] == 2.2
    assert "no elasticity" in result["rationale"]
    assert result["evidence"]["elasticity"] is None
    assert result["impact"]["units"]["change_range"][0] == result["impact"]["units"]["change_range"][1]


def test_a_simulation_states_the_impact_and_every_guardrail_the_price_breaks():
    result = simulate(context(), 1.5, POLICY)
    assert result["impact"]["units"]["change"] > 0
    assert result["impact"]["margin"]["change"] < 0
    assert {b["guardrail"] for b in result["breaks_guardrails"]} == {"max_daily_change", "competitor_band"}
    assert math.isclose(result["impact"]["units"]["expected"], 70 * (1.5 / 2.0) ** -1.8, rel_tol=1e-3)
