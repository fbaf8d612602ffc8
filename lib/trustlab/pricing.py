"""Pricing and platform positioning: the Beiyuan Shijia (貝源世家) case in the 2022-06-23 article.

The article argues that a platform positioned on low prices holds back a high-priced brand, while
Kuaishou's trust model lets the streamer's and brand's own positioning lead. This module holds the
computation behind notebook ``03_pricing_positioning``:

1. positioning: reported and derived spend per buyer by platform (``data/platform_positioning.csv``);
2. price-positioning fit: a binary logit of buy / not buy at a price tier, on platforms that differ in
   their share of trust-driven buyers, simulated from stated true parameters and estimated back;
3. case numbers: the shoe launch (discount depth, units per minute, revenue) and the fast-brand
   support threshold in units per month;
4. the recall decision: refund + shipping + RMB 50 voucher (A) against keep + RMB 599 voucher (B);
5. semi-presale against batch production: a newsvendor against producing to pre-orders;
6. the fast-brand support criteria as an eligibility function over a simulated merchant population.

Money is in RMB unless a name says otherwise; shares are in [0, 1]; counts are plain numbers.
Computation takes plain values or DataFrames; :func:`load_positioning` is the only loader.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from trustlab import config, quotes
from trustlab import tables
from trustlab.tables import DataFileError
from trustlab.params import ParameterError

# --------------------------------------------------------------------------------------------------
# 1. Positioning: spend per buyer by platform
# --------------------------------------------------------------------------------------------------

POSITIONING_COLUMNS = [
    "platform", "metric", "period", "value", "unit", "qualifier", "status",
    "source_url", "quote", "comparable", "note",
]
POSITIONING_METRICS = {
    "gmv": "RMB bn",
    "active_buyers": "million buyers",
    "annual_spending_per_active_buyer": "RMB per buyer per year",
    "monthly_active_buyers": "million buyers",
}
UNIT_SCALE = {"RMB bn": 1e9, "million buyers": 1e6, "RMB per buyer per year": 1.0}
POSITIONING_STATUSES = tables.STATUSES
QUALIFIERS = ("", ">", "<", "≈")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

# Reading numbers from quotes lives in trustlab.quotes; this is the name this module has always had.
quoted_amounts = quotes.amounts


def value_in_quote(value: float, unit: str, quote: str, rel_tol: float = 1e-9) -> bool:
    """True when ``value`` (in ``unit``) is one of the amounts written in ``quote`` (see :func:`quoted_amounts`)."""
    return quotes.is_stated(float(value) * UNIT_SCALE.get(unit, 1.0), quoted_amounts(quote), rel_tol)


def _positioning_schema():
    import pandera.pandas as pa

    text = pa.Column(str, nullable=False)
    return pa.DataFrameSchema(
        {
            "platform": pa.Column(str, pa.Check.str_length(min_value=1)),
            "metric": pa.Column(str, pa.Check.isin(list(POSITIONING_METRICS))),
            "period": pa.Column(str, pa.Check.str_matches(r"^(\d{4}|FY\d{4}|Q[1-4] \d{4})$")),
            "value": pa.Column(str, pa.Check.str_matches(_NUMBER.pattern)),
            "unit": pa.Column(str, pa.Check.isin(list(UNIT_SCALE))),
            "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS))),
            "status": pa.Column(str, pa.Check.isin(list(POSITIONING_STATUSES))),
            "source_url": pa.Column(str, pa.Check(lambda s: (s == "") | s.str.match(r"^https?://\S+$"))),
            "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
            "comparable": pa.Column(str, pa.Check.isin(["true", "false"])),
            "note": text,
        },
        checks=[
            pa.Check(
                lambda df: pd.Series(
                    [POSITIONING_METRICS.get(m) == u for m, u in zip(df["metric"], df["unit"])], index=df.index
                ),
                error=_FRAME_CHECKS["unit_matches_metric"][0],
                name="unit_matches_metric",
            ),
            pa.Check(
                lambda df: pd.Series(
                    [
                        bool(_NUMBER.match(v)) and value_in_quote(float(v), u, q)
                        for v, u, q in zip(df["value"], df["unit"], df["quote"])
                    ],
                    index=df.index,
                ),
                error=_FRAME_CHECKS["value_in_quote"][0],
                name="value_in_quote",
            ),
            pa.Check(
                lambda df: (df["metric"] == "monthly_active_buyers") == (df["comparable"] == "false"),
                error=_FRAME_CHECKS["comparable_iff_annual"][0],
                name="comparable_iff_annual",
            ),
        ],
        strict=True,
        ordered=True,
    )


class PositioningDataError(DataFileError):
    """``platform_positioning.csv`` broke its schema (file, line, column, value and expected form named)."""


# Frame-wide checks: name -> (error message, the column(s) to name in an error).
_FRAME_CHECKS = {
    "unit_matches_metric": (
        "unit must be the metric's unit: " + ", ".join(f"{m}: {u}" for m, u in POSITIONING_METRICS.items()),
        "metric/unit",
    ),
    "value_in_quote": ("value (in its unit) must be one of the amounts written in quote", "value/unit/quote"),
    "comparable_iff_annual": ("comparable must be false exactly for monthly_active_buyers rows", "metric/comparable"),
}
_EXPECTED_FORM = {
    "platform": "a non-empty platform name",
    "metric": f"one of {list(POSITIONING_METRICS)}",
    "period": "YYYY, FYYYYY or 'Qn YYYY'",
    "value": "a plain decimal number without separators, e.g. 1006.6",
    "unit": f"one of {list(UNIT_SCALE)}",
    "qualifier": f"one of {list(QUALIFIERS)} (empty for a point value)",
    "status": f"one of {list(POSITIONING_STATUSES)} (D, M and NF rows are not transcribed)",
    "source_url": "empty or an http(s) URL",
    "quote": "the verbatim quote, non-empty",
    "comparable": "true or false",
}


def validate_positioning(frame: pd.DataFrame, path: Path | str = "platform_positioning.csv") -> pd.DataFrame:
    """Validate a raw positioning frame (all columns as strings) and return it typed: ``value`` as
    float, ``comparable`` as bool. Raises :class:`PositioningDataError` naming every failure."""
    tables.check_columns(frame, POSITIONING_COLUMNS, path, PositioningDataError)
    frame = frame[POSITIONING_COLUMNS]
    frame_checks = {error: columns for error, columns in _FRAME_CHECKS.values()}
    tables.validate(frame, _positioning_schema(), path, _EXPECTED_FORM, PositioningDataError, frame_checks)
    return frame.assign(value=frame["value"].astype(float), comparable=frame["comparable"] == "true")


def load_positioning(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/platform_positioning.csv``.

    Returns one row per transcribed figure with ``value`` as float (in ``unit``) and ``comparable``
    as bool. ``include_secondary=False`` drops rows with status ``V-2`` (secondary copies).
    Raises ``ValueError`` naming the file, the CSV line, the column and the expected form.
    """
    path = Path(path) if path is not None else config.DATA_DIR / "platform_positioning.csv"
    return tables.read_validated(path, validate_positioning, include_secondary)


