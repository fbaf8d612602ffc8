"""Kuaishou's community and consumer-rights series (``data/kuaishou_community.csv``): schema, loader, look-ups.

The quarterly figures notebook ``04_community_trust`` needs beside ``data/kuaishou_quarterly.csv``:
cumulative mutual-follow user pairs and their year-on-year growth, average monthly e-commerce
buyers and their growth, and the change of the repeat-purchase rate. Tidy: one row per quarter and
metric, each with a qualifier, its status (V, V-c, V-2 as in ``data/raw/kuaishou-public-figures.md``),
source URL and a verbatim quote that states the value (:func:`value_in_quote`). Quarters the sources
do not give have no row (gaps stay gaps).

Metrics and units:

- ``mutual_follow_pairs_bn``: cumulative pairs of users following each other at the quarter's end, bn pairs
- ``mutual_follow_pairs_yoy_pct``: their year-on-year growth, percent
- ``monthly_buyers_m``: average monthly e-commerce buyers in the quarter, million
- ``monthly_buyers_yoy_pct``: their year-on-year growth, percent
- ``repurchase_rate_yoy_pp``: year-on-year change of the e-commerce repeat-purchase rate, percentage points
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

COMMUNITY_CSV = "kuaishou_community.csv"
COLUMNS = ["quarter", "metric", "value", "unit", "qualifier", "status", "source_url", "quote", "note"]
METRIC_UNITS = {
    "mutual_follow_pairs_bn": "bn pairs",
    "mutual_follow_pairs_yoy_pct": "percent",
    "monthly_buyers_m": "million",
    "monthly_buyers_yoy_pct": "percent",
    "repurchase_rate_yoy_pp": "percentage points",
}
METRICS = list(METRIC_UNITS)
# What one unit of ``value`` is in plain numbers, to find it in a quote that writes "33 billion" or 163亿.
UNIT_SCALE = {"bn pairs": 1e9, "million": 1e6, "percent": 1.0, "percentage points": 1.0}
QUALIFIERS = ("", "more than", "about", "nearly")
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"

_VALUE_CHECK = "value must appear in its quote (in its unit or scaled)"
_UNIT_CHECK = "unit must match the metric"

_EXPECTED_FORM = {
    "quarter": "a quarter written YYYYQn, e.g. 2022Q1",
    "metric": f"one of {METRICS}",
    "value": "a finite number stated by the quote (gaps are absent rows, not empty values)",
    "unit": "the unit of the metric: " + ", ".join(f"{k}={v}" for k, v in METRIC_UNITS.items()),
    "qualifier": f"one of {list(QUALIFIERS)}",
    "status": f"one of {list(tables.STATUSES)} exactly as in data/raw/kuaishou-public-figures.md",
    "source_url": "an http(s) URL",
    "quote": "a non-empty verbatim quote that states the value",
    "note": "text (may be empty)",
}


def value_in_quote(value: float, unit: str, quote: str) -> bool:
    """True when ``quote`` states ``value`` (in ``unit``): at face value (``68.9%``, ``130 million``) or
    scaled to plain numbers (``163亿`` for 16.3 bn pairs, ``0.133 billion`` for 133 million), in
    Arabic or Chinese numerals (``五个百分点``)."""
    scale = UNIT_SCALE.get(unit)
    if scale is None or not np.isfinite(value):
        return False
    numbers = quotes.face_and_scaled(quote) + quotes.article_numbers(quote)
    return quotes.is_stated(abs(value), numbers, rel_tol=1e-9) or quotes.is_stated(abs(value) * scale, numbers, rel_tol=1e-9)


@cache
def schema() -> pa.DataFrameSchema:
    """The pandera schema of the community table (built on first use)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "quarter": pa.Column(str, pa.Check.str_matches(QUARTER_PATTERN)),
            "metric": pa.Column(str, pa.Check.isin(METRICS)),
            "value": pa.Column(float, pa.Check(np.isfinite, element_wise=True, error="finite number")),
            "unit": pa.Column(str),
            "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS))),
            **provenance_columns(),
        },
        checks=[
            pa.Check(lambda df: df["unit"] == df["metric"].map(METRIC_UNITS), error=_UNIT_CHECK),
            pa.Check(
                lambda df: pd.Series(
                    [value_in_quote(v, u, q) for v, u, q in zip(df["value"], df["unit"], df["quote"], strict=True)],
                    index=df.index,
                ),
                error=_VALUE_CHECK,
            ),
        ],
        unique=["quarter", "metric"],
        strict=True,
        ordered=False,
    )


def validate_community(frame: pd.DataFrame, path: Path | str = COMMUNITY_CSV) -> pd.DataFrame:
    """Validate a raw community frame (every cell text, as read from CSV) and return it typed
    (``value`` float); raises :class:`~trustlab.data.tables.DataFileError` naming file, line, column
    and the expected form of every failure."""
    path = Path(path)
    check_columns(frame, COLUMNS, path)
    frame = frame.copy().reset_index(drop=True)
    for col in COLUMNS:
        if col != "value":
            frame[col] = frame[col].fillna("").astype(str)
    frame["value"] = numeric_column(frame, "value", path, _EXPECTED_FORM["value"])
    return validate_table(frame, schema(), path, _EXPECTED_FORM, {_UNIT_CHECK: "metric/unit", _VALUE_CHECK: "value/unit/quote"})


def load_community(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/kuaishou_community.csv`` (one row per quarter and metric, sorted);
    ``include_secondary=False`` drops V-2 rows (secondary copies)."""
    path = Path(path) if path is not None else config.DATA_DIR / COMMUNITY_CSV
    if not path.exists():
        raise FileNotFoundError(f"{path}: community figures file not found")
    frame = tables.read_validated(path, validate_community, include_secondary)
    return frame.sort_values(["quarter", "metric"]).reset_index(drop=True)


def series(frame: pd.DataFrame, metric: str) -> pd.Series:
    """``metric``'s values by quarter (a quarterly PeriodIndex named ``quarter``; only quarters with a row)."""
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: expected one of {METRICS}")
    rows = frame[frame["metric"] == metric]
    index = pd.PeriodIndex(rows["quarter"], freq="Q", name="quarter")
    return pd.Series(rows["value"].to_numpy(dtype=float), index=index, name=metric)
