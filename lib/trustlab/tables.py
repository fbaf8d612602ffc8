"""Shared machinery of the data-file loaders: pandera failures turned into messages that name the
file, the CSV line, the column, the value found and the form expected."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa


STATUSES = ("V", "V-c", "V-2")  # verified; prior-year comparator; secondary copy (data/README.md)
SECONDARY_STATUS = "V-2"


def provenance_columns() -> dict[str, pa.Column]:
    """Schema of the columns every transcribed public figure carries: status, source_url, quote, note."""
    return {
        "status": pa.Column(str, pa.Check.isin(list(STATUSES))),
        "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://\S+$")),
        "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
        "note": pa.Column(str),
    }


class DataFileError(ValueError):
    """A data file broke its schema; the message names file, line, column, value and expected form."""


def _is_missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def where(index: object) -> str:
    """'line N (row i)': the CSV line (the header is line 1) and the 0-based data row."""
    if _is_missing(index):
        return "all rows"
    return f"line {int(index) + 2} (row {int(index)})"


def describe_failures(
    path: Path | str,
    frame: pd.DataFrame,
    failures: pd.DataFrame,
    expected_forms: Mapping[str, str],
    frame_checks: Mapping[str, str] | None = None,
    limit: int = 20,
) -> list[str]:
    """One line per pandera failure case, in line order.

    ``expected_forms`` maps a column to the form it expects; ``frame_checks`` maps the error text
    of a check across columns to the columns it concerns (``"value/unit/quote"``): the first is
    the column named, and the values of all are shown. Each such failure is reported once per row.
    """
    frame_checks = frame_checks or {}
    lines: list[tuple[int, str]] = []
    seen: set[tuple[str, object]] = set()
    for case in failures.itertuples(index=False):
        check = str(case.check)
        column = getattr(case, "column", None)
        index = case.index
        if check in frame_checks or _is_missing(column):
            if (check, index) in seen:
                continue
            seen.add((check, index))
            spec = frame_checks.get(check, "(row)")
            columns = [c for c in spec.split("/") if c in frame.columns]
            column = columns[0] if columns else spec
            if not _is_missing(index) and columns:
                got = ", ".join(f"{c}={_plain(frame.at[int(index), c])!r}" for c in columns)
            else:
                got = repr(case.failure_case)
            form = expected_forms.get(column)
            expected = f"{check} (a check across {spec}" + (f"; {column}: {form})" if form else ")")
        else:
            got = repr(_plain(case.failure_case))
            expected = expected_forms.get(str(column), check)
        order = -1 if _is_missing(index) else int(index)
        lines.append((order, f"{path}: {where(index)}, column {str(column)!r}: got {got}; expected {expected}"))
    lines.sort(key=lambda item: item[0])
    text = [line for _, line in lines[:limit]]
    if len(lines) > limit:
        text.append(f"... and {len(lines) - limit} more failure(s)")
    return text


def check_columns(frame: pd.DataFrame, columns: list[str], path: Path | str, error: type[DataFileError]) -> None:
    """Refuse a table whose columns are not exactly ``columns`` (in any order)."""
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise error(
            f"{path}: missing column or unexpected column; missing {missing}; unexpected {extra}; "
            f"expected the columns {columns}"
        )


def numeric_column(frame: pd.DataFrame, column: str, path: Path | str, expected: str, error: type[DataFileError]) -> pd.Series:
    """``frame[column]`` as floats; the first cell that is not a number is reported with its line."""
    numeric = pd.to_numeric(frame[column], errors="coerce")
    bad = numeric.isna().to_numpy().nonzero()[0]
    if len(bad):
        i = int(bad[0])
        raise error(f"{path}: {where(i)}, column {column!r}: got {frame[column].iloc[i]!r}; expected {expected}")
    return numeric.astype(float)


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    path: Path | str,
    expected_forms: Mapping[str, str],
    error: type[DataFileError],
    frame_checks: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Validate ``frame`` lazily and raise ``error`` listing every failure (see :func:`describe_failures`)."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        lines = describe_failures(path, frame, exc.failure_cases, expected_forms, frame_checks)
        raise error(f"{len(lines)} problem(s) in {path}:\n" + "\n".join(lines)) from None


def read_validated(
    path: Path, validator: Callable[[pd.DataFrame, Path], pd.DataFrame], include_secondary: bool = True
) -> pd.DataFrame:
    """The data file at ``path`` read as text (empty cells as ''), passed through ``validator(frame, path)``,
    without its secondary copies (status V-2) unless ``include_secondary``; the index runs 0..n-1."""
    frame = validator(pd.read_csv(path, dtype=str, keep_default_na=False), path)
    if not include_secondary:
        frame = frame[frame["status"] != SECONDARY_STATUS]
    return frame.reset_index(drop=True)
