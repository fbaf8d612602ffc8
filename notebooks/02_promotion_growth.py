# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python (trustlab)
#     language: python
#     name: trustlab
# ---

# %% [markdown]
# # 02 · Promotion growth: the 616 festival, fast brands and the quarterly season
# How much of the growth reported for Kuaishou's 2022 616 festival and for its fast-brand (快品牌)
# programme is growth per merchant and per buyer rather than more merchants and more days, and how
# does the festival season show up in Kuaishou's quarterly GMV? The festival figures are taken apart
# with arithmetic (GMV = merchants x GMV per merchant; orders per day; views per order); the quarterly
# GMV is decomposed, a seasonal model is fitted on data up to `train_end` only and checked against
# what happened, and the Q2 (616) and Q4 (Double 11 / 116) effects are estimated by regression.

# %% tags=["parameters"]
train_end: str = "2022Q1"  # last quarter the forecasting model may see, YYYYQn (2022Q1 = what was known in June 2022)
forecast_quarters: int = 7  # quarters to forecast after train_end
model: str = "sarimax"  # seasonal model on log GMV: sarimax (needs 5 quarters) or ets (needs 10)
merchant_multiple: float = 8.0  # merchants at 616 of 2022 as a multiple of last year's 116 festival, x
gmv_growth: float = 5.15  # brand merchants' GMV growth at 616 of 2022, fraction (5.15 = +515 %)
festival_end: str = "2022-06-19"  # last day of the festival: 2022-06-19 (festival report) or 2022-06-14 (trust-buy figure)
include_secondary_sources: bool = True  # keep V-2 (secondary copy) rows of the quarterly data
average_order_value_rmb: float = 70.0  # ASSUMED fast-brand average order value, RMB per order (Kuaishou live commerce late 2020: 70, V-2)
backtest_horizon: int = 4  # quarters ahead scored in the rolling-origin backtest
alpha: float = 0.1  # 1 - coverage of forecast intervals, in (0, 1)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.params
import trustlab.provenance
from trustlab import plots
from trustlab import promotion as promo
from trustlab.data import quarterly
from trustlab.data.facts import fact_date, fact_value, load_facts
from trustlab.facts import day_count
from trustlab.results import record

PARAMS = trustlab.runner.params.validate("02_promotion_growth", globals())  # same contract as `trustlab run`
plots.setup()
QUARTERLY_SOURCE = "Kuaishou results releases and reposts, via data/kuaishou_quarterly.csv (status per value)"
ARTICLE_SOURCE = "快手电商 616 report, quoted in the trade article of 2022-06-23 (data/facts.csv)"

# %% [markdown]
# ## Data
# **Festival figures** come from the article (`data/facts.csv`, each with its verbatim quote).
# **Quarterly figures** come from `data/kuaishou_quarterly.csv`; every value carries a status code:
# **V** verified in a primary or near-primary copy, **V-c** verified but a prior-year comparator printed
# in a later release, **V-2** verified but in a secondary, lower-reliability copy (dropped when
# `include_secondary_sources = False`). Gaps are left empty.

# %%
facts = load_facts()
festival_ids = [
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
]
display(facts.set_index("fact_id").loc[festival_ids, ["value", "unit", "qualifier", "period_start", "period_end", "quote"]])

festival_start = fact_date(facts, "promo_festival_start_2022")
festival_end_dates = [fact_date(facts, "promo_festival_end_2022"), fact_date(facts, "promo_festival_end_alt_2022")]
reported_growth = fact_value(facts, "promo_brand_merchant_gmv_growth_616_2022") / 100  # percent -> fraction
reported_multiple = fact_value(facts, "promo_merchant_multiple_616_vs_116")
display(Markdown(
    f"Festival dates in the article: from **{festival_start}** to **{festival_end_dates[0]}** (festival report) "
    f"or **{festival_end_dates[1]}** (trust-buy figure). This run uses `festival_end = {festival_end}`; "
    f"`gmv_growth = {gmv_growth}` (article: {reported_growth:.2f}) and `merchant_multiple = {merchant_multiple:g}` "
    f"(article: {reported_multiple:g})."
))

# %%
q_frame = quarterly.load_quarterly(include_secondary=include_secondary_sources)
q_wide = quarterly.wide(q_frame)
q_status = quarterly.wide_status(q_frame)
display(Markdown("Quarterly figures, `value (status)`; GMV and revenue in RMB bn, DAU and MAU in million, time in min/day:"))
display(quarterly.wide_with_status(q_frame))
gmv = q_wide["gmv_rmb_bn"]
gaps = [str(p) for p in gmv.index[gmv.isna()]]
display(Markdown(
    f"GMV quarters without a value in the sources: **{', '.join(gaps) if gaps else 'none'}**. "
    "Q4 2021 GMV is *not found* (NF) in the sources searched; it is never typed in by hand. "
    "Where a method needs a complete series, the gap is filled by a labelled interpolation step (below)."
))

