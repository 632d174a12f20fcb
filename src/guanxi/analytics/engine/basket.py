"""Market-basket analysis: frequent itemsets and association rules ("beer and diapers").

The rules returned by :func:`association_rules` are the same rules, with the same metric
values, as mlxtend's ``fpgrowth(onehot, min_support, use_colnames=True, max_len=max_len)``
followed by ``association_rules(itemsets, metric="confidence", min_threshold=...)`` on the same
baskets, but are mined one to two orders of magnitude faster and in less memory:

* items are encoded to dense integer codes (Polars categoricals / a lookup table) and each
  basket is deduplicated in a SciPy CSR matrix whose rows are sorted item codes;
* infrequent items are dropped before any mining;
* itemsets are mined depth-first on *projected positions*: an itemset is represented by the
  positions, in the CSR ``indices`` array, of its last item in every basket that contains it.
  The items after those positions are exactly the candidate extensions, so one ``np.bincount``
  counts every extension of an itemset at once (an Eclat / FP-growth style projection, without
  a Python loop over baskets);
* rule metrics are computed with vectorised NumPy from the itemset counts, using the same
  floating-point formulas as mlxtend so that thresholds such as ``confidence >= 0.3`` decide
  identically.

:func:`recommend` turns the rules into cross-sell suggestions for one customer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from itertools import chain, combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

__all__ = ["RULE_COLUMNS", "association_rules", "recommend"]

#: Columns of the frame returned by :func:`association_rules`, in order.
RULE_COLUMNS: tuple[str, ...] = (
    "antecedents",
    "consequents",
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
)

#: Column names expected when baskets come as a long-form Polars frame.
BASKET_COLUMNS: tuple[str, str] = ("basket_id", "item")

_IntArray = npt.NDArray[np.int64]

# Pair counting: dense count table up to this many cells, baskets taken this many lines at once.
_MAX_PAIR_TABLE = 16_000_000
_PAIR_CHUNK = 250_000


def association_rules(
    baskets: Iterable[Iterable[str | int]] | pl.DataFrame,
    min_support: float,
    min_confidence: float,
    max_len: int | None = None,
) -> pl.DataFrame:
    """Mine association rules ``antecedents -> consequents`` from shopping baskets.

    Parameters
    ----------
    baskets : iterable of iterables of item ids, or polars.DataFrame
        Either one iterable of item ids (all ``str`` or all ``int``) per basket, or a long-form
        Polars frame with one row per basket line and columns ``basket_id`` and ``item``
        (e.g. order lines renamed from ``order_id`` / ``product_id``). An item repeated in a
        basket counts once. Empty baskets count towards the number of baskets.
    min_support : float
        Minimum support, in ``(0, 1]``, of the itemsets the rules are made from: the share of
        all baskets that contain every item of the rule. Compared with ``>=``.
    min_confidence : float
        Minimum confidence, in ``[0, 1]``, of a rule: ``support(A ∪ C) / support(A)``.
        Compared with ``>=``.
    max_len : int, optional
        Maximum number of items in a rule (antecedents plus consequents). ``None`` means no
        limit.

    Returns
    -------
    polars.DataFrame
        One row per rule, with columns :data:`RULE_COLUMNS`:

        - ``antecedents``, ``consequents``: sorted lists of item ids (a Polars ``List``
          column with the items' type);
        - ``antecedent_support``, ``consequent_support``, ``support``: shares of baskets;
        - ``confidence`` = support / antecedent_support;
        - ``lift`` = confidence / consequent_support;
        - ``leverage`` = support - antecedent_support * consequent_support;
        - ``conviction`` = (1 - consequent_support) / (1 - confidence), ``inf`` when
          confidence is 1.

        Rows are ordered by lift, confidence and support, all descending, then by a fixed
        itemset order. An empty frame with these columns is returned when no rule passes.

    Raises
    ------
    ValueError
        If a threshold is out of range, ``max_len`` is not a positive integer, there are no
        baskets, the frame lacks ``basket_id`` / ``item``, or items are missing, of mixed
        types or neither strings nor integers.

    Notes
    -----
    Counting follows mlxtend 0.25 exactly, including its edge cases: single items are kept
    when ``count / n_baskets >= min_support``, larger itemsets also need
    ``count >= ceil(min_support * n_baskets)`` (mlxtend's FP-tree pruning), and rule supports
    are ``count / n_baskets`` in float64 with confidence computed from those floats.

    Examples
    --------
    >>> rules = association_rules(
    ...     [["beer", "diapers"], ["beer", "diapers", "chips"], ["milk"], ["beer"]],
    ...     min_support=0.5,
    ...     min_confidence=0.6,
    ... )
    >>> rules.select("antecedents", "consequents", "confidence").rows()
    [(['diapers'], ['beer'], 1.0), (['beer'], ['diapers'], 0.6666666666666666)]
    """
    min_support = _check_fraction(min_support, "min_support", allow_zero=False)
    min_confidence = _check_fraction(min_confidence, "min_confidence", allow_zero=True)
    if max_len is not None and (
        isinstance(max_len, bool) or not isinstance(max_len, numbers.Integral) or max_len < 1
    ):
        raise ValueError(f"max_len must be a positive integer or None, got {max_len!r}")

    matrix, labels = _encode_baskets(baskets)
    n_baskets = matrix.shape[0]
    itemsets = _frequent_itemsets(matrix, min_support, max_len)
    return _rules_from_itemsets(itemsets, n_baskets, min_confidence, labels)


def recommend(
    rules: pl.DataFrame,
    items: Iterable[str | int],
    top_n: int = 5,
) -> pl.DataFrame:
    """Suggest items to cross-sell to a customer who already has ``items``.

    A rule applies when all its antecedents are among ``items`` and none of its consequents
    are; each consequent item of an applying rule is a candidate. Every candidate is listed
    once, with the best applying rule for it as the reason. Candidates are ranked by that
    rule's lift, then confidence, then support (all descending), then by item id.

    Parameters
    ----------
    rules : polars.DataFrame
        Rules as returned by :func:`association_rules`.
    items : iterable of item ids
        Items the customer already has (same type as the rules' items).
    top_n : int, default 5
        Maximum number of suggestions.

    Returns
    -------
    polars.DataFrame
        Columns ``item`` (the suggestion), ``antecedents``, ``consequents``, ``support``,
        ``confidence`` and ``lift`` of the reason rule; at most ``top_n`` rows, best first.

    Raises
    ------
    ValueError
        If ``rules`` lacks rule columns, ``top_n`` is not a positive integer, or ``items`` is
        a single string or of another type than the rules' items.
    """
    missing = [
        c
        for c in ("antecedents", "consequents", "support", "confidence", "lift")
        if c not in getattr(rules, "columns", ())
    ]
    if not isinstance(rules, pl.DataFrame) or missing:
        raise ValueError(f"rules must be a frame from association_rules(); missing {missing}")
    if isinstance(top_n, bool) or not isinstance(top_n, numbers.Integral) or top_n < 1:
        raise ValueError(f"top_n must be a positive integer, got {top_n!r}")
    if isinstance(items, str | bytes):
        raise ValueError("items must be a collection of item ids, not a single string")
    item_dtype = rules.schema["consequents"].inner  # type: ignore[attr-defined]
    try:
        owned = pl.Series("owned", list(items), dtype=item_dtype, strict=True).unique()
    except (TypeError, pl.exceptions.PolarsError) as exc:
        raise ValueError(f"items must be of the rules' item type {item_dtype}: {exc}") from exc

    owned_list = owned.to_list()
    applying = rules.filter(
        pl.col("antecedents").list.eval(pl.element().is_in(owned_list)).list.all(),
        ~pl.col("consequents").list.eval(pl.element().is_in(owned_list)).list.any(),
    )
    return (
        applying.select(
            pl.col("consequents").alias("item"),
            "antecedents",
            "consequents",
            "support",
            "confidence",
            "lift",
        )
        .explode("item")
        .sort(
            ["lift", "confidence", "support", "item"],
            descending=[True, True, True, False],
            maintain_order=True,
        )
        .unique(subset="item", keep="first", maintain_order=True)
        .head(top_n)
    )


# --- validation -------------------------------------------------------------------------


def _check_fraction(value: Any, name: str, *, allow_zero: bool) -> float:
    interval = "[0, 1]" if allow_zero else "(0, 1]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    number = float(value)
    low_ok = number >= 0.0 if allow_zero else number > 0.0
    if not (low_ok and number <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return number


# --- encoding ---------------------------------------------------------------------------


def _encode_baskets(
    baskets: Iterable[Iterable[str | int]] | pl.DataFrame,
) -> tuple[sp.csr_matrix, pl.Series]:
    """Baskets as a deduplicated CSR incidence matrix (sorted indices) and the item labels.

    ``labels[code]`` is the item id of column ``code``; labels are sorted, so sorting codes
    sorts items.
    """
    if isinstance(baskets, pl.DataFrame):
        rows, n_baskets, item_series = _long_form_rows(baskets)
        codes, labels = _dense_codes(item_series, sort_labels=True)
        data = np.ones(len(codes), dtype=np.int8)
        matrix = sp.csr_matrix((data, (rows, codes)), shape=(n_baskets, len(labels)))
    else:
        if isinstance(baskets, str | bytes) or not isinstance(baskets, Iterable):
            raise ValueError("baskets must be an iterable of baskets or a Polars DataFrame")
        as_lists = baskets if isinstance(baskets, list) else list(baskets)
        if not set(map(type, as_lists)) <= {list, tuple}:
            as_lists = [_as_basket(b) for b in as_lists]
        if not as_lists:
            raise ValueError("baskets is empty: need at least one basket")
        lengths = np.fromiter(map(len, as_lists), dtype=np.int64, count=len(as_lists))
        flat = list(chain.from_iterable(as_lists))
        del as_lists
        item_series = _item_series(flat)
        del flat
        codes, labels = _dense_codes(item_series, sort_labels=True)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        data = np.ones(len(codes), dtype=np.int8)
        matrix = sp.csr_matrix((data, codes, indptr), shape=(len(lengths), len(labels)))
    # Sums repeated items and sorts each row's item codes: both needed by the miner.
    matrix.sum_duplicates()
    return matrix, labels


def _as_basket(basket: Any) -> Sequence[Any]:
    if isinstance(basket, str | bytes):
        raise ValueError(
            f"each basket must be a collection of item ids, got the string {basket!r}; "
            "wrap a one-item basket in a list"
        )
    if isinstance(basket, list | tuple):
        return basket
    if isinstance(basket, Iterable):
        return list(basket)
    raise ValueError(f"each basket must be an iterable of item ids, got {basket!r}")


def _item_series(flat: list[Any]) -> pl.Series:
    if not flat:
        return pl.Series("item", [], dtype=pl.String)
    try:
        if isinstance(flat[0], str):
            series = pl.Series("item", flat, dtype=pl.Categorical, strict=True)
        else:
            series = pl.Series("item", flat, strict=True)
    except (TypeError, OverflowError, pl.exceptions.PolarsError) as exc:
        raise ValueError(
            f"items must be all strings or all integers within one call: {exc}"
        ) from exc
    _check_item_series(series)
    return series


def _check_item_series(series: pl.Series) -> None:
    if series.null_count():
        raise ValueError("items must not be missing (None / null)")
    dtype = series.dtype
    if not (
        dtype.is_integer() or dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ):
        raise ValueError(f"items must be strings or integers, got {dtype}")


def _long_form_rows(frame: pl.DataFrame) -> tuple[_IntArray, int, pl.Series]:
    missing = [c for c in BASKET_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"baskets frame must have columns {list(BASKET_COLUMNS)}, missing {missing} "
            f"(got {frame.columns}); rename e.g. order_id -> basket_id, product_id -> item"
        )
    if frame.height == 0:
        raise ValueError("baskets frame is empty: need at least one basket line")
    basket_ids = frame.get_column("basket_id")
    if basket_ids.null_count():
        raise ValueError("basket_id must not be missing (null)")
    items = frame.get_column("item")
    _check_item_series(items)
    if not basket_ids.dtype.is_integer():
        basket_ids = basket_ids.cast(pl.String).cast(pl.Categorical)
    rows, unique_ids = _dense_codes(basket_ids, sort_labels=False)
    return rows, len(unique_ids), items


def _dense_codes(series: pl.Series, *, sort_labels: bool) -> tuple[_IntArray, pl.Series]:
    """Codes ``0..k-1`` for the distinct values of ``series`` and the values per code."""
    if series.dtype == pl.String:
        series = series.cast(pl.Categorical)
    if series.dtype.is_integer():
        values = series.to_numpy()
        uniques = series.unique().sort()
        keys = uniques.to_numpy()
        codes = _lookup(values, keys, np.arange(len(keys), dtype=np.int64))
        return codes, uniques
    # Categorical: physical codes are global to the process, so densify them.
    physical = series.to_physical().to_numpy()
    uniques = series.unique()
    labels = uniques.cast(pl.String)
    order = labels.arg_sort().to_numpy() if sort_labels else np.arange(len(labels))
    keys = uniques.to_physical().to_numpy()[order]
    codes = _lookup(physical, keys, np.arange(len(keys), dtype=np.int64))
    return codes, labels.gather(order)


def _lookup(values: np.ndarray, keys: np.ndarray, codes: _IntArray) -> _IntArray:
    """Map each of ``values`` (all present in ``keys``) to the code of its key."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = int(keys.min()), int(keys.max())
    if high - low <= max(4 * len(values), 1 << 20):
        table = np.empty(high - low + 1, dtype=np.int64)
        table[(keys - keys.dtype.type(low)).astype(np.int64)] = codes
        return table[(values - values.dtype.type(low)).astype(np.int64)]
    order = np.argsort(keys)
    return codes[order][np.searchsorted(keys[order], values)]


# --- mining -----------------------------------------------------------------------------


def _support_counts(n_baskets: int, min_support: float) -> tuple[int, int]:
    """Minimum basket counts for single items and for larger itemsets, as in mlxtend.

    mlxtend keeps an item when ``count / n >= min_support`` (float division) but prunes its
    conditional FP-trees with ``count >= ceil(min_support * n)``; the two differ by one when
    ``min_support * n`` rounds up past an integer (e.g. 0.07 * 100).
    """
    single = max(1, math.ceil(min_support * n_baskets))
    while single > 1 and (single - 1) / float(n_baskets) >= min_support:
        single -= 1
    while single / float(n_baskets) < min_support:
        single += 1
    return single, max(single, math.ceil(min_support * n_baskets))


def _frequent_itemsets(
    matrix: sp.csr_matrix, min_support: float, max_len: int | None
) -> dict[tuple[int, ...], int]:
    """Frequent itemsets (tuples of sorted item codes) and their basket counts."""
    n_baskets, n_items = matrix.shape
    counts = np.bincount(matrix.indices, minlength=n_items)
    min_single, min_multi = _support_counts(n_baskets, min_support)
    keep = counts >= min_single
    frequent_codes = np.flatnonzero(keep)
    result: dict[tuple[int, ...], int] = {
        (int(code),): int(counts[code]) for code in frequent_codes
    }
    if len(frequent_codes) < 2 or max_len == 1:
        return result

    # Keep only frequent items; renumbering in the same order keeps rows sorted.
    kept = keep[matrix.indices]
    indices = (np.cumsum(keep) - 1)[matrix.indices[kept]]
    kept_before = np.zeros(len(kept) + 1, dtype=np.int64)
    np.cumsum(kept, out=kept_before[1:])
    indptr = kept_before[matrix.indptr]
    small = np.int32 if len(indices) < np.iinfo(np.int32).max else np.int64
    indices = indices.astype(np.int32)
    indptr = indptr.astype(small)
    n_frequent = len(frequent_codes)

    if min_multi > min_single and _is_chain(indices, indptr, counts[frequent_codes]):
        min_multi = min_single  # mlxtend's single-path FP-tree shortcut skips its pruning

    # Group every position by its item (column) at C speed: CSR -> CSC carries positions.
    positions = np.arange(len(indices), dtype=small)
    by_item = sp.csr_matrix((positions, indices, indptr), shape=(n_baskets, n_frequent)).tocsc()
    first, second, pair_counts = _frequent_pairs(indices, indptr, by_item, min_multi)

    miner = _Miner(indices, n_frequent, min_multi, max_len)
    partners: list[set[int]] = [set() for _ in range(n_frequent)]
    for a, b, count in zip(first.tolist(), second.tolist(), pair_counts.tolist(), strict=True):
        miner.found[(a, b)] = count
        partners[a].add(b)
    if max_len is None or max_len > 2:
        # Grow only pairs {a, b} with some c > b such that {a, c} and {b, c} are frequent.
        in_first = np.zeros(n_baskets, dtype=bool)
        row_ends = indptr[1:]
        for a in range(n_frequent):
            growable = [b for b in sorted(partners[a]) if partners[a] & partners[b]]
            if not growable:
                continue
            rows_a = by_item.indices[by_item.indptr[a] : by_item.indptr[a + 1]]
            in_first[rows_a] = True
            for b in growable:
                lo, hi = by_item.indptr[b], by_item.indptr[b + 1]
                both = in_first[by_item.indices[lo:hi]]
                rows = by_item.indices[lo:hi][both]
                miner.expand((a, b), by_item.data[lo:hi][both], row_ends[rows])
            in_first[rows_a] = False

    codes = frequent_codes.tolist()
    for itemset, count in miner.found.items():
        result[tuple(codes[i] for i in itemset)] = count
    return result


def _frequent_pairs(
    indices: np.ndarray, indptr: np.ndarray, by_item: sp.csc_matrix, min_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequent pairs ``first < second`` (lexicographic order) and their basket counts.

    Pairs are most of the work on retail data. Each basket's pairs are coded ``a * F + b``
    and counted with ``np.bincount``, a chunk of baskets at a time to bound memory; with very
    many frequent items the count table would be too large and a sparse ``X'X`` is used.
    """
    n_baskets, n_items = len(indptr) - 1, by_item.shape[1]
    if n_items * n_items <= _MAX_PAIR_TABLE:
        table = np.zeros(n_items * n_items, dtype=np.int64)
        row_start = 0
        while row_start < n_baskets:
            row_stop = int(np.searchsorted(indptr, indptr[row_start] + _PAIR_CHUNK, "right"))
            row_stop = min(max(row_stop - 1, row_start + 1), n_baskets)
            lo, hi = int(indptr[row_start]), int(indptr[row_stop])
            row_lengths = np.diff(indptr[row_start : row_stop + 1])
            ends = np.repeat(indptr[row_start + 1 : row_stop + 1], row_lengths)
            positions = np.arange(lo, hi, dtype=indptr.dtype)
            following = ends - positions - 1
            offsets = np.cumsum(following) - following
            later = np.arange(int(following.sum()), dtype=np.int64)
            later += np.repeat(positions + 1 - offsets, following)
            first_items = np.repeat(indices[lo:hi].astype(np.int64) * n_items, following)
            table += np.bincount(first_items + indices[later], minlength=n_items * n_items)
            row_start = row_stop
        codes = np.flatnonzero(table >= min_count)  # only a < b ever counted
        return codes // n_items, codes % n_items, table[codes]
    ones = np.ones(len(indices), dtype=np.int32)
    incidence = sp.csr_matrix((ones, indices, indptr), shape=(n_baskets, n_items))
    transposed = sp.csr_matrix((ones, by_item.indices, by_item.indptr), shape=(n_items, n_baskets))
    pairs = (transposed @ incidence).tocoo()
    keep = (pairs.col > pairs.row) & (pairs.data >= min_count)
    first, second, counts = pairs.row[keep], pairs.col[keep], pairs.data[keep]
    order = np.lexsort((second, first))
    return first[order], second[order], counts[order]


def _is_chain(indices: np.ndarray, indptr: np.ndarray, item_counts: _IntArray) -> bool:
    """Whether the non-empty baskets, restricted to frequent items, are nested (one path).

    They are iff each basket holds exactly the items at least as frequent as its rarest item.
    """
    lengths = np.diff(indptr)
    nonempty = lengths > 0
    if not nonempty.any():
        return True
    rarest = np.minimum.reduceat(item_counts[indices], indptr[:-1][nonempty])
    ascending = np.sort(item_counts)
    at_least = len(ascending) - np.searchsorted(ascending, rarest, side="left")
    return bool(np.array_equal(at_least, lengths[nonempty]))


class _Miner:
    """Depth-first itemset growth on projected CSR positions.

    An itemset is held as ``positions``: for each basket containing it, where its last (largest)
    item sits in ``indices``, plus that basket's end. The items after each position are the
    possible extensions, counted together with one ``bincount``.
    """

    def __init__(
        self, indices: np.ndarray, n_items: int, min_count: int, max_len: int | None
    ) -> None:
        self.indices = indices
        self.n_items = n_items
        self.min_count = min_count
        self.max_len = max_len
        self.found: dict[tuple[int, ...], int] = {}

    def expand(self, itemset: tuple[int, ...], positions: np.ndarray, ends: np.ndarray) -> None:
        if self.max_len is not None and len(itemset) >= self.max_len:
            return
        lengths = ends - positions - 1
        has_more = lengths > 0
        if not has_more.all():
            positions, ends, lengths = positions[has_more], ends[has_more], lengths[has_more]
        total = int(lengths.sum())
        if total < self.min_count:
            return
        # Positions following each itemset position, up to its basket's end.
        offsets = np.cumsum(lengths) - lengths
        following = np.arange(total, dtype=positions.dtype)
        following += np.repeat(positions + 1 - offsets.astype(positions.dtype), lengths)
        items = self.indices[following]
        counts = np.bincount(items, minlength=self.n_items)
        extensions = np.flatnonzero(counts >= self.min_count)
        if len(extensions) == 0:
            return
        for item in extensions:
            self.found[(*itemset, int(item))] = int(counts[item])
        if self.max_len is not None and len(itemset) + 1 >= self.max_len:
            return
        wanted = np.zeros(self.n_items, dtype=bool)
        wanted[extensions] = True
        mask = wanted[items]
        items = items[mask]
        order = np.argsort(
            items.astype(np.uint16 if self.n_items < 65536 else np.int64), kind="stable"
        )
        child_positions = following[mask][order]
        child_ends = np.repeat(ends, lengths)[mask][order]
        bounds = np.concatenate(([0], np.cumsum(counts[extensions])))
        for k, item in enumerate(extensions):
            lo, hi = bounds[k], bounds[k + 1]
            self.expand((*itemset, int(item)), child_positions[lo:hi], child_ends[lo:hi])


# --- rules ------------------------------------------------------------------------------


def _rules_from_itemsets(
    itemsets: dict[tuple[int, ...], int],
    n_baskets: int,
    min_confidence: float,
    labels: pl.Series,
) -> pl.DataFrame:
    antecedents: list[tuple[int, ...]] = []
    consequents: list[tuple[int, ...]] = []
    both_counts: list[int] = []
    for itemset, count in itemsets.items():
        size = len(itemset)
        if size < 2:
            continue
        for k in range(1, size):
            for ante in combinations(itemset, k):
                antecedents.append(ante)
                consequents.append(tuple(i for i in itemset if i not in ante))
                both_counts.append(count)

    n = float(n_baskets)
    # Same float operations as mlxtend, so that ">= min_confidence" decides the same way.
    s_ac = np.asarray(both_counts, dtype=np.int64) / n
    s_a = np.fromiter((itemsets[a] for a in antecedents), np.int64, len(antecedents)) / n
    s_c = np.fromiter((itemsets[c] for c in consequents), np.int64, len(consequents)) / n
    confidence = s_ac / s_a
    passed = np.flatnonzero(confidence >= min_confidence)

    s_ac, s_a, s_c, confidence = s_ac[passed], s_a[passed], s_c[passed], confidence[passed]
    lift = confidence / s_c
    leverage = s_ac - s_a * s_c
    conviction = np.full(len(passed), np.inf)
    below_one = confidence < 1.0
    conviction[below_one] = (1.0 - s_c[below_one]) / (1.0 - confidence[below_one])

    order = np.lexsort((np.arange(len(passed)), -s_ac, -confidence, -lift))
    passed, s_ac, s_a, s_c = passed[order], s_ac[order], s_a[order], s_c[order]
    confidence, lift = confidence[order], lift[order]
    leverage, conviction = leverage[order], conviction[order]

    item_type = pl.List(labels.dtype if len(labels) else pl.String)
    values = labels.to_list()
    ante_lists = [[values[i] for i in antecedents[j]] for j in passed.tolist()]
    cons_lists = [[values[i] for i in consequents[j]] for j in passed.tolist()]
    return pl.DataFrame(
        {
            "antecedents": pl.Series(ante_lists, dtype=item_type),
            "consequents": pl.Series(cons_lists, dtype=item_type),
            "antecedent_support": s_a,
            "consequent_support": s_c,
            "support": s_ac,
            "confidence": confidence,
            "lift": lift,
            "leverage": leverage,
            "conviction": conviction,
        }
    )
