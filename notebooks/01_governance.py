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
# # 01 · Governance: the base of the trust pyramid
# What do Kuaishou's 2021 governance figures (counterfeit listings intercepted, streamers and
# merchants banned, the fall of the live-commerce report rate on 2020, new-store applications by
# past violators blocked, users taking part in governance every day) say about the base of the
# trust pyramid, once they are put on a common scale (per day, per million users) and the fall in
# the report rate is tested honestly (what a significance test can and cannot say at platform scale)?

# %% tags=["parameters"]
year: int = 2021  # calendar year of the governance figures (the 2021 trust report)
days_in_period: int = 365  # calendar days the annual totals cover; must equal the days of `year`
dau_millions: float | None = None  # average daily active users, million; None = mean of the year's quarters in the data
mau_millions: float | None = None  # average monthly active users, million; None = mean of the year's quarters in the data
base_report_rate_per_10k_orders: float = 1.0  # ASSUMED 2020 live-commerce report rate, reports per 10,000 orders
orders_in_period: float = 5.0e9  # ASSUMED orders in the year; the trust-buy guarantees alone covered about 5 bn
orders_previous_period: float | None = None  # ASSUMED orders in the previous year; None = same as orders_in_period
blocking_system_start: str = "2021-06-01"  # first day the new-store blocking ran; the source says only "from June 2021"
practical_relative_change: float = 0.05  # smallest relative fall of the report rate taken to matter in practice, share
alpha: float = 0.05  # significance level of the two-proportion test, in (0, 1)
power: float = 0.8  # power for the minimum detectable change, in (0, 1)
include_secondary_sources: bool = True  # keep V-2 (secondary copy) rows of the trust report and the quarterly data

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy.stats import norm
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.params
import trustlab.provenance
from trustlab import governance as gov
from trustlab import plots
from trustlab.data.facts import fact_value, load_facts
from trustlab.data.quarterly import load_quarterly
from trustlab.data.trust_report import load_trust_report, report_value
from trustlab.facts import day_count
from trustlab.results import record

PARAMS = trustlab.runner.params.validate("01_governance", globals())  # same contract as `trustlab run`
plots.setup()

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

# %%
report = load_trust_report(include_secondary=include_secondary_sources)
facts = load_facts()
quarterly = load_quarterly(include_secondary=include_secondary_sources)
in_year = (report["period_start"].dt.year == year) | (report["period_end"].dt.year == year)
display(
    report.loc[in_year, ["metric", "period_start", "period_end", "value", "unit", "qualifier", "status", "quote"]]
    .style.format({"value": "{:,.6g}", "period_start": "{:%Y-%m-%d}", "period_end": "{:%Y-%m-%d}"})
    .hide(axis="index")
)
dropped = "" if include_secondary_sources else " V-2 rows were left out (`include_secondary_sources = False`)."
display(Markdown(f"{int(in_year.sum())} trust-report figures for {year}.{dropped}"))

# %% [markdown]
# The article's five governance figures agree with the trust report as the press carried it
# (a row missing from the report side is one left out with its V-2 status):

# %%
check = gov.cross_check(report, facts, fact_value)
display(check.style.format({"article": "{:,.6g}", "trust_report": "{:,.6g}"}).hide(axis="index"))

# %% [markdown]
# Users: the year's average DAU and MAU are the mean of the quarters available in the data, with
# each quarter's status shown; a value given as a parameter replaces it.

