"""Notebook 02's figures, each drawn on a matplotlib ``Axes`` from a run
(:class:`~trustlab.promotion.analysis.PromotionRun`) or its parts, so that the notebook only makes the
figure, captions it with its source (:data:`QUARTERLY_SOURCE`) and shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from trustlab.promotion.forecast import BENCHMARKS, METHODS, SeasonalDecomposition
from trustlab.promotion.tables import SHORT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.promotion.analysis import PromotionRun

QUARTERLY_SOURCE = "Kuaishou results releases and reposts, via data/kuaishou_quarterly.csv (status per value)"


def draw_seasonal_decomposition(ax: Any, decomposition: SeasonalDecomposition) -> None:
    """GMV per quarter (RMB bn, gaps filled and the filled quarters circled), with the trend of the
    decomposition (its centred 4-quarter moving average of log GMV, back on the RMB bn scale), on ``ax``."""
    filled = decomposition.filled
    x = filled.index.to_timestamp()
    ax.plot(x, filled["value"], marker="o", label="GMV (observed)")
    ax.plot(x, np.exp(decomposition.trend), label="trend (centred 4-quarter moving average)")
    interpolated = filled[filled["interpolated"]]
    ax.scatter(
        interpolated.index.to_timestamp(),
        interpolated["value"],
        s=90,
        facecolors="none",
        edgecolors="red",
        zorder=5,
        label="interpolated (" + ", ".join(interpolated["method"].unique()) + ")",
    )
    ax.set_ylabel("GMV per quarter (RMB bn)")
    ax.set_xlabel("quarter")
    ax.set_title("Kuaishou e-commerce GMV: level, trend and the Q4 peak")
    ax.legend()


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


def draw_effects(ax: Any, effects: pd.DataFrame, trend: str) -> None:
    """Each quarter-against-quarter contrast of ``effects`` (columns quarter, against, effect, lower,
    upper, boot_lower, boot_upper: log-point fractions, as :func:`~trustlab.promotion.tables.effects_table`
    gives them) in percent, with its HAC interval and its bootstrap interval side by side, on ``ax``;
    ``trend`` names the trend of the specification."""
    x = np.arange(len(effects))
    effect = effects["effect"] * 100
    for shift, (lower, upper), marker, label in (
        (-0.1, ("lower", "upper"), "o", "HAC (Newey-West), t"),
        (0.1, ("boot_lower", "boot_upper"), "s", "moving-block bootstrap"),
    ):
        below = (effects["effect"] - effects[lower]) * 100
        above = (effects[upper] - effects["effect"]) * 100
        ax.errorbar(x + shift, effect, yerr=[below, above], fmt=marker, capsize=6, label=label)
    ax.set_xticks(x, effects["quarter"] + " vs " + effects["against"])
    ax.axhline(0, color="0.5", lw=1)
    ax.set_ylabel("GMV difference after trend (%)")
    ax.set_xlabel("quarter against quarter (Q2: 616, Q4: Double 11 / 116)")
    ax.set_title(f"Seasonal GMV contrasts ({trend} trend) with 95 % intervals")
    ax.legend()


__all__ = ["QUARTERLY_SOURCE", "draw_effects", "draw_forecasts", "draw_seasonal_decomposition"]
