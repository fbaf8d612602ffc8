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
# # 04 · Community trust
# The article's trust pyramid puts community relations and consumer rights above platform
# governance, and claims that the trust streamers build with their 老鐵 raises stickiness, time
# spent, conversion and repurchase. Do Kuaishou's public numbers (GMV, DAU, time per DAU, mutual-
# follow pairs, monthly buyers, 信任購's order coverage, repurchase figures) bear any of this out?
# Scaffolded by `trustlab new`: the computation in `trustlab.community_trust` (compound growth of a value)
# is a placeholder that runs end to end; replace it, the parameters and this text with the question's own.

# %% tags=["parameters"]
start_value: float = 100.0  # value at the start, in the unit of the question (placeholder)
growth_rate: float = 0.05  # growth per period, fraction (0.05 is +5 %), above -1
periods: int = 12  # periods to project, 1 to 120

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import trustlab
import trustlab.provenance
import trustlab.runner.params
from trustlab import community_trust
from trustlab import plots, tables_display
from trustlab.results import record

# The same contract as `trustlab run`:
PARAMS = trustlab.runner.params.validate("04_community_trust", globals())
plots.setup()
# Every recorded result, computed once (also by `trustlab sweep --fast`):
RESULTS = community_trust.analysis(PARAMS)

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {line}" for line in community_trust.summary(RESULTS, PARAMS))))

# %% tags=["remove-input"]
# The recorded results (results.json) are the run's: community_trust.analysis computed them above.
for result_name, value in RESULTS.items():
    record(result_name, value)

# %% [markdown]
# ## Data
# No data file yet: the placeholder computes from its parameters only. Data go in `data/NAME.csv`
# (tidy, with provenance columns) with a loader in `lib/trustlab/data/` and a section in
# `data/README.md`; load them here and show what was loaded.
#
# ## Method
# Compound growth: the value after *t* periods is `start_value · (1 + growth_rate)^t`
# (`trustlab.community_trust.project`). The recorded results are the final value and the total relative change.
#
# ## Result

# %%
path = community_trust.project(start_value, growth_rate, periods)
tables_display.show(pd.DataFrame({"period": range(len(path)), "value": path}).tail(5))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(range(len(path)), path, marker="o")
ax.set_xlabel("period")
ax.set_ylabel("value (unit of the question)")
ax.set_title("Projected value by period")
plots.caption(fig, "placeholder computation of trustlab.community_trust; no data")
plt.show()

# %% [markdown]
# ## Caveats
# - The growth rate is assumed constant over every period; the placeholder has no uncertainty.

# %% [markdown]
# ## References
# From the project's bibliography, `data/references.json`: add an entry there for every source the
# data and the assumptions come from, and cite its key here.

# %%
from trustlab import references

references.show([])

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