# %%
dau_base = gov.average_users(quarterly, year, "dau_m")
mau_base = gov.average_users(quarterly, year, "mau_m")
dau_used = dau_millions if dau_millions is not None else dau_base.value_millions
mau_used = mau_millions if mau_millions is not None else mau_base.value_millions
users = pd.DataFrame(
    {
        "from the data (mean of quarters)": [dau_base.value_millions, mau_base.value_millions],
        "quarters and status": [
            ", ".join(f"{q} {s}" for q, s in zip(b.quarters, b.statuses, strict=True)) for b in (dau_base, mau_base)
        ],
        "used": [dau_used, mau_used],
    },
    index=pd.Index(["DAU (million)", "MAU (million)"], name="users"),
)
display(users.style.format({"from the data (mean of quarters)": "{:,.1f}", "used": "{:,.1f}"}))
record("dau_millions_used", dau_used)
if not dau_base.complete:
    display(Markdown(f"Only {len(dau_base.quarters)} of the four quarters of {year} are available for DAU."))

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
#    volume (`orders_in_period`, `orders_previous_period`) the implied report counts of both years
#    are tested with a two-proportion z test (`statsmodels` `proportions_ztest`, pooled variance,
#    two-sided), and a power analysis (`NormalIndPower` on Cohen's h) gives the smallest relative
#    fall detectable at these volumes with the given `alpha` and `power`.
# 4. **Sensitivity.** The same over a grid of base rates and order volumes.

# %% [markdown]
# ## Result
# ### Governance intensity

# %%
inputs = gov.governance_inputs(report, days_in_period, blocking_system_start)
intensity = gov.intensity_table(inputs, dau_used, mau_used)
display(
    intensity.style.format(
        {
            "count_in_period": "{:,.0f}",
            "per_day": "{:,.0f}",
            "per_million_dau": "{:,.0f}",
            "per_million_mau": "{:,.0f}",
            "per_day_per_million_dau": "{:,.2f}",
        }
    )
)

# %%
intercepted = report_value(report, "counterfeit_listings_intercepted")
banned = report_value(report, "violators_banned")
blocked = report_value(report, "new_store_applications_blocked")
blocked_daily = report_value(report, "new_store_requests_blocked_per_day")
participants = report_value(report, "daily_governance_participants")
rate_change = report_value(report, "live_commerce_report_rate_change") / 100  # percent -> share

interceptions_per_day = gov.per_day(intercepted, days_in_period)
bans_per_day = gov.per_day(banned, days_in_period)
live_days = day_count(blocking_system_start, f"{year}-12-31")
new_store_blocks_per_day = gov.per_day(blocked, live_days)
interceptions_per_million_dau = gov.per_million(intercepted, dau_used)
record("interceptions_per_day", interceptions_per_day)
record("bans_per_day", bans_per_day)
record("new_store_blocks_per_day", new_store_blocks_per_day)
record("interceptions_per_million_dau", interceptions_per_million_dau)

users_per_interception = dau_used * 1e6 / intercepted
lines = [
    f"- About **{interceptions_per_day:,.0f}** suspected counterfeit listings were intercepted a day "
    f"({interceptions_per_million_dau:,.0f} a year per million DAU, one a year for every "
    f"{users_per_interception:,.1f} daily users).",
    f"- About **{bans_per_day:,.0f}** streamers and merchants were banned a day (person-times).",
    f"- Over the {live_days} days from {blocking_system_start} the system blocked about "
    f"**{new_store_blocks_per_day:,.0f}** new-store applications a day; the report gives "
    f"{blocked_daily:,.0f} a day.",
]
if participants is not None:
    share_of_dau = participants / (dau_used * 1e6)
    lines.append(
        f"- **{participants:,.0f}** users a day took part in governance in live rooms (V-2), "
        f"{share_of_dau:.3%} of the average DAU."
    )
else:
    lines.append("- The daily participants figure is V-2 and was left out.")
display(Markdown("\n".join(lines)))

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
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
bpb = gov.blocks_per_ban(blocked, banned, blocked_daily, days_in_period)
blocks_per_ban = bpb.reported_total
record("blocks_per_ban", blocks_per_ban)
display(
    Markdown(
        f"About **{blocks_per_ban:.2f}** new-store applications by past violators were blocked per ban "
        f"({bpb.blocked:,.0f} / {bpb.bans:,.0f}). At the reported pace of {bpb.blocked_per_day:,.0f} a day over "
        f"a full year it would be {bpb.from_daily_full_year:.2f}. The two reported figures agree if the "
        f"system ran about {bpb.implied_live_days:,.0f} days, which fits a start in June "
        f"({day_count(f'{year}-06-30', f'{year}-12-31')} to {day_count(f'{year}-06-01', f'{year}-12-31')} days).\n\n"
        "Caveats: " + "; ".join(bpb.caveats) + "."
    )
)

