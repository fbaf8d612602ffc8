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
# # 01 · Governance: the base of the trust pyramid
# What do Kuaishou's 2021 governance figures (counterfeit listings intercepted, streamers and
# merchants banned, the fall of the live-commerce report rate on 2020, new-store applications by
# past violators blocked, users taking part in governance every day) say about the base of the
# trust pyramid, once they are put on a common scale (per day, per million users) and the fall in
# the report rate is tested honestly (what a significance test can and cannot say at platform scale)?

# %% tags=["parameters"]
year: int = 2021  # calendar year of the governance figures (the 2021 trust report)
days_in_period: int = 365  # calendar days the annual totals cover; must equal the days of `year`
dau_millions: "Optional[float]" = None  # average daily active users, million; None: mean of the year's quarters in the data
mau_millions: "Optional[float]" = None  # average monthly active users, million; None: mean of the year's quarters in the data
base_report_rate_per_10k_orders: float = 1.0  # ASSUMED 2020 live-commerce report rate, reports per 10,000 orders
orders_in_period: float = 5.0e9  # ASSUMED orders in the year; the trust-buy guarantees alone covered about 5 bn
orders_previous_period: "Optional[float]" = None  # ASSUMED orders in the previous year; None: orders_in_period over 1 + the reported GMV growth (the same average order value; orders_in_period itself when that V-2 figure is left out)
blocking_system_start: str = "2021-06-01"  # first day the new-store blocking ran; the source says only "from June 2021"
practical_relative_change: float = 0.05  # smallest relative fall of the report rate taken to matter in practice, share
alpha: float = 0.05  # significance level of the two-proportion test, in (0, 1)
power: float = 0.8  # power for the minimum detectable change, in (0, 1)
design_effect: float = 10.0  # ASSUMED variance of the report rate relative to independent orders (Kish deff, at least 1; 1: independent); reports cluster by merchant, category and campaign
include_secondary_sources: bool = True  # keep V-2 (secondary copy) rows of the trust report and the quarterly data

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from scipy.stats import norm
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.notebook
import trustlab.prose
import trustlab.provenance
from trustlab import governance as gov
from trustlab import plots, tables_display
from trustlab.data.facts import fact_value
from trustlab.results import record

PARAMS = trustlab.runner.notebook.validate("01_governance", globals())  # same contract as `trustlab run`
plots.setup()
# Everything the notebook shows and records, from the parameters alone (the same function as
# `trustlab sweep --fast` and the narrative tests):
a = gov.analyse(PARAMS)
results = a.results

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {line}" for line in gov.summary(results, PARAMS))))

# %% [markdown]
# ## Data
# Three tables, each row with its source and status code: **V** verified in a primary or
# near-primary copy, **V-c** verified but a prior-year comparator printed in a later release,
# **V-2** verified but in a secondary, lower-reliability copy. `include_secondary_sources = False`
# drops the V-2 rows everywhere.
#
# - `data/trust_report_2021.csv`: the figures of the *2021 Kuaishou E-commerce Trust Building Annual
#   Report* and of the November 2021 trust conference, as reported in the press.
# - `data/facts.csv`: the article's own figures (the trust pyramid).
# - `data/kuaishou_quarterly.csv`: DAU and MAU by quarter, for the per-user scale.
# - `data/kuaishou_annual.csv`: full-year e-commerce GMV and its growth on the year before (V-2),
#   which scale 2020's orders from 2021's and bound the orders from above.

# %%
report = a.report
in_year = (report["period_start"].dt.year == year) | (report["period_end"].dt.year == year)
shown = report.loc[in_year, ["metric", "period_start", "period_end", "value", "unit", "qualifier", "status", "quote"]].copy()
shown["quote"] = shown["quote"].map(lambda q: q if len(q) <= 70 else q[:67].rstrip() + "…")
tables_display.show(shown, formats={"period_start": "{:%Y-%m-%d}", "period_end": "{:%Y-%m-%d}"})
dropped = "" if include_secondary_sources else " V-2 rows were left out (`include_secondary_sources = False`)."
display(Markdown(f"{int(in_year.sum())} trust-report figures for {year} (quotes shortened; in full in the CSV).{dropped}"))

