"""What the source article claims, number by number, and whether it holds together (notebook
``00_source_facts``).

- :mod:`~trustlab.source_facts.parameters`: the notebook's parameter contract (:class:`Parameters`).
- :mod:`~trustlab.source_facts.rates`: days counted inclusively, festival windows, rates derived from
  the facts with their arithmetic (notebooks 01 and 02 count days with the same :func:`day_count`).
- :mod:`~trustlab.source_facts.checks`: the article checked against itself.
- :mod:`~trustlab.source_facts.analysis`: the notebook from its parameters (:func:`run`;
  :func:`recorded_results` is its fast path).
- :mod:`~trustlab.source_facts.narrative`: the Summary and the sentences under the tables.

The facts and the article come from :mod:`trustlab.data.facts` and :mod:`trustlab.data.sources`.
"""

from trustlab.source_facts.analysis import (
    FACT_TABLE_COLUMNS,
    PYRAMID_LAYER,
    SourceFactsRun,
    recorded_results,
    run,
    topic_counts,
    topic_tables,
    unrepaired_table,
)
from trustlab.source_facts.checks import consistency_checks, unrepaired_positions
from trustlab.source_facts.narrative import summary
from trustlab.source_facts.parameters import Parameters, check_params
from trustlab.source_facts.rates import (
    day_count,
    derived_rates,
    festival_day_counts,
    festival_rate_sensitivity,
    figure_per_day,
    figure_window,
    per_day,
)

__all__ = [
    "FACT_TABLE_COLUMNS",
    "PYRAMID_LAYER",
    "Parameters",
    "SourceFactsRun",
    "check_params",
    "consistency_checks",
    "day_count",
    "derived_rates",
    "festival_day_counts",
    "festival_rate_sensitivity",
    "figure_per_day",
    "figure_window",
    "per_day",
    "recorded_results",
    "run",
    "summary",
    "topic_counts",
    "topic_tables",
    "unrepaired_positions",
    "unrepaired_table",
]
