"""Spend per buyer by platform as the platforms report it (``data/platform_positioning.csv``):
schema and loader.

One row per transcribed figure (GMV, annual or monthly active buyers, annual spending per active
buyer) with its period, unit, qualifier, status, source URL and a verbatim quote that states the
amount (:func:`value_in_quote`). :func:`load_positioning` reads and validates the file.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from trustlab import config
from trustlab.data import quotes, tables

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

POSITIONING_COLUMNS = [
    "platform",
    "metric",
    "period",
    "value",
    "unit",
    "qualifier",
    "status",
    "source_url",
    "quote",
    "comparable",
    "note",
]
POSITIONING_METRICS = {
    "gmv": "RMB bn",
    "active_buyers": "million buyers",
    "annual_spending_per_active_buyer": "RMB per buyer per year",
    "monthly_active_buyers": "million buyers",
}
UNIT_SCALE = {"RMB bn": 1e9, "million buyers": 1e6, "RMB per buyer per year": 1.0}
POSITIONING_STATUSES = tables.STATUSES
QUALIFIERS = ("", ">", "<", "≈")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def value_in_quote(value: float, unit: str, quote: str, rel_tol: float = 1e-9) -> bool:
    """True when ``value`` (in ``unit``) is one of the amounts written in ``quote`` (see
    :func:`trustlab.data.quotes.amounts`)."""
    return quotes.is_stated(float(value) * UNIT_SCALE.get(unit, 1.0), quotes.amounts(quote), rel_tol)


@cache
def schema() -> pa.DataFrameSchema:
    """The pandera schema of the positioning table (built on first use)."""
    import pandera.pandas as pa

    text = pa.Column(str, nullable=False)
    return pa.DataFrameSchema(
        {
            "platform": pa.Column(str, pa.Check.str_length(min_value=1)),
            "metric": pa.Column(str, pa.Check.isin(list(POSITIONING_METRICS))),
            "period": pa.Column(str, pa.Check.str_matches(r"^(\d{4}|FY\d{4}|Q[1-4] \d{4})$")),
            "value": pa.Column(str, pa.Check.str_matches(_NUMBER.pattern)),
            "unit": pa.Column(str, pa.Check.isin(list(UNIT_SCALE))),
            "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS))),
            "status": pa.Column(str, pa.Check.isin(list(POSITIONING_STATUSES))),
            "source_url": pa.Column(str, pa.Check(lambda s: (s == "") | s.str.match(r"^https?://\S+$"))),
            "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
            "comparable": pa.Column(str, pa.Check.isin(["true", "false"])),
            "note": text,
        },
        checks=[
            pa.Check(
                lambda df: pd.Series([POSITIONING_METRICS.get(m) == u for m, u in zip(df["metric"], df["unit"])], index=df.index),
                error=_FRAME_CHECKS["unit_matches_metric"][0],
                name="unit_matches_metric",
            ),
            pa.Check(
                lambda df: pd.Series(
                    [
                        bool(_NUMBER.match(v)) and value_in_quote(float(v), u, q)
                        for v, u, q in zip(df["value"], df["unit"], df["quote"])
                    ],
                    index=df.index,
                ),
                error=_FRAME_CHECKS["value_in_quote"][0],
                name="value_in_quote",
            ),
            pa.Check(
                lambda df: (df["metric"] == "monthly_active_buyers") == (df["comparable"] == "false"),
                error=_FRAME_CHECKS["comparable_iff_annual"][0],
                name="comparable_iff_annual",
            ),
        ],
        strict=True,
        ordered=True,
    )


# Frame-wide checks: name -> (error message, the column(s) to name in an error).
_FRAME_CHECKS = {
    "unit_matches_metric": (
        "unit must be the metric's unit: " + ", ".join(f"{m}: {u}" for m, u in POSITIONING_METRICS.items()),
        "metric/unit",
    ),
    "value_in_quote": ("value (in its unit) must be one of the amounts written in quote", "value/unit/quote"),
    "comparable_iff_annual": ("comparable must be false exactly for monthly_active_buyers rows", "metric/comparable"),
}
_EXPECTED_FORM = {
    "platform": "a non-empty platform name",
    "metric": f"one of {list(POSITIONING_METRICS)}",
    "period": "YYYY, FYYYYY or 'Qn YYYY'",
    "value": "a plain decimal number without separators, e.g. 1006.6",
    "unit": f"one of {list(UNIT_SCALE)}",
    "qualifier": f"one of {list(QUALIFIERS)} (empty for a point value)",
    "status": f"one of {list(POSITIONING_STATUSES)} (D, M and NF rows are not transcribed)",
    "source_url": "empty or an http(s) URL",
    "quote": "the verbatim quote, non-empty",
    "comparable": "true or false",
}


def validate_positioning(frame: pd.DataFrame, path: Path | str = "platform_positioning.csv") -> pd.DataFrame:
    """Validate a raw positioning frame (all columns as strings) and return it typed: ``value`` as
    float, ``comparable`` as bool. Raises :class:`~trustlab.data.tables.DataFileError` naming every failure."""
    tables.check_columns(frame, POSITIONING_COLUMNS, path)
    frame = frame[POSITIONING_COLUMNS]
    frame_checks = {error: columns for error, columns in _FRAME_CHECKS.values()}
    tables.validate(frame, schema(), path, _EXPECTED_FORM, frame_checks)
    return frame.assign(value=frame["value"].astype(float), comparable=frame["comparable"] == "true")


FISCAL_YEAR_END_MONTH = 3  # the file's fiscal years (FYyyyy) are Alibaba's, which end in March


def period_end(period: str, fiscal_year_end_month: int = FISCAL_YEAR_END_MONTH) -> pd.Timestamp:
    """The last day of a period of this file: "2021" -> 2021-12-31, "FY2021" -> 2021-03-31 (a fiscal
    year ending in ``fiscal_year_end_month``, Alibaba's April 2020 to March 2021), "Q3 2024" -> 2024-09-30.

    Charts place each figure at the end of its own 12-month (or 3-month) period, so a fiscal year is
    never drawn as the calendar year of its name.
    """
    text = str(period).strip()
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(int(text), 12, 31)
    match = re.fullmatch(r"FY(\d{4})", text)
    if match:
        return pd.Timestamp(int(match.group(1)), fiscal_year_end_month, 1) + pd.offsets.MonthEnd(0)
    match = re.fullmatch(r"Q([1-4]) (\d{4})", text)
    if match:
        return pd.Timestamp(int(match.group(2)), 3 * int(match.group(1)), 1) + pd.offsets.MonthEnd(0)
    raise ValueError(f"period {period!r}: expected {_EXPECTED_FORM['period']}")


def load_positioning(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/platform_positioning.csv``.

    Returns one row per transcribed figure with ``value`` as float (in ``unit``) and ``comparable``
    as bool. ``include_secondary=False`` drops rows with status ``V-2`` (secondary copies).
    Raises :class:`~trustlab.data.tables.DataFileError` naming the file, the CSV line, the column and
    the expected form.
    """
    path = Path(path) if path is not None else config.DATA_DIR / "platform_positioning.csv"
    return tables.read_validated(path, validate_positioning, include_secondary)
