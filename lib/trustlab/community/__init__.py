"""The pyramid's upper layers, community and consumer rights, against the public numbers (notebook
``04_community_trust``).

- :mod:`~trustlab.community.parameters`: the notebook's parameter contract (:class:`Parameters`).
- :mod:`~trustlab.community.growth`: GMV per DAU against time per DAU in year-on-year growth, the
  slope's t interval and the power of so few quarters.
- :mod:`~trustlab.community.rights`: 信任購's order coverage at an assumed order value, and whether
  repurchase figures compare across its launch.
- :mod:`~trustlab.community.analysis`: the data it reads and :func:`run`, the one orchestration (the fast path).
- :mod:`~trustlab.community.narrative`: the Summary, result sentences and caveats, worded from the run.

The data come from :mod:`trustlab.data.quarterly`, :mod:`trustlab.data.community`,
:mod:`trustlab.data.trust_report`, :mod:`trustlab.data.annual` and :mod:`trustlab.data.facts`.
"""

from trustlab.community import growth, narrative, rights
from trustlab.community.analysis import (
    Inputs,
    buyer_growth,
    buyer_levels,
    growth_fit,
    load_inputs,
    mutual_follow_table,
    repurchase_figures,
    repurchase_overview,
    run,
    series_coverage,
)
from trustlab.community.narrative import caveats, summary
from trustlab.community.parameters import Parameters

__all__ = [
    "Inputs",
    "Parameters",
    "buyer_growth",
    "buyer_levels",
    "caveats",
    "growth",
    "growth_fit",
    "load_inputs",
    "mutual_follow_table",
    "narrative",
    "repurchase_figures",
    "repurchase_overview",
    "rights",
    "run",
    "series_coverage",
    "summary",
]
