"""The 2021 trust report's own governance figures (``data/trust_report_2021.csv``): schema and loader.

One row per figure, with its period, unit, qualifier, status, source URL and a verbatim quote that
states the value (:func:`value_in_quote`). :func:`load_trust_report` reads and validates the file;
:func:`report_value` looks a figure up by metric.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trustlab import config
from trustlab.data import quotes, tables
from trustlab.data.tables import check_columns, numeric_column, provenance_columns
from trustlab.data.tables import validate as validate_table

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

TRUST_REPORT_CSV = "trust_report_2021.csv"
COLUMNS = ["metric", "period_start", "period_end", "value", "unit", "qualifier", "status", "source_url", "quote", "note"]
STATUSES = tables.STATUSES
SECONDARY_STATUS = tables.SECONDARY_STATUS
QUALIFIERS = ("", "more than", "about", "nearly")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

_EXPECTED_FORM = {
    "metric": "a snake_case metric name (lower-case letters, digits, underscores)",
    "period_start": "a date YYYY-MM-DD",
    "period_end": "a date YYYY-MM-DD, not before period_start",
    "value": "a number that appears in the quote (sign may come from words such as 'dropped')",
    "unit": "a non-empty unit, e.g. 'listing attempts', 'percent', 'users per day'",
    "qualifier": f"one of {list(QUALIFIERS)}",
    "status": f"one of {list(STATUSES)} exactly as in data/raw/kuaishou-public-figures.md",
    "source_url": "an http(s) URL",
    "quote": "a non-empty verbatim quote containing the value",
    "note": "text (may be empty)",
}


def value_in_quote(value: float, quote: str, rel_tol: float = 1e-9) -> bool:
    """True when ``|value|`` is one of the numbers written in ``quote`` (see
    :func:`trustlab.data.quotes.face_and_scaled`)."""
    return quotes.is_stated(abs(float(value)), quotes.face_and_scaled(quote), rel_tol, abs_tol=1e-12)


@cache
def schema() -> pa.DataFrameSchema:
    """The pandera schema of the trust-report table (built on first use)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "metric": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "period_start": pa.Column(str, pa.Check.str_matches(DATE_PATTERN)),
            "period_end": pa.Column(str, pa.Check.str_matches(DATE_PATTERN)),
            "value": pa.Column(float, pa.Check(np.isfinite, element_wise=True, error="finite number")),
            "unit": pa.Column(str, pa.Check.str_length(min_value=1)),
            "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS))),
            **provenance_columns(),
        },
        checks=[
            pa.Check(
                lambda df: pd.Series(
                    [value_in_quote(v, q) for v, q in zip(df["value"], df["quote"], strict=True)], index=df.index
                ),
                error="value must appear in its quote",
                name="value_in_quote",
            ),
            pa.Check(
                lambda df: (
                    pd.to_datetime(df["period_end"], errors="coerce") >= pd.to_datetime(df["period_start"], errors="coerce")
                ),
                error="period_end must be a valid date not before period_start",
                name="period_order",
            ),
        ],
        unique=["metric", "period_start", "period_end"],
        strict=True,
        ordered=False,
    )


# Checks across columns: their error text -> the columns an error names.
_FRAME_CHECK_COLUMNS = {
    "value must appear in its quote": "value/quote",
    "period_end must be a valid date not before period_start": "period_end/period_start",
}


def validate_trust_report(frame: pd.DataFrame, path: Path | str = TRUST_REPORT_CSV) -> pd.DataFrame:
    """Validate a raw trust-report frame (all columns as strings) and return it typed.

    ``value`` becomes float, ``period_start``/``period_end`` become ``datetime64``. Raises
    :class:`~trustlab.data.tables.DataFileError` naming the file, line, column and expected form of every failure.
    """
    path = Path(path)
    check_columns(frame, COLUMNS, path)
    frame = frame.copy().reset_index(drop=True)
    for col in COLUMNS:
        if col != "value":
            frame[col] = frame[col].fillna("").astype(str)
    frame["value"] = numeric_column(
        frame, "value", path, _EXPECTED_FORM["value"] + " (NF and M rows are left out, not given empty values)"
    )
    frame = validate_table(frame, schema(), path, _EXPECTED_FORM, _FRAME_CHECK_COLUMNS)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def load_trust_report(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/trust_report_2021.csv``: one row per figure of the 2021 trust report.

    Columns: ``metric, period_start, period_end`` (datetime), ``value`` (float, in ``unit``),
    ``qualifier`` ('more than', 'about', 'nearly' or ''), ``status`` (V/V-c/V-2), ``source_url``,
    ``quote``, ``note``. ``include_secondary=False`` drops V-2 rows (secondary copies).
    """
    path = Path(path) if path is not None else config.DATA_DIR / TRUST_REPORT_CSV
    if not path.exists():
        raise FileNotFoundError(f"{path}: trust-report figures file not found")
    return tables.read_validated(path, validate_trust_report, include_secondary)


def report_value(report: pd.DataFrame, metric: str) -> float | None:
    """The value of ``metric`` in a trust-report frame, or None when the row is absent (e.g. V-2 dropped)."""
    rows = report[report["metric"] == metric]
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ValueError(f"metric {metric!r} has {len(rows)} rows; expected one")
    return float(rows["value"].iloc[0])