_STATUS_RANK = {"V": 0, "V-c": 1, "V-2": 2}


def spend_per_buyer(positioning: pd.DataFrame) -> pd.DataFrame:
    """Spend per buyer by platform and period, in RMB per buyer per year, reported or derived.

    ``basis`` says where each figure comes from: ``reported`` (the platform's own annual spending per
    active buyer), ``derived`` (GMV / annual active buyers, computed here, not quoted), or
    ``not comparable`` when only average *monthly* buyers are published (Kuaishou): no number is
    forced for those rows. A reported lower bound (``>``) is kept next to the derived value and
    ``bound_consistent`` says whether the derived value respects it. ``status`` is the weakest
    status among the rows used.
    """
    rows = []
    for (platform, period), group in positioning.groupby(["platform", "period"], sort=False):
        by_metric = {m: g.iloc[0] for m, g in group.groupby("metric")}
        gmv = by_metric.get("gmv")
        annual = by_metric.get("active_buyers")
        monthly = by_metric.get("monthly_active_buyers")
        reported = by_metric.get("annual_spending_per_active_buyer")
        used = [r for r in (gmv, annual, reported, monthly) if r is not None]
        derived = gmv["value"] * 1e9 / (annual["value"] * 1e6) if gmv is not None and annual is not None else np.nan
        reported_value = reported["value"] if reported is not None else np.nan
        qualifier = reported["qualifier"] if reported is not None else ""
        if monthly is not None and annual is None:
            basis, value = "not comparable", np.nan
            explanation = "only average monthly buyers are published; GMV per annual buyer cannot be formed"
        elif reported is not None and qualifier == "":
            basis, value = "reported", reported_value
            explanation = "the platform's own annual spending per active buyer"
        elif not np.isnan(derived):
            basis, value = "derived", derived
            explanation = "GMV / annual active buyers, computed here" + (
                f" (reported only as {qualifier}RMB {reported_value:,.0f})" if reported is not None else ""
            )
        else:
            basis, value, explanation = "missing", np.nan, "neither a reported figure nor GMV and annual buyers"
        bound_ok = None
        if reported is not None and qualifier in (">", "<") and not np.isnan(derived):
            bound_ok = bool(derived > reported_value) if qualifier == ">" else bool(derived < reported_value)
        rows.append(
            {
                "platform": platform,
                "period": period,
                "gmv_rmb_bn": gmv["value"] if gmv is not None else np.nan,
                "annual_buyers_m": annual["value"] if annual is not None else np.nan,
                "monthly_buyers_m": monthly["value"] if monthly is not None else np.nan,
                "reported_rmb": reported_value,
                "reported_qualifier": qualifier,
                "derived_rmb": derived,
                "spend_per_buyer_rmb": value,
                "basis": basis,
                "bound_consistent": bound_ok,
                "comparable": basis in ("reported", "derived"),
                "status": max((r["status"] for r in used), key=_STATUS_RANK.get),
                "explanation": explanation,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# 2. Price-positioning fit: binary logit of buy / not buy
# --------------------------------------------------------------------------------------------------

LOGIT_TERMS = ("intercept", "price_per_1000_rmb", "trust_premium", "trust_x_price")


@dataclass(frozen=True)
class ChoiceTruth:
    """True parameters of the buy / not-buy logit (log-odds units).

    ``price_coef`` is per RMB 1,000 of price for a price-seeking buyer; ``trust_premium`` is the extra
    log-odds of buying for a trust-driven buyer (one who follows and trusts the streamer);
    ``trust_price_interaction`` is added to the price coefficient for trust-driven buyers (positive:
    they are less price sensitive).
    """

    intercept: float
    price_coef: float
    trust_premium: float
    trust_price_interaction: float

    def as_terms(self) -> dict[str, float]:
        """The true values under the names of :data:`LOGIT_TERMS`."""
        return dict(zip(LOGIT_TERMS, (self.intercept, self.price_coef, self.trust_premium, self.trust_price_interaction)))


def buy_probability(price_rmb: np.ndarray | float, trust_buyer: np.ndarray | float, truth: ChoiceTruth) -> np.ndarray:
    """Probability in [0, 1] that a buyer buys the brand at ``price_rmb`` (RMB), by buyer type (0/1)."""
    price_k = np.asarray(price_rmb, dtype=float) / 1000.0
    trust = np.asarray(trust_buyer, dtype=float)
    eta = truth.intercept + truth.price_coef * price_k + truth.trust_premium * trust + truth.trust_price_interaction * trust * price_k
    return 1.0 / (1.0 + np.exp(-eta))


def simulate_choices(
    n_buyers: int,
    seed: int,
    truth: ChoiceTruth,
    platform_trust_share: Mapping[str, float],
    price_tiers_rmb: Sequence[float],
) -> pd.DataFrame:
    """Simulate one buy / not-buy decision per buyer.

    Each buyer is on one platform (equal odds), is trust-driven with the platform's share in
    ``platform_trust_share`` (share in [0, 1]), is shown one price tier (RMB, equal odds) and buys
    with the logit probability of ``truth``. Columns: ``platform``, ``trust_buyer`` (0/1),
    ``price_rmb``, ``buy`` (0/1).
    """
    rng = np.random.default_rng(seed)
    names = list(platform_trust_share)
    shares = np.array([platform_trust_share[n] for n in names], dtype=float)
    platform = rng.integers(0, len(names), size=n_buyers)
    trust = (rng.random(n_buyers) < shares[platform]).astype(np.int8)
    price = np.asarray(price_tiers_rmb, dtype=float)[rng.integers(0, len(price_tiers_rmb), size=n_buyers)]
    buy = (rng.random(n_buyers) < buy_probability(price, trust, truth)).astype(np.int8)
    return pd.DataFrame(
        {"platform": pd.Categorical.from_codes(platform, categories=names), "trust_buyer": trust, "price_rmb": price, "buy": buy}
    )


def _no_callback(params: np.ndarray) -> None:
    """A Newton callback that does nothing (see :func:`_fit_logit`)."""


def _fit_logit(choices: pd.DataFrame, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The statsmodels logit fit of :func:`fit_choice_logit`: estimates, standard errors and the
    1 - ``alpha`` Wald intervals (one row per term), in the order of :data:`LOGIT_TERMS`."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    price_k = choices["price_rmb"].to_numpy(float) / 1000.0
    trust = choices["trust_buyer"].to_numpy(float)
    exog = np.column_stack([np.ones_like(price_k), price_k, trust, trust * price_k])
    # check_rank=False skips a QR of exog that only sets df_model / df_resid, which the normal-based
    # intervals do not use. statsmodels' default callback tests for perfect prediction after every
    # Newton step; the test is run once, at the estimates, instead. Neither changes the estimates.
    model = sm.Logit(choices["buy"].to_numpy(float), exog, check_rank=False)
    result = model.fit(disp=0, method="newton", maxiter=100, callback=_no_callback)
    if np.allclose(model.predict(result.params) - model.endog, 0):
        warnings.warn("Perfect separation or prediction detected, parameter may not be identified",
                      PerfectSeparationWarning, stacklevel=3)
    return np.asarray(result.params), np.asarray(result.bse), np.asarray(result.conf_int(alpha=alpha))


def fit_choice_logit(choices: pd.DataFrame, truth: ChoiceTruth, alpha: float = 0.05) -> pd.DataFrame:
    """Estimate the buy / not-buy logit with statsmodels and set the estimates beside the true values.

    Returns one row per term of :data:`LOGIT_TERMS` with ``true``, ``estimate``, ``std_err``,
    ``lower`` and ``upper`` (the 1 - ``alpha`` Wald interval) and ``recovered`` (true value inside it).
    """
    estimate, std_err, ci = _fit_logit(choices, alpha)
    true = truth.as_terms()
    out = pd.DataFrame(
        {
            "term": list(LOGIT_TERMS),
            "true": [true[t] for t in LOGIT_TERMS],
            "estimate": estimate,
            "std_err": std_err,
            "lower": ci[:, 0],
            "upper": ci[:, 1],
        }
    )
    out["recovered"] = (out["lower"] <= out["true"]) & (out["true"] <= out["upper"])
    return out


def _logit_record(
    terms: Sequence[str], true: Sequence[float], estimate: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> dict[str, dict[str, float]]:
    """term -> {estimate, lower, upper, true} from parallel sequences."""
    return {
        t: {"estimate": float(e), "lower": float(lo), "upper": float(up), "true": float(tr)}
        for t, tr, e, lo, up in zip(terms, true, estimate, lower, upper)
    }


def logit_params_dict(estimates: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The recorded form of :func:`fit_choice_logit`: term -> {estimate, lower, upper, true}."""
    return _logit_record(*(estimates[c].to_numpy() for c in ("term", "true", "estimate", "lower", "upper")))


def conversion_table(choices: pd.DataFrame, truth: ChoiceTruth, platform_trust_share: Mapping[str, float]) -> pd.DataFrame:
    """Conversion (share buying, in [0, 1]) by price tier x platform: observed in the simulation and
    expected under the true model for the platform's buyer mix, with the number of buyers shown the tier."""
    observed = choices.groupby(["price_rmb", "platform"], observed=False)["buy"].agg(["mean", "size"]).reset_index()
    share = observed["platform"].astype(str).map(platform_trust_share).astype(float)
    expected = share * buy_probability(observed["price_rmb"], 1, truth) + (1 - share) * buy_probability(observed["price_rmb"], 0, truth)
    return observed.rename(columns={"mean": "observed_conversion", "size": "buyers"}).assign(
        expected_conversion=np.asarray(expected), trust_share=np.asarray(share)
    )[["price_rmb", "platform", "trust_share", "buyers", "observed_conversion", "expected_conversion"]]


# --------------------------------------------------------------------------------------------------
# 3. Case numbers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchNumbers:
    """The shoe launch: discount depth (share of list price), units per minute, revenues in RMB."""

    discount_depth: float
    units_per_minute: float
    revenue_at_promo: float
    revenue_at_list: float
    foregone_revenue: float


def launch_numbers(list_price: float, promo_price: float, units: float, sellout_minutes: float) -> LaunchNumbers:
    """Discount depth 1 - promo/list, units sold per minute, revenue at the promo price, and the revenue
    foregone against selling the same units at list price (RMB)."""
    return LaunchNumbers(
        discount_depth=1.0 - promo_price / list_price,
        units_per_minute=units / sellout_minutes,
        revenue_at_promo=promo_price * units,
        revenue_at_list=list_price * units,
        foregone_revenue=(list_price - promo_price) * units,
    )


def support_threshold_units(monthly_gmv_threshold_rmb: float, unit_price_rmb: float) -> float:
    """Units a month a live room must sell at ``unit_price_rmb`` to reach the monthly GMV threshold (RMB)."""
    return monthly_gmv_threshold_rmb / unit_price_rmb


# --------------------------------------------------------------------------------------------------
# 4. The recall decision
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecallCosts:
    """Cost to the brand of each recall option, against letting the sale stand (RMB)."""

    per_customer_a: float
    per_customer_b: float
    total_a: float
    total_b: float


def recall_cost_a(refund, voucher_a, redemption_rate, cost_ratio, return_shipping, salvage_value):
    """Option A per customer (RMB): refund the price paid, pay the return shipping, get back a defective
    pair worth ``salvage_value``, and give a voucher of ``voucher_a`` of which a share
    ``redemption_rate`` is redeemed on goods costing the brand ``cost_ratio`` per RMB. Vectorised."""
    return refund + return_shipping - salvage_value + voucher_a * np.asarray(redemption_rate) * cost_ratio


def recall_cost_b(voucher_b, redemption_rate, cost_ratio):
    """Option B per customer (RMB): the customer keeps the pair and gets a ``voucher_b`` voucher,
    redeemed with share ``redemption_rate`` on goods costing ``cost_ratio`` per RMB. Vectorised."""
    return voucher_b * np.asarray(redemption_rate) * cost_ratio


def recall_costs(
    n_customers: float,
    refund: float,
    voucher_a: float,
    voucher_b: float,
    redemption_rate: float,
    cost_ratio: float,
    return_shipping: float,
    salvage_value: float,
) -> RecallCosts:
    """Per-customer and total (``n_customers`` customers, all taking the option) cost of A and B (RMB)."""
    a = float(recall_cost_a(refund, voucher_a, redemption_rate, cost_ratio, return_shipping, salvage_value))
    b = float(recall_cost_b(voucher_b, redemption_rate, cost_ratio))
    return RecallCosts(a, b, a * n_customers, b * n_customers)


def breakeven_redemption_rate(
    refund: float, voucher_a: float, voucher_b: float, cost_ratio: float, return_shipping: float, salvage_value: float
) -> float:
    """Redemption rate at which A and B cost the brand the same.

    Solves refund + shipping - salvage + voucher_a r c = voucher_b r c for r. Below it B is cheaper.
    A value above 1 means B is cheaper at every possible redemption rate; ``inf`` when the voucher of
    B costs no more per redeemed RMB than A's (so redemption never makes B dearer); ``nan`` when both
    options cost nothing fixed and redemption is free.
    """
    fixed = refund + return_shipping - salvage_value
    slope = (voucher_b - voucher_a) * cost_ratio
    if slope <= 0:
        return math.inf if fixed > 0 or slope < 0 else math.nan
    return fixed / slope


@dataclass(frozen=True)
class CustomerSide:
    """Value to the customer of each option (RMB) and the voucher valuation that makes B the better one."""

    value_a: float
    value_b: float
    prefers_b: bool
    min_voucher_value_for_b: float


def customer_side(
    refund: float,
    voucher_a: float,
    voucher_b: float,
    voucher_value: float,
    defective_pair_value: float,
    return_hassle: float,
) -> CustomerSide:
    """The customer's view of the two options.

    A gives the refund plus a voucher, minus the hassle of sending the pair back (RMB); B gives the
    defective pair (worth ``defective_pair_value`` to the customer) plus a bigger voucher. A voucher
    RMB is worth ``voucher_value`` in [0, 1] to a customer (1 if they surely buy from the brand again:
    trust). B is preferred when voucher_value >= (refund - pair - hassle) / (voucher_b - voucher_a).
    """
    value_a = refund + voucher_value * voucher_a - return_hassle
    value_b = defective_pair_value + voucher_value * voucher_b
    gap = voucher_b - voucher_a
    threshold = (refund - defective_pair_value - return_hassle) / gap if gap > 0 else math.inf
    return CustomerSide(value_a, value_b, value_b >= value_a, max(threshold, 0.0))


# --------------------------------------------------------------------------------------------------
# 5. Semi-presale against batch production (newsvendor)
# --------------------------------------------------------------------------------------------------


def standard_normal_loss(z: np.ndarray | float) -> np.ndarray:
    """L(z) = E[(Z - z)+] for a standard normal Z: pdf(z) - z (1 - cdf(z))."""
    z = np.asarray(z, dtype=float)
    return stats.norm.pdf(z) - z * stats.norm.sf(z)


@dataclass(frozen=True)
class NewsvendorResult:
    """A batch ordered before demand: critical ratio in (0, 1), quantity (units), expected sales,
    leftovers and lost sales (units), fill rate (expected sales / mean demand) and expected profit (RMB)."""

    critical_ratio: float
    quantity: float
    expected_sales: float
    expected_leftovers: float
    expected_lost_sales: float
    fill_rate: float
    expected_profit: float
    profit_std_err: float = 0.0


def critical_ratio(price: float, unit_cost: float, salvage: float) -> float:
    """(p - c) / (p - s): underage cost over underage + overage cost, in (0, 1) when s < c < p."""
    return (price - unit_cost) / (price - salvage)


def newsvendor(
    price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float, quantity: float | None = None
) -> NewsvendorResult:
    """Analytic newsvendor with normal demand N(mean, (cv mean)^2), price p, unit cost c, salvage s (RMB).

    Without ``quantity`` the optimal one, mean + sigma z* with z* = Phi^-1((p-c)/(p-s)), is used.
    Expected lost sales = sigma L(z); expected sales = mean - lost; leftovers = Q - sales;
    profit = (p - s) sales - (c - s) Q. Demand is the untruncated normal (negative with probability
    Phi(-1/cv)).
    """
    sigma = demand_cv * demand_mean
    cr = critical_ratio(price, unit_cost, salvage)
    q = demand_mean + sigma * stats.norm.ppf(cr) if quantity is None else float(quantity)
    z = (q - demand_mean) / sigma
    lost = sigma * float(standard_normal_loss(z))
    sales = demand_mean - lost
    leftovers = q - sales
    profit = (price - salvage) * sales - (unit_cost - salvage) * q
    return NewsvendorResult(cr, q, sales, leftovers, lost, sales / demand_mean, profit)


def newsvendor_monte_carlo(
    price: float,
    unit_cost: float,
    salvage: float,
    demand_mean: float,
    demand_cv: float,
    quantity: float,
    draws: int,
    seed: int,
) -> NewsvendorResult:
    """Monte Carlo estimate of the newsvendor at ``quantity`` from ``draws`` normal demand draws.

    Same model as :func:`newsvendor` (untruncated normal demand); ``profit_std_err`` is the standard
    error of the mean profit (RMB).
    """
    rng = np.random.default_rng(seed)
    # Two buffers worked in place instead of a fresh array per step (fresh large arrays cost page
    # faults): the same operations in the same order, so the same bits.
    demand = rng.normal(demand_mean, demand_cv * demand_mean, size=draws)
    sales = np.minimum(demand, quantity)
    sales_mean = sales.mean()
    scratch = np.subtract(demand, sales, out=demand)  # lost sales; demand is not needed after this
    lost_mean = scratch.mean()
    np.subtract(quantity, sales, out=scratch)  # leftovers
    leftovers_mean = scratch.mean()
    np.multiply(salvage, scratch, out=scratch)
    profit = np.multiply(price, sales, out=sales)  # sales is not needed after this
    np.add(profit, scratch, out=profit)
    np.subtract(profit, unit_cost * quantity, out=profit)
    del demand, scratch  # freed, so the temporary of profit.std() can reuse the memory instead of fresh pages
    return NewsvendorResult(
        critical_ratio(price, unit_cost, salvage),
        float(quantity),
        float(sales_mean),
        float(leftovers_mean),
        float(lost_mean),
        float(sales_mean / demand_mean),
        float(profit.mean()),
        float(profit.std(ddof=1) / math.sqrt(draws)),
    )


def presale_expected_profit(price: float, unit_cost: float, demand_mean: float, cancel_share: float) -> float:
    """Expected profit (RMB) of producing exactly to pre-orders: every buyer orders, a share
    ``cancel_share`` cancels during the wait, the rest are made and shipped: (p - c)(1 - k) mean."""
    return (price - unit_cost) * (1.0 - cancel_share) * demand_mean


def breakeven_cancel_share(price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float) -> float:
    """Cancellation share at which presale and the optimal batch earn the same: 1 - profit_NV / ((p-c) mean).

    Below it presale earns more. In [0, 1] because the optimal batch earns between 0 and (p-c) mean.
    """
    return _breakeven_cancel_share(newsvendor(price, unit_cost, salvage, demand_mean, demand_cv), price, unit_cost, demand_mean)


def _breakeven_cancel_share(optimal: NewsvendorResult, price: float, unit_cost: float, demand_mean: float) -> float:
    """:func:`breakeven_cancel_share` from the optimal batch already computed."""
    return 1.0 - optimal.expected_profit / ((price - unit_cost) * demand_mean)


def newsvendor_profit_curve(
    price: float, unit_cost: float, salvage: float, demand_mean: float, demand_cv: float, quantities: Sequence[float]
) -> pd.DataFrame:
    """Expected batch profit (RMB) at each order quantity (units)."""
    return pd.DataFrame(
        {
            "quantity": list(quantities),
            "expected_profit": [newsvendor(price, unit_cost, salvage, demand_mean, demand_cv, q).expected_profit for q in quantities],
        }
    )


# --------------------------------------------------------------------------------------------------
# 6. Fast-brand support criteria
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportCriteria:
    """The published fast-brand support criteria: founded within ``max_age_years`` (years), own-brand
    GMV share above ``min_own_brand_share`` (share in [0, 1]), monthly live GMV above
    ``min_monthly_live_gmv`` (RMB), and Kuaishou as the core channel."""

    max_age_years: float = 5.0
    min_own_brand_share: float = 0.30
    min_monthly_live_gmv: float = 2_000_000.0
    require_core_channel: bool = True


MERCHANT_COLUMNS = ("brand_age_years", "own_brand_gmv_share", "monthly_live_gmv_rmb", "kuaishou_core_channel")


def eligible(merchants: pd.DataFrame, criteria: SupportCriteria = SupportCriteria()) -> pd.Series:
    """Boolean Series: which merchants meet every criterion.

    Age <= max_age_years ("within 5 years"), own-brand share > min share and monthly live GMV > min
    ("above"), and core channel True when required. Missing values are not eligible.
    """
    missing = [c for c in MERCHANT_COLUMNS if c not in merchants.columns]
    if missing:
        raise KeyError(f"merchant table lacks column(s) {missing}; expected {list(MERCHANT_COLUMNS)}")
    ok = (
        (merchants["brand_age_years"] <= criteria.max_age_years)
        & (merchants["own_brand_gmv_share"] > criteria.min_own_brand_share)
        & (merchants["monthly_live_gmv_rmb"] > criteria.min_monthly_live_gmv)
    )
    if criteria.require_core_channel:
        core = merchants["kuaishou_core_channel"]
        # A bool column has nothing missing: the conversion would give it back unchanged, only slower.
        ok &= core if core.dtype == np.dtype(bool) else core.astype("boolean").fillna(False)
    return ok.fillna(False).astype(bool).rename("eligible")


def simulate_merchants(
    n_merchants: int,
    seed: int,
    age_mean_years: float,
    own_share_mean: float,
    own_share_concentration: float,
    gmv_median_rmb: float,
    gmv_sigma: float,
    core_channel_share: float,
) -> pd.DataFrame:
    """A simulated population of brand merchants (assumed distributions, not data).

    Brand age ~ exponential with mean ``age_mean_years``; own-brand GMV share ~ Beta with mean
    ``own_share_mean`` and concentration a + b = ``own_share_concentration``; monthly live GMV ~
    lognormal with median ``gmv_median_rmb`` (RMB) and log-sd ``gmv_sigma``; core channel ~
    Bernoulli(``core_channel_share``).
    """
    rng = np.random.default_rng(seed)
    a = own_share_mean * own_share_concentration
    b = (1.0 - own_share_mean) * own_share_concentration
    return pd.DataFrame(
        {
            "brand_age_years": rng.exponential(age_mean_years, n_merchants),
            "own_brand_gmv_share": rng.beta(a, b, n_merchants),
            "monthly_live_gmv_rmb": gmv_median_rmb * np.exp(gmv_sigma * rng.standard_normal(n_merchants)),
            "kuaishou_core_channel": rng.random(n_merchants) < core_channel_share,
        }
    )


def eligibility_sensitivity(
    merchants: pd.DataFrame, criteria: SupportCriteria, factors: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5)
) -> pd.DataFrame:
    """Number of eligible merchants when one threshold is scaled by each factor, the others held.

    Rows: threshold, factor, threshold value, direction (looser / tighter / published: a larger age
    limit or a smaller minimum is looser), eligible count and change against the published criteria.
    The core-channel rule is shown as required (value 1) / not required (value 0).
    """
    base = int(eligible(merchants, criteria).sum())
    rows = []
    for name in ("max_age_years", "min_own_brand_share", "min_monthly_live_gmv"):
        for f in factors:
            value = getattr(criteria, name) * f
            varied = SupportCriteria(**{**asdict(criteria), name: value})
            count = int(eligible(merchants, varied).sum())
            looser = f > 1 if name == "max_age_years" else f < 1
            direction = "published" if f == 1 else ("looser" if looser else "tighter")
            rows.append({"threshold": name, "factor": f, "value": value, "direction": direction, "eligible": count,
                         "change": count - base})
    for required in (True, False):
        varied = SupportCriteria(**{**asdict(criteria), "require_core_channel": required})
        count = int(eligible(merchants, varied).sum())
        rows.append(
            {"threshold": "require_core_channel", "factor": np.nan, "value": float(required),
             "direction": "published" if required == criteria.require_core_channel else ("tighter" if required else "looser"),
             "eligible": count, "change": count - base}
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Parameters and the whole analysis
# --------------------------------------------------------------------------------------------------

# Notebook parameters whose defaults are article facts: parameter -> (fact id, factor from fact to parameter).
FACT_PARAMETERS: dict[str, tuple[str, float]] = {
    "list_price": ("pricing_shoe_list_price", 1.0),
    "promo_price": ("pricing_shoe_promo_price", 1.0),
    "units": ("pricing_shoe_units_sold", 1.0),
    "sellout_minutes": ("pricing_shoe_sellout_minutes", 1.0),
    "voucher_a": ("pricing_recall_voucher_a", 1.0),
    "voucher_b": ("pricing_recall_voucher_b", 1.0),
    "recall_customers": ("pricing_recall_customers", 1.0),
    "menswear_price": ("pricing_menswear_unit_price", 1.0),
    "support_max_age_years": ("support_brand_age_max_years", 1.0),
    "support_own_brand_share_min": ("support_own_brand_gmv_share_min", 0.01),  # percent -> share
    "support_monthly_gmv_min": ("support_monthly_live_gmv_min", 1.0),
    "fastbrand_target": ("fastbrand_target_2022", 1.0),
}

PRICE_TIERS_RMB = (100.0, 300.0, 600.0, 1000.0)
PRICE_PLATFORM = "price-positioned"
TRUST_PLATFORM = "trust-positioned"

_NON_NEGATIVE = (
    "list_price", "promo_price", "voucher_a", "voucher_b", "return_shipping", "salvage_value", "defective_pair_value",
    "return_hassle", "menswear_price", "unit_cost", "newsvendor_salvage", "demand_mean", "cost_ratio",
    "support_max_age_years", "support_monthly_gmv_min", "merchant_gmv_median", "fastbrand_target",
)
_POSITIVE = ("list_price", "sellout_minutes", "menswear_price", "demand_mean", "merchant_age_mean_years",
             "merchant_own_share_concentration", "merchant_gmv_median", "merchant_gmv_sigma")
_COUNTS = ("units", "recall_customers", "n_buyers", "n_merchants", "monte_carlo_draws")
_SHARES = (
    "redemption_rate", "customer_voucher_value", "presale_cancel_share", "trust_share_price_platform",
    "trust_share_trust_platform", "support_own_brand_share_min", "merchant_own_share_mean", "merchant_core_share",
)


def check_params(params: Mapping[str, Any]) -> None:
    """Rules across parameters; raises :class:`~trustlab.params.ParameterError` naming the parameter.

    Checks only the parameters present, so it also serves partial dictionaries.
    """
    p = params

    def has(*names: str) -> bool:
        return all(n in p and p[n] is not None for n in names)

    for name in _NON_NEGATIVE:
        if has(name) and p[name] < 0:
            raise ParameterError(f"parameter {name!r}: must not be negative, got {p[name]!r}")
    for name in _POSITIVE:
        if has(name) and not p[name] > 0:
            raise ParameterError(f"parameter {name!r}: must be > 0, got {p[name]!r}")
    for name in _COUNTS:
        if has(name) and (isinstance(p[name], bool) or not float(p[name]).is_integer() or p[name] < 1):
            raise ParameterError(f"parameter {name!r}: must be a count >= 1, got {p[name]!r}")
    for name in _SHARES:
        if has(name) and not 0.0 <= p[name] <= 1.0:
            raise ParameterError(f"parameter {name!r}: must be a share in [0, 1], got {p[name]!r}")
    if has("merchant_own_share_mean") and not 0.0 < p["merchant_own_share_mean"] < 1.0:
        raise ParameterError(f"parameter 'merchant_own_share_mean': must be in (0, 1), got {p['merchant_own_share_mean']!r}")
    if has("promo_price", "list_price") and p["promo_price"] > p["list_price"]:
        raise ParameterError(
            f"parameter 'promo_price': promo price {p['promo_price']!r} is above the list price {p['list_price']!r}"
        )
    if has("promo_price") and not p["promo_price"] > 0:
        raise ParameterError(f"parameter 'promo_price': must be > 0, got {p['promo_price']!r}")
    if has("salvage_value", "promo_price") and p["salvage_value"] > p["promo_price"]:
        raise ParameterError(
            f"parameter 'salvage_value': a returned defective pair worth {p['salvage_value']!r} is more than "
            f"the refund (promo_price {p['promo_price']!r})"
        )
    if has("demand_cv") and not p["demand_cv"] > 0:
        raise ParameterError(f"parameter 'demand_cv': must be > 0, got {p['demand_cv']!r}")
    if has("unit_cost", "menswear_price") and p["unit_cost"] >= p["menswear_price"]:
        raise ParameterError(
            f"parameter 'unit_cost': must be below the price (menswear_price {p['menswear_price']!r}), got {p['unit_cost']!r}"
        )
    if has("newsvendor_salvage", "unit_cost") and p["newsvendor_salvage"] >= p["unit_cost"]:
        raise ParameterError(
            f"parameter 'newsvendor_salvage': must be below unit_cost {p['unit_cost']!r}, got {p['newsvendor_salvage']!r}"
        )
    if has("alpha") and not 0.0 < p["alpha"] < 1.0:
        raise ParameterError(f"parameter 'alpha': must be in (0, 1), got {p['alpha']!r}")


def choice_truth(params: Mapping[str, Any]) -> ChoiceTruth:
    """The true logit parameters from a notebook parameter dict."""
    return ChoiceTruth(params["choice_intercept"], params["price_coef"], params["trust_premium"], params["trust_price_interaction"])


def platform_mix(params: Mapping[str, Any]) -> dict[str, float]:
    """Share of trust-driven buyers (in [0, 1]) on the price-positioned and the trust-positioned platform."""
    return {PRICE_PLATFORM: params["trust_share_price_platform"], TRUST_PLATFORM: params["trust_share_trust_platform"]}


def support_criteria(params: Mapping[str, Any]) -> SupportCriteria:
    """The fast-brand support criteria from a notebook parameter dict."""
    return SupportCriteria(params["support_max_age_years"], params["support_own_brand_share_min"], params["support_monthly_gmv_min"], True)


def merchant_population(params: Mapping[str, Any]) -> pd.DataFrame:
    """The simulated merchant population of a notebook parameter dict (seed = ``seed`` + 2)."""
    return simulate_merchants(
        params["n_merchants"], params["seed"] + 2, params["merchant_age_mean_years"], params["merchant_own_share_mean"],
        params["merchant_own_share_concentration"], params["merchant_gmv_median"], params["merchant_gmv_sigma"],
        params["merchant_core_share"],
    )


def batch_inputs(params: Mapping[str, Any]) -> tuple[float, float, float, float, float]:
    """(price, unit cost, salvage, demand mean, demand cv) of the newsvendor from a parameter dict."""
    return (params["menswear_price"], params["unit_cost"], params["newsvendor_salvage"], params["demand_mean"], params["demand_cv"])


def analysis(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded scalar result of notebook 03 from a parameter dict, without the notebook.

    Seeds: choices use ``seed``, the newsvendor Monte Carlo ``seed + 1``, the merchants ``seed + 2``.
    Besides the recorded results it returns ``newsvendor_mc_profit`` and ``newsvendor_mc_std_err``.
    """
    check_params(params)
    p = params
    launch = launch_numbers(p["list_price"], p["promo_price"], p["units"], p["sellout_minutes"])
    recall = recall_costs(
        p["recall_customers"], p["promo_price"], p["voucher_a"], p["voucher_b"], p["redemption_rate"], p["cost_ratio"],
        p["return_shipping"], p["salvage_value"],
    )
    breakeven_r = breakeven_redemption_rate(
        p["promo_price"], p["voucher_a"], p["voucher_b"], p["cost_ratio"], p["return_shipping"], p["salvage_value"]
    )
    inputs = batch_inputs(p)
    price, unit_cost, _, demand_mean, _ = inputs
    nv = newsvendor(*inputs)
    mc = newsvendor_monte_carlo(*inputs, quantity=nv.quantity, draws=p["monte_carlo_draws"], seed=p["seed"] + 1)
    truth = choice_truth(p)
    choices = simulate_choices(p["n_buyers"], p["seed"], truth, platform_mix(p), PRICE_TIERS_RMB)
    # The fit without the table of fit_choice_logit; the record is the one logit_params_dict makes of it.
    estimate, _, ci = _fit_logit(choices, p["alpha"])
    true = truth.as_terms()
    logit_params = _logit_record(LOGIT_TERMS, [true[t] for t in LOGIT_TERMS], estimate, ci[:, 0], ci[:, 1])
    n_eligible = int(eligible(merchant_population(p), support_criteria(p)).sum())
    return {
        "discount_depth": launch.discount_depth,
        "units_per_minute": launch.units_per_minute,
        "recall_cost_a": recall.total_a,
        "recall_cost_b": recall.total_b,
        "breakeven_redemption_rate": breakeven_r,
        "critical_ratio": nv.critical_ratio,
        "newsvendor_quantity": nv.quantity,
        "newsvendor_expected_profit": nv.expected_profit,
        "presale_expected_profit": presale_expected_profit(p["menswear_price"], p["unit_cost"], p["demand_mean"], p["presale_cancel_share"]),
        "breakeven_cancel_share": _breakeven_cancel_share(nv, price, unit_cost, demand_mean),
        "eligible_brands": n_eligible,
        "logit_params": logit_params,
        "newsvendor_mc_profit": mc.expected_profit,
        "newsvendor_mc_std_err": mc.profit_std_err,
    }


def fact_parameter_table(params: Mapping[str, Any], fact_lookup: Callable[[str], float]) -> pd.DataFrame:
    """Each parameter that stands for an article fact, its value, the fact (scaled to the parameter's
    unit) and whether they agree."""
    rows = []
    for name, (fact_id, factor) in FACT_PARAMETERS.items():
        fact = fact_lookup(fact_id) * factor
        rows.append({"parameter": name, "value": params[name], "fact_id": fact_id, "fact": fact,
                     "agrees": math.isclose(float(params[name]), fact, rel_tol=1e-12)})
    return pd.DataFrame(rows)