# %% [markdown]
# The article's five governance figures agree with the trust report as the press carried it
# (a row missing from the report side is one left out with its V-2 status):

# %%
check = gov.cross_check(report, a.facts, fact_value)
tables_display.show(check)

# %% [markdown]
# Users: the year's average DAU and MAU are the mean of the quarters available in the data, with
# each quarter's status shown; a value given as a parameter replaces it.

# %%
users = pd.DataFrame(
    {
        "from the data (mean of quarters)": [a.dau_base.value_millions, a.mau_base.value_millions],
        "quarters and status": [
            ", ".join(f"{q} {s}" for q, s in zip(b.quarters, b.statuses, strict=True)) for b in (a.dau_base, a.mau_base)
        ],
        "used": [a.dau_used, a.mau_used],
    },
    index=pd.Index(["DAU (million)", "MAU (million)"], name="users"),
)
tables_display.show(users.reset_index(), formats={"from the data (mean of quarters)": "{:,.1f}", "used": "{:,.1f}"})

# %% [markdown]
# ## Method
# 1. **Common scale.** Each annual total is divided by the days it covers (per day) and by the
#    year's average DAU and MAU in millions (events in the year per million users). Daily averages
#    (blocked requests a day, participants a day) are multiplied by the days for a period total,
#    marked as derived. The new-store blocks are also spread over the days the
#    blocking system ran (from `blocking_system_start` to year end).
# 2. **Blocks per ban.** Blocked new-store applications divided by bans, from the annual total and
#    from the reported daily mean over a full year.
# 3. **The report rate.** The source gives only the relative fall, neither the rate nor
#    its denominator. Under an *assumed* 2020 rate (`base_report_rate_per_10k_orders`) and order
#    volume (`orders_in_period`; 2020's `orders_previous_period`, by default 2021's orders over the
#    reported GMV growth of `data/kuaishou_annual.csv`, at an unchanged average order value) the implied report counts of both years
#    are tested with a two-proportion z test (`statsmodels` `proportions_ztest`, pooled variance,
#    two-sided), and a power analysis (`NormalIndPower` on Cohen's h) gives the smallest relative
#    fall detectable at these volumes with the given `alpha` and `power`.
#    The rate is a census of the platform's reports, not a sample: the test shows only what the
#    assumed volumes and design effect imply, which is why the Summary leads with what the data
#    cannot say. Inputs the reported figures rule out are refused before the run: a DAU or MAU
#    outside half the lowest to twice the highest quarterly value of the year, and more orders than
#    the year's GMV at RMB 1 an order.
# 4. **Overdispersion.** Reports are not independent trials: they cluster by merchant, category and
#    campaign, so the binomial variance is too small. The variance of each rate is multiplied by a
#    design effect (`design_effect`, Kish's deff = 1 + (m − 1)ρ for clusters of m orders with
#    intra-cluster correlation ρ; a quasi-binomial dispersion): z shrinks by √deff, the interval
#    widens by √deff, the detectable effect (Cohen's h) grows by √deff and the orders needed by deff.
#    The default, 10, is an **assumption**, not an estimate (no data we have shows the clustering):
#    it is what clusters of about 5,000 orders (5 bn orders over some million merchants) with
#    ρ ≈ 0.002 give, as a heavy tail of a few merchants drawing most reports produces at one report
#    per 10,000 orders. The test is shown over design effects from 1 to 10,000, with the design
#    effect at which its verdict changes. The test needs at least 10 effective reports
#    (reports / deff) in each year; parameters implying fewer are refused before the run.
# 5. **Sensitivity.** The same over a grid of base rates and order volumes.
#
# A p-value below 1e-300 cannot be stored as a number (it becomes a denormal, then 0): it is
# written "p < 1e-300" and recorded as `report_rate_p_value` = null with
# `report_rate_p_value_bound` = "< 1e-300" and its exact `report_rate_log10_p`.

