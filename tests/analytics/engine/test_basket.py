"""Market-basket rules: same rules as mlxtend, hand-worked cases, recommendations, validation."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.basket import RULE_COLUMNS, association_rules, recommend

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

METRICS = (
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
)


def simulated_baskets(
    seed: int, n_baskets: int, n_products: int, *, as_str: bool
) -> list[list[str] | list[int]]:
    """Zipf-popular products, 1-8 items per basket, with planted "A then B" habits."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_products + 1)
    popularity /= popularity.sum()
    sizes = rng.integers(1, 9, n_baskets)
    drawn = rng.choice(n_products, size=int(sizes.sum()), p=popularity)
    planted = rng.choice(n_products, size=(6, 2), replace=False)
    baskets: list[list[int]] = []
    start = 0
    for size in sizes:
        basket = drawn[start : start + size].tolist()  # may repeat an item: counts once
        start += size
        for a, b in planted:
            if a in basket and rng.random() < 0.6:
                basket.append(int(b))
        baskets.append(basket)
    if as_str:
        return [[f"SKU-{i:03d}" for i in basket] for basket in baskets]
    return [[int(i) * 7 + 100 for i in basket] for basket in baskets]


def mlxtend_rules(baskets, min_support, min_confidence, max_len=None):
    """Rules from mlxtend's fpgrowth + association_rules, keyed by (antecedents, consequents)."""
    pd = pytest.importorskip("pandas")
    frequent_patterns = pytest.importorskip("mlxtend.frequent_patterns")
    preprocessing = pytest.importorskip("mlxtend.preprocessing")
    encoder = preprocessing.TransactionEncoder()
    onehot = encoder.fit(baskets).transform(baskets)
    frame = pd.DataFrame(onehot, columns=encoder.columns_)
    itemsets = frequent_patterns.fpgrowth(
        frame, min_support=min_support, use_colnames=True, max_len=max_len
    )
    if itemsets.empty:  # mlxtend refuses an empty itemset frame
        return {}
    rules = frequent_patterns.association_rules(
        itemsets, metric="confidence", min_threshold=min_confidence
    )
    names = {m: m.replace("_", " ") for m in METRICS}
    return {
        (tuple(sorted(row["antecedents"])), tuple(sorted(row["consequents"]))): tuple(
            float(row[names[m]]) for m in METRICS
        )
        for _, row in rules.iterrows()
    }


def our_rules(rules: pl.DataFrame):
    return {
        (tuple(row["antecedents"]), tuple(row["consequents"])): tuple(row[m] for m in METRICS)
        for row in rules.iter_rows(named=True)
    }


def assert_same_rules(ours, theirs):
    assert set(ours) == set(theirs)
    for key, values in theirs.items():
        for mine, other in zip(ours[key], values, strict=True):
            assert mine == pytest.approx(other, rel=1e-9, abs=1e-12) or (
                math.isinf(mine) and math.isinf(other)
            ), key


beer_and_diapers = [
    ["beer", "diapers", "chips"],
    ["beer", "diapers"],
    ["beer", "diapers", "milk"],
    ["diapers", "milk"],
    ["beer", "chips"],
    ["milk", "bread"],
    ["bread"],
    ["beer", "diapers", "diapers"],
]


# --- same rules as mlxtend --------------------------------------------------------------


@pytest.mark.bench
@pytest.mark.parametrize(
    ("seed", "n_baskets", "n_products", "min_support", "min_confidence", "max_len"),
    [
        (1, 2000, 40, 0.01, 0.2, None),
        (2, 3000, 60, 0.005, 0.3, None),
        (3, 1500, 25, 0.02, 0.0, None),
        (4, 2500, 50, 0.008, 0.25, 2),
        (5, 800, 15, 0.03, 0.1, 3),
    ],
)
@pytest.mark.parametrize("as_str", [True, False], ids=["str_items", "int_items"])
def test_rules_equal_mlxtends_on_simulated_baskets(
    seed, n_baskets, n_products, min_support, min_confidence, max_len, as_str
):
    baskets = simulated_baskets(seed, n_baskets, n_products, as_str=as_str)

    ours = association_rules(baskets, min_support, min_confidence, max_len=max_len)

    theirs = mlxtend_rules(baskets, min_support, min_confidence, max_len)
    assert len(theirs) > 0
    assert_same_rules(our_rules(ours), theirs)


@pytest.mark.bench
def test_rules_from_a_long_form_frame_equal_those_from_basket_lists():
    baskets = simulated_baskets(7, 2000, 40, as_str=False)
    lines = pl.DataFrame(
        {
            "basket_id": [f"order-{b}" for b, basket in enumerate(baskets) for _ in basket],
            "item": [item for basket in baskets for item in basket],
        }
    ).sample(fraction=1.0, shuffle=True, seed=3)

    from_frame = association_rules(lines, 0.01, 0.2)

    assert_same_rules(our_rules(from_frame), mlxtend_rules(baskets, 0.01, 0.2))


