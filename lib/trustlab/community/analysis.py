"""Notebook ``04_community_trust`` from its parameters: the data it reads (:func:`load_inputs`) and
the one orchestration :func:`run` (the fast path of ``trustlab sweep --fast``) that computes every
recorded result.

Loaders are looked up on their modules when called (not bound at import), so a test that patches a
loader changes what :func:`run` reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from trustlab import prose
from trustlab.community import growth, rights
from trustlab.community.parameters import Parameters

# The article's figures this notebook tests (data/facts.csv)
TRUST_BUY_ORDERS_2021 = "rights_trust_buy_orders_2021"
TRUST_BUY_ORDERS_616 = "rights_trust_buy_orders_616_2022"
TRUST_BUY_LAUNCH = "rights_trust_buy_launch_2021"
TRUST_CARD_LAUNCH = "rights_trust_card_launch_2021"
MUTUAL_FOLLOW_PAIRS_2022Q1 = "community_mutual_follow_pairs_2022q1"

# 2021Q4 GMV is the full-year total (6800亿元, given to the nearest 100亿 = RMB 10 bn) minus Q1-Q3, so it
# is known to within half that step (data/README.md, kuaishou_quarterly.csv).
Q4_2021_GMV_ROUNDING_RMB = 5e9

# Repurchase figures of data/trust_report_2021.csv: metric -> (label, kind)
REPURCHASE_REPORT_METRICS = {
    "repurchase_rate": ("repurchase rate, September 2021 (more than 70%)", "level"),
    "repurchase_rate_change_new_users": ("change of new users' repurchase rate (+10%)", "change"),
    "repurchase_rate_change_trust_stores": ("change of the repurchase rate of stores with trust rights (+20%)", "change"),
}


@dataclass(frozen=True)
class Inputs:
    """What notebook 04 reads, loaded with its ``include_secondary_sources``: the quarterly table in
    wide form (values and status codes), the community series, the trust report, the article's
    facts and the annual figures."""

    values: pd.DataFrame
    status: pd.DataFrame
    community: pd.DataFrame
    trust_report: pd.DataFrame
    facts: pd.DataFrame
    annual: pd.DataFrame


def load_inputs(include_secondary: bool = True) -> Inputs:
    """Every table of notebook 04 (see :class:`Inputs`); ``include_secondary=False`` leaves out the
    V-2 and D-2 rows of the public figures (the article's own facts are what is tested, so they stay)."""
    from trustlab.data import annual, community, facts, quarterly, trust_report

    table = quarterly.load_quarterly(include_secondary=include_secondary)
    return Inputs(
        values=quarterly.wide(table),
        status=quarterly.wide_status(table),
        community=community.load_community(include_secondary=include_secondary),
        trust_report=trust_report.load_trust_report(include_secondary=include_secondary),
        facts=facts.load_facts(),
        annual=annual.load_annual(include_secondary=include_secondary),
    )


def quarter_gmv_rmb(inputs: Inputs, quarter: str) -> float | None:
    """GMV of ``quarter`` in RMB, or None when the data (as loaded) have none."""
    period = pd.Period(quarter, freq="Q")
    if period not in inputs.values.index:
        return None
    value = inputs.values.at[period, "gmv_rmb_bn"]
    return None if pd.isna(value) else float(value) * 1e9


def year_gmv_rmb(inputs: Inputs, year: int) -> tuple[float | None, str]:
    """GMV of calendar ``year`` in RMB and where it comes from: the annual figure when loaded, else
    the sum of the four quarters when all are, else None."""
    from trustlab.data.annual import annual_value

    total = annual_value(inputs.annual, "ecommerce_gmv", year)
    if total is not None:
        return total, "reported for the full year in data/kuaishou_annual.csv"
    quarters = [quarter_gmv_rmb(inputs, f"{year}Q{q}") for q in range(1, 5)]
    if all(q is not None for q in quarters):
        return sum(q for q in quarters if q is not None), f"the sum of {year}'s four quarters"
    return None, ""


def repurchase_figures(inputs: Inputs) -> list[rights.RepurchaseFigure]:
    """The published repurchase figures as loaded: the trust report's (September 2021 rate, the
    changes for new users and trust stores) and the quarterly change of data/kuaishou_community.csv."""
    figures = []
    report = inputs.trust_report
    for metric, (label, kind) in REPURCHASE_REPORT_METRICS.items():
        rows = report[report["metric"] == metric]
        for row in rows.itertuples():
            figures.append(
                rights.RepurchaseFigure(label, kind, row.period_start.date(), row.period_end.date(), None, str(row.status))
            )
    rows = inputs.community[inputs.community["metric"] == "repurchase_rate_yoy_pp"]
    for row in rows.itertuples():
        quarter = pd.Period(row.quarter, freq="Q")
        # a change on the same quarter a year earlier spans both quarters
        figures.append(
            rights.RepurchaseFigure(
                f"change of the repeat-purchase rate, {row.quarter} on a year earlier (more than {row.value:g} points)",
                "change",
                (quarter - 4).start_time.date(),
                quarter.end_time.date(),
                None,
                str(row.status),
            )
        )
    return figures


def launch_date(inputs: Inputs) -> date:
    """The month 信任購 launched (the article's date fact; November 2021 stands as its first day)."""
    from trustlab.data.facts import fact_row

    return date.fromisoformat(str(fact_row(inputs.facts, TRUST_BUY_LAUNCH)["value"]))


def repurchase_overview(inputs: Inputs) -> pd.DataFrame:
    """The repurchase figures as loaded (:func:`rights.repurchase_table`), each placed against the launch."""
    return rights.repurchase_table(repurchase_figures(inputs), launch_date(inputs))


def _fit_results(prefix: str, fit: growth.SlopeFit) -> dict[str, Any]:
    return {
        f"{prefix}slope": fit.slope,
        f"{prefix}slope_lower": fit.lower,
        f"{prefix}slope_upper": fit.upper,
        f"{prefix}slope_p_value": fit.p_value,
        f"{prefix}growth_correlation": fit.correlation,
    }


def growth_fit(pairs: pd.DataFrame, alpha: float, min_pairs: int) -> growth.SlopeFit:
    """The slope of GMV-per-DAU growth on time-per-DAU growth over ``pairs`` (rows of
    :func:`growth.year_on_year` with both known), refused below ``min_pairs`` pairs."""
    n = len(pairs)
    if n < min_pairs:
        return growth.SlopeFit(n, None, None, None, None, None, f"{prose.count(n, 'pair')}, fewer than min_pairs = {min_pairs}")
    return growth.fit_slope(pairs["time_per_dau"].to_numpy(), pairs["gmv_per_dau"].to_numpy(), alpha)


def _coverage_results(inputs: Inputs, order_value: float) -> dict[str, Any]:
    from trustlab.data.facts import fact_row, fact_value

    covered_2021 = fact_value(inputs.facts, TRUST_BUY_ORDERS_2021)
    launch = launch_date(inputs)
    out: dict[str, Any] = {"trust_buy_orders_2021": covered_2021, "trust_buy_launch": launch.isoformat()}
    gmv_2021, basis = year_gmv_rmb(inputs, 2021)
    year = rights.coverage("2021", covered_2021, gmv_2021, order_value) if gmv_2021 else None
    out.update(
        gmv_2021_rmb=gmv_2021,
        gmv_2021_basis=basis,
        orders_2021_implied=year.orders if year else None,
        trust_buy_share_2021=year.share if year else None,
        breakeven_order_value_2021=year.breakeven_order_value_rmb if year else None,
    )
    q4 = quarter_gmv_rmb(inputs, "2021Q4")
    since, bounds = None, None
    if q4 is not None:

        def since_launch(gmv_q4: float) -> rights.Coverage:
            gmv = rights.window_gmv(gmv_q4, pd.Period("2021Q4", freq="Q"), launch, date(2021, 12, 31))
            return rights.coverage("since launch", covered_2021, gmv, order_value)

        since = since_launch(q4)
        high, low = (since_launch(q4 + sign * Q4_2021_GMV_ROUNDING_RMB).share for sign in (-1, 1))
        bounds = [low, high]
    out.update(
        trust_buy_share_since_launch=since.share if since else None,
        trust_buy_share_since_launch_bounds=bounds,
        breakeven_order_value_since_launch=since.breakeven_order_value_rmb if since else None,
    )
    festival = fact_row(inputs.facts, TRUST_BUY_ORDERS_616)
    start, end = date.fromisoformat(festival["period_start"]), date.fromisoformat(festival["period_end"])
    quarter = pd.Period(start, freq="Q")
    q_gmv = quarter_gmv_rmb(inputs, str(quarter))
    fest = None
    if q_gmv is not None:
        fest = rights.coverage("616", float(festival["number"]), rights.window_gmv(q_gmv, quarter, start, end), order_value)
    out.update(
        trust_buy_orders_616=float(festival["number"]),
        festival_days=(end - start).days + 1,
        trust_buy_share_616=fest.share if fest else None,
        breakeven_order_value_616=fest.breakeven_order_value_rmb if fest else None,
    )
    return out


def _mutual_follow_results(inputs: Inputs, min_pairs: int) -> dict[str, Any]:
    from trustlab.data import community

    growth_series = community.series(inputs.community, "mutual_follow_pairs_yoy_pct")
    levels = community.series(inputs.community, "mutual_follow_pairs_bn")
    cagr = None
    if len(levels) >= 2:
        years = (levels.index[-1] - levels.index[0]).n / 4
        cagr = (levels.iloc[-1] / levels.iloc[0]) ** (1 / years) - 1
    return {
        "mutual_follow_growth_quarters": len(growth_series),
        "mutual_follow_growth": {str(q): v / 100 for q, v in growth_series.items()},
        "mutual_follow_levels_bn": {str(q): v for q, v in levels.items()},
        "mutual_follow_growth_per_year": cagr,
        "mutual_follow_estimable": len(growth_series) >= min_pairs,
    }


def year_change(inputs: Inputs, column: str, quarter: pd.Period) -> float:
    """Relative change of ``column`` of the quarterly table (``gmv_rmb_bn``, ``dau_m``,
    ``time_per_dau_min``) on the same quarter a year earlier, a share; NaN when either is not loaded."""
    before = quarter - 4
    if quarter not in inputs.values.index or before not in inputs.values.index:
        return float("nan")
    return float(inputs.values.at[quarter, column] / inputs.values.at[before, column] - 1)


def buyer_growth(inputs: Inputs) -> pd.DataFrame:
    """Quarters with a published growth of monthly buyers: GMV growth on the same quarter a year
    earlier, buyers' growth, the growth of GMV per monthly buyer they imply ((1 + GMV growth) /
    (1 + buyers' growth) - 1) and time per DAU's growth, all shares (NaN where a figure is not loaded)."""
    from trustlab.data import community

    buyers = community.series(inputs.community, "monthly_buyers_yoy_pct") / 100
    rows = []
    for quarter, buyer_change in buyers.items():
        gmv_change = year_change(inputs, "gmv_rmb_bn", quarter)
        rows.append(
            {
                "quarter": str(quarter),
                "gmv_growth": gmv_change,
                "buyers_growth": float(buyer_change),
                "gmv_per_buyer_growth": (1 + gmv_change) / (1 + float(buyer_change)) - 1,
                "time_per_dau_growth": year_change(inputs, "time_per_dau_min", quarter),
            }
        )
    columns = ["quarter", "gmv_growth", "buyers_growth", "gmv_per_buyer_growth", "time_per_dau_growth"]
    return pd.DataFrame(rows, columns=columns)


def buyer_levels(inputs: Inputs) -> pd.DataFrame:
    """Quarters with average monthly buyers: the buyers (million) and the quarter's GMV per monthly
    buyer (RMB; GMV over average monthly buyers, so not comparable with annual spend per buyer)."""
    from trustlab.data import community

    buyers = community.series(inputs.community, "monthly_buyers_m")
    gmv = [quarter_gmv_rmb(inputs, str(q)) for q in buyers.index]
    return pd.DataFrame(
        {
            "quarter": [str(q) for q in buyers.index],
            "monthly_buyers_m": buyers.to_numpy(),
            "gmv_per_monthly_buyer_rmb": [float("nan") if g is None else g / (b * 1e6) for g, b in zip(gmv, buyers, strict=True)],
        }
    )


def mutual_follow_table(inputs: Inputs) -> pd.DataFrame:
    """Quarters with a published growth of mutual-follow pairs beside the same quarter's growth of
    GMV per DAU, time per DAU and DAU on a year earlier, all shares (NaN where not loaded)."""
    from trustlab.data import community

    rows = []
    for quarter, pct in community.series(inputs.community, "mutual_follow_pairs_yoy_pct").items():
        gmv, dau = year_change(inputs, "gmv_rmb_bn", quarter), year_change(inputs, "dau_m", quarter)
        rows.append(
            {
                "quarter": str(quarter),
                "mutual_follow_growth": pct / 100,
                "gmv_per_dau_growth": (1 + gmv) / (1 + dau) - 1,
                "time_per_dau_growth": year_change(inputs, "time_per_dau_min", quarter),
                "dau_growth": dau,
            }
        )
    columns = ["quarter", "mutual_follow_growth", "gmv_per_dau_growth", "time_per_dau_growth", "dau_growth"]
    return pd.DataFrame(rows, columns=columns)


def series_coverage(inputs: Inputs, start: str, end: str) -> pd.DataFrame:
    """How many quarters of the window each series covers, and which: one row per series."""
    from trustlab.data import community

    quarters = pd.period_range(start, end, freq="Q")
    rows = []
    for column, label in (("gmv_rmb_bn", "GMV"), ("dau_m", "DAU"), ("time_per_dau_min", "time per DAU")):
        known = inputs.values[column].reindex(quarters).dropna().index
        rows.append((label, known))
    for metric, label in (
        ("mutual_follow_pairs_bn", "mutual-follow pairs (level)"),
        ("mutual_follow_pairs_yoy_pct", "mutual-follow pairs (growth)"),
        ("monthly_buyers_m", "monthly buyers (level)"),
        ("monthly_buyers_yoy_pct", "monthly buyers (growth)"),
        ("repurchase_rate_yoy_pp", "repeat-purchase rate (change)"),
    ):
        index = community.series(inputs.community, metric).index
        rows.append((label, index[(index >= quarters[0]) & (index <= quarters[-1])]))
    return pd.DataFrame(
        [
            {
                "series": label,
                "quarters": len(known),
                "of": len(quarters),
                "first": str(known.min()) if len(known) else "",
                "last": str(known.max()) if len(known) else "",
            }
            for label, known in rows
        ]
    )


def _ratio(table: pd.DataFrame, column: str) -> float | None:
    known = table[column].dropna()
    return float(known.iloc[-1] / known.iloc[0]) if len(known) >= 2 else None


def run(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 04 from a parameter dict (the fast path of ``trustlab sweep
    --fast``). Shares and growth rates are fractions (0.1 = 10 %), GMV in RMB, order values in RMB
    an order; a result the data (as loaded) cannot give is None."""
    p = Parameters.check(params)
    inputs = load_inputs(p["include_secondary_sources"])
    table = growth.panel(inputs.values, inputs.status, p["start_quarter"], p["end_quarter"])
    yoy = growth.year_on_year(table)
    pairs = yoy[yoy["complete"]]
    primary = pairs[~pairs["secondary"]]
    fit = growth_fit(pairs, p["alpha"], p["min_pairs"])
    fit_primary = growth_fit(primary, p["alpha"], p["min_pairs"])
    power = growth.correlation_power(len(pairs), p["target_correlation"], p["alpha"])
    detectable = growth.detectable_correlation(len(pairs), p["alpha"], p["power"])
    coverage_table = series_coverage(inputs, p["start_quarter"], p["end_quarter"])
    repurchase = repurchase_figures(inputs)
    coverage = _coverage_results(inputs, p["order_value_rmb"])
    launch = launch_date(inputs)
    buyers = buyer_growth(inputs).dropna(subset=["gmv_per_buyer_growth"])
    results: dict[str, Any] = {
        "n_quarters": len(table),
        "series_coverage": dict(zip(coverage_table["series"], coverage_table["quarters"].astype(int), strict=True)),
        "growth_pairs": len(pairs),
        "growth_pair_quarters": [str(q) for q in pairs.index],
        "growth_pairs_primary": len(primary),
        "growth_fit_reason": fit.reason,
        **_fit_results("", fit),
        "primary_fit_reason": fit_primary.reason,
        **_fit_results("primary_", fit_primary),
        "power_at_target": power,
        "detectable_correlation": detectable,
        "dau_share_of_gmv_growth": growth.dau_share_of_gmv_growth(yoy),
        "gmv_per_dau_ratio": _ratio(table, "gmv_per_dau_rmb"),
        "time_per_dau_ratio": _ratio(table, "time_per_dau_min"),
        **_mutual_follow_results(inputs, p["min_pairs"]),
        "gmv_per_buyer_growth": dict(zip(buyers["quarter"], buyers["gmv_per_buyer_growth"], strict=True)),
        **coverage,
        "repurchase_figures": len(repurchase),
        "repurchase_comparable_pairs": len(rights.comparable_pairs(repurchase, launch)),
        "repurchase_spanning_launch": sum(f.side(launch) == "spans" for f in repurchase),
    }
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in results.items()}


def recorded_results(params: Mapping[str, Any]) -> dict[str, Any]:
    """The fast path of ``trustlab sweep --fast``, named as every question names it: 04's :func:`run`
    already returns its recorded results."""
    return run(params)
