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
# # 00 · Source facts: what the article claims, and does it hold together?
# What exactly does the trade article "對話貝源世家:快手電商的“信任金字塔”與“快品牌”成長邏輯"
# (2022-06-23) claim, number by number, and is it internally consistent? Every quantitative claim
# is a row of `data/facts.csv` with a verbatim quote of the cleaned text; the quotes are checked
# against the article, simple rates are derived with their arithmetic shown, and the article is
# checked against itself (the two festival end dates, run rates, bases of comparison).

# %% tags=["parameters"]
source_id: str = "kuaishou-trust-pyramid-2022-06-23"  # source in data/sources.csv whose facts are shown
topics: list[str] = ["platform governance", "consumer rights", "community", "brand/fast brand", "promotion", "pricing", "support policy", "platform context"]  # fact topics shown and counted (trust-pyramid layers first)
festival_end: str = "2022-06-19"  # end of the 2022 616 festival for a festival figure whose sentence gives no end (each dated figure keeps its own window): 2022-06-19 (戰報, 31 days) or 2022-06-14 (信任購 sentence, 26 days)
max_rows_per_topic: int = 30  # facts shown per topic in the tables (all are counted)

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import seaborn as sns
from IPython.display import Markdown, display

import trustlab.provenance
from trustlab import plots, tables_display
from trustlab import source_facts as sf
from trustlab.results import record
from trustlab.source_facts import narrative

PARAMS = sf.Parameters.check_notebook(globals())  # the same contract as `trustlab run`
plots.setup()
RUN = sf.run(PARAMS)  # the one orchestration: every recorded result, and the tables shown below
RESULTS = RUN.results

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {line}" for line in narrative.summary(RESULTS, PARAMS))))

# %% [markdown]
# ## Data
# The raw scrape in `data/raw/` is never edited. `trustlab.data.sources.load_article` checks its SHA-256
# against `data/sources.csv` and cleans it in code: it removes the pinyin the site injected after
# characters, HTML debris and mangled closing tags, and replaces each character it cannot recover
# with U+FFFD (�), listing every such span.

# %%
display(Markdown(narrative.article_text(RUN)))
tables_display.show(RUN.article.repair_counts().rename_axis("repair").reset_index(name="count"))
if RUN.article.unrepaired:
    tables_display.show(sf.unrepaired_table(RUN.article), caption="Spans the cleaner could not restore (offsets in the raw scrape)")
record("n_unrepaired_spans", RESULTS["n_unrepaired_spans"])

# %% [markdown]
# ## Method
# Each quantitative claim of the cleaned text (count, percentage, price, multiple, duration,
# threshold, date) was transcribed by hand into `data/facts.csv` with the clause that states it.
# Here the table is validated against its schema (`trustlab.data.facts.facts_schema`), every quote
# is looked up verbatim in the cleaned text and its numbers are read back with Chinese multipliers
# (`trustlab.data.quotes.article_numbers`) to confirm the value; rates are derived by plain
# arithmetic on the facts, and the article is checked against itself (`consistency_checks`).
# Nothing is estimated.
#
# ## Result
# ### Facts by trust-pyramid layer
# The article's "trust pyramid" has platform governance at the base, consumer rights in the middle,
# and community relations and brand trust at the top; promotion, pricing, support-policy and
# context facts follow. Each fact keeps its quote, so every number can be found in the source.
# `value` is in base units (萬 and 億 applied; percentages in percent; a decline negative; dates ISO).

# %%
display(Markdown(narrative.facts_shown_text(RUN)))
record("n_facts", RESULTS["n_facts"])
record("n_facts_by_topic", RESULTS["n_facts_by_topic"])
for heading, table in sf.topic_tables(RUN):
    display(Markdown(heading))
    tables_display.show(table, formats={"value": tables_display.format_text_number}, text_columns=["quote"])

