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
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.notebook
import trustlab.provenance
from trustlab import facts as F
from trustlab import plots, prose, tables_display
from trustlab.data import facts as facts_data
from trustlab.data.sources import load_article, load_sources
from trustlab.results import record

PARAMS = trustlab.runner.notebook.validate("00_source_facts", globals())  # same contract as `trustlab run`
plots.setup()
RESULTS = F.analysis(PARAMS)  # every recorded value of this run, from the same functions the sections below show

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {line}" for line in F.summary(RESULTS, PARAMS))))

# %% [markdown]
# ## Data
# The raw scrape in `data/raw/` is never edited. `trustlab.data.sources.load_article` checks its SHA-256
# against `data/sources.csv` and cleans it in code: it removes the pinyin the site injected after
# characters, HTML debris and mangled closing tags, and replaces each character it cannot recover
# with U+FFFD (�), listing every such span.

# %%
registry = load_sources()
source = registry[registry["source_id"] == source_id].iloc[0]
article = load_article(source_id)
repairs = article.repair_counts()
spans = pd.DataFrame(
    [{"raw offset": u.raw_offset, "raw text": u.original, "raw context": u.context} for u in article.unrepaired]
)
display(Markdown(
    f"**{article.title}**, {source['publisher']}, published {article.published}. "
    f"The cleaner made **{int(repairs.sum())}** repairs ({', '.join(f'{n} {k}' for k, n in repairs.items())}), "
    f"removed {len(article.removed_sections)} lines of site chrome, and left **{len(article.unrepaired)}** "
    f"span(s) it could not restore, marked with U+FFFD in a cleaned text of {len(article.text):,} characters."
))
tables_display.show(repairs.rename_axis("repair").reset_index(name="count"))
if not spans.empty:
    tables_display.show(spans, caption="Spans the cleaner could not restore (offsets in the raw scrape)")
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
all_facts = facts_data.load_facts(source_id=source_id)
shown = all_facts[all_facts["topic"].isin(topics)].copy()
shown["layer"] = shown["topic"].map(F.PYRAMID_LAYER).fillna("—")
order = [t for t in facts_data.TOPICS if t in topics]
by_topic = shown["topic"].value_counts().reindex(order, fill_value=0)
n_facts = int(len(shown))
display(Markdown(
    f"**{n_facts}** facts in {len(order)} topic(s) (of {len(all_facts)} facts the source states in all)."
))
assert n_facts == RESULTS["n_facts"]
record("n_facts", RESULTS["n_facts"])
record("n_facts_by_topic", RESULTS["n_facts_by_topic"])

columns = ["fact_id", "metric", "value", "unit", "qualifier", "period_start", "period_end", "entity", "quote"]
for topic in order:
    rows = shown[shown["topic"] == topic]
    layer = F.PYRAMID_LAYER.get(topic)
    heading = f"#### {topic}" + (f" (pyramid {layer})" if layer else "")
    more = f" (first {max_rows_per_topic} of {len(rows)})" if len(rows) > max_rows_per_topic else ""
    display(Markdown(heading + more))
    tables_display.show(rows[columns].head(max_rows_per_topic), formats={"value": tables_display.format_text_number},
                        text_columns=["quote"])

# %%
fig, ax = plt.subplots(figsize=(8, 4))
plot_data = by_topic.rename_axis("topic").reset_index(name="facts")
plot_data["layer"] = plot_data["topic"].map(F.PYRAMID_LAYER).fillna("outside the pyramid")
sns.barplot(data=plot_data, y="topic", x="facts", hue="layer", dodge=False, ax=ax)
ax.set_xlabel("quantitative claims (facts)")
ax.set_ylabel("topic")
ax.set_title("Quantitative claims in the article, by topic")
ax.legend(title="trust-pyramid layer", loc="upper left", bbox_to_anchor=(1.01, 1.0))
plots.caption(fig, f"trade article {source_id}, published {article.published}; counts of rows of data/facts.csv")
plt.show()

# %% [markdown]
# ### Provenance of every fact
# A fact passes when its quote is a verbatim substring of the cleaned text and its value (absolute
# value for a change; month and day for a date) is among the numbers the quote states, read with
# Chinese multipliers (6244萬 = 62,440,000). This runs over all facts of the source, not only the
# topics shown.