# %% [markdown]
# ### The report rate: significance at platform scale

# %%
implied = gov.implied_reports(base_report_rate_per_10k_orders, orders_in_period, rate_change, orders_previous_period)
test = gov.report_rate_test(implied, alpha)
mdc = gov.minimum_detectable_relative_change(
    implied.rate_previous, implied.orders_current, implied.orders_previous, alpha, power
)
orders_for_reported = gov.orders_needed(implied.rate_previous, -rate_change, alpha, power)
orders_for_practical = gov.orders_needed(implied.rate_previous, practical_relative_change, alpha, power)
report_rate_z = test.z
report_rate_p_value = test.p_value
minimum_detectable_relative_change = mdc
record("report_rate_z", report_rate_z)
record("report_rate_p_value", report_rate_p_value)
record("minimum_detectable_relative_change", minimum_detectable_relative_change)

display(
    pd.DataFrame(
        {
            "orders": [implied.orders_previous, implied.orders_current],
            "report rate per 10k orders": [implied.rate_previous * 1e4, implied.rate_current * 1e4],
            "implied reports": [implied.reports_previous, implied.reports_current],
        },
        index=pd.Index([str(year - 1), str(year)], name="year"),
    ).style.format({"orders": "{:,.0f}", "report rate per 10k orders": "{:.4f}", "implied reports": "{:,.0f}"})
)
lo, hi = test.ci_relative_change
p_text = (
    f"p = {report_rate_p_value:.3g}"
    if report_rate_p_value > 0
    else f"p below the smallest float, log10 p = {test.log10_p:,.0f}"
)
display(
    Markdown(
        f"Assuming a rate of {base_report_rate_per_10k_orders:g} per 10,000 orders in {year - 1} and "
        f"{implied.orders_current:,.0f} orders in {year} ({implied.orders_previous:,.0f} in {year - 1}), the "
        f"reported fall of {-rate_change:.2%} means {implied.reports_previous:,} reports becoming "
        f"{implied.reports_current:,} ({implied.reports_change:+.2%} in absolute reports). "
        f"The two-proportion test gives z = **{report_rate_z:,.1f}**, {p_text}; the {1 - alpha:.0%} interval of the relative change is "
        f"{lo:+.2%} to {hi:+.2%}.\n\n"
        f"At these volumes a relative fall of **{mdc:.2%}** would be detected with power {power:.0%} at "
        f"alpha = {alpha:g}: the test would call almost any change 'significant'. The reported fall would "
        f"already be detectable with about {orders_for_reported:,.0f} orders a year, and a fall of "
        f"{practical_relative_change:.0%} (the change taken to matter in practice) with about "
        f"{orders_for_practical:,.0f}. Sampling error is not what limits this figure; what it measures is."
    )
)

# %% [markdown]
# What would be practically significant is a question about the measurement, not the sample. The
# same report gives a second, sharper figure for a comparison:

# %%
fp_change = report_value(report, "false_publicity_reports_change")
if fp_change is not None:
    display(
        Markdown(
            f"User reports of false publicity fell {-fp_change:.0f} % from March to October {year} (monthly "
            f"counts, no denominator), {(-fp_change / 100) / (-rate_change):.1f} times the year-on-year fall of the "
            f"overall report rate, while penalties for false publicity ran at more than "
            f"{report_value(report, 'false_publicity_penalties'):,.0f} from April to November. "
            "A fall in reports can come from fewer problems, from enforcement that removes repeat "
            "offenders, from changes in how reporting works in the app, or from more orders diluting a "
            "steady count of reports; the figure alone cannot tell these apart."
        )
    )

# %% [markdown]
# ### Sensitivity: base rate and order volume

# %%
base_rates = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
volumes = [1e5, 1e6, 1e7, 1e8, 1e9, 5e9, 1e10]
growth = 0.0 if orders_previous_period is None else orders_in_period / orders_previous_period - 1
sens = gov.sensitivity_table(base_rates, volumes, rate_change, alpha, power, orders_growth=growth)
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
plots.caption(fig, f"computed from the −{-rate_change:.2%} report-rate change (data/trust_report_2021.csv) under assumed rates and volumes; empty cells imply < 1 report")
plt.tight_layout()
plt.show()
n_sig = int(sens["significant"].sum())
not_sig = sens[~sens["significant"]]
if not_sig.empty:
    boundary = "it is significant everywhere in the grid."