# %% [markdown]
# ## Result
# ### Governance intensity

# %%
tables_display.show(
    a.intensity.reset_index(),
    formats={
        "count_in_period": "{:,.0f}",
        "per_day": "{:,.0f}",
        "per_million_dau": "{:,.0f}",
        "per_million_mau": "{:,.0f}",
        "per_day_per_million_dau": "{:,.2f}",
    },
)
display(Markdown(gov.intensity_text(a)))

# %%
intensity = a.intensity
fig, ax = plt.subplots(figsize=(9, 3.8))
daily = intensity["per_day"].sort_values()
colors = ["0.6" if s == "V-2" else sns.color_palette()[0] for s in intensity.loc[daily.index, "status"]]
ax.barh(daily.index, daily.to_numpy(), color=colors)
ax.set_xscale("log")
ax.set_xlabel("events per day (log scale)")
ax.set_title(f"Kuaishou e-commerce governance, {year}: events per day")
for y, (label, v) in enumerate(daily.items()):
    ax.text(v * 1.1, y, f"{v:,.0f} ({intensity.loc[label, 'status']})", va="center", fontsize=8)
ax.set_xlim(right=daily.max() * 20)
plots.caption(fig, "data/trust_report_2021.csv (2021 trust report as reported by Teller Report, a Tencent News reprint and Pandaily); grey = V-2")
plt.show()

# %% [markdown]
# ### Blocks per ban

# %%
display(Markdown(gov.blocks_per_ban_text(a)))

# %% [markdown]
# ### The report rate: significance at platform scale

# %%
implied = a.implied
tables_display.show(
    pd.DataFrame(
        {
            "year": [str(year - 1), str(year)],
            "orders": [implied.orders_previous, implied.orders_current],
            "report rate per 10k orders": [implied.rate_previous * 1e4, implied.rate_current * 1e4],
            "implied reports": [implied.reports_previous, implied.reports_current],
        }
    ),
    formats={"orders": "{:,.0f}", "report rate per 10k orders": "{:.4f}", "implied reports": "{:,.0f}"},
)
display(Markdown(gov.report_rate_text(a)))

# %% [markdown]
# #### How the clustering of reports changes the test
# The same implied counts tested with the variance multiplied by the design effect (the run's own
# value is among the rows):

# %%
deff_table = a.deff_table.assign(
    p=[trustlab.prose.p_value(p) for p in a.deff_table["p_value"]],
    interval=[gov.interval_text(lo, hi) for lo, hi in zip(a.deff_table["ci_low"], a.deff_table["ci_high"], strict=True)],
    mdc_text=[f"{m:.2%}" if m == m else "not detectable" for m in a.deff_table["mdc"]],
)[["design_effect", "effective_reports_current", "z", "p", "interval", "significant", "mdc_text"]]
deff_table.columns = ["design effect", f"effective reports {year}", "z", "p", f"{1 - alpha:.0%} interval", f"significant at {alpha:g}", "minimum detectable fall"]
tables_display.show(deff_table, formats={"design effect": "{:,.0f}", f"effective reports {year}": "{:,.0f}", "z": "{:,.2f}"})
display(Markdown(gov.design_effect_text(a)))

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
d = a.deff_table
ax.fill_between(d["design_effect"], 100 * d["ci_low"], 100 * d["ci_high"], alpha=0.3, label=f"{1 - alpha:.0%} interval")
ax.axhline(100 * a.test.relative_change, color="k", lw=1, label="observed change")
ax.plot(d["design_effect"], -100 * d["mdc"], ls="--", label="minimum detectable fall")
ax.axhline(0, color="0.5", lw=0.8)
if a.breakeven_deff >= 1:
    ax.axvline(a.breakeven_deff, color="C3", lw=0.8, ls=":", label=f"verdict changes (deff {a.breakeven_deff:,.0f})")
