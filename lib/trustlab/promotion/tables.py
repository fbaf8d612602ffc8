"""Notebook 02's tables, built from a run (:class:`~trustlab.promotion.analysis.PromotionRun`) or
its parts, and the number formats they are shown with (``*_FORMATS``, for
:func:`trustlab.tables_display.show`), so the notebook only shows them. Its figures are in
:mod:`trustlab.promotion.figures`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab import tables_display
from trustlab.promotion.analysis import METHOD_LABELS
from trustlab.promotion.backtest import Backtest
from trustlab.promotion.effects import EffectSpecifications
from trustlab.promotion.effects_narrative import signed_percent_off_zero
from trustlab.promotion.forecast import BENCHMARKS, METHODS, SeasonalDecomposition, gmv_per_dau, yoy_growth
from trustlab.promotion.growth import FastBrandFunnel, decomposition_table

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.promotion.analysis import PromotionRun

SHORT_LABELS = {
    "model": "model",
    "naive": "naive",
    "drift": "drift",
    "seasonal_naive": "seasonal naive",
    "seasonal_naive_growth": "seasonal naive x growth",
}
# The festival figures of data/facts.csv the Data section lists, in this order.
FESTIVAL_FACT_IDS = (
    "promo_brand_merchant_gmv_growth_616_2022",
    "promo_merchant_multiple_616_vs_116",
    "fastbrand_orders_616_2022",
    "fastbrand_room_views_616_2022",
    "fastbrand_rooms_over_10m_616_2022",
    "fastbrand_room_sales_threshold_616_2022",
    "fastbrand_sales_growth_616_2022",
    "fastbrand_repurchase_rate_max_616_2022",
    "rights_trust_buy_orders_2021",
    "rights_trust_buy_orders_616_2022",
)
# Alternative assumptions of the growth decomposition's grid (the parameters' values join them).
GRID_GMV_GROWTHS = (2.0, 3.0, 4.0, 6.0)
GRID_MERCHANT_MULTIPLES = (2.0, 4.0, 6.15, 10.0)
# Average order values (RMB) at which the top rooms' minimum share of fast-brand GMV is shown.
ORDER_VALUES_RMB = (40.0, 50.0, 70.0, 100.0, 120.0)
TOP_ROOMS_SHARE = "top rooms' minimum share of fast-brand GMV"
# The quarter-against-quarter contrasts section 7 shows: 616 (Q2) against each other quarter, Double 11 (Q4) against Q1 and Q3.
SHOWN_CONTRASTS = (("Q2", "Q1"), ("Q2", "Q3"), ("Q2", "Q4"), ("Q4", "Q1"), ("Q4", "Q3"))


def _coverage_cell(value: Any) -> str:
    return "n/a" if tables_display.is_missing(value) else f"{value:.0%}"


METHOD_TABLE_FORMATS: dict[str, Any] = {"MASE": "{:.2f}", "interval coverage": _coverage_cell}
TRUST_BUY_FORMATS = {"orders": "{:,.0f}", "orders_per_day": "{:,.0f}", "ratio_to_2021": "{:.2f}"}
PER_USER_FORMATS = {
    "GMV (RMB bn)": "{:,.1f}",
    "YoY GMV growth": "{:+.1%}",
    "DAU (m)": "{:,.1f}",
    "GMV per DAU (RMB/quarter)": "{:,.0f}",
    "YoY GMV per DAU": "{:+.1%}",
}
SPECIFICATION_FORMATS: dict[str, Any] = {"bic": "{:.1f}", "durbin_watson": "{:.2f}"} | {
    f"{q} vs {a}{suffix}": ("{:.3g}" if suffix else signed_percent_off_zero) for q, a in SHOWN_CONTRASTS for suffix in ("", " p")
}
EFFECTS_FORMATS: dict[str, Any] = {
    c: signed_percent_off_zero for c in ("effect", "lower", "upper", "boot_lower", "boot_upper")
} | {"p_value": "{:.3g}"}


def festival_facts_table(facts: pd.DataFrame) -> pd.DataFrame:
    """The festival figures (:data:`FESTIVAL_FACT_IDS`) of ``facts`` (``data/facts.csv`` as loaded): id,
    value (as text), unit, qualifier, dated period and the verbatim quote."""
    columns = ["value", "unit", "qualifier", "period_start", "period_end", "quote"]
    return facts.set_index("fact_id").loc[list(FESTIVAL_FACT_IDS), columns].reset_index()


def quarterly_table(quarterly_frame: pd.DataFrame) -> pd.DataFrame:
    """The quarterly data (long, as loaded) with one row per quarter and each cell ``value (status)``."""
    from trustlab.data import quarterly

    return quarterly.wide_with_status(quarterly_frame).rename_axis("quarter").reset_index().astype({"quarter": str})


def decomposition_grid(gmv_growth: float, merchant_multiple: float) -> pd.DataFrame:
    """The implied change of GMV per merchant (fraction) for GMV growths (rows, the parameter's among
    :data:`GRID_GMV_GROWTHS`) by merchant multiples (columns "x8 merchants", ..., the parameter's among
    :data:`GRID_MERCHANT_MULTIPLES`)."""
    growths = sorted({*GRID_GMV_GROWTHS, float(gmv_growth)})
    multiples = sorted({*GRID_MERCHANT_MULTIPLES, float(merchant_multiple)})
    long = decomposition_table(growths, multiples)
    grid = long.pivot_table(index="gmv_growth", columns="merchant_multiple", values="per_merchant_change")
    grid.columns = [f"x{tables_display.format_number(m)} merchants" for m in grid.columns]
    return grid.rename_axis("GMV growth (fraction)").reset_index()


def order_value_table(funnel: FastBrandFunnel, order_values_rmb: tuple[float, ...] = ORDER_VALUES_RMB) -> pd.DataFrame:
    """The top rooms' minimum share of fast-brand GMV (may exceed 1) at each average order value (RMB)."""
    shares = [funnel.min_top_rooms_gmv_rmb / (funnel.orders * value) for value in order_values_rmb]
    return pd.DataFrame({"average order value, RMB": list(order_values_rmb), TOP_ROOMS_SHARE: shares})


