"""Benchmark Guanxi's CLV engine against lifetimes 0.11.3 on simulated data (fixed seeds).

    .venv/bin/python benchmarks/bench_clv.py [--customers N] [--transactions N] [--output PATH]

1. RFM summary of a transaction log: ``summarize`` vs ``summary_data_from_transaction_data``.
2. BG/NBD fit + ``expected_purchases(30 days)`` + ``p_alive`` vs ``BetaGeoFitter``, on
   day-resolution histories (as a summary produces them) and on continuous-time histories
   (every customer distinct, so nothing is gained from grouping identical histories).
3. Gamma-Gamma fit + ``expected_spend`` vs ``GammaGammaFitter``.

Both libraries get their native input (numpy arrays for ours, a pandas DataFrame or arrays for
lifetimes); building the inputs is not timed. lifetimes runs once (it is slow); ours runs once
cold and three more times, and the median of those is reported. Outputs are checked to agree.
Prints a markdown report and writes it to benchmarks/results/clv.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT / "src", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import scipy  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)

import lifetimes  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402
from tests.analytics.engine.simulate import (  # noqa: E402
    CDNOW_BGNBD,
    CDNOW_GAMMA_GAMMA,
    bgnbd_histories,
    gamma_gamma_spend,
    transactions,
)

from guanxi.analytics.engine.clv import BetaGeoModel, GammaGammaModel  # noqa: E402
from guanxi.analytics.engine.summary import summarize  # noqa: E402

SEED = 20240601
# CDNOW's alpha is per week; the benchmark's histories are in days.
DAILY_BGNBD = CDNOW_BGNBD | {"alpha": CDNOW_BGNBD["alpha"] * 7}


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def ours_timed(function: Callable[[], Any], repeats: int = 3) -> tuple[float, float, Any]:
    """(cold seconds, median of ``repeats`` warm runs, result)."""
    cold, result = timed(function)
    warm = [timed(function)[0] for _ in range(repeats)]
    return cold, statistics.median(warm), result


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def bench_summary(n_transactions: int, n_customers: int) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    ids, dates, amounts = transactions(rng, n_transactions, n_customers)
    end = np.datetime64("2023-06-30")  # the last half year of the log is dropped
    cold, warm, ours = ours_timed(lambda: summarize(ids, dates, amounts, end, period="D"))
    frame = pd.DataFrame({"customer_id": ids, "date": dates, "amount": amounts})
    theirs_seconds, theirs = timed(
        lambda: summary_data_from_transaction_data(
            frame,
            "customer_id",
            "date",
            monetary_value_col="amount",
            observation_period_end=pd.Timestamp(end),
            freq="D",
        )
    )
    assert ours["customer_id"].to_list() == theirs.index.to_list()
    worst = max(
        float(np.max(np.abs(ours[c].to_numpy() - theirs[c].to_numpy())))
        for c in ["frequency", "recency", "T", "monetary_value"]
    )
    return {
        "name": f"summary, {n_transactions:,} transactions, {ours.height:,} customers",
        "cold": cold,
        "ours": warm,
        "theirs": theirs_seconds,
        "agreement": f"identical ids; max abs difference {worst:.1e}",
    }


def bgnbd_data(n: int, continuous: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED + int(continuous))
    age = rng.integers(1, 3 * 365, n).astype(np.float64)
    if continuous:
        age += rng.uniform(0, 1, n)
    x, recency, age = bgnbd_histories(rng, n, **DAILY_BGNBD, T=age)
    if not continuous:
        recency = np.floor(recency)
    return x, recency, age


def bench_bgnbd(n: int, continuous: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    x, recency, age = bgnbd_data(n, continuous)

    def ours_run() -> tuple[BetaGeoModel, np.ndarray, np.ndarray]:
        model = BetaGeoModel().fit(x, recency, age)
        return (
            model,
            model.expected_purchases(30.0, x, recency, age),
            model.p_alive(x, recency, age),
        )

    def theirs_run() -> tuple[Any, np.ndarray, np.ndarray]:
        fitter = lifetimes.BetaGeoFitter().fit(x, recency, age)
        purchases = fitter.conditional_expected_number_of_purchases_up_to_time(
            30.0, x, recency, age
        )
        return fitter, np.asarray(purchases), fitter.conditional_probability_alive(x, recency, age)

    cold, warm, (model, purchases, alive) = ours_timed(ours_run)
    theirs_seconds, (fitter, their_purchases, their_alive) = timed(theirs_run)
    kind = "continuous-time" if continuous else "day-resolution"
    params = {
        name: (model.params_[name], float(fitter.params_[name]), DAILY_BGNBD[name])
        for name in ["r", "alpha", "a", "b"]
    }
    worst_param = max(abs(o / t - 1) for o, t, _ in params.values())
    worst_purchases = float(np.max(np.abs(purchases - their_purchases) / their_purchases))
    worst_alive = float(np.max(np.abs(alive - their_alive)))
    row = {
        "name": f"BG/NBD fit + expected_purchases + p_alive, {n:,} {kind} customers",
        "cold": cold,
        "ours": warm,
        "theirs": theirs_seconds,
        "agreement": (
            f"params max rel diff {worst_param:.1e}; expected purchases {worst_purchases:.1e} "
            f"(rel); p_alive {worst_alive:.1e} (abs)"
        ),
    }
    return row, {"kind": kind, "params": params}


def bench_gamma_gamma(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    x, _, _ = bgnbd_data(n, continuous=False)
    spend = np.round(gamma_gamma_spend(np.random.default_rng(SEED + 2), x, **CDNOW_GAMMA_GAMMA), 2)
    spend[(x > 0) & (spend <= 0)] = 0.01
    repeat = x > 0

    def ours_run() -> tuple[GammaGammaModel, np.ndarray]:
        model = GammaGammaModel().fit(x, spend)
        return model, model.expected_spend(x, spend)

    def theirs_run() -> tuple[Any, np.ndarray]:
        fitter = lifetimes.GammaGammaFitter().fit(x[repeat], spend[repeat])
        return fitter, np.asarray(fitter.conditional_expected_average_profit(x, spend))

    cold, warm, (model, expected) = ours_timed(ours_run)
    theirs_seconds, (fitter, their_expected) = timed(theirs_run)
    params = {
        name: (model.params_[name], float(fitter.params_[name]), CDNOW_GAMMA_GAMMA[name])
        for name in ["p", "q", "v"]
    }
    worst_param = max(abs(o / t - 1) for o, t, _ in params.values())
    worst_spend = float(np.max(np.abs(expected / their_expected - 1)))
    row = {
        "name": f"Gamma-Gamma fit + expected_spend, {int(repeat.sum()):,} repeat customers",
        "cold": cold,
        "ours": warm,
        "theirs": theirs_seconds,
        "agreement": f"params max rel diff {worst_param:.1e}; expected spend {worst_spend:.1e}",
    }
    return row, {"kind": "Gamma-Gamma", "params": params}


def machine() -> str:
    memory = "unknown memory"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f"{total_kib / 2**20:.0f} GiB"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {memory}, {platform.system()} {platform.machine()}; "
        f"load average at the end of the run {load} (other jobs share the machine)"
    )


def report(rows: list[dict[str, Any]], parameter_sets: list[dict[str, Any]]) -> str:
    lines = [
        "# CLV engine benchmark: Guanxi vs lifetimes",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {machine()}",
        f"- Python {platform.python_version()}; numpy {np.__version__}, scipy {scipy.__version__}, "
        f"polars {pl.__version__}, pandas {pd.__version__}, lifetimes {lifetimes.__version__}",
        f"- command: `.venv/bin/python benchmarks/bench_clv.py {' '.join(sys.argv[1:])}`".rstrip(),
        "- simulated data, fixed seeds; ours = median of 3 warm runs (cold first run shown too); "
        "lifetimes = one run. Input building is not timed.",
        "",
        "| task | ours (warm) | ours (cold) | lifetimes | speed-up (warm / cold) | agreement |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {seconds(row['ours'])} | {seconds(row['cold'])} | "
            f"{seconds(row['theirs'])} | {row['theirs'] / row['ours']:.1f}x / "
            f"{row['theirs'] / row['cold']:.1f}x | {row['agreement']} |"
        )
    for parameters in parameter_sets:
        lines += [
            "",
            f"**Parameters, {parameters['kind']}**",
            "",
            "| parameter | ours | lifetimes | relative difference | simulated from |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, (ours, theirs, truth) in parameters["params"].items():
            lines.append(
                f"| {name} | {ours:.6g} | {theirs:.6g} | {abs(ours / theirs - 1):.1e} | {truth:g} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "clv.md")
    args = parser.parse_args()

    rows, parameter_sets = [], []
    print("summary ...", flush=True)
    rows.append(bench_summary(args.transactions, max(args.transactions // 10, 1)))
    for continuous in (False, True):
        print(f"BG/NBD ({'continuous' if continuous else 'daily'}) ...", flush=True)
        row, parameters = bench_bgnbd(args.customers, continuous)
        rows.append(row)
        parameter_sets.append(parameters)
    print("Gamma-Gamma ...", flush=True)
    row, parameters = bench_gamma_gamma(args.customers)
    rows.append(row)
    parameter_sets.append(parameters)

    text = report(rows, parameter_sets)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
