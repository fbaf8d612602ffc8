"""Kuaishou quarterly operating figures (``data/kuaishou_quarterly.csv``): loader, validation, wide form.

The CSV is tidy: one row per quarter and metric, each with its source URL, a verbatim quote and a
status code from ``data/raw/kuaishou-public-figures.md`` (V verified, V-c prior-year comparator
printed in a later release, V-2 secondary copy). A row derived by arithmetic from quoted figures
(status D, or D-2 when an input is V-2) quotes its total and writes its derivation in ``note``
(:func:`parse_derivation`); the loader re-computes it. Gaps in the sources (NF, "—") are absent
rows; :func:`gap_reasons` says why a quarter has no value.

Metrics and units:

- ``gmv_rmb_bn``: e-commerce GMV in the quarter, RMB bn
- ``dau_m`` / ``mau_m``: average daily / monthly active users of the Kuaishou app, million
- ``time_per_dau_min``: average daily time spent per DAU, minutes per day
- ``revenue_rmb_bn``: total revenue in the quarter, RMB bn
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
DERIVED_STATUSES = tables.DERIVED_STATUSES
STATUSES = tables.STATUSES + DERIVED_STATUSES
SECONDARY_STATUS = tables.SECONDARY_STATUS
SECONDARY_STATUSES = tables.SECONDARY_STATUSES
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"

DERIVATION_FORM = "derived: TOTAL (LABEL, STATUS) - VALUE (YYYYQn) - ... = RESULT; remark"
_NUMBER = r"\d+(?:\.\d+)?"
_TERM = re.compile(rf" - ({_NUMBER}) \((\d{{4}}Q[1-4])\)")
_DERIVATION = re.compile(
    rf"^derived: (?P<total>{_NUMBER}) \((?P<label>[^(),]+), (?P<status>{'|'.join(map(re.escape, tables.STATUSES))})\)"
    rf"(?P<terms>(?:{_TERM.pattern})+) = (?P<result>{_NUMBER})(?:; (?P<remark>.*))?$",
    re.DOTALL,
)

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
            **provenance_columns(STATUSES),
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
    "note": f"text (may be empty); for a derived row (status D or D-2) its derivation, '{DERIVATION_FORM}'",
}


@dataclass(frozen=True)
class Derivation:
    """A derived row's arithmetic, ``result = total - sum of terms``, in the row's unit.

    ``total`` is the quoted figure (the row's ``quote``), ``total_status`` its status in the source
    file; ``terms`` are ``(quarter, value)`` of the rows of the same metric subtracted from it.
    """

    total: float
    total_label: str
    total_status: str
    terms: tuple[tuple[str, float], ...]
    result: float
    remark: str


def parse_derivation(note: str) -> Derivation | None:
    """The derivation written in a ``note`` (:data:`DERIVATION_FORM`, e.g. ``derived: 680.0 (FY2021
    total, V-2) - 118.56 (2021Q1) - 145.4 (2021Q2) - 175.8 (2021Q3) = 240.24; ...``), or None if the
    note gives none."""
    match = _DERIVATION.match(note)
    if match is None:
        return None
    terms = tuple((quarter, float(value)) for value, quarter in _TERM.findall(match["terms"]))
    return Derivation(
        float(match["total"]), match["label"], match["status"], terms, float(match["result"]), match["remark"] or ""
    )


def derivation_problems(frame: pd.DataFrame, path: Path | str = QUARTERLY_CSV) -> list[str]:
    """One line per derived row whose arithmetic fails (:func:`tables.problem` form): a derived status
    without a derivation, a term that is not its quarter's row, a result or value that the terms do not
    give, or a status other than D-2 when an input is secondary (V-2 or D-2), D otherwise."""
    rows = {(r.quarter, r.metric): (float(r.value), r.status) for r in frame.itertuples()}
    lines = []
    for index, row in zip(frame.index, frame.itertuples(), strict=True):
        key = f"quarter {row.quarter!r}, metric {row.metric!r}"

        def report(column: str, got: str, expected: str, index: int = int(index), key: str = key) -> None:
            lines.append(tables.problem(path, index, column, got, expected, key))

        derivation = parse_derivation(row.note)
        if derivation is None:
            if row.status in DERIVED_STATUSES:
                report("note", repr(row.note), f"the derivation of a derived row (status {row.status}): '{DERIVATION_FORM}'")
            continue
        input_statuses = [derivation.total_status]
        for quarter, value in derivation.terms:
            given = rows.get((quarter, row.metric))
            if given is None:
                report("note", repr(f"{value:g} ({quarter})"), f"a term with a {row.metric} row for {quarter} in the file")
                continue
            if abs(given[0] - value) > 1e-9:
                report("note", repr(f"{value:g} ({quarter})"), f"{given[0]:g}, the value of the {quarter} {row.metric} row")
            input_statuses.append(given[1])
        computed = derivation.total - sum(value for _, value in derivation.terms)
        arithmetic = f"{derivation.total:g} - " + " - ".join(f"{value:g}" for _, value in derivation.terms)
        if abs(derivation.result - computed) >= 0.005:
            report("note", repr(f"= {derivation.result:g}"), f"= {computed:.2f} ({arithmetic})")
        if abs(float(row.value) - computed) >= 0.005:
            report("value", repr(float(row.value)), f"{computed:.2f} = {arithmetic} (the derivation in 'note')")
        secondary = any(status in SECONDARY_STATUSES for status in input_statuses)
        expected_status = tables.DERIVED_SECONDARY_STATUS if secondary else "D"
        if row.status != expected_status:
            inputs = "an input is secondary (V-2 or D-2)" if secondary else "every input is V or V-c"
            report("status", repr(row.status), f"{expected_status!r}: the note gives a derivation and {inputs}")
    return lines


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
    frame = validate_table(frame, schema(), path, _EXPECTED_FORM, {_UNIT_CHECK: "metric/unit"})
    tables.raise_problems(path, derivation_problems(frame, path))
    return frame


def load_quarterly(path: Path | str | None = None, include_secondary: bool = True) -> pd.DataFrame:
    """Read and validate ``data/kuaishou_quarterly.csv`` (tidy: one row per quarter and metric).

    ``include_secondary=False`` drops rows with status V-2 (secondary / lower-reliability copies) and
    D-2 (derived from one). Units are in the ``unit`` column (RMB bn, million, min/day).
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
    """Status code (V, V-c, V-2, D, D-2) of every cell of :func:`wide`; empty string where there is no value."""
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


ABSENT_REASON = "not in data/kuaishou_quarterly.csv (not found in the sources searched; never typed in by hand)"
_LEFT_OUT = "left out with the secondary sources (include_secondary_sources = false)"


def derivation_text(derivation: Derivation) -> str:
    """A derivation in words: "the FY2021 total (V-2) minus 2021Q1, 2021Q2 and 2021Q3; REMARK"."""
    quarters = [quarter for quarter, _ in derivation.terms]
    minus = ", ".join(quarters[:-1]) + " and " + quarters[-1] if len(quarters) > 1 else quarters[0]
    remark = f"; {derivation.remark}" if derivation.remark else ""
    return f"the {derivation.total_label} ({derivation.total_status}) minus {minus}{remark}"


def _left_out_reason(status: str, note: str) -> str:
    derivation = parse_derivation(note)
    if derivation is None:
        return f"in data/kuaishou_quarterly.csv, but only from a secondary copy ({status}), {_LEFT_OUT}"
    return f"in data/kuaishou_quarterly.csv as a value derived from secondary figures ({status}: {derivation_text(derivation)}), {_LEFT_OUT}"


def gap_reasons(include_secondary: bool, metric: str = "gmv_rmb_bn", path: Path | str | None = None) -> dict[str, str]:
    """Why each quarter of the file's span has no ``metric`` value when the file is loaded with
    ``include_secondary``: ``{'2021Q2': reason, ...}``, in quarter order; quarters with a value are absent.

    A reason completes "that value is ...": :data:`ABSENT_REASON` when the file has no row (the sources
    do not give it); when the row is there but secondary (V-2, or D-2 derived from a V-2 figure) and
    ``include_secondary`` is false, it says so, with the derivation of a derived row.
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: expected one of {METRICS}")
    full = load_quarterly(path)
    rows = full[full["metric"] == metric].set_index("quarter")
    reasons = {}
    for period in _quarter_index(full):
        quarter = str(period)
        if quarter not in rows.index:
            reasons[quarter] = ABSENT_REASON
        elif not include_secondary and rows.at[quarter, "status"] in SECONDARY_STATUSES:
            reasons[quarter] = _left_out_reason(str(rows.at[quarter, "status"]), str(rows.at[quarter, "note"]))
    return reasons