else:
    most_reports = int(not_sig[["reports_previous", "reports_current"]].max().max())
    boundary = (
        f"it is not significant only where the implied reports are few (at most {most_reports:,} a year, "
        f"order volumes up to {not_sig['orders'].max():,.0f})."
    )
at_assumed = "above" if not_sig.empty or orders_in_period > not_sig["orders"].max() else "not above"
display(
    Markdown(
        f"The reported fall is significant at alpha = {alpha:g} in {n_sig} of {len(sens)} cells; {boundary} "
        f"The assumed order volume, {orders_in_period:,.0f} a year, is {at_assumed} the largest non-significant "
        "volume of the grid."
    )
)

# %% [markdown]
# ### The trust pyramid
# The article's figures, by layer (drawn from `data/facts.csv`).

# %%
layers = gov.trust_pyramid(facts, max_per_layer=5)
fig, ax = plt.subplots(figsize=(10, 6.5))
n = len(layers)
palette = sns.color_palette(n_colors=n)
for layer in layers:
    lo_y, hi_y = layer.level / n, (layer.level + 1) / n
    half_lo, half_hi = 0.5 * (1 - lo_y), 0.5 * (1 - hi_y)
    ax.fill([0.5 - half_lo, 0.5 + half_lo, 0.5 + half_hi, 0.5 - half_hi], [lo_y, lo_y, hi_y, hi_y], color=palette[layer.level], alpha=0.35)
    ax.text(0.5, hi_y - 0.02, layer.name, ha="center", va="top", fontsize=11, weight="bold")
    text = "\n".join(
        f"{m.metric}: {m.qualifier + ' ' if m.qualifier not in ('', 'exact') else ''}{gov.format_number(m.value)} {m.unit}"
        + (f" ({m.period})" if m.period else "")
        for m in layer.metrics
    )
    ax.text(0.5, hi_y - 0.06, text or "(no figures)", ha="center", va="top", fontsize=8)
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.axis("off")
ax.set_title("Kuaishou's trust pyramid: the article's figures by layer (units as given)")
plots.caption(fig, "data/facts.csv: trade article on Kuaishou's trust pyramid (source kuaishou-trust-pyramid-2022-06-23)")
plt.show()

# %% [markdown]
# ## Caveats
# - The figures are the platform's own, reported once (the first trust report) and copied by the
#   press; no independent audit, no 2020 levels (only the relative change of the report rate) and
#   no later report to compare with (2022 and 2023 reports were not found).
# - Interceptions are listing *attempts*, bans are *person-times*, blocks are *applications*: one
#   actor can count many times in each, and the three are not shares of any population.
# - The report rate's denominator (orders, live sessions, viewers) is not given; the test uses an
#   assumed base rate and order volume, and its result (huge z) holds for any plausible choice, so
#   it says nothing about whether the fall matters.
# - DAU and MAU for the fourth quarter of 2021 come from a machine-translated secondary copy (V-2);
#   without it the average rests on three quarters.
# - The blocking system's start day in June 2021 is not given; the per-day figure uses
#   `blocking_system_start`.

# %% [markdown]
# ## References
# - 2021 Kuaishou E-commerce Trust Building Annual Report (2022-03-04), as reported by Teller Report,
#   a 腾讯网 reprint and Pandaily: see `source_url` in `data/trust_report_2021.csv`.
# - China News Web, 2021-11-24, Kuaishou e-commerce trust upgrade conference.
# - 對話貝源世家: 快手電商的“信任金字塔”與“快品牌”成長邏輯, 2022-06-23 (`data/raw/`).
# - Kuaishou quarterly results (DAU, MAU): `data/kuaishou_quarterly.csv`.
# - Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed. (effect size h).

# %%
# The commit and package versions are this run's provenance, not results, so nbval skips them:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