@pytest.mark.bench
def test_support_threshold_that_rounds_up_prunes_pairs_like_mlxtend():
    # 0.07 * 100 == 7.000000000000001: mlxtend keeps single items seen 7 times but prunes
    # pairs seen 7 times from its conditional trees.
    baskets = [["a", "b"]] * 7 + [["a"]] * 3 + [["c", "d"]] * 8 + [["e"]] * 82

    ours = association_rules(baskets, 0.07, 0.0)

    assert_same_rules(our_rules(ours), mlxtend_rules(baskets, 0.07, 0.0))
    assert [("a",), ("b",)] not in [list(k) for k in our_rules(ours)]


@pytest.mark.bench
def test_support_threshold_that_rounds_up_keeps_pairs_when_baskets_are_nested_like_mlxtend():
    # Nested baskets make mlxtend's FP-tree a single path, whose shortcut skips the pruning.
    baskets = [["a", "b"]] * 7 + [["a"]] * 3 + [[]] * 90

    ours = association_rules(baskets, 0.07, 0.0)

    assert_same_rules(our_rules(ours), mlxtend_rules(baskets, 0.07, 0.0))
    assert ours.height == 2


@pytest.mark.bench
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    baskets=st.lists(st.lists(st.integers(0, 7), max_size=6), min_size=1, max_size=40).filter(
        lambda bs: any(bs)
    ),
    min_support=st.sampled_from([0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0]),
    min_confidence=st.floats(0.0, 1.0),
    max_len=st.sampled_from([None, 1, 2, 3]),
)
def test_rules_equal_mlxtends_on_arbitrary_small_baskets(
    baskets, min_support, min_confidence, max_len
):
    ours = association_rules(baskets, min_support, min_confidence, max_len=max_len)

    assert_same_rules(our_rules(ours), mlxtend_rules(baskets, min_support, min_confidence, max_len))


# --- hand-worked example ----------------------------------------------------------------


def test_beer_then_diapers_has_hand_computed_support_confidence_and_lift():
    # 8 baskets: beer in 5, diapers in 5 (counted once in the last), both in 4.
    rules = association_rules(beer_and_diapers, min_support=0.25, min_confidence=0.5)

    rule = rules.filter(
        pl.col("antecedents") == ["beer"], pl.col("consequents") == ["diapers"]
    ).row(0, named=True)
    assert rule["support"] == pytest.approx(4 / 8)
    assert rule["antecedent_support"] == pytest.approx(5 / 8)
    assert rule["consequent_support"] == pytest.approx(5 / 8)
    assert rule["confidence"] == pytest.approx(4 / 5)
    assert rule["lift"] == pytest.approx((4 / 5) / (5 / 8))
    assert rule["leverage"] == pytest.approx(4 / 8 - (5 / 8) ** 2)
    assert rule["conviction"] == pytest.approx((1 - 5 / 8) / (1 - 4 / 5))


def test_rule_with_full_confidence_has_infinite_conviction():
    rules = association_rules([["a", "b"], ["a", "b"], ["a"], ["c"]], 0.5, 0.9)

    assert rules.select("antecedents", "consequents").rows() == [(["b"], ["a"])]
    assert rules["conviction"].to_list() == [math.inf]


def test_max_len_limits_antecedents_plus_consequents():
    baskets = [["a", "b", "c"]] * 5 + [["a", "b"]] * 2

    rules = association_rules(baskets, 0.5, 0.0, max_len=2)

    sizes = rules.select(pl.col("antecedents").list.len() + pl.col("consequents").list.len())
    assert sizes.to_series().to_list() == [2] * 6


def test_rules_are_ranked_by_lift_then_confidence():
    rules = association_rules(simulated_baskets(11, 2000, 40, as_str=True), 0.01, 0.2)

    ranked = rules.sort(["lift", "confidence", "support"], descending=True, maintain_order=True)
    assert rules.select("lift", "confidence").equals(ranked.select("lift", "confidence"))


def test_integer_items_come_back_as_integer_lists():
    rules = association_rules([[1, 2], [1, 2], [2, 3]], 0.5, 0.5)

    assert rules.schema["antecedents"] == pl.List(pl.Int64)
    assert rules.select("antecedents", "consequents").rows() == [([1], [2]), ([2], [1])]


def test_no_rule_passing_gives_an_empty_frame_with_the_rule_columns():
    rules = association_rules(beer_and_diapers, min_support=0.9, min_confidence=0.5)

    assert rules.height == 0
    assert rules.columns == list(RULE_COLUMNS)
    assert rules.schema["antecedents"] == pl.List(pl.String)