# %%
problems = facts_data.verify_quotes(all_facts, article.text)
display(Markdown(
    f"Quote problems: **{len(problems)}** of {len(all_facts)} facts."
    + ("" if problems.empty else " The facts below do not match the article:")
))
if not problems.empty:
    tables_display.show(problems)
record("quote_problems", RESULTS["quote_problems"])

# %% [markdown]
# ### Derived rates
# Simple arithmetic on the facts, to put the article's totals on a per-day or per-unit scale.
# Annual totals are divided by the 365 days of 2021; each festival total by the days of the window
# its own sentence dates (the 信任購 figure 5月20日–6月14日, the fast-brand figures 5月20日–6月19日);
# `festival_end` would only date a festival figure whose sentence gives no end. The formula is shown
# with the numbers put in, and the prose and `results.json` carry the same values.

# %%
derived = F.derived_rates(all_facts, festival_end)
tables_display.show(derived)
interceptions_per_day = RESULTS["interceptions_per_day_2021"]
trust_buy_per_day_2021 = RESULTS["trust_buy_orders_per_day_2021"]
display(Markdown(
    f"In 2021 the platform intercepted about **{interceptions_per_day:,.0f}** suspected counterfeit listing "
    f"attempts a day, and 信任購 covered about **{trust_buy_per_day_2021:,.0f}** orders a day if its 2021 "
    "total is spread over the whole year."
))
record("interceptions_per_day_2021", interceptions_per_day)
record("trust_buy_orders_per_day_2021", trust_buy_per_day_2021)

# %% [markdown]
# ### Consistency checks
# The article dates the 2022 616 festival twice as 5月20日–6月19日 (the 戰報 and the fast-brand
# figures) and once as 5月20日–6月14日 (the 信任購 figure). Each figure is put per day over the window
# its own sentence gives; the table shows what the other reading would make of every festival count.

# %%
festival_days = RESULTS["festival_days"]
festival_start = facts_data.fact_date(all_facts, F.FESTIVAL_START_ID)
fast_brand_orders = facts_data.fact_value(all_facts, F.FAST_BRAND_ORDERS_ID)
fast_brand_orders_per_day = RESULTS["fast_brand_orders_per_day"]
assert fast_brand_orders_per_day == F.figure_per_day(all_facts, F.FAST_BRAND_ORDERS_ID, festival_end)
sensitivity = F.festival_rate_sensitivity(all_facts)
tables_display.show(sensitivity, formats={c: "{:,.0f}" for c in sensitivity.columns if c.startswith("per_day") or c == "count"}
                    | {"relative_difference": "{:+.1%}"})
ends = sorted(festival_days)
display(Markdown(
    f"The festival from {festival_start} lasts {prose.join(f'**{festival_days[e]}** days to {e}' for e in ends)}: "
    f"the shorter reading raises a per-day rate by {prose.signed_percent(festival_days[ends[1]] / festival_days[ends[0]] - 1)}. "
    f"Each figure keeps the window its own sentence dates: the {prose.number(fast_brand_orders)} fast-brand orders are "
    f"**{prose.number(fast_brand_orders_per_day)}** a day over {RESULTS['fast_brand_days']} days, the 信任購 orders at least "
    f"**{prose.number(RESULTS['trust_buy_orders_per_day_festival'])}** a day over {RESULTS['trust_buy_days']} days "
    "(the same values as in the derived-rates table and in `results.json`)."
))
record("festival_days", festival_days)
record("fast_brand_orders_per_day", fast_brand_orders_per_day)

# %%
checks = F.consistency_checks(all_facts, article)
display(tables_display.styled(checks).apply(
    lambda row: ["background-color: #fff3cd" if row["status"] == "warning" else "" for _ in row], axis=1
))
n_warnings = int((checks["status"] == "warning").sum())
span_checks = checks[checks["check"].str.startswith("unrepaired span at")]
display(Markdown(
    f"**{n_warnings}** of {len(checks)} checks raise a warning; each is explained in its detail. "
    f"Unrepaired spans within 60 characters of a fact's quote: {int((span_checks['status'] == 'warning').sum())} of {len(span_checks)}; "
    "quotes containing an unrepaired span: "
    f"{checks.loc[checks['check'] == 'no quote contains an unrepaired span', 'detail'].item().split(': ', 1)[1]}."
))

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
