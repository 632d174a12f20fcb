"""Shared input checks for the analytics engine.

Every public engine function turns its array-like arguments into numpy arrays or Polars Series
through these helpers, so that a bad input fails early with a ``ValueError`` that names the
argument and the problem ("recency_days contains 2 negative values", "monetary has 3 values but
customer_id has 4"), instead of an obscure error deep inside numpy or Polars.

Accepted array-likes: Python sequences, numpy arrays and Polars Series. Missing values may be
given as ``None`` (null) or ``NaN``; both count as missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import polars as pl

ArrayLike: TypeAlias = Sequence[Any] | np.ndarray | pl.Series

_EPOCH = dt.date(1970, 1, 1)


def _to_series(values: ArrayLike, name: str) -> pl.Series:
    if isinstance(values, pl.Series):
        return values
    if isinstance(values, pl.DataFrame):
        raise ValueError(
            f"{name} must be one-dimensional (a sequence, array or Series), got a DataFrame"
        )
    if isinstance(values, str | bytes) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be one-dimensional (a sequence, array or Series)")
    try:
        return pl.Series(name, values, strict=False)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise ValueError(f"{name} could not be read as a column: {exc}") from exc


def check_length(values: np.ndarray | pl.Series, name: str, n: int | None) -> None:
    """Raise if ``values`` does not have ``n`` entries (the number of customers)."""
    if n is not None and len(values) != n:
        raise ValueError(f"{name} has {len(values)} values but customer_id has {n}")


def customer_ids(customer_id: ArrayLike, *, unique: bool = True) -> pl.Series:
    """Return ``customer_id`` as a Polars Series named ``customer_id``.

    Parameters
    ----------
    customer_id : array-like
        Customer identifiers (integers or strings).
    unique : bool, default True
        Whether each identifier must appear once (per-customer inputs) or may repeat
        (transaction rows).

    Raises
    ------
    ValueError
        If the identifiers contain nulls, or duplicates when ``unique`` is true.
    """
    ids = _to_series(customer_id, "customer_id").alias("customer_id")
    if ids.null_count():
        raise ValueError(f"customer_id contains {ids.null_count()} missing values")
    if unique and ids.len() and ids.n_unique() != ids.len():
        raise ValueError(f"customer_id contains {ids.len() - ids.n_unique()} duplicate values")
    return ids


def numeric(
    values: ArrayLike,
    name: str,
    n: int | None = None,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    strictly_positive: bool = False,
    allow_missing: bool = False,
) -> np.ndarray:
    """Return ``values`` as a float64 numpy array after checking it.

    Parameters
    ----------
    values : array-like
        The column to check.
    name : str
        The argument name used in error messages.
    n : int, optional
        Required length (the number of customers).
    min_value, max_value : float, optional
        Inclusive bounds for the non-missing values.
    strictly_positive : bool, default False
        Require every non-missing value to be greater than zero.
    allow_missing : bool, default False
        Allow ``None`` / ``NaN`` entries; they are returned as ``NaN``.

    Raises
    ------
    ValueError
        If the values are not numeric, not finite, out of range, missing (unless allowed) or of
        the wrong length.
    """
    if isinstance(values, pl.Series):
        if not (values.dtype.is_numeric() or values.dtype in (pl.Boolean, pl.Null)):
            raise ValueError(f"{name} must be numeric, got {values.dtype}")
        arr = values.cast(pl.Float64).to_numpy()
    else:
        if isinstance(values, str | bytes) or np.ndim(values) != 1:
            raise ValueError(f"{name} must be one-dimensional (a sequence, array or Series)")
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric: {exc}") from exc
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    check_length(arr, name, n)
    missing = np.isnan(arr)
    if not allow_missing and missing.any():
        raise ValueError(f"{name} contains {int(missing.sum())} missing values (NaN or null)")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains {int(np.isinf(arr).sum())} infinite values")
    if strictly_positive and (bad := int((arr <= 0).sum())):
        raise ValueError(f"{name} must be greater than 0, but {bad} values are not")
    if min_value is not None and (bad := int((arr < min_value).sum())):
        what = "negative values" if min_value == 0 else f"values below {min_value:g}"
        raise ValueError(f"{name} contains {bad} {what}")
    if max_value is not None and (bad := int((arr > max_value).sum())):
        raise ValueError(f"{name} contains {bad} values above {max_value:g}")
    return arr


def dates(
    values: ArrayLike, name: str, n: int | None = None, *, allow_missing: bool = False
) -> pl.Series:
    """Return ``values`` as a Polars ``Date`` Series named ``name``.

    Datetimes are truncated to their (local, if time-zone aware) calendar date.

    Raises
    ------
    ValueError
        If the values are not dates, are missing (unless allowed) or have the wrong length.
    """
    s = _to_series(values, name).alias(name)
    if s.dtype == pl.Null:
        s = s.cast(pl.Date)
    elif isinstance(s.dtype, pl.Datetime):
        s = s.dt.date()
    elif s.dtype != pl.Date:
        raise ValueError(f"{name} must contain dates, got {s.dtype}")
    check_length(s, name, n)
    if not allow_missing and s.null_count():
        raise ValueError(f"{name} contains {s.null_count()} missing values")
    return s


def day_numbers(
    values: ArrayLike, name: str, n: int | None = None, *, allow_missing: bool = False
) -> np.ndarray:
    """Return dates as float64 day numbers since 1970-01-01 (``NaN`` where missing)."""
    s = dates(values, name, n, allow_missing=allow_missing)
    return s.cast(pl.Int32).cast(pl.Float64).to_numpy()


def day_number(value: dt.date, name: str) -> int:
    """Return one date (or datetime, taken in its own time zone) as days since 1970-01-01."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValueError(f"{name} must be a date, got {type(value).__name__}")
    return (value - _EPOCH).days


def positive(value: float, name: str) -> float:
    """Check a scalar parameter is a finite number greater than zero."""
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value!r}")
    return float(value)


def fraction(value: float, name: str, *, open_interval: bool = True) -> float:
    """Check a scalar parameter lies in (0, 1) (or [0, 1] when ``open_interval`` is false)."""
    ok = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not np.isfinite(value) or not ok:
        bounds = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return float(value)


def labels(codes: np.ndarray, names: Sequence[str], name: str) -> pl.Series:
    """Map integer codes ``0..len(names)-1`` to a String Series of ``names`` (vectorised)."""
    return pl.Series(name, codes, dtype=pl.Int64).replace_strict(
        dict(enumerate(names)), return_dtype=pl.String
    )
