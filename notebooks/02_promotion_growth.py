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
from IPython.display import Markdown, display

import trustlab.provenance
from trustlab import plots, tables_display
from trustlab import promotion as promo
from trustlab.results import record

PARAMS = promo.Parameters.check_notebook(globals())  # the same contract as `trustlab run`
plots.setup()
RUN = promo.run(PARAMS)  # every number of this notebook; the sections below display its parts
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
tables_display.show(promo.festival_facts_table(RUN.facts), formats={"value": tables_display.format_text_number}, text_columns=["quote"])
display(Markdown(promo.festival_dates_paragraph(RUN.facts, PARAMS)))

# %%
display(Markdown("Quarterly figures, `value (status)`; GMV and revenue in RMB bn, DAU and MAU in million, time in min/day:"))
tables_display.show(promo.quarterly_table(RUN.quarterly))
display(Markdown(promo.gaps_paragraph(RUN)))

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
display(Markdown(promo.decomposition_paragraph(RUN.decomposition)))
record("gmv_per_merchant_change", RUN.decomposition.per_merchant_change)

# %%
grid = promo.decomposition_grid(gmv_growth, merchant_multiple)
tables_display.show(grid, formats={c: "{:+.1%}" for c in grid.columns[1:]},
                    caption="Implied change of GMV per merchant under alternative assumptions (GMV growth x merchant multiple)")

# %% [markdown]
# ### 2. Fast brands: views, orders and the top rooms

# %%
funnel = RUN.funnel
tables_display.show(funnel.table())
display(Markdown(promo.funnel_paragraph(RUN)))
record("views_per_order", funnel.views_per_order)
assert funnel.orders_per_day == RESULTS["fast_brand_orders_per_day"]  # the same value notebook 00 gives
record("fast_brand_orders_per_day", RESULTS["fast_brand_orders_per_day"])

# %%
tables_display.show(promo.order_value_table(funnel), formats={"top rooms' minimum share of fast-brand GMV": "{:.0%}"})

# %% [markdown]
# ### 3. Trust-buy (信任购) orders per day

# %%
tables_display.show(RUN.trust_buy, formats=promo.TRUST_BUY_FORMATS,
                    caption="dated = the window the trust-buy sentence itself gives; the other row is the festival report's reading")
display(Markdown(promo.trust_buy_paragraph(RUN)))
record("trust_buy_daily_2021", RESULTS["trust_buy_daily_2021"])
record("trust_buy_daily_festival", RESULTS["trust_buy_daily_festival"])

# %% [markdown]
# ### 4. Quarterly GMV: growth, GMV per user, season

# %%
per_user = promo.per_user_table(RUN)
tables_display.show(per_user, formats=promo.PER_USER_FORMATS)
festival_quarter = promo.festival_quarter_sentence(per_user, gmv_growth)
if festival_quarter:
    display(Markdown(festival_quarter))

# %%
display(Markdown("**Labelled interpolation step** (for the decomposition only; quarters with `interpolated = True` are not data):"))
tables_display.show(promo.interpolation_table(RUN.seasonal), formats={"value": "{:,.1f}"})
tables_display.show(promo.seasonal_factor_table(RUN.seasonal), formats={"seasonal factor (x trend)": "{:.3f}"})

# %%
fig, ax = plt.subplots()
promo.draw_seasonal_decomposition(ax, RUN.seasonal)
plots.quarter_axis(ax)
plots.caption(fig, promo.QUARTERLY_SOURCE)
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
                        formats=promo.METHOD_TABLE_FORMATS, caption=promo.selection_caption(RESULTS, PARAMS))
display(Markdown(promo.headline_reason(RESULTS, PARAMS)))

# %%
holdout = promo.holdout_table(RUN)
tables_display.show(holdout, formats={c: "{:,.1f}" for c in holdout.columns if c not in ("quarter", "status")},
                    caption=promo.holdout_caption(RESULTS, PARAMS))
record("model_status", RESULTS["model_status"])
record("forecast", RESULTS["forecast"], optimizer=True)
record("forecasts_by_method", RESULTS["forecasts_by_method"], optimizer=True)
record("headline_method", RESULTS["headline_method"])
record("headline_forecast", RESULTS["headline_forecast"], optimizer=True)
record("selection_mape_by_method", RESULTS["selection_mape_by_method"], optimizer=True)
record("selection_chosen_by_data", RESULTS["selection_chosen_by_data"])

# %%
if RESULTS["holdout_n"]:
    tables_display.show(promo.holdout_scores(RESULTS), percent=["MAPE"], formats=promo.METHOD_TABLE_FORMATS,
                        caption=promo.holdout_scores_caption(RESULTS))
    display(Markdown(promo.holdout_sentence(RUN)))
record("holdout_mape", RESULTS["holdout_mape"], optimizer=True)
record("holdout_mase", RESULTS["holdout_mase"], optimizer=True)
record("holdout_coverage", RESULTS["holdout_coverage"])

# %%
fig, ax = plt.subplots()
promo.draw_forecasts(ax, RUN)
plots.quarter_axis(ax)
plots.caption(fig, promo.QUARTERLY_SOURCE)
plt.show()

# %% [markdown]
# ### 6. Rolling-origin backtest from `train_end`, against the benchmarks
# An evaluation after the fact: these origins lie after `train_end`, so this backtest scores the methods
# but did not choose the headline one (section 5 did, on data up to `train_end`).

# %%
if RESULTS["backtest_n"]:
    tables_display.show(promo.method_table(RUN.backtests), percent=["MAPE"], formats=promo.METHOD_TABLE_FORMATS,
                        caption=promo.backtest_caption(RESULTS, PARAMS))
    for error in ("mape", "mase"):
        by_h = promo.errors_by_horizon(RUN.backtests, error)
        tables_display.show(by_h, percent=list(by_h.columns[1:]) if error == "mape" else [],
                            formats={} if error == "mape" else {c: "{:.2f}" for c in by_h.columns[1:]},
                            caption=f"{error.upper()} by horizon (quarters ahead)")
    display(Markdown(promo.backtest_sentence(RESULTS)))
else:
    display(Markdown(promo.no_backtest_sentence(PARAMS)))
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
tables_display.show(promo.specification_table(specs), formats=promo.SPECIFICATION_FORMATS,
                    caption=promo.specification_caption(RESULTS, specs))

# %%
effects = promo.effects_table(specs)
tables_display.show(effects, formats=promo.EFFECTS_FORMATS, caption=promo.effects_caption(RESULTS, specs))
display(Markdown(promo.effects_paragraph(RESULTS, specs)))
record("q2_vs_others", RESULTS["q2_vs_others"])
record("q4_vs_others", RESULTS["q4_vs_others"])
record("effects_bootstrap", RESULTS["effects_bootstrap"])
record("effects_trend", RESULTS["effects_trend"])

# %%
fig, ax = plt.subplots()
promo.draw_effects(ax, effects, specs.chosen)
plots.caption(fig, promo.QUARTERLY_SOURCE)
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
