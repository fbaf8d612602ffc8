"""Notebook 02's forecast tables and its forecast chart, built from a run
(:class:`~trustlab.promotion.analysis.PromotionRun`) so the notebook only shows them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab.promotion.analysis import METHOD_LABELS
from trustlab.promotion.backtest import Backtest
from trustlab.promotion.forecast import BENCHMARKS, METHODS

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.promotion.analysis import PromotionRun

SHORT_LABELS = {
    "model": "model",
    "naive": "naive",
    "drift": "drift",
    "seasonal_naive": "seasonal naive",
    "seasonal_naive_growth": "seasonal naive x growth",
}


def method_table(backtests: Mapping[str, Backtest], headline: str | None = None) -> pd.DataFrame:
    """One row per method: MAPE (fraction), MASE, interval coverage (NaN without intervals), and,
    given ``headline``, which method the headline forecast uses."""
    table = pd.DataFrame(
        {
            "method": [METHOD_LABELS[m] for m in METHODS],
            "MAPE": [backtests[m].mape for m in METHODS],
            "MASE": [backtests[m].mase for m in METHODS],
            "interval coverage": [backtests[m].coverage for m in METHODS],
        }
    )
    if headline is not None:
        table["headline"] = ["yes" if m == headline else "" for m in METHODS]
    return table


def errors_by_horizon(backtests: Mapping[str, Backtest], error: str) -> pd.DataFrame:
    """``error`` ("mape" or "mase") of every method by horizon: column "quarters ahead", then one per method."""
    by_h = pd.concat({SHORT_LABELS[m]: backtests[m].errors.set_index("horizon")[error] for m in METHODS}, axis=1)
    return by_h.reset_index().rename(columns={"horizon": "quarters ahead"})


def holdout_table(run: PromotionRun) -> pd.DataFrame:
    """Every method's forecast from train_end (GMV, RMB bn), the model's interval, and the value reported later."""
    model = run.params["model"]
    columns = {"model": f"model ({model})", "model_lower": "lower", "model_upper": "upper", "actual_status": "status"}
    columns |= {b: SHORT_LABELS[b] for b in BENCHMARKS}
    table = run.holdout.rename(columns=columns)
    table.insert(0, "quarter", table.index.astype(str))
    return table.reset_index(drop=True)


def holdout_scores(results: Mapping[str, Any]) -> pd.DataFrame:
    """The holdout's MAPE, MASE and (for the model) interval coverage per method."""
    return pd.DataFrame(
        {
            "method": [METHOD_LABELS[m] for m in METHODS],
            "MAPE": [results["holdout_mape"][m] for m in METHODS],
            "MASE": [results["holdout_mase"][m] for m in METHODS],
            "interval coverage": [results["holdout_coverage"] if m == "model" else None for m in METHODS],
            "headline": ["yes" if m == results["headline_method"] else "" for m in METHODS],
        }
    )


def draw_forecasts(ax: Any, run: PromotionRun) -> None:
    """The reported GMV, what the methods saw, every method's forecast from train_end (the model's with
    its interval when its fit can be used) and the train_end line, on ``ax``."""
    from trustlab import plots, prose

    p, gmv, holdout = run.params, run.gmv, run.holdout
    headline = run.results["headline_method"]
    train_end = pd.Period(p["train_end"], "Q")
    # the reported series with its gaps: NaN breaks the line, so a missing quarter shows as a gap
    ax.plot(gmv.index.to_timestamp(), gmv.to_numpy(dtype=float), marker="o", color="0.3", label="GMV reported (gaps not drawn)")
    seen = gmv.loc[:train_end].dropna()
    ax.plot(seen.index.to_timestamp(), seen.to_numpy(dtype=float), "o", color="C0", label=f"seen by the methods (to {train_end})")
    tx = holdout.index.to_timestamp()
    tag = {m: " (headline)" if m == headline else "" for m in METHODS}
    if run.forecast is not None and run.forecast.converged:
        ax.plot(tx, holdout["model"], marker="s", color="C1", label=f"model ({p['model']}){tag['model']}")
        label = f"model's {prose.percent(1 - p['alpha'], 0)} interval"
        plots.shaded_interval(ax, tx, holdout["model_lower"], holdout["model_upper"], label=label, color="C1")
    styles = {
        "naive": ("-.", "x", "C4"),
        "drift": ("-.", "+", "C5"),
        "seasonal_naive": ("--", "v", "C3"),
        "seasonal_naive_growth": (":", "^", "C2"),
    }
    for b in BENCHMARKS:
        ls, marker, color = styles[b]
        ax.plot(tx, holdout[b].to_numpy(dtype=float), ls=ls, marker=marker, color=color, label=f"{SHORT_LABELS[b]}{tag[b]}")
    ax.axvline(train_end.to_timestamp(how="end"), color="0.5", ls="--", lw=1)
    ax.set_ylabel("GMV per quarter (RMB bn)")
    ax.set_xlabel("quarter")
    ax.set_title(f"Forecasts from data up to {train_end} against what was reported")
    ax.legend(loc="upper left", fontsize="small")


__all__ = ["SHORT_LABELS", "draw_forecasts", "errors_by_horizon", "holdout_scores", "holdout_table", "method_table"]