# %% [markdown]
# ## Method
# 1. **Growth decomposition.** GMV = merchants x GMV per merchant, so
#    (1 + GMV growth) = merchant multiple x (1 + change of GMV per merchant). The two reported figures
#    have different bases (see the note printed below), so the result is a bound-type illustration,
#    shown over a grid of assumptions.
# 2. **Fast-brand funnel.** Views per order, orders per day; the 49 rooms that each sold over RMB 10 m
#    put a floor of 49 x RMB 10 m under fast-brand GMV, which, set against orders x an assumed average
#    order value, gives the floor's share and the order value below which the figures contradict each other.
# 3. **Trust-buy run-rate.** Orders covered per day in 2021 (5 bn / 365) against the festival
#    (over 400 m / festival days), under both festival end dates.
# 4. **Quarterly GMV.** Year-on-year growth; GMV per average DAU (RMB per DAU per quarter); additive
#    decomposition of log GMV (moving averages, period 4) after labelled gap filling; a seasonal
#    model (`model`) fitted on log GMV **up to `train_end` only** (the series is cut before gaps are
#    filled, so no later value can enter), forecasts with intervals; a rolling-origin backtest from
#    `train_end`; OLS of log GMV on a linear trend and quarter dummies (HC3 errors) for the Q2 and Q4 effects.

# %% [markdown]
# ## Result
# ### 1. Growth per merchant at 616

# %%
dec = promo.decompose_growth(gmv_growth, merchant_multiple)
gmv_per_merchant_change = dec.per_merchant_change
display(Markdown(
    f"With GMV up **{gmv_growth:.0%}** and **{merchant_multiple:g} times** as many merchants, GMV per merchant "
    f"changed by **{gmv_per_merchant_change:+.1%}** (a multiple of {1 + gmv_per_merchant_change:.3f}). "
    f"GMV per merchant would be unchanged only if the merchant count had grown {dec.breakeven_multiple:.2f}-fold.\n\n"
    f"*Base mismatch:* {dec.note}"
))
record("gmv_per_merchant_change", gmv_per_merchant_change)

grid = promo.decomposition_table([2.0, 3.0, 4.0, gmv_growth, 6.0], [2.0, 4.0, 6.15, merchant_multiple, 10.0])
display(
    grid.pivot_table(index="gmv_growth", columns="merchant_multiple", values="per_merchant_change")
    .rename_axis(index="GMV growth (fraction)", columns="merchant multiple (x)")
    .style.format("{:+.1%}")
    .set_caption("Implied change of GMV per merchant under alternative assumptions")
)

# %% [markdown]
# ### 2. Fast brands: views, orders and the top rooms

# %%
days = day_count(festival_start, festival_end)
funnel = promo.fast_brand_funnel(
    orders=fact_value(facts, "fastbrand_orders_616_2022"),
    room_views=fact_value(facts, "fastbrand_room_views_616_2022"),
    rooms_over_threshold=int(fact_value(facts, "fastbrand_rooms_over_10m_616_2022")),
    room_sales_threshold_rmb=fact_value(facts, "fastbrand_room_sales_threshold_616_2022"),
    average_order_value_rmb=average_order_value_rmb,
    days=days,
)
display(funnel.table().style.format({"value": "{:,.2f}"}).hide(axis="index"))
views_per_order = funnel.views_per_order
fast_brand_orders_per_day = funnel.orders_per_day
display(Markdown(
    f"Over {days} days, fast brands took **{fast_brand_orders_per_day:,.0f} orders a day**, and there were at least "
    f"**{views_per_order:,.0f} room views per order**. The 49 rooms over RMB 10 m sold at least "
    f"RMB {funnel.min_top_rooms_gmv_rmb / 1e6:,.0f} m; at an assumed RMB {average_order_value_rmb:,.0f} per order, all "
    f"fast-brand orders were worth RMB {funnel.fast_brand_gmv_rmb / 1e6:,.0f} m, so those 49 rooms made at least "
    f"**{funnel.top_rooms_min_share:.0%}** of fast-brand GMV. Below RMB {funnel.breakeven_order_value_rmb:,.1f} per order "
    f"the figures would contradict each other. The +{fact_value(facts, 'fastbrand_sales_growth_616_2022'):.0f} % "
    f"sales growth has no reported base (number of fast brands, or last year's period), and the "
    f"{fact_value(facts, 'fastbrand_repurchase_rate_max_616_2022'):.0f} % repurchase rate is the best room's "
    "('up to'), not an average: neither can be turned into growth per buyer."
))
record("views_per_order", views_per_order)
record("fast_brand_orders_per_day", fast_brand_orders_per_day)

