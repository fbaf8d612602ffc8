"""The analysis of notebook 04_community_trust.

Question: The article's trust pyramid puts community relations and consumer rights above
platform governance, and claims that the trust streamers build with their 老鐵 raises stickiness,
time spent, conversion and repurchase. Do Kuaishou's public numbers (GMV, DAU, time per DAU,
mutual-follow pairs, monthly buyers, 信任購's order coverage, repurchase figures) bear any of this
out?

Scaffolded by ``trustlab new``: :func:`project` (compound growth) is a placeholder computation that
runs end to end; replace it with the question's own. :class:`Parameters` is the notebook's parameter
contract (names, types, defaults, help, ranges and rules across parameters, declared once; the
notebook's parameters cell is ``trustlab params 04_community_trust --cell``). :func:`analysis` computes every recorded result
from a parameter dict (the notebook calls it, and so does ``trustlab sweep --fast``); :func:`summary`
words them for the notebook's Summary. Heavy libraries (scipy, statsmodels, matplotlib) are imported
inside the functions that use them, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field

from trustlab import prose
from trustlab.contract import Contract


class Parameters(Contract):
    """The parameter contract of notebook ``04_community_trust``."""

    notebook: ClassVar[str] = "04_community_trust"

    start_value: float = Field(100.0, gt=0, description="value at the start, in the unit of the question (placeholder)")
    growth_rate: float = Field(0.05, gt=-1, le=1, description="growth per period, fraction (0.05 is +5 %), above -1")
    periods: int = Field(12, ge=1, le=120, description="periods to project, 1 to 120")


def project(start_value: float, growth_rate: float, periods: int) -> list[float]:
    """The value at periods 0..``periods`` growing by ``growth_rate`` (a fraction, 0.05 = +5 %)
    per period from ``start_value`` (in the unit of the question); ``periods + 1`` values.

    Raises ValueError naming the argument for a non-finite or non-positive start, a rate at or
    below -1 (the value would vanish or change sign), or a negative number of periods.
    """
    if not (math.isfinite(start_value) and start_value > 0):
        raise ValueError(f"start_value: expected a finite number > 0, got {start_value!r}")
    if not (math.isfinite(growth_rate) and growth_rate > -1):
        raise ValueError(f"growth_rate: expected a finite fraction > -1, got {growth_rate!r}")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 0:
        raise ValueError(f"periods: expected a whole number >= 0, got {periods!r}")
    return [start_value * (1 + growth_rate) ** t for t in range(periods + 1)]


def analysis(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every recorded result of notebook 04_community_trust from its parameters (the fast path of
    ``trustlab sweep --fast``): ``final_value`` (unit of the question) and ``total_change``
    (relative change from the start, a fraction)."""
    params = Parameters.check(params)
    path = project(params["start_value"], params["growth_rate"], params["periods"])
    return {"final_value": path[-1], "total_change": path[-1] / path[0] - 1}


def summary(results: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The notebook's Summary: one bullet per finding, worded from the recorded results and the
    parameters with :mod:`trustlab.prose`, so that it stays true under any valid parameters."""
    start, final = params["start_value"], results["final_value"]
    return [
        f"Over **{params['periods']}** period(s) at {prose.signed_percent(params['growth_rate'])} a period, "
        f"the value goes from {prose.number(start)} to **{prose.number(final)}**: {prose.change(start, final)}.",
        "This is the scaffold's placeholder computation; the question's answer replaces it.",
    ]
