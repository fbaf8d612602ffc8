"""Notebook ``01_governance``'s tables, built from one run (:class:`~trustlab.governance.analysis.Analysis`):
the trust-report figures of the year, the user bases, the implied report counts and the test under
each design effect, with the columns named as the page shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from trustlab import prose
from trustlab.governance.narrative import interval_text

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.governance.analysis import Analysis

QUOTE_CHARS = 70  # a quote longer than this is cut to one line ending in "…" (in full in the CSV)
REPORT_COLUMNS = ["metric", "period_start", "period_end", "value", "unit", "qualifier", "status", "quote"]


def short_quote(quote: str, width: int = QUOTE_CHARS) -> str:
    """``quote`` as is when at most ``width`` characters, else its first ``width - 3`` characters
    (trailing spaces dropped) and "…"."""
    return quote if len(quote) <= width else quote[: width - 3].rstrip() + "…"


def trust_report_table(a: Analysis) -> pd.DataFrame:
    """The trust report's figures whose period starts or ends in the run's ``year``, quotes shortened."""
    report, year = a.report, a.params["year"]
    in_year = (report["period_start"].dt.year == year) | (report["period_end"].dt.year == year)
    shown = report.loc[in_year, REPORT_COLUMNS].copy()
    shown["quote"] = shown["quote"].map(short_quote)
    return shown


def users_table(a: Analysis) -> pd.DataFrame:
    """DAU and MAU (million): the mean of the year's quarters in the data, those quarters with their
    status, and the value the run used (a parameter replaces the mean)."""
    bases = (a.dau_base, a.mau_base)
    return pd.DataFrame(
        {
            "users": ["DAU (million)", "MAU (million)"],
            "from the data (mean of quarters)": [b.value_millions for b in bases],
            "quarters and status": [", ".join(f"{q} {s}" for q, s in zip(b.quarters, b.statuses, strict=True)) for b in bases],
            "used": [a.dau_used, a.mau_used],
        }
    )


def implied_reports_table(a: Analysis) -> pd.DataFrame:
    """The two years' orders, report rates (per 10,000 orders) and the report counts they imply."""
    implied, year = a.implied, a.params["year"]
    return pd.DataFrame(
        {
            "year": [str(year - 1), str(year)],
            "orders": [implied.orders_previous, implied.orders_current],
            "report rate per 10k orders": [implied.rate_previous * 1e4, implied.rate_current * 1e4],
            "implied reports": [implied.reports_previous, implied.reports_current],
        }
    )


def design_effect_display(a: Analysis) -> pd.DataFrame:
    """The test of the report rate under each design effect, as the page shows it: p and the
    interval worded (:func:`~trustlab.prose.p_value`, :func:`interval_text`), the minimum detectable
    fall as a percentage or "not detectable"."""
    table, year, alpha = a.deff_table, a.params["year"], a.params["alpha"]
    return pd.DataFrame(
        {
            "design effect": table["design_effect"],
            f"effective reports {year}": table["effective_reports_current"],
            "z": table["z"],
            "p": [prose.p_value(p) for p in table["p_value"]],
            f"{1 - alpha:.0%} interval": [
                interval_text(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            f"significant at {alpha:g}": table["significant"],
            "minimum detectable fall": [f"{m:.2%}" if m == m else "not detectable" for m in table["mdc"]],
        }
    ).reset_index(drop=True)