def per_user_table(run: PromotionRun) -> pd.DataFrame:
    """Quarterly GMV (RMB bn) with its status and year-on-year growth, DAU (million), GMV per DAU (RMB
    per DAU per quarter) and its year-on-year growth; one row per quarter (column "quarter", text)."""
    from trustlab.data import quarterly

    gmv, dau = run.gmv, quarterly.wide(run.quarterly)["dau_m"]
    table = pd.DataFrame(
        {
            "GMV (RMB bn)": gmv,
            "GMV status": quarterly.wide_status(run.quarterly)["gmv_rmb_bn"],
            "YoY GMV growth": yoy_growth(gmv),
            "DAU (m)": dau,
            "GMV per DAU (RMB/quarter)": gmv_per_dau(gmv, dau),
            "YoY GMV per DAU": yoy_growth(gmv_per_dau(gmv, dau)),
        }
    )
    return table.rename_axis("quarter").reset_index().astype({"quarter": str})


def interpolation_table(decomposition: SeasonalDecomposition) -> pd.DataFrame:
    """The quarters the decomposition filled by interpolation (GMV, RMB bn, and the method), one row each."""
    filled = decomposition.filled
    return filled[filled["interpolated"]].rename_axis("quarter").reset_index().astype({"quarter": str})


def seasonal_factor_table(decomposition: SeasonalDecomposition) -> pd.DataFrame:
    """Each quarter of the year's seasonal factor (GMV as a multiple of the trend)."""
    return decomposition.seasonal_factors().rename("seasonal factor (x trend)").rename_axis("quarter").reset_index()


def specification_table(specs: EffectSpecifications) -> pd.DataFrame:
    """One row per trend of the quarter-effects regression: trend growth, BIC, Durbin-Watson, then each
    contrast of :data:`SHOWN_CONTRASTS` ("Q2 vs Q1", log points as a fraction) and its p-value ("Q2 vs Q1 p")."""
    shown = specs.contrasts.set_index(["quarter", "against"]).loc[list(SHOWN_CONTRASTS)].reset_index()
    shown["contrast"] = shown["quarter"] + " vs " + shown["against"]
    table = (
        specs.table.set_index("trend")[["growth", "bic", "durbin_watson"]]
        .join(shown.pivot(index="trend", columns="contrast", values="effect"))
        .join(shown.pivot(index="trend", columns="contrast", values="p_value").add_suffix(" p"))
    )
    return table.reset_index()


def effects_table(specs: EffectSpecifications) -> pd.DataFrame:
    """The contrasts of :data:`SHOWN_CONTRASTS` under the chosen trend: effect and its HAC interval
    (lower, upper), p-value, the bootstrap interval (boot_lower, boot_upper) and whether they agree."""
    effects = specs.effects.set_index(["quarter", "against"]).loc[list(SHOWN_CONTRASTS)].reset_index()
    return effects[["quarter", "against", "effect", "lower", "upper", "p_value", "boot_lower", "boot_upper", "agree"]]


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


__all__ = [
    "EFFECTS_FORMATS",
    "FESTIVAL_FACT_IDS",
    "METHOD_TABLE_FORMATS",
    "PER_USER_FORMATS",
    "SHORT_LABELS",
    "SHOWN_CONTRASTS",
    "SPECIFICATION_FORMATS",
    "TOP_ROOMS_SHARE",
    "TRUST_BUY_FORMATS",
    "decomposition_grid",
    "effects_table",
    "errors_by_horizon",
    "festival_facts_table",
    "holdout_scores",
    "holdout_table",
    "interpolation_table",
    "method_table",
    "order_value_table",
    "per_user_table",
    "quarterly_table",
    "seasonal_factor_table",
    "specification_table",
]