# %%
fig, ax = plt.subplots(figsize=(8, 4))
sns.barplot(data=sf.topic_counts(RUN.by_topic), y="topic", x="facts", hue="layer", dodge=False, ax=ax)
ax.set_xlabel("quantitative claims (facts)")
ax.set_ylabel("topic")
ax.set_title("Quantitative claims in the article, by topic")
ax.legend(title="trust-pyramid layer", loc="upper left", bbox_to_anchor=(1.01, 1.0))
plots.caption(fig, f"trade article {source_id}, published {RUN.article.published}; counts of rows of data/facts.csv")
plt.show()

# %% [markdown]
# ### Provenance of every fact
# A fact passes when its quote is a verbatim substring of the cleaned text and its value (absolute
# value for a change; month and day for a date) is among the numbers the quote states, read with
# Chinese multipliers (6244萬 = 62,440,000). This runs over all facts of the source, not only the
# topics shown.

# %%
display(Markdown(narrative.quote_problems_text(RUN)))
if not RUN.problems.empty:
    tables_display.show(RUN.problems)
record("quote_problems", RESULTS["quote_problems"])

# %% [markdown]
# ### Derived rates
# Simple arithmetic on the facts, to put the article's totals on a per-day or per-unit scale.
# Annual totals are divided by the 365 days of 2021; each festival total by the days of the window
# its own sentence dates (the 信任購 figure 5月20日–6月14日, the fast-brand figures 5月20日–6月19日);
# `festival_end` would only date a festival figure whose sentence gives no end. The formula is shown
# with the numbers put in, and the prose and `results.json` carry the same values.

# %%
tables_display.show(RUN.derived)
display(Markdown(narrative.derived_rates_text(RESULTS)))
record("interceptions_per_day_2021", RESULTS["interceptions_per_day_2021"])
record("trust_buy_orders_per_day_2021", RESULTS["trust_buy_orders_per_day_2021"])

# %% [markdown]
# ### Consistency checks
# The article dates the 2022 616 festival twice as 5月20日–6月19日 (the 戰報 and the fast-brand
# figures) and once as 5月20日–6月14日 (the 信任購 figure). Each figure is put per day over the window
# its own sentence gives; the table shows what the other reading would make of every festival count.

# %%
sensitivity = RUN.sensitivity
tables_display.show(sensitivity, formats={c: "{:,.0f}" for c in sensitivity.columns if c.startswith("per_day") or c == "count"}
                    | {"relative_difference": "{:+.1%}"})
display(Markdown(narrative.festival_text(RUN)))
record("festival_days", RESULTS["festival_days"])
record("fast_brand_orders_per_day", RESULTS["fast_brand_orders_per_day"])

# %%
display(tables_display.styled(RUN.checks).apply(
    lambda row: ["background-color: #fff3cd" if row["status"] == "warning" else "" for _ in row], axis=1
))
display(Markdown(narrative.checks_text(RUN.checks)))

# %% [markdown]
# ## Caveats
# - The article is a trade piece by a consultancy channel built on an interview with one founder;
#   the platform figures are Kuaishou's own (its 2021 trust report, its 2022Q1 results, its festival
#   戰報), not independently audited. Several are targets (500 fast brands) or maxima (88% repurchase).
# - Bases differ: the 8x merchant multiple is against last year's 116 promotion, not last year's 616;
#   the report-rate fall (-8.96%) does not say whether it is relative or in percentage points.
# - Vague quantities (幾百萬件 'several million pieces', 幾個款式) are kept in notes, not as numbers;
#   month- and year-level dates (2021年初, 同年11月, 2022年一季度) stand as the first day of their window.
# - Characters the scrape lost stay lost (U+FFFD); the checks above say whether any sits inside or
#   near a quote. A quote next to a lost character is still verbatim, but its clause may read oddly.

# %% [markdown]
# ## References
# From the project's bibliography, `data/references.json`.

# %%
from trustlab import references

references.show(["zhuangshuai-2022-trust-pyramid", "trustlab-2026-facts"])

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