aov_grid = pd.DataFrame({"average_order_value_rmb": [40.0, 50.0, 70.0, 100.0, 120.0]})
aov_grid["top_rooms_min_share"] = [
    promo.fast_brand_funnel(funnel.orders, funnel.room_views, 49, 1e7, a, days).top_rooms_min_share
    for a in aov_grid["average_order_value_rmb"]
]
display(aov_grid.style.format({"average_order_value_rmb": "{:.0f}", "top_rooms_min_share": "{:.0%}"}).hide(axis="index"))

# %% [markdown]
# ### 3. Trust-buy (信任购) orders per day

# %%
run = promo.trust_buy_run_rate(
    fact_value(facts, "rights_trust_buy_orders_2021"),
    fact_value(facts, "rights_trust_buy_orders_616_2022"),
    festival_start=str(festival_start),
    festival_ends=[str(d) for d in festival_end_dates],
)
display(run.style.format({"orders": "{:,.0f}", "orders_per_day": "{:,.0f}", "ratio_to_2021": "{:.2f}"}).hide(axis="index"))
trust_buy_daily_2021 = float(run.loc[0, "orders_per_day"])
chosen = run[run["period"].str.endswith(festival_end)].iloc[0]
trust_buy_daily_festival = float(chosen["orders_per_day"])
display(Markdown(
    f"In 2021 trust-buy covered **{trust_buy_daily_2021 / 1e6:,.1f} m orders a day** on average; during the festival "
    f"(ending {festival_end}, {int(chosen['days'])} days) at least **{trust_buy_daily_festival / 1e6:,.1f} m a day**, "
    f"{chosen['ratio_to_2021']:.2f} times the 2021 rate. Across the two end dates the ratio is "
    f"{run['ratio_to_2021'].iloc[1:].min():.2f} to {run['ratio_to_2021'].iloc[1:].max():.2f}: the 400 m orders are about "
    "the 2021 run-rate, not evidence of festival growth by themselves."
))
record("trust_buy_daily_2021", trust_buy_daily_2021)
record("trust_buy_daily_festival", trust_buy_daily_festival)

# %% [markdown]
# ### 4. Quarterly GMV: growth, GMV per user, season

# %%
per_user = pd.DataFrame({
    "GMV (RMB bn)": gmv,
    "GMV status": q_status["gmv_rmb_bn"],
    "YoY GMV growth": promo.yoy_growth(gmv),
    "DAU (m)": q_wide["dau_m"],
    "GMV per DAU (RMB/quarter)": promo.gmv_per_dau(gmv, q_wide["dau_m"]),
    "YoY GMV per DAU": promo.yoy_growth(promo.gmv_per_dau(gmv, q_wide["dau_m"])),
})
display(per_user.style.format({
    "GMV (RMB bn)": "{:,.1f}", "YoY GMV growth": "{:+.1%}", "DAU (m)": "{:,.1f}",
    "GMV per DAU (RMB/quarter)": "{:,.0f}", "YoY GMV per DAU": "{:+.1%}",
}, na_rep=""))
q2_22 = pd.Period("2022Q2", "Q")
if q2_22 in per_user.index and pd.notna(per_user.loc[q2_22, "YoY GMV growth"]):
    display(Markdown(
        f"The 616 quarter of 2022 (Q2) grew GMV by **{per_user.loc[q2_22, 'YoY GMV growth']:+.1%}** year on year and GMV "
        f"per DAU by **{per_user.loc[q2_22, 'YoY GMV per DAU']:+.1%}**, far from the festival's +{gmv_growth:.0%} "
        "for brand merchants: the festival figure is a slice (brand merchants, a festival window), not the platform."
    ))

# %%
decomp = promo.decompose(gmv)
filled = decomp.filled
display(Markdown("**Labelled interpolation step** (for the decomposition only; quarters with `interpolated = True` are not data):"))
display(filled[filled["interpolated"]])
factors = decomp.seasonal_factors()
display(factors.rename("seasonal factor (x trend)").to_frame().style.format("{:.3f}"))

fig, ax = plt.subplots()
x = filled.index.to_timestamp()
ax.plot(x, filled["value"], marker="o", label="GMV (observed)")
ax.plot(x, np.exp(decomp.trend), label="trend (centred 4-quarter moving average)")
interp = filled[filled["interpolated"]]
ax.scatter(interp.index.to_timestamp(), interp["value"], s=90, facecolors="none", edgecolors="red", zorder=5,
           label="interpolated (" + ", ".join(interp["method"].unique()) + ")")
