# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
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
train_end: str = "2023Q4"  # last quarter the forecasting model may see, YYYYQn (scenario june2022: 2022Q1, what was known in June 2022)
forecast_quarters: int = 7  # quarters to forecast after train_end
model: str = "sarimax"  # seasonal model on log GMV: sarimax (needs 9 quarters) or ets (needs 12); with fewer up to train_end it makes no forecast and the benchmarks remain
merchant_multiple: float = 8.0  # merchants at 616 of 2022 as a multiple of last year's 116 festival, x
gmv_growth: float = 5.15  # brand merchants' GMV growth at 616 of 2022, fraction (5.15 is +515 %)
festival_end: str = "2022-06-19"  # festival end for a festival figure whose sentence gives no end (dated figures keep their own window)
include_secondary_sources: bool = True  # keep V-2 (secondary copy) rows of the quarterly data and D-2 rows derived from them
average_order_value_rmb: float = 70.0  # ASSUMED fast-brand average order value, RMB per order (Kuaishou live commerce late 2020: 70, V-2)
backtest_horizon: int = 4  # quarters ahead scored in the rolling-origin backtest
alpha: float = 0.1  # 1 - coverage of forecast intervals, in (0, 1)

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.notebook
import trustlab.provenance
from trustlab import plots, prose, tables_display
from trustlab import promotion as promo
from trustlab.data import quarterly
from trustlab.data.facts import fact_date, fact_value, load_facts
from trustlab.results import record

PARAMS = trustlab.runner.notebook.validate("02_promotion_growth", globals())  # same contract as `trustlab run`
plots.setup()
QUARTERLY_SOURCE = "Kuaishou results releases and reposts, via data/kuaishou_quarterly.csv (status per value)"
ARTICLE_SOURCE = "快手电商 616 report, quoted in the trade article of 2022-06-23 (data/facts.csv)"
RUN = promo.run(PARAMS)  # every number of this notebook; the sections below display its parts
METHOD_TABLE_FORMATS = {"MASE": "{:.2f}", "interval coverage": lambda v: "n/a" if tables_display.is_missing(v) else f"{v:.0%}"}
RESULTS = RUN.results

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {line}" for line in promo.summary(RESULTS, PARAMS))))

# %% [markdown]
# ## Data
# **Festival figures** come from the article (`data/facts.csv`, each with its verbatim quote).
# **Quarterly figures** come from `data/kuaishou_quarterly.csv`; every value carries a status code:
# **V** verified in a primary or near-primary copy, **V-c** verified but a prior-year comparator printed
# in a later release, **V-2** verified but in a secondary, lower-reliability copy, **D-2** derived by
# this project from quoted figures, at least one of them V-2 (its arithmetic is in the row's note and
# printed below). V-2 and D-2 values are dropped when `include_secondary_sources = False`. Gaps are
# left empty.

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
tables_display.show(facts.set_index("fact_id").loc[festival_ids, ["value", "unit", "qualifier", "period_start", "period_end", "quote"]]
                    .reset_index(), formats={"value": tables_display.format_text_number}, text_columns=["quote"])

festival_start = fact_date(facts, "promo_festival_start_2022")
festival_end_dates = [fact_date(facts, "promo_festival_end_2022"), fact_date(facts, "promo_festival_end_alt_2022")]
reported_growth = fact_value(facts, "promo_brand_merchant_gmv_growth_616_2022") / 100  # percent -> fraction
reported_multiple = fact_value(facts, "promo_merchant_multiple_616_vs_116")
display(Markdown(
    f"Festival dates in the article: from **{festival_start}** to **{festival_end_dates[0]}** (festival report and "
    f"fast-brand figures) or **{festival_end_dates[1]}** (the trust-buy figure's own sentence). Each figure is put per day "
    f"over its own dated window; `festival_end = {festival_end}` would only date a figure whose sentence gives no end. "
    f"`gmv_growth = {gmv_growth}` (article: {reported_growth:.2f}) and `merchant_multiple = {merchant_multiple:g}` "
    f"(article: {reported_multiple:g})."
))

