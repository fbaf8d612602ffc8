"""The base of Kuaishou's trust pyramid: how intense its 2021 platform governance was, what the
reported fall of the report rate can and cannot show, and the pyramid's layers (notebook
``01_governance``).

- :mod:`~trustlab.governance.intensity`: governance counts per day, per million DAU and MAU; blocks per ban.
- :mod:`~trustlab.governance.report_rate`: implied reports, the z test, detectable change, orders needed.
- :mod:`~trustlab.governance.pyramid`: the pyramid's layers and the article against the trust report.
- :mod:`~trustlab.governance.parameters`: the notebook's parameter contract and its rules across parameters.
- :mod:`~trustlab.governance.analysis`: the notebook from its parameters (:func:`run`;
  :func:`recorded_results` is its fast path).
- :mod:`~trustlab.governance.narrative`: the Summary, the run's caveats and the paragraphs under the tables.

The data come from :mod:`trustlab.data.trust_report`, :mod:`trustlab.data.quarterly` and
:mod:`trustlab.data.facts`; everything here is computation over their DataFrames and plain values.
"""

from trustlab.governance.analysis import Analysis, recorded_results, run
from trustlab.governance.intensity import (
    BlocksPerBan,
    IntensityInput,
    UserBase,
    average_users,
    blocks_per_ban,
    days_in_year,
    governance_inputs,
    intensity_table,
    per_day,
    per_million,
)
from trustlab.governance.narrative import (
    blocks_per_ban_text,
    caveats,
    design_effect_text,
    false_publicity_text,
    intensity_text,
    interval_text,
    report_rate_text,
    sensitivity_text,
    summary,
)
from trustlab.governance.parameters import Parameters, check_params, data_figures, previous_orders
from trustlab.governance.pyramid import (
    GOVERNANCE_METRICS,
    PYRAMID_LAYERS,
    PyramidLayer,
    PyramidMetric,
    cross_check,
    draw_pyramid,
    format_number,
    trust_pyramid,
)
from trustlab.governance.report_rate import (
    MIN_EFFECTIVE_REPORTS,
    P_VALUE_FLOOR,
    ImpliedReports,
    ZTest,
    breakeven_design_effect,
    design_effect_table,
    implied_reports,
    minimum_detectable_relative_change,
    orders_for_effective_reports,
    orders_needed,
    report_rate_test,
    sensitivity_table,
)

__all__ = [
    "Analysis",
    "recorded_results",
    "run",
    "blocks_per_ban_text",
    "caveats",
    "design_effect_text",
    "false_publicity_text",
    "intensity_text",
    "report_rate_text",
    "sensitivity_text",
    "summary",
    "data_figures",
    "previous_orders",
    "interval_text",
    "MIN_EFFECTIVE_REPORTS",
    "P_VALUE_FLOOR",
    "breakeven_design_effect",
    "design_effect_table",
    "BlocksPerBan",
    "IntensityInput",
    "UserBase",
    "average_users",
    "blocks_per_ban",
    "days_in_year",
    "governance_inputs",
    "intensity_table",
    "per_day",
    "per_million",
    "Parameters",
    "check_params",
    "GOVERNANCE_METRICS",
    "PYRAMID_LAYERS",
    "PyramidLayer",
    "PyramidMetric",
    "cross_check",
    "draw_pyramid",
    "format_number",
    "trust_pyramid",
    "ImpliedReports",
    "ZTest",
    "implied_reports",
    "minimum_detectable_relative_change",
    "orders_for_effective_reports",
    "orders_needed",
    "report_rate_test",
    "sensitivity_table",
]