ax.set_ylabel("GMV per quarter (RMB bn)")
ax.set_xlabel("quarter")
ax.set_title("Kuaishou e-commerce GMV: level, trend and the Q4 peak")
ax.legend()
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ### 5. What could be expected at `train_end`, and what happened

# %%
fc = promo.fit_forecast(gmv, train_end, model, forecast_quarters, alpha=alpha)
assert (fc.table.index > fc.train_end).all(), "forecast quarters must all be after train_end"
assert fc.train.index.max() == fc.train_end, "training data must end at train_end"
display(Markdown(
    f"Sanity check: the model ({fc.spec}) saw **{len(fc.train)}** quarters, {fc.train.index.min()}..{fc.train.index.max()} "
    f"({int(fc.train['interpolated'].sum())} interpolated: "
    f"{', '.join(f'{p} by {m}' for p, m in fc.train.loc[fc.train['interpolated'], 'method'].items()) or 'none'}); "
    f"the forecast covers {fc.table.index.min()}..{fc.table.index.max()}, all after train_end = {fc.train_end}."
))
outcome = fc.table.join(gmv.rename("actual"), how="left")
outcome["actual status"] = q_status["gmv_rmb_bn"].reindex(outcome.index).fillna("")
inside = (outcome["actual"] >= outcome["lower"]) & (outcome["actual"] <= outcome["upper"])
outcome["inside interval"] = np.where(outcome["actual"].isna(), "not reported", np.where(inside, "yes", "no"))
display(outcome.style.format({"forecast": "{:,.1f}", "lower": "{:,.1f}", "upper": "{:,.1f}", "actual": "{:,.1f}"}, na_rep="")
        .set_caption(f"GMV (RMB bn): median forecast with {1 - alpha:.0%} interval, and the value reported later"))
forecast = {str(q): {"value": r["forecast"], "lower": r["lower"], "upper": r["upper"]} for q, r in fc.table.iterrows()}
record("forecast", forecast)

scored = outcome.dropna(subset=["actual"])
if len(scored):
    display(Markdown(
        f"Of the {len(scored)} forecast quarters already reported, **{int((scored['inside interval'] == 'yes').sum())}** fall inside the "
        f"{1 - alpha:.0%} interval; the mean absolute error is **{(abs(scored['forecast'] - scored['actual']) / scored['actual']).mean():.1%}** "
        f"of the actual value. Largest miss: {abs(scored['forecast'] - scored['actual']).idxmax()} "
        f"(forecast {scored.loc[abs(scored['forecast'] - scored['actual']).idxmax(), 'forecast']:,.1f}, "
        f"actual {scored.loc[abs(scored['forecast'] - scored['actual']).idxmax(), 'actual']:,.1f} RMB bn)."
    ))

fig, ax = plt.subplots()
hist = gmv.dropna()
ax.plot(hist.index.to_timestamp(), hist.values, marker="o", color="0.3", label="GMV reported")
train_pts = fc.train[~fc.train["interpolated"]]
ax.plot(train_pts.index.to_timestamp(), train_pts["value"], "o", color="C0", label=f"seen by the model (to {fc.train_end})")
tx = fc.table.index.to_timestamp()
ax.plot(tx, fc.table["forecast"], marker="s", color="C1", label=f"forecast ({model})")
plots.shaded_interval(ax, tx, fc.table["lower"], fc.table["upper"], label=f"{1 - alpha:.0%} interval", color="C1")
ax.axvline(fc.train_end.to_timestamp(how="end"), color="0.5", ls="--", lw=1)
ax.set_ylabel("GMV per quarter (RMB bn)")
ax.set_xlabel("quarter")
ax.set_title(f"Forecast from data up to {fc.train_end} against what was reported")
ax.legend(loc="upper left")
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ### 6. Rolling-origin backtest from `train_end`

# %%
if fc.train_end < gmv.dropna().index.max():
    bt = promo.backtest(gmv, train_end, model, backtest_horizon, alpha=alpha)
    display(bt.errors.style.format({"mape": "{:.1%}", "coverage": "{:.0%}"}).hide(axis="index")
            .set_caption(f"Error by horizon; every origin from {train_end} refitted on data up to itself"))
    backtest_mape, backtest_coverage = bt.mape, bt.coverage
    display(Markdown(
        f"Across {len(bt.forecasts)} scored forecasts (origins {bt.forecasts['origin'].min()}..{bt.forecasts['origin'].max()}, "
        f"1 to {backtest_horizon} quarters ahead), the mean absolute percentage error is **{backtest_mape:.1%}** and "
        f"**{backtest_coverage:.0%}** of actuals fall inside the nominal {1 - alpha:.0%} intervals."
    ))
