"""Spend per buyer by platform: where Kuaishou, a trust-positioned platform, stands against the
price-positioned and the general ones, reported where the platform reports it, derived where it can be.

The figures come from :func:`trustlab.data.positioning.load_positioning`. Money is in RMB.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_STATUS_RANK = {"V": 0, "V-c": 1, "V-2": 2}


def spend_per_buyer(positioning: pd.DataFrame) -> pd.DataFrame:
    """Spend per buyer by platform and period, in RMB per buyer per year, reported or derived.

    ``basis`` says where each figure comes from: ``reported`` (the platform's own annual spending per
    active buyer), ``derived`` (GMV / annual active buyers, computed here, not quoted), or
    ``not comparable`` when only average *monthly* buyers are published (Kuaishou): no number is
    forced for those rows. A reported lower bound (``>``) is kept next to the derived value and
    ``bound_consistent`` says whether the derived value respects it. ``status`` is the weakest
    status among the rows used.
    """
    rows = []
    for (platform, period), group in positioning.groupby(["platform", "period"], sort=False):
        by_metric = {m: g.iloc[0] for m, g in group.groupby("metric")}
        gmv = by_metric.get("gmv")
        annual = by_metric.get("active_buyers")
        monthly = by_metric.get("monthly_active_buyers")
        reported = by_metric.get("annual_spending_per_active_buyer")
        used = [r for r in (gmv, annual, reported, monthly) if r is not None]
        derived = gmv["value"] * 1e9 / (annual["value"] * 1e6) if gmv is not None and annual is not None else np.nan
        reported_value = reported["value"] if reported is not None else np.nan
        qualifier = reported["qualifier"] if reported is not None else ""
        if monthly is not None and annual is None:
            basis, value = "not comparable", np.nan
            explanation = "only average monthly buyers are published; GMV per annual buyer cannot be formed"
        elif reported is not None and qualifier == "":
            basis, value = "reported", reported_value
            explanation = "the platform's own annual spending per active buyer"
        elif not np.isnan(derived):
            basis, value = "derived", derived
            explanation = "GMV / annual active buyers, computed here" + (
                f" (reported only as {qualifier}RMB {reported_value:,.0f})" if reported is not None else ""
            )
        else:
            basis, value, explanation = "missing", np.nan, "neither a reported figure nor GMV and annual buyers"
        bound_ok = None
        if reported is not None and qualifier in (">", "<") and not np.isnan(derived):
            bound_ok = bool(derived > reported_value) if qualifier == ">" else bool(derived < reported_value)
        rows.append(
            {
                "platform": platform,
                "period": period,
                "gmv_rmb_bn": gmv["value"] if gmv is not None else np.nan,
                "annual_buyers_m": annual["value"] if annual is not None else np.nan,
                "monthly_buyers_m": monthly["value"] if monthly is not None else np.nan,
                "reported_rmb": reported_value,
                "reported_qualifier": qualifier,
                "derived_rmb": derived,
                "spend_per_buyer_rmb": value,
                "basis": basis,
                "bound_consistent": bound_ok,
                "comparable": basis in ("reported", "derived"),
                "status": max((r["status"] for r in used), key=lambda status: _STATUS_RANK[status]),
                "explanation": explanation,
            }
        )
    return pd.DataFrame(rows)