ax.axvline(a.test.design_effect, color="0.3", lw=0.8, ls="-.", label=f"assumed (deff {a.test.design_effect:g})")
ax.set_xscale("log")
ax.set_xlabel("design effect (variance relative to independent orders, log scale)")
ax.set_ylabel("relative change of the rate, %")
ax.set_title("The report-rate change under clustered reports")
ax.legend(fontsize=8, loc="lower left")
plots.caption(fig, "computed from the report-rate change (data/trust_report_2021.csv) under the assumed rate, volume and design effects")
plt.show()

# %% [markdown]
# What would be practically significant is a question about the measurement, not the sample. The
# same report gives a second, sharper figure:

# %%
fp_text = gov.false_publicity_text(a)
if fp_text is not None:
    display(Markdown(fp_text))

# %% [markdown]
# ### Sensitivity: base rate and order volume

# %%
sens = a.sensitivity
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
z_grid = sens.pivot(index="base_rate_per_10k", columns="orders", values="z")
mdc_grid = sens.pivot(index="base_rate_per_10k", columns="orders", values="mdc") * 100
col_labels = [f"{v:.0e}" for v in z_grid.columns]
sns.heatmap(-z_grid, annot=True, fmt=".1f", cmap="viridis", ax=axes[0], xticklabels=col_labels, cbar_kws={"label": "−z"})
axes[0].set_title(f"−z, two-proportion test (significant if > {norm.ppf(1 - alpha / 2):.2f})")
sns.heatmap(mdc_grid, annot=True, fmt=".2g", cmap="magma_r", ax=axes[1], xticklabels=col_labels, cbar_kws={"label": "%"})
axes[1].set_title(f"minimum detectable fall, % of the rate (power {power:.0%})")
for ax in axes:
    ax.set_xlabel("orders per year")
    ax.set_ylabel("2020 report rate, reports per 10,000 orders")
    ax.invert_yaxis()
plots.caption(fig, f"design effect {a.test.design_effect:g}; computed from the report-rate change (data/trust_report_2021.csv) under assumed rates and volumes; empty cells: fewer than {gov.MIN_EFFECTIVE_REPORTS:g} effective reports")
plt.show()
display(Markdown(gov.sensitivity_text(a)))

# %% [markdown]
# ### The trust pyramid
# The article's figures, by layer (drawn from `data/facts.csv`).

# %%
layers = gov.trust_pyramid(a.facts, max_per_layer=5)
fig, ax = plt.subplots(figsize=(10, 6.5))
gov.draw_pyramid(ax, layers)
ax.set_title("Kuaishou's trust pyramid: the article's figures by layer (units as given)")
plots.caption(fig, "data/facts.csv: trade article on Kuaishou's trust pyramid (source kuaishou-trust-pyramid-2022-06-23)")
plt.show()

# %% [markdown]
# ### Recorded results
# The numbers this run commits to (`results.json`), all computed by `trustlab.governance.analysis(PARAMS)`:

# %%
for name, value in results.items():
    record(name, value)

# %% [markdown]
# ## Caveats

# %%
display(Markdown("\n".join(f"- {line}" for line in gov.caveats(results, PARAMS))))

# %% [markdown]
# ## References
# From the project's bibliography, `data/references.json`.

# %%
from trustlab import references

references.show(
    ["kuaishou-2022-trust-report-2021", "chinanewsweb-2021-trust-upgrade", "zhuangshuai-2022-trust-pyramid",
     "trustlab-2026-trust-report-figures", "trustlab-2026-quarterly", "trustlab-2026-annual", "cohen-1988"],
    notes={
        "trustlab-2026-quarterly": "Used here: DAU and MAU.",
        "trustlab-2026-annual": "Used here: 2020's orders from the GMV growth, and the most orders the GMV allows.",
        "cohen-1988": "Used here: the effect size h.",
    },
)

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