# --- recommend --------------------------------------------------------------------------


def test_recommend_suggests_diapers_to_a_beer_buyer():
    rules = association_rules(beer_and_diapers, min_support=0.3, min_confidence=0.3)

    suggestions = recommend(rules, ["beer"])

    assert suggestions["item"].to_list()[0] == "diapers"
    assert suggestions.row(0, named=True)["antecedents"] == ["beer"]


def test_recommend_excludes_items_already_owned():
    rules = association_rules(simulated_baskets(12, 2000, 30, as_str=True), 0.01, 0.1)
    owned = ["SKU-000", "SKU-001", "SKU-002"]

    suggestions = recommend(rules, owned, top_n=50)

    assert suggestions.height > 0
    assert not set(suggestions["item"].to_list()) & set(owned)
    assert all(set(a) <= set(owned) for a in suggestions["antecedents"].to_list())


def test_recommend_ranks_by_lift_and_lists_each_item_once():
    rules = pl.DataFrame(
        {
            "antecedents": [["a"], ["a"], ["a", "b"], ["c"]],
            "consequents": [["x"], ["y"], ["x"], ["z"]],
            "support": [0.1, 0.1, 0.05, 0.1],
            "confidence": [0.5, 0.9, 0.6, 0.9],
            "lift": [2.0, 1.5, 3.0, 9.0],
        }
    )

    suggestions = recommend(rules, ["a", "b"], top_n=5)

    assert suggestions["item"].to_list() == ["x", "y"]
    assert suggestions["lift"].to_list() == [3.0, 1.5]
    assert suggestions["antecedents"].to_list()[0] == ["a", "b"]


def test_recommend_keeps_only_top_n():
    rules = association_rules(simulated_baskets(13, 2000, 30, as_str=True), 0.01, 0.05)

    assert recommend(rules, ["SKU-000", "SKU-001"], top_n=2).height == 2


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("min_support", [0, -0.1, 1.5, float("nan"), "0.1", True])
def test_min_support_outside_zero_to_one_is_refused(min_support):
    with pytest.raises(ValueError, match="min_support"):
        association_rules(beer_and_diapers, min_support, 0.5)


@pytest.mark.parametrize("min_confidence", [-0.01, 1.01, float("nan"), None])
def test_min_confidence_outside_zero_to_one_is_refused(min_confidence):
    with pytest.raises(ValueError, match="min_confidence"):
        association_rules(beer_and_diapers, 0.1, min_confidence)


@pytest.mark.parametrize("max_len", [0, -1, 2.5])
def test_max_len_must_be_a_positive_integer(max_len):
    with pytest.raises(ValueError, match="max_len"):
        association_rules(beer_and_diapers, 0.1, 0.5, max_len=max_len)


def test_empty_basket_list_is_refused():
    with pytest.raises(ValueError, match="baskets is empty"):
        association_rules([], 0.1, 0.5)


def test_frame_with_wrong_column_names_is_refused():
    lines = pl.DataFrame({"order_id": [1, 1], "product_id": [3, 4]})

    with pytest.raises(ValueError, match="basket_id"):
        association_rules(lines, 0.1, 0.5)


def test_basket_given_as_a_bare_string_is_refused():
    with pytest.raises(ValueError, match="basket"):
        association_rules(["beer", "diapers"], 0.1, 0.5)


def test_mixed_string_and_integer_items_are_refused():
    with pytest.raises(ValueError, match="all strings or all integers"):
        association_rules([["beer", 1]], 0.1, 0.5)


def test_missing_items_are_refused():
    with pytest.raises(ValueError, match="missing"):
        association_rules([["beer", None]], 0.1, 0.5)


def test_recommend_refuses_a_non_positive_top_n():
    rules = association_rules(beer_and_diapers, 0.25, 0.3)

    with pytest.raises(ValueError, match="top_n"):
        recommend(rules, ["beer"], top_n=0)


# --- properties -------------------------------------------------------------------------

small_baskets = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=5), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    baskets=small_baskets,
    min_support=st.floats(0.01, 1.0),
    min_confidence=st.floats(0.0, 1.0),
)
def test_rule_metrics_are_consistent(baskets, min_support, min_confidence):
    rules = association_rules(baskets, min_support, min_confidence)

    for rule in rules.iter_rows(named=True):
        assert rule["support"] >= min_support
        assert min_confidence <= rule["confidence"] <= 1.0
        assert rule["support"] <= min(rule["antecedent_support"], rule["consequent_support"])
        assert rule["lift"] == pytest.approx(rule["confidence"] / rule["consequent_support"])
        assert not set(rule["antecedents"]) & set(rule["consequents"])
        assert rule["antecedents"] == sorted(rule["antecedents"])
