"""The quantitative claims of a source article, as one tidy table (``data/facts.csv``).

Each row is one number the article states, with a verbatim quote of the cleaned article text as
provenance. This module loads and validates the table (:func:`load_facts`), checks every quote
against its article (:func:`verify_quotes`, :func:`require_traceable`) and looks facts up by id
(:func:`fact_value`, :func:`fact_date`).

Units convention of the ``value`` column: plain numbers in base units (萬 = 10^4, 億 = 10^8 applied),
percentages in percent units (515% is 515), declines negative, dates as ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from trustlab import config
from trustlab.data import quotes, tables

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

FACTS_COLUMNS = [
    "fact_id",
    "topic",
    "metric",
    "value",
    "unit",
    "qualifier",
    "period_start",
    "period_end",
    "entity",
    "source_id",
    "quote",
    "note",
]

# The trust-pyramid layers (platform governance = base, consumer rights = middle, community and
# brand trust = top) plus the article's promotion, pricing, support-policy and context claims.
TOPICS = [
    "platform governance",
    "consumer rights",
    "community",
    "brand/fast brand",
    "promotion",
    "pricing",
    "support policy",
    "platform context",
]
QUALIFIERS = ["exact", "more than", "about", "at most", "up to", "at least"]
DEFAULT_SOURCE_ID = "kuaishou-trust-pyramid-2022-06-23"
# Facts the analyses look up by name (notebooks 00 and 02): the 2022 616 festival's start, the two
# end dates the article gives it, and the two festival counts whose windows differ.
FESTIVAL_START_ID = "promo_festival_start_2022"
FESTIVAL_END_IDS = ("promo_festival_end_2022", "promo_festival_end_alt_2022")
FAST_BRAND_ORDERS_ID = "fastbrand_orders_616_2022"
TRUST_BUY_FESTIVAL_ID = "rights_trust_buy_orders_616_2022"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

# What each column expects, for the error message.
EXPECTED_FORM = {
    "fact_id": "a lower-case identifier matching ^[a-z0-9_]+$, not used by any other row",
    "topic": f"one of {TOPICS}",
    "metric": "a non-empty text",
    "value": "a plain number in base units (e.g. 62440000, -8.96) or an ISO date YYYY-MM-DD",
    "unit": "a non-empty unit; 'date' exactly when value is an ISO date",
    "qualifier": f"one of {QUALIFIERS}",
    "period_start": "empty or an ISO date YYYY-MM-DD",
    "period_end": "empty or an ISO date YYYY-MM-DD, on or after period_start",
    "entity": "a non-empty text",
    "source_id": "a non-empty text",
    "quote": "a non-empty verbatim quote of the cleaned article",
    "note": "text (may be empty)",
}

# Checks across columns: their error text -> the columns an error names (the first is reported).
_PERIOD_ORDER = "period_end on or after period_start"
_PERIOD_BOTH = "period_start and period_end both given or both empty"
_DATE_UNIT = "unit 'date' exactly when value is an ISO date"
_FRAME_CHECKS = {_PERIOD_ORDER: "period_end/period_start", _PERIOD_BOTH: "period_end/period_start", _DATE_UNIT: "unit/value"}


def is_iso_date(text: str) -> bool:
    """True when ``text`` is a valid date written YYYY-MM-DD."""
    if not _ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_value(text: str) -> bool:
    return bool(_PLAIN_NUMBER.match(text)) or is_iso_date(text)


def _optional_date(text: str) -> bool:
    return text == "" or is_iso_date(text)


def _period_order(df: pd.DataFrame) -> pd.Series:
    both = (df["period_start"] != "") & (df["period_end"] != "")
    return ~both | (df["period_start"] <= df["period_end"])  # ISO dates compare as text


def _period_both(df: pd.DataFrame) -> pd.Series:
    return (df["period_start"] == "") == (df["period_end"] == "")


def _date_unit(df: pd.DataFrame) -> pd.Series:
    is_date = df["value"].map(is_iso_date)
    return is_date == (df["unit"] == "date")


@cache
def facts_schema() -> pa.DataFrameSchema:
    """The pandera schema of ``data/facts.csv`` (built on first use)."""
    import pandera.pandas as pa

    def text(*checks: pa.Check) -> pa.Column:
        return pa.Column(str, checks=list(checks), nullable=False)

    not_empty = pa.Check(lambda s: s.str.strip() != "", name="not_empty", error="non-empty text")
    return pa.DataFrameSchema(
        {
            "fact_id": pa.Column(
                str,
                checks=[pa.Check(lambda s: s.str.fullmatch(r"[a-z0-9_]+"), name="fact_id_pattern")],
                nullable=False,
                unique=True,
            ),
            "topic": text(pa.Check(lambda s: s.isin(TOPICS), name="topic_allowed")),
            "metric": text(not_empty),
            "value": text(pa.Check(_is_value, element_wise=True, name="value_parseable")),
            "unit": text(not_empty),
            "qualifier": text(pa.Check(lambda s: s.isin(QUALIFIERS), name="qualifier_allowed")),
            "period_start": text(pa.Check(_optional_date, element_wise=True, name="optional_iso_date")),
            "period_end": text(pa.Check(_optional_date, element_wise=True, name="optional_iso_date")),
            "entity": text(not_empty),
            "source_id": text(not_empty),
            "quote": text(not_empty),
            "note": pa.Column(str, nullable=False),
        },
        checks=[
            pa.Check(_period_order, name="period_order", error=_PERIOD_ORDER),
            pa.Check(_period_both, name="period_both_or_neither", error=_PERIOD_BOTH),
            pa.Check(_date_unit, name="date_unit", error=_DATE_UNIT),
        ],
        strict=True,
        ordered=True,
        name="facts",
    )


def validate_facts(frame: pd.DataFrame, path: Path | str = "data/facts.csv") -> pd.DataFrame:
    """Validate a facts table read as text; raise :class:`~trustlab.data.tables.DataFileError`
    listing every failure by line, fact_id and column."""
    tables.check_columns(frame, FACTS_COLUMNS, path)
    return tables.validate(frame, facts_schema(), path, EXPECTED_FORM, _FRAME_CHECKS, key_column="fact_id")


def _typed(frame: pd.DataFrame, path: Path, verify: bool) -> pd.DataFrame:
    frame = validate_facts(frame, path).copy()
    frame["number"] = [float("nan") if is_iso_date(v) else float(v) for v in frame["value"]]
    frame["date"] = pd.Series(
        [date.fromisoformat(v) if is_iso_date(v) else None for v in frame["value"]], index=frame.index, dtype=object
    )
    if verify:
        require_traceable(frame, path)
    return frame


def load_facts(path: Path | str | None = None, source_id: str | None = None, verify: bool = True) -> pd.DataFrame:
    """Read and validate ``data/facts.csv``.

    Returns the table (all columns text) plus ``number`` (float in the base unit of ``unit``; NaN for
    date facts) and ``date`` (``datetime.date`` for date facts, else None). ``source_id`` keeps only
    the facts of that source. Raises :class:`~trustlab.data.tables.DataFileError` naming file, line,
    fact, column, bad value and the expected form for every problem; with ``verify`` (the default)
    also when a quote is not verbatim in its cleaned source or does not state the value
    (:func:`require_traceable`).
    """
    path = Path(path) if path is not None else config.DATA_DIR / "facts.csv"
    frame = tables.read_validated(path, _typed, verify=verify)
    if source_id is not None:
        frame = frame[frame["source_id"] == source_id].reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------- provenance checks


def _date_in_quote(d: date, quote: str) -> bool:
    """A date is stated by the quote at day, month or year precision (5月20日, 11月, 2021年初)."""
    if re.search(rf"(?<!\d){d.month}月{d.day}[日號号]", quote):
        return True
    if d.day == 1 and re.search(rf"(?<!\d){d.month}月", quote):
        return True
    if d.month == 1 and d.day == 1 and str(d.year) in quote:
        return True
    return False


def verify_quotes(facts: pd.DataFrame, article_text: str) -> pd.DataFrame:
    """Problems with the provenance of each fact: columns ``fact_id, row, problem`` (empty if none).

    A quote must be a verbatim substring of the cleaned article text; a number fact's value (its
    absolute value, for signed changes) must be among :func:`trustlab.data.quotes.article_numbers`
    of its quote; a date fact's month and day (or month, or year, for month- and year-level dates)
    must be written in the quote. ``row`` is the spreadsheet row of the fact (the header is row 1).
    """
    problems: list[dict] = []
    for position, (_, fact) in enumerate(facts.iterrows()):
        row = position + 2
        quote = fact["quote"]
        if quote not in article_text:
            problems.append({"fact_id": fact["fact_id"], "row": row, "problem": f"quote not in the article text: {quote!r}"})
            continue
        value = str(fact["value"])
        if is_iso_date(value):
            if not _date_in_quote(date.fromisoformat(value), quote):
                problems.append({"fact_id": fact["fact_id"], "row": row, "problem": f"date {value} is not written in the quote"})
            continue
        stated = quotes.article_numbers(quote)
        if not quotes.is_stated(abs(float(value)), stated, abs_tol=1e-12):
            problems.append(
                {
                    "fact_id": fact["fact_id"],
                    "row": row,
                    "problem": f"value {value} is not among the numbers in the quote {stated}",
                }
            )
    return pd.DataFrame(problems, columns=["fact_id", "row", "problem"])


def require_traceable(facts: pd.DataFrame, path: Path | str = "data/facts.csv") -> None:
    """Raise :class:`~trustlab.data.tables.DataFileError` unless every fact's quote is verbatim in
    its (cleaned) source article and states the fact's value; one line per problem, naming the
    file, line, fact, column, what was found and what was expected."""
    from trustlab.data.sources import load_article

    lines = []
    index = {fid: i for i, fid in enumerate(facts["fact_id"])}
    for source_id, group in facts.groupby("source_id", sort=False):
        text = load_article(source_id).text
        for p in verify_quotes(group, text).itertuples():
            i = index[p.fact_id]
            if p.problem.startswith("quote"):
                column, got, expected = "quote", facts.at[i, "quote"], "a verbatim substring of the cleaned article text"
            else:
                column, got, expected = "value", facts.at[i, "value"], "a value the quote states"
            key = f"fact_id {p.fact_id!r}"
            lines.append(tables.problem(path, i, column, repr(got), f"{expected} ({p.problem})", key))
    tables.raise_problems(path, lines, "untraceable fact(s)")


# --------------------------------------------------------------------------- look-up


def fact_row(facts: pd.DataFrame, fact_id: str) -> pd.Series:
    """The row of a fact (KeyError naming the id if absent)."""
    rows = facts[facts["fact_id"] == fact_id]
    if rows.empty:
        raise KeyError(f"fact_id {fact_id!r} is not in the facts table")
    return rows.iloc[0]


def fact_value(facts: pd.DataFrame, fact_id: str) -> float:
    """The number of a fact, in the base unit of its ``unit`` column (KeyError naming the id if absent)."""
    row = fact_row(facts, fact_id)
    if is_iso_date(row["value"]):
        raise ValueError(f"fact {fact_id!r} is a date ({row['value']}); use fact_date")
    return float(row["value"])


def fact_date(facts: pd.DataFrame, fact_id: str) -> date:
    """The date of a date fact (KeyError naming the id if absent, ValueError if it is a number)."""
    row = fact_row(facts, fact_id)
    if not is_iso_date(row["value"]):
        raise ValueError(f"fact {fact_id!r} is a number ({row['value']}), not a date")
    return date.fromisoformat(row["value"])
