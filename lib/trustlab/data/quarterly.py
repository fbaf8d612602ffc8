"""Kuaishou quarterly operating figures (``data/kuaishou_quarterly.csv``): loader, validation, wide form.

The CSV is tidy: one row per quarter and metric, each with its source URL, a verbatim quote and a
status code from ``data/raw/kuaishou-public-figures.md`` (V verified, V-c prior-year comparator
printed in a later release, V-2 secondary copy). Gaps in the sources (NF, "—") are absent rows.

Metrics and units:

- ``gmv_rmb_bn``: e-commerce GMV in the quarter, RMB bn
- ``dau_m`` / ``mau_m``: average daily / monthly active users of the Kuaishou app, million
- ``time_per_dau_min``: average daily time spent per DAU, minutes per day
- ``revenue_rmb_bn``: total revenue in the quarter, RMB bn
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from trustlab import config
from trustlab.data import tables
from trustlab.data.tables import check_columns, numeric_column, provenance_columns
from trustlab.data.tables import validate as validate_table

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

QUARTERLY_CSV = "kuaishou_quarterly.csv"
COLUMNS = ["quarter", "metric", "value", "unit", "status", "source_url", "quote", "note"]
METRIC_UNITS = {
    "gmv_rmb_bn": "RMB bn",
    "dau_m": "million",
    "mau_m": "million",
    "time_per_dau_min": "min/day",
    "revenue_rmb_bn": "RMB bn",
}
METRICS = list(METRIC_UNITS)
STATUSES = tables.STATUSES
SECONDARY_STATUS = tables.SECONDARY_STATUS
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"

_UNIT_CHECK = "unit must match the metric (gmv/revenue: RMB bn; dau/mau: million; time: min/day)"


@cache
def schema() -> pa.DataFrameSchema:
    """The pandera schema of the quarterly table (built on first use)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "quarter": pa.Column(str, pa.Check.str_matches(QUARTER_PATTERN), description="YYYYQn, e.g. 2022Q1"),
            "metric": pa.Column(str, pa.Check.isin(METRICS)),
            "value": pa.Column(float, pa.Check.gt(0)),
            "unit": pa.Column(str),
            **provenance_columns(),
        },
        checks=[
            pa.Check(
                lambda df: df["unit"] == df["metric"].map(METRIC_UNITS),
                error=_UNIT_CHECK,
            ),
        ],
        unique=["quarter", "metric"],
        strict=True,
        ordered=False,
    )


_EXPECTED_FORM = {
    "quarter": "a quarter written YYYYQn, e.g. 2022Q1",
    "metric": f"one of {METRICS}",
    "value": "a positive number",
    "unit": "the unit of the metric: " + ", ".join(f"{k}={v}" for k, v in METRIC_UNITS.items()),
    "status": f"one of {list(STATUSES)}",
    "source_url": "an http(s) URL",
    "quote": "a non-empty verbatim quote",
    "note": "text (may be empty)",
}


def validate_quarterly(frame: pd.DataFrame, path: Path | str = QUARTERLY_CSV) -> pd.DataFrame:
    """Validate a raw quarterly frame (as read from CSV) and return it typed; raises
    :class:`~trustlab.data.tables.DataFileError`."""
    path = Path(path)
    check_columns(frame, COLUMNS, path)
    frame = frame.copy()
    for col in COLUMNS:
        if col != "value":
            frame[col] = frame[col].fillna("").astype(str)
    frame["value"] = numeric_column(frame, "value", path, _EXPECTED_FORM["value"] + " (gaps are absent rows, not empty values)")
    return validate_table(frame, schema(), path, _EXPECTED_FORM, {_UNIT_CHECK: "metric/unit"})


def load_quarterly(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/kuaishou_quarterly.csv`` (tidy: one row per quarter and metric).

    ``include_secondary=False`` drops rows with status V-2 (secondary / lower-reliability copies).
    Units are in the ``unit`` column (RMB bn, million, min/day).
    """
    path = Path(path) if path is not None else config.DATA_DIR / QUARTERLY_CSV
    if not path.exists():
        raise FileNotFoundError(f"{path}: quarterly figures file not found")
    frame = tables.read_validated(path, validate_quarterly, include_secondary)
    return frame.sort_values(["quarter", "metric"]).reset_index(drop=True)


def _quarter_index(frame: pd.DataFrame) -> pd.PeriodIndex:
    quarters = pd.PeriodIndex(frame["quarter"], freq="Q")
    if len(quarters) == 0:
        return pd.PeriodIndex([], freq="Q", name="quarter")
    return pd.period_range(quarters.min(), quarters.max(), freq="Q", name="quarter")


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter (quarterly PeriodIndex, every quarter in the span), one column per metric.

    Quarters or metrics without a row stay NaN. Units as in :data:`METRIC_UNITS`.
    """
    index = _quarter_index(frame)
    table = frame.pivot(index="quarter", columns="metric", values="value")
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    return table.reindex(index=index, columns=METRICS).rename_axis(columns=None)


def wide_status(frame: pd.DataFrame) -> pd.DataFrame:
    """Status code (V, V-c, V-2) of every cell of :func:`wide`; empty string where there is no value."""
    index = _quarter_index(frame)
    table = frame.pivot(index="quarter", columns="metric", values="status")
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    return table.reindex(index=index, columns=METRICS).fillna("").rename_axis(columns=None)


def wide_with_status(frame: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Display table: each cell ``value (status)``, e.g. ``175.1 (V)``; empty where the sources have no value."""
    values = wide(frame)
    status = wide_status(frame)
    out = pd.DataFrame(index=values.index, columns=values.columns, dtype=object)
    for col in values.columns:
        out[col] = ["" if pd.isna(v) else f"{v:,.{decimals}f} ({s})" for v, s in zip(values[col], status[col], strict=True)]
    return out
