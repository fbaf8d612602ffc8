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
# # 04 · Community and consumer rights: the pyramid's upper layers against the public numbers
# The article's trust pyramid puts consumer rights and community relations above platform governance,
# and claims that the trust streamers build with their 老鐵 "raises users' stickiness and time spent, and
# effectively raises conversion and repurchase rates", citing the growth of mutual-follow pairs and the
# time spent per DAU; for consumer rights it cites the orders 信任購 covered. Do Kuaishou's public
# quarterly numbers bear any of this out? Growth rates are compared with growth rates (never trending
# levels), the power of so few quarters is stated, and the order coverage is worked out at an assumed
# order value.

# %% tags=["parameters"]
start_quarter: str = "2021Q1"  # first quarter of the window, YYYYQn, from 2021Q1
end_quarter: str = "2025Q3"  # last quarter of the window, YYYYQn, to 2025Q3
include_secondary_sources: bool = True  # keep V-2 (secondary copy) and D-2 (derived from one) figures
min_pairs: int = 5  # fewest year-on-year pairs needed to estimate the growth slope, 3 to 16
alpha: float = 0.05  # significance level of the slope's test and interval, in (0, 0.5)
target_correlation: float = 0.5  # correlation of the growth rates the power is computed for, in (0, 1)
power: float = 0.8  # power at which the smallest detectable correlation is given, in (0, 1)
order_value_rmb: float = 70.0  # ASSUMED average order value, RMB an order, 1 to 10000 (Kuaishou 2020: about 70)

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

import trustlab.provenance
from trustlab import community, plots, tables_display
from trustlab.community import growth, narrative
from trustlab.results import record

# The notebook's own contract (the one `trustlab run` checks), over this namespace:
PARAMS = community.Parameters.check_notebook(globals())
plots.setup()
RESULTS = community.run(PARAMS)  # the one orchestration: every recorded result
INPUTS = community.load_inputs(include_secondary_sources)


def bullets(lines: list[str]) -> Markdown:
    return Markdown("\n".join(f"- {line}" for line in lines))


# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(bullets(community.summary(RESULTS, PARAMS)))

# %% tags=["remove-input"]
# The recorded results (results.json) are the run's: community.run computed them above.
for result_name, value in RESULTS.items():
    record(result_name, value)

# %% [markdown]
# ## Data
# Quarterly GMV, DAU and time per DAU come from `data/kuaishou_quarterly.csv`; mutual-follow pairs,
# average monthly buyers and the change of the repeat-purchase rate from `data/kuaishou_community.csv`;
# the repurchase figures and 信任購's orders of the 2021 trust report from `data/trust_report_2021.csv`;
# 2021's GMV from `data/kuaishou_annual.csv`; the article's own figures from `data/facts.csv`. Each
# row carries its source URL, a verbatim quote and a status: V verified, V-c a prior-year comparator,
# V-2 a secondary copy, D-2 derived from one. How much of the window each series covers:

# %%
tables_display.show(community.series_coverage(INPUTS, start_quarter, end_quarter))

# %% [markdown]
# The community series, as transcribed (gaps are quarters without a row; nothing is filled in):

# %%
columns = ["quarter", "metric", "value", "unit", "qualifier", "status", "quote"]
tables_display.show(INPUTS.community[columns], text_columns=["quote"])

# %% [markdown]
# ## Method
# - **Growth on growth.** GMV per DAU (the quarter's GMV over its average DAU, RMB) and time per DAU
#   both trend up, so their levels would correlate whatever drives them. Each quarter is compared with
#   the same quarter a year earlier instead (log growth, which also removes the season), and the
#   slope of GMV-per-DAU growth on time-per-DAU growth is estimated by OLS with a t interval (n − 2
#   degrees of freedom) (`community.growth.fit_slope`). The slope is an elasticity: the extra GMV per DAU
#   growth that goes with one more point of time growth.
# - **Power.** With n pairs, Fisher's z (atanh r is about normal with sd 1/√(n − 3)) gives the chance
#   of detecting a true correlation of `target_correlation`, and the smallest correlation detected
#   with probability `power` (`community.growth.correlation_power`, `detectable_correlation`).
# - **Mixed sources.** The slope is refitted without the pairs that rest on a V-2 or D-2 figure.
# - **信任購's coverage.** Orders are GMV over an ASSUMED average order value (`order_value_rmb`); a
#   window inside a quarter takes the quarter's GMV pro rata to its days (`community.rights`). The
#   order value at which the covered orders would be every order is GMV over the covered orders.
# - **Repurchase.** A rate before the launch compares with one after it only if both are levels with
#   the same stated definition, one wholly before and one wholly after (`community.rights.comparable_pairs`).
#
# ## Result
# ### GMV per DAU against time per DAU

# %%
yoy = growth.year_on_year(growth.panel(INPUTS.values, INPUTS.status, start_quarter, end_quarter))
tables_display.show(growth.pairs_table(yoy), percent=["GMV per DAU", "time per DAU", "DAU"])

# %%
pairs = yoy[yoy["complete"]]
fit = community.growth_fit(pairs, alpha, min_pairs)
fig = growth.growth_figure(yoy, fit)
plots.caption(fig, "Kuaishou results releases, call minutes and broker notes; data/kuaishou_quarterly.csv")
plt.show()

# %%
display(bullets([narrative.growth_sentence(RESULTS, PARAMS), narrative.power_sentence(RESULTS, PARAMS)]))

# %% [markdown]
# ### Mutual-follow pairs and monthly buyers

# %%
display(bullets([narrative.mutual_follow_sentence(RESULTS)]))
shares = ["mutual_follow_growth", "gmv_per_dau_growth", "time_per_dau_growth", "dau_growth"]
tables_display.show(community.mutual_follow_table(INPUTS), percent=shares)

# %% [markdown]
# Monthly buyers are published for few quarters. GMV per monthly buyer is the quarter's GMV over
# its average monthly buyers; where the buyers' growth on a year earlier is published, GMV's growth
# splits into more buyers and more GMV per buyer, beside the growth of time per DAU:

# %%
tables_display.show(community.buyer_levels(INPUTS))
shares = ["gmv_growth", "buyers_growth", "gmv_per_buyer_growth", "time_per_dau_growth"]
tables_display.show(community.buyer_growth(INPUTS), percent=shares)

# %% [markdown]
#
# ### 信任購's order coverage

# %%
display(bullets(narrative.coverage_sentences(RESULTS, PARAMS)))

# %% [markdown]
# ### Repurchase before and after the launch

# %%
tables_display.show(community.repurchase_overview(INPUTS))
display(bullets([narrative.repurchase_sentence(RESULTS)]))

# %% [markdown]
# ## Caveats

# %% tags=["remove-input"]
display(bullets(community.caveats(RESULTS, PARAMS)))

# %% [markdown]
# ## References

# %%
from trustlab import references

references.show(
    [
        "zhuangshuai-2022-trust-pyramid",
        "trustlab-2026-public-figures",
        "trustlab-2026-quarterly",
        "trustlab-2026-community",
        "trustlab-2026-trust-report-figures",
        "trustlab-2026-annual",
        "trustlab-2026-facts",
        "cohen-1988",
    ],
    notes={"cohen-1988": "Used here: the power of a correlation test with few pairs (Fisher's z)."},
)

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
