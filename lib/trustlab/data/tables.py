"""One way to read and validate a data file, and one error for a file that breaks its schema.

Every loader of :mod:`trustlab.data` reads its CSV as text with :func:`read_validated`, checks the
columns with :func:`check_columns`, converts numbers with :func:`numeric_column` and validates the
rest with its pandera schema through :func:`validate`. Whatever fails is raised as
:class:`DataFileError`, one line per problem in one format (see :func:`problem`)::

    data/facts.csv: line 6 (row 4, fact_id 'x'), column 'value': got '6244萬'; expected a plain number

pandera is imported when a schema is built or checked, not when this module is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsInt

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa


STATUSES = ("V", "V-c", "V-2")  # quoted figures: verified; prior-year comparator; secondary copy (data/README.md)
SECONDARY_STATUS = "V-2"
# Derived by this project from quoted figures, the arithmetic in the row (data/README.md): D when every
# input is V or V-c, D-2 when one is V-2 (so it goes wherever the V-2 rows go).
DERIVED_STATUSES = ("D", "D-2")
DERIVED_SECONDARY_STATUS = "D-2"
SECONDARY_STATUSES = (SECONDARY_STATUS, DERIVED_SECONDARY_STATUS)  # left out by include_secondary=False


class DataFileError(ValueError):
    """A data file broke its schema; the message names file, line, column, value and expected form."""


def provenance_columns(statuses: tuple[str, ...] = STATUSES) -> dict[str, pa.Column]:
    """Schema of the columns every transcribed public figure carries: status (one of ``statuses``),
    source_url, quote, note."""
    import pandera.pandas as pa

    return {
        "status": pa.Column(str, pa.Check.isin(list(statuses))),
        "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://\S+$")),
        "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
        "note": pa.Column(str),
    }


def _is_missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def where(index: SupportsInt | None, key: str | None = None) -> str:
    """'line N (row i)': the CSV line (the header is line 1) and the 0-based data row; with ``key``
    (e.g. ``"fact_id 'x'"``) also what identifies the row: 'line N (row i, fact_id 'x')'."""
    if index is None or _is_missing(index):
        return "all rows"
    return f"line {int(index) + 2} (row {int(index)}" + (f", {key})" if key else ")")


def problem(path: Path | str, index: SupportsInt | None, column: str, got: str, expected: str, key: str | None = None) -> str:
    """The one form of a problem in a data file: '<file>: line N (row i), column 'c': got <got>; expected <form>'.

    ``index`` is the 0-based data row (None for a problem of the whole file); ``got`` is shown as given
    (pass ``repr(value)`` for a value).
    """
    return f"{path}: {where(index, key)}, column {column!r}: got {got}; expected {expected}"


def _row_key(frame: pd.DataFrame, index: SupportsInt | None, key_column: str | None) -> str | None:
    if key_column is None or key_column not in frame.columns or index is None or _is_missing(index):
        return None
    return f"{key_column} {_plain(frame.at[int(index), key_column])!r}"


def describe_failures(
    path: Path | str,
    frame: pd.DataFrame,
    failures: pd.DataFrame,
    expected_forms: Mapping[str, str],
    frame_checks: Mapping[str, str] | None = None,
    limit: int = 20,
    key_column: str | None = None,
) -> list[str]:
    """One line per pandera failure case (see :func:`problem`), in line order.

    ``expected_forms`` maps a column to the form it expects; ``frame_checks`` maps the error text (or
    name) of a check across columns to the columns it concerns (``"value/unit/quote"``): the first is
    the column named, and the values of all are shown. Each such failure is reported once per row.
    ``key_column`` names the column whose value identifies a row in the message (e.g. ``fact_id``).
    """
    frame_checks = frame_checks or {}
    lines: list[tuple[int, str]] = []
    seen: set[tuple[str, object, object]] = set()
    for case in failures.itertuples(index=False):
        check = str(case.check)
        column = getattr(case, "column", None)
        index = case.index
        if check in frame_checks or _is_missing(column):
            spec = frame_checks.get(check, "(row)")
            columns = [c for c in spec.split("/") if c in frame.columns]
            column = columns[0] if columns else (spec if _is_missing(column) else str(column))
            if (check, index, column) in seen:
                continue
            seen.add((check, index, column))
            if not _is_missing(index) and columns:
                got = ", ".join(f"{c}={_plain(frame.at[int(index), c])!r}" for c in columns)
            else:
                got = repr(_plain(case.failure_case))
            form = expected_forms.get(column)
            expected = f"{check} (a check across {spec}" + (f"; {column}: {form})" if form else ")")
        else:
            if (check, index, column) in seen:
                continue
            seen.add((check, index, column))
            got = repr(_plain(case.failure_case))
            expected = expected_forms.get(str(column), check)
        order = -1 if _is_missing(index) else int(index)
        key = _row_key(frame, index, key_column)
        lines.append((order, problem(path, index, str(column), got, expected, key)))
    lines.sort(key=lambda item: item[0])
    text = [line for _, line in lines[:limit]]
    if len(lines) > limit:
        text.append(f"... and {len(lines) - limit} more failure(s)")
    return text


def raise_problems(path: Path | str, lines: list[str], what: str = "problem(s)") -> None:
    """Raise :class:`DataFileError` listing ``lines`` (nothing when there are none)."""
    if lines:
        raise DataFileError(f"{len(lines)} {what} in {path}:\n" + "\n".join(lines))


def check_columns(frame: pd.DataFrame, columns: list[str], path: Path | str) -> None:
    """Refuse a table whose columns are not exactly ``columns`` (in any order)."""
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise DataFileError(
            f"{path}: missing column or unexpected column; missing {missing}; unexpected {extra}; expected the columns {columns}"
        )


def numeric_column(frame: pd.DataFrame, column: str, path: Path | str, expected: str) -> pd.Series:
    """``frame[column]`` as floats; the first cell that is not a number is reported with its line."""
    numeric = pd.to_numeric(frame[column], errors="coerce")
    bad = numeric.isna().to_numpy().nonzero()[0]
    if len(bad):
        i = int(bad[0])
        raise DataFileError(problem(path, i, column, repr(frame[column].iloc[i]), expected))
    return numeric.astype(float)


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    path: Path | str,
    expected_forms: Mapping[str, str],
    frame_checks: Mapping[str, str] | None = None,
    key_column: str | None = None,
) -> pd.DataFrame:
    """Validate ``frame`` lazily and raise :class:`DataFileError` listing every failure
    (see :func:`describe_failures`)."""
    import pandera.pandas as pa

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        lines = describe_failures(path, frame, exc.failure_cases, expected_forms, frame_checks, key_column=key_column)
        raise_problems(path, lines)
        raise  # pragma: no cover - SchemaErrors always carries at least one failure case


def read_text_table(path: Path | str) -> pd.DataFrame:
    """The CSV at ``path`` with every cell as text (empty cells as ''); FileNotFoundError naming it if absent."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: data file not found")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_validated(
    path: Path | str,
    validator: Callable[..., pd.DataFrame],  # validator(frame, path, **kwargs)
    include_secondary: bool = True,
    **kwargs: Any,
) -> pd.DataFrame:
    """The data file at ``path`` read as text (:func:`read_text_table`), passed through
    ``validator(frame, path, **kwargs)``, without its secondary copies and the values derived from
    them (status V-2 or D-2, :data:`SECONDARY_STATUSES`) unless ``include_secondary``; the index runs 0..n-1."""
    path = Path(path)
    frame = validator(read_text_table(path), path, **kwargs)
    if not include_secondary:
        frame = frame[~frame["status"].isin(SECONDARY_STATUSES)]
    return frame.reset_index(drop=True)