# %%
q_frame = quarterly.load_quarterly(include_secondary=include_secondary_sources)
q_wide = quarterly.wide(q_frame)
q_status = quarterly.wide_status(q_frame)
display(Markdown("Quarterly figures, `value (status)`; GMV and revenue in RMB bn, DAU and MAU in million, time in min/day:"))
tables_display.show(quarterly.wide_with_status(q_frame).rename_axis("quarter").reset_index().astype({"quarter": str}))
gmv = q_wide["gmv_rmb_bn"]
gaps = [str(p) for p in gmv.index[gmv.isna()]]
gap_reasons = quarterly.gap_reasons(include_secondary_sources)
gaps_by_reason: dict[str, list[str]] = {}
for q in gaps:
    gaps_by_reason.setdefault(gap_reasons[q], []).append(q)
derived_gmv = q_frame[q_frame["status"].isin(quarterly.DERIVED_STATUSES) & (q_frame["metric"] == "gmv_rmb_bn")]
display(Markdown(
    "".join(f"**{r.quarter} GMV** was not found as a quarterly figure; its row is {r.note}. " for r in derived_gmv.itertuples())
    + f"GMV quarters without a value in this run: **{', '.join(gaps) if gaps else 'none'}**. "
    + ("; ".join(f"{prose.join(qs)} GMV {'is' if len(qs) == 1 else 'are'} {reason}" for reason, qs in gaps_by_reason.items()) + ". "
       "Where a method needs a complete series, a gap is filled by a labelled interpolation step (below); "
       "charts of the reported series break at a gap." if gaps else "")
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
#    filled, so no later value can enter), forecasts with intervals, and four benchmarks from the same
#    training data (FPP3's simple methods, point forecasts: their interval coverage is n/a): the
#    **naive** (the last quarter), the **drift** (the average change carried forward), the **seasonal
#    naive** (the same quarter a year earlier) and the **seasonal naive x the latest year-on-year growth**.
#    A seasonal model needs two full seasonal cycles of the series it models (SARIMAX models first
#    differences, so one quarter more; ETS has more parameters, so three cycles; section 5 gives the
#    count). With fewer, or when its fit did not converge, the model makes no forecast, scores nothing and
#    chooses nothing, and the run names the fit.
#    Errors: MAPE (error over the actual) and MASE (error over the training data's mean absolute change
#    from the same quarter a year earlier); skill = 1 - MAPE(model) / MAPE(best benchmark).
# 5. **Headline method, without hindsight and only on enough evidence.** The headline forecast uses the
#    method with the lowest MAPE in a rolling-origin backtest on the data **up to `train_end` only**:
#    origins from the first quarter at which every method can be fitted to the quarter before
#    `train_end`, each refitted on data up to itself, scoring 1 to `backtest_horizon` quarters ahead up
#    to `train_end`, every method on the same (origin, target) pairs (ties go to the model). The data
#    choose only with at least a year of scored origins (so no single season decides; the Summary counts them);
#    otherwise the headline is the seasonal naive, the benchmark for seasonal data. The quarters after
#    `train_end` then **evaluate** every method, but never choose: the holdout (one forecast from
#    `train_end`) and a rolling-origin backtest from `train_end` on. Interval coverage is judged with
#    one-sided binomial tests (5 %), or called too few to judge.
# 6. **Q2 and Q4 effects.** OLS of log GMV on a trend and quarter dummies. Growth slowed, so the trend is
#    chosen by **BIC** among linear, quadratic and log-time trends; errors are **HAC (Newey-West)** with
#    t critical values (df = n - k); Durbin-Watson is shown for each specification. Each quarter is
#    compared with **every other quarter** (contrasts of the dummies with their HAC intervals), not with
#    one reference quarter nor with the average quarter: a peak is a quarter above each of the others
#    (all three intervals above 0, an intersection-union test at the stated level), and the average
#    quarter is lifted by Double 11, so "below average" would not say where Q2 stands against Q1 and Q3.
#    With few observations per parameter (counted in the Caveats) the HAC intervals are checked with a
#    **moving-block bootstrap** of the residuals (seeded; replications stated below), verdict by verdict.

# %% [markdown]
# ## Result
# ### 1. Growth per merchant at 616

# %%
dec = RUN.decomposition
gmv_per_merchant_change = dec.per_merchant_change
display(Markdown(
    f"{promo.decomposition_sentence(gmv_growth, merchant_multiple, gmv_per_merchant_change)} "
    f"(a multiple of {prose.number(1 + gmv_per_merchant_change)}). {promo.breakeven_sentence(dec.breakeven_multiple)}\n\n"
    f"*Base mismatch:* {dec.note}"
))
record("gmv_per_merchant_change", gmv_per_merchant_change)

grid = promo.decomposition_table([2.0, 3.0, 4.0, gmv_growth, 6.0], [2.0, 4.0, 6.15, merchant_multiple, 10.0])
pivot = grid.pivot_table(index="gmv_growth", columns="merchant_multiple", values="per_merchant_change")
pivot.columns = [f"x{tables_display.format_number(m)} merchants" for m in pivot.columns]
pivot = pivot.rename_axis("GMV growth (fraction)").reset_index()
tables_display.show(pivot, formats={c: "{:+.1%}" for c in pivot.columns[1:]},
                    caption="Implied change of GMV per merchant under alternative assumptions (GMV growth x merchant multiple)")

# %% [markdown]
# ### 2. Fast brands: views, orders and the top rooms

# %%
funnel = RUN.funnel
days = funnel.days
tables_display.show(funnel.table())
views_per_order = funnel.views_per_order
fast_brand_orders_per_day = funnel.orders_per_day
display(Markdown(
    f"Over the {days} days their sentence dates ({RUN.fast_brand_window[0]}..{RUN.fast_brand_window[1]}), fast brands took **{fast_brand_orders_per_day:,.0f} orders a day**, and there were at least "
    f"**{views_per_order:,.0f} room views per order**. The 49 rooms over RMB 10 m sold at least "
    f"RMB {funnel.min_top_rooms_gmv_rmb / 1e6:,.0f} m; at an assumed RMB {average_order_value_rmb:,.0f} per order, all "
    f"fast-brand orders were worth RMB {funnel.fast_brand_gmv_rmb / 1e6:,.0f} m, so those 49 rooms made "
    f"**{promo.top_rooms_share(funnel.top_rooms_min_share)}** fast-brand GMV. Below RMB {funnel.breakeven_order_value_rmb:,.1f} per order "
    f"the figures would contradict each other. The +{fact_value(facts, 'fastbrand_sales_growth_616_2022'):.0f} % "
    f"sales growth has no reported base (number of fast brands, or last year's period), and the "
    f"{fact_value(facts, 'fastbrand_repurchase_rate_max_616_2022'):.0f} % repurchase rate is the best room's "
    "('up to'), not an average: neither can be turned into growth per buyer."
))
record("views_per_order", views_per_order)
assert fast_brand_orders_per_day == RESULTS["fast_brand_orders_per_day"]  # the same value notebook 00 gives
record("fast_brand_orders_per_day", RESULTS["fast_brand_orders_per_day"])

aov_grid = pd.DataFrame({"average_order_value_rmb": [40.0, 50.0, 70.0, 100.0, 120.0]})
aov_grid["top_rooms_min_share"] = [
    promo.fast_brand_funnel(funnel.orders, funnel.room_views, 49, 1e7, a, days).top_rooms_min_share
    for a in aov_grid["average_order_value_rmb"]
]
tables_display.show(aov_grid.rename(columns={"average_order_value_rmb": "average order value, RMB",
                                               "top_rooms_min_share": "top rooms' minimum share of fast-brand GMV"}),
                    formats={"top rooms' minimum share of fast-brand GMV": "{:.0%}"})

# %% [markdown]
# ### 3. Trust-buy (信任购) orders per day

# %%
run = RUN.trust_buy
tables_display.show(run, formats={"orders": "{:,.0f}", "orders_per_day": "{:,.0f}", "ratio_to_2021": "{:.2f}"},
                    caption="dated = the window the trust-buy sentence itself gives; the other row is the festival report's reading")
trust_buy_daily_2021 = RESULTS["trust_buy_daily_2021"]
trust_buy_daily_festival = RESULTS["trust_buy_daily_festival"]
display(Markdown(
    f"In 2021 trust-buy covered **{prose.number(trust_buy_daily_2021 / 1e6)} m orders a day** on average; during its dated "
    f"festival window ({RUN.trust_buy_window[0]}..{RUN.trust_buy_window[1]}, {RESULTS['trust_buy_days']} days) at least "
    f"**{prose.number(trust_buy_daily_festival / 1e6)} m a day**, {prose.number(RESULTS['trust_buy_ratio_to_2021'])} times the 2021 rate "
    f"({prose.number(run['ratio_to_2021'].iloc[1:].min())} to {prose.number(run['ratio_to_2021'].iloc[1:].max())} across both end dates). "
    + ("The 400 m orders are about the 2021 run-rate, not evidence of festival growth by themselves."
       if run["ratio_to_2021"].iloc[1:].max() < 1.5 else "")
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
tables_display.show(per_user.rename_axis("quarter").reset_index().astype({"quarter": str}), formats={
    "GMV (RMB bn)": "{:,.1f}", "YoY GMV growth": "{:+.1%}", "DAU (m)": "{:,.1f}",
    "GMV per DAU (RMB/quarter)": "{:,.0f}", "YoY GMV per DAU": "{:+.1%}",
})
q2_22 = pd.Period("2022Q2", "Q")
if q2_22 in per_user.index and pd.notna(per_user.loc[q2_22, "YoY GMV growth"]):
    display(Markdown(promo.festival_versus_quarter(per_user.loc[q2_22, "YoY GMV growth"], per_user.loc[q2_22, "YoY GMV per DAU"],
                                                   gmv_growth)))

# %%
decomp = promo.decompose(gmv)
filled = decomp.filled
display(Markdown("**Labelled interpolation step** (for the decomposition only; quarters with `interpolated = True` are not data):"))
tables_display.show(filled[filled["interpolated"]].rename_axis("quarter").reset_index().astype({"quarter": str}),
                    formats={"value": "{:,.1f}"})
factors = decomp.seasonal_factors()
tables_display.show(factors.rename("seasonal factor (x trend)").rename_axis("quarter").reset_index(),
                    formats={"seasonal factor (x trend)": "{:.3f}"})

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
plots.quarter_axis(ax)
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ### 5. What could be expected at `train_end`, and what happened

# %%
display(Markdown(promo.training_sentence(RESULTS, PARAMS)))
if RUN.forecast is not None:
    assert (RUN.forecast.table.index > RUN.forecast.train_end).all(), "forecast quarters must all be after train_end"
    assert RUN.forecast.train.index.max() == RUN.forecast.train_end, "training data must end at train_end"
if RESULTS["selection_n"]:
    tables_display.show(promo.method_table(RUN.selection.backtests, RESULTS["headline_method"]), percent=["MAPE"],
                        formats=METHOD_TABLE_FORMATS, caption=promo.selection_caption(RESULTS, PARAMS))
display(Markdown(promo.headline_reason(RESULTS, PARAMS)))
headline = RESULTS["headline_method"]
holdout = promo.holdout_table(RUN)
tables_display.show(holdout, formats={c: "{:,.1f}" for c in holdout.columns if c not in ("quarter", "status")},
                    caption=promo.holdout_caption(RESULTS, PARAMS))
record("model_status", RESULTS["model_status"])
record("forecast", RESULTS["forecast"], optimizer=True)
record("forecasts_by_method", RESULTS["forecasts_by_method"], optimizer=True)
record("headline_method", headline)
record("headline_forecast", RESULTS["headline_forecast"], optimizer=True)
record("selection_mape_by_method", RESULTS["selection_mape_by_method"], optimizer=True)
record("selection_chosen_by_data", RESULTS["selection_chosen_by_data"])

if RESULTS["holdout_n"]:
    tables_display.show(promo.holdout_scores(RESULTS), percent=["MAPE"], formats=METHOD_TABLE_FORMATS,
                        caption=f"Holdout: the {promo.counted(RESULTS['holdout_n'], 'reported quarter')} after train_end "
                                "(evaluation, not used for the choice)")
    display(Markdown(promo.holdout_sentence(RUN)))
record("holdout_mape", RESULTS["holdout_mape"], optimizer=True)
record("holdout_mase", RESULTS["holdout_mase"], optimizer=True)
record("holdout_coverage", RESULTS["holdout_coverage"])

fig, ax = plt.subplots()
promo.draw_forecasts(ax, RUN)
plots.quarter_axis(ax)
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ### 6. Rolling-origin backtest from `train_end`, against the benchmarks
# An evaluation after the fact: these origins lie after `train_end`, so this backtest scores the methods
# but did not choose the headline one (section 5 did, on data up to `train_end`).

# %%
if RESULTS["backtest_n"]:
    tables_display.show(promo.method_table(RUN.backtests), percent=["MAPE"], formats=METHOD_TABLE_FORMATS,
                        caption=promo.backtest_caption(RESULTS, PARAMS))
    for error in ("mape", "mase"):
        by_h = promo.errors_by_horizon(RUN.backtests, error)
        tables_display.show(by_h, percent=list(by_h.columns[1:]) if error == "mape" else [],
                            formats={} if error == "mape" else {c: "{:.2f}" for c in by_h.columns[1:]},
                            caption=f"{error.upper()} by horizon (quarters ahead)")
    display(Markdown(promo.backtest_sentence(RESULTS)))
else:
    display(Markdown(f"No quarter after train_end = {train_end} can be scored on every method, so there is nothing to backtest."))
record("backtest_mape", RESULTS["backtest_mape"], optimizer=True)
record("backtest_coverage", RESULTS["backtest_coverage"])
record("backtest_mape_by_method", RESULTS["backtest_mape_by_method"], optimizer=True)
record("backtest_mase_by_method", RESULTS["backtest_mase_by_method"], optimizer=True)
record("backtest_mape_by_horizon", RESULTS["backtest_mape_by_horizon"], optimizer=True)
record("backtest_relative_mape", RESULTS["backtest_relative_mape"], optimizer=True)
record("selection_origins_not_converged", RESULTS["selection_origins_not_converged"])
record("backtest_origins_not_converged", RESULTS["backtest_origins_not_converged"])

# %% [markdown]
# ### 7. The 616 (Q2) and Double 11 (Q4) effects

# %%
specs = RUN.effects
shown = [("Q2", "Q1"), ("Q2", "Q3"), ("Q2", "Q4"), ("Q4", "Q1"), ("Q4", "Q3")]
by_trend = specs.contrasts.set_index(["quarter", "against"]).loc[shown].reset_index()
by_trend["contrast"] = by_trend["quarter"] + " vs " + by_trend["against"]
spec_table = (specs.table.set_index("trend")[["growth", "bic", "durbin_watson"]]
              .join(by_trend.pivot(index="trend", columns="contrast", values="effect"))
              .join(by_trend.pivot(index="trend", columns="contrast", values="p_value").add_suffix(" p")))
tables_display.show(spec_table.reset_index(),
                    formats={"bic": "{:.1f}", "durbin_watson": "{:.2f}"}
                    | {c: ("{:.3g}" if c.endswith(" p") else promo.signed_percent_off_zero) for c in spec_table.columns if " vs " in c},
                    caption=f"log GMV ~ trend + quarter dummies, each quarter against each other, n = {RESULTS['effects_n']}; "
                            f"HAC (Newey-West, {int(specs.table['lags'].iloc[0])} lags) errors, t tests; chosen by lowest BIC: {specs.chosen}")
effects = specs.effects.set_index(["quarter", "against"]).loc[shown].reset_index()
boot = RESULTS["effects_bootstrap"]
tables_display.show(effects[["quarter", "against", "effect", "lower", "upper", "p_value", "boot_lower", "boot_upper", "agree"]],
                    formats={c: promo.signed_percent_off_zero for c in ("effect", "lower", "upper", "boot_lower", "boot_upper")}
                    | {"p_value": "{:.3g}"},
                    caption=f"Under the chosen trend ({specs.chosen}): 95 % HAC intervals (lower, upper) and moving-block bootstrap "
                            f"intervals (boot_lower, boot_upper; {boot['replications']:,} replications, blocks of {boot['block_length']} "
                            f"quarters, seed {boot['seed']}); agree: both on the same side of 0")
display(Markdown(promo.effects_paragraph(RESULTS, specs)))
record("q2_vs_others", RESULTS["q2_vs_others"])
record("q4_vs_others", RESULTS["q4_vs_others"])
record("effects_bootstrap", RESULTS["effects_bootstrap"])
record("effects_trend", RESULTS["effects_trend"])

fig, ax = plt.subplots()
x = np.arange(len(effects))
ax.errorbar(x - 0.1, effects["effect"] * 100,
            yerr=[(effects["effect"] - effects["lower"]) * 100, (effects["upper"] - effects["effect"]) * 100],
            fmt="o", capsize=6, label="HAC (Newey-West), t")
ax.errorbar(x + 0.1, effects["effect"] * 100,
            yerr=[(effects["effect"] - effects["boot_lower"]) * 100, (effects["boot_upper"] - effects["effect"]) * 100],
            fmt="s", capsize=6, label="moving-block bootstrap")
ax.set_xticks(x, effects["quarter"] + " vs " + effects["against"])
ax.axhline(0, color="0.5", lw=1)
ax.set_ylabel("GMV difference after trend (%)")
ax.set_xlabel("quarter against quarter (Q2: 616, Q4: Double 11 / 116)")
ax.set_title(f"Seasonal GMV contrasts ({specs.chosen} trend) with 95 % intervals")
ax.legend()
plots.caption(fig, QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ## Caveats

# %%
display(Markdown("\n".join(f"- {line}" for line in promo.caveats(RESULTS, PARAMS))))

# %% [markdown]
# - The +515 % and the x8 have different bases (brand merchants' GMV against the same festival last
#   year; all participating merchants against last year's 116 festival); the per-merchant change is an
#   illustration, not a measurement. The article gives no buyer counts, so growth *per buyer* cannot be
#   computed from it; GMV per DAU is the nearest platform-level per-user measure.
# - The fast-brand average order value is an assumption (parameter); the top rooms' share is a floor
#   because every count is "more than".
# - V-2 values come from secondary copies; rerun with `include_secondary_sources = False` to see what
#   depends on them (more gaps, fewer feasible `train_end` values).

# %% [markdown]
# ## References
# From the project's bibliography, `data/references.json`.

# %%
from trustlab import references

references.show(
    ["zhuangshuai-2022-trust-pyramid", "trustlab-2026-quarterly", "trustlab-2026-public-figures", "seabold-perktold-2010"],
    notes={"seabold-perktold-2010": "Used here: seasonal_decompose, SARIMAX, ETSModel, OLS with HAC (Newey-West) covariance."},
)

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