else:
    backtest_mape = backtest_coverage = None
    display(Markdown(f"No quarter after train_end = {train_end} has been reported, so there is nothing to backtest."))
record("backtest_mape", backtest_mape)
record("backtest_coverage", backtest_coverage)

# %% [markdown]
# ### 7. The 616 (Q2) and Double 11 (Q4) effects

# %%
effects = promo.quarter_effects(gmv, reference_quarter=3)
display(effects.style.format({"effect": "{:+.1%}", "lower": "{:+.1%}", "upper": "{:+.1%}", "p_value": "{:.3g}"}).hide(axis="index")
        .set_caption("log GMV ~ trend + quarter dummies (reference Q3), OLS with HC3 errors; 95 % CI; observed quarters only"))
eff = effects.set_index("quarter")
q2_effect = {"effect": eff.loc["Q2", "effect"], "lower": eff.loc["Q2", "lower"], "upper": eff.loc["Q2", "upper"]}
q4_effect = {"effect": eff.loc["Q4", "effect"], "lower": eff.loc["Q4", "lower"], "upper": eff.loc["Q4", "upper"]}
display(Markdown(
    f"After the trend (**{eff.loc['trend (per quarter)', 'effect']:+.1%}** a quarter), the Double 11 quarter (Q4) sells "
    f"**{q4_effect['effect']:+.0%}** (95 % CI {q4_effect['lower']:+.0%} to {q4_effect['upper']:+.0%}) more than Q3, while "
    f"the 616 quarter (Q2) differs from Q3 by **{q2_effect['effect']:+.0%}** ({q2_effect['lower']:+.0%} to {q2_effect['upper']:+.0%}). "
    + ("In the quarterly data 616 is not a visible peak (its interval includes no effect or a fall)."
       if q2_effect["lower"] <= 0 else "The 616 quarter stands out above Q3 in the quarterly data.")
))
record("q2_effect", q2_effect)
record("q4_effect", q4_effect)

fig, ax = plt.subplots()
plot_eff = effects[effects["quarter"].str.startswith("Q")]
ax.errorbar(plot_eff["quarter"], plot_eff["effect"] * 100,
            yerr=[(plot_eff["effect"] - plot_eff["lower"]) * 100, (plot_eff["upper"] - plot_eff["effect"]) * 100],
            fmt="o", capsize=6)
ax.axhline(0, color="0.5", lw=1)
ax.set_ylabel("GMV relative to Q3, after trend (%)")
ax.set_xlabel("quarter of the year (Q2: 616, Q4: Double 11 / 116)")
ax.set_title("Seasonal GMV effects with 95 % confidence intervals")
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ## Caveats
# - The +515 % and the x8 have different bases (brand merchants' GMV against the same festival last
#   year; all participating merchants against last year's 116 festival); the per-merchant change is an
#   illustration, not a measurement. The article gives no buyer counts, so growth *per buyer* cannot be
#   computed from it; GMV per DAU is the nearest platform-level per-user measure.
# - The fast-brand average order value is an assumption (parameter); the top rooms' share is a floor
#   because every count is "more than".
# - Q4 2021 GMV is missing from the sources. Training data up to 2022Q1 fill it by log-linear
#   interpolation between Q3 2021 and Q1 2022, which flattens the Q4 peak; an analyst in June 2022
#   would have had the reported figure. With only five quarters, any seasonal model is weakly identified
#   (the seasonal AR term is estimated near zero): the 2022Q1 forecast is essentially trend growth.
# - V-2 values come from secondary copies; rerun with `include_secondary_sources = False` to see what
#   depends on them (more gaps, fewer feasible `train_end` values).
# - ETS intervals are often too narrow on so short a series (see the backtest coverage when `model = ets`).
#
# ## References
# - Trade article, 2022-06-23: 對話貝源世家:快手電商的"信任金字塔"與"快品牌"成長邏輯 (`data/raw/kuaishou-trust-pyramid-2022-06-23.scraped.txt`).
# - Kuaishou quarterly results releases and reposts, per row in `data/kuaishou_quarterly.csv` (compiled in `data/raw/kuaishou-public-figures.md`).
# - statsmodels: `seasonal_decompose`, `SARIMAX`, `ETSModel`, OLS with HC3 covariance.

# %%
# The commit and package versions are this run's provenance, not results, so nbval skips them:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
