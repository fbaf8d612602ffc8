"""Kuaishou's full-year figures (``data/kuaishou_annual.csv``): loader and look-up.

The file has the columns and the validation of ``data/trust_report_2021.csv`` (one row per figure,
its period, unit, qualifier, status, source URL and a verbatim quote that states the value), so it
is validated by :func:`trustlab.data.trust_report.validate_trust_report`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trustlab import config
from trustlab.data import tables
from trustlab.data.trust_report import validate_trust_report

ANNUAL_CSV = "kuaishou_annual.csv"


def load_annual(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/kuaishou_annual.csv`` (columns as :func:`~trustlab.data.trust_report.load_trust_report`);
    ``include_secondary=False`` drops V-2 rows."""
    path = Path(path) if path is not None else config.DATA_DIR / ANNUAL_CSV
    if not path.exists():
        raise FileNotFoundError(f"{path}: annual figures file not found")
    return tables.read_validated(path, validate_trust_report, include_secondary)


def annual_value(annual: pd.DataFrame, metric: str, year: int) -> float | None:
    """The value of ``metric`` for calendar ``year`` (a row covering exactly that year), or None when absent."""
    rows = annual[
        (annual["metric"] == metric)
        & (annual["period_start"] == pd.Timestamp(year, 1, 1))
        & (annual["period_end"] == pd.Timestamp(year, 12, 31))
    ]
    if len(rows) > 1:
        raise ValueError(f"{ANNUAL_CSV}: metric {metric!r} has {len(rows)} rows for {year}; expected one")
    return None if rows.empty else float(rows["value"].iloc[0])
