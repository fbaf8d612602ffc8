"""Tables for reading: how a notebook shows a DataFrame in its report.

:func:`show` (or :func:`styled`, which returns the pandas Styler) writes every number with
thousands separators and a few significant digits (``100`` not ``100.000000``, ``1,234,567``,
``0.01235``), a gap as "—", shares as percentages when asked, hides the index, and lets long text
columns (quotes, explanations) wrap within a bounded width instead of stretching each row across
the page. :func:`format_number` is the number format alone, for prose and labels;
:func:`format_text_number` the same for numbers kept as text beside dates.

pandas is imported by the functions, not with the module.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

MISSING = "—"  # how a gap (None, NaN, NaT, pd.NA) is shown
DIGITS = 4  # significant digits of a non-integer number
TEXT_WIDTH = "32em"  # the widest a wrapped text column grows
LONG_TEXT = 40  # a text column with a longer value wraps (characters)
SCIENTIFIC_BELOW = 1e-6  # magnitudes outside [SCIENTIFIC_BELOW, SCIENTIFIC_FROM) use 1.234e-07
SCIENTIFIC_FROM = 1e15


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA: what a table shows as :data:`MISSING`."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    if value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes, list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy's bool is no Python bool


def _strip_zeros(text: str) -> str:
    if "." not in text:
        return text
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}" if exponent else mantissa


def format_number(value: Any, digits: int = DIGITS) -> str:
    """A number for reading.

    Integers (and integer-valued floats) in full with thousands separators: ``1,234,567``,
    ``100``; other numbers to ``digits`` significant digits, trailing zeros dropped, never fewer
    than all integer digits: ``2.568``, ``0.01235``, ``12,346``; magnitudes below 1e-6 or from
    1e15 in scientific form (``1.234e-07``, ``1e+20``); NaN and None as "—"; infinities as "∞",
    "-∞"; ``-0.0`` as ``0``. A value that is not a number is refused (TypeError naming it).
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 1:
        raise ValueError(f"digits: expected a positive integer, got {digits!r}")
    if is_missing(value):
        return MISSING
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"format_number: expected a number, got {type(value).__name__} {value!r}")
    if isinstance(value, numbers.Integral):  # Python and numpy integers
        return f"{int(value):,}"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    size = abs(value)
    if size >= SCIENTIFIC_FROM or size < SCIENTIFIC_BELOW:
        return _strip_zeros(f"{value:.{digits - 1}e}")
    if value.is_integer():
        return f"{value:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    text = _strip_zeros(f"{value:,.{decimals}f}")
    return "0" if text == "-0" else text


def format_percent(share: Any, digits: int = 3) -> str:
    """A share (0.127) as a percentage for reading: ``12.7 %``; a gap as "—"."""
    if is_missing(share):
        return MISSING
    return f"{format_number(float(share) * 100, digits)} %"


_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def format_text_number(value: Any, digits: int = DIGITS) -> str:
    """A number kept as text, as in a column that mixes numbers and dates (``data/facts.csv``'s
    ``value``): ``"62440000"`` reads ``62,440,000`` and ``"-8.96"`` ``-8.96`` (:func:`format_number`);
    any other text (a date ``"2022-05-20"``) is shown as it is, a gap as "—"."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        text = value.strip()
        return format_number(float(text), digits) if _PLAIN_NUMBER.match(text) else value
    return format_cell(value, digits)


def format_cell(value: Any, digits: int = DIGITS) -> str:
    """Any table cell: numbers by :func:`format_number`, gaps as "—", everything else as text."""
    if is_missing(value):
        return MISSING
    if _is_bool(value):
        return str(bool(value))
    if isinstance(value, numbers.Real):
        return format_number(value, digits)
    return str(value)


def _check_columns(frame: "pd.DataFrame", columns: Iterable[Any], what: str) -> list[Any]:
    columns = list(columns)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise KeyError(f"{what}: no column(s) {unknown} in the table; its columns: {list(frame.columns)}")
    return columns


def long_text_columns(frame: "pd.DataFrame", longer_than: int = LONG_TEXT) -> list[Any]:
    """The columns holding text with a value longer than ``longer_than`` characters."""
    import pandas as pd

    found = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if any(isinstance(v, str) and len(v) > longer_than for v in values):
            found.append(column)
    return found


def styled(
    frame: "pd.DataFrame",
    *,
    digits: int = DIGITS,
    percent: Iterable[Any] = (),
    formats: Mapping[Any, str | Callable[[Any], str]] | None = None,
    text_columns: Iterable[Any] | None = None,
    text_width: str = TEXT_WIDTH,
    index: bool = False,
    caption: str | None = None,
) -> "Styler":
    """A DataFrame formatted for reading, as a pandas Styler.

    Every cell goes through :func:`format_cell` (numbers with ``digits`` significant digits and
    thousands separators, gaps "—"), except the ``percent`` columns (shares in [0, 1] shown as
    ``12.7 %``) and the ``formats`` columns (a format string such as ``"{:.2f}"`` or a function
    of the value). ``text_columns`` (default: :func:`long_text_columns`) are left-aligned and
    wrap within ``text_width``. Column labels may break after an underscore (:func:`breakable_label`).
    The index is hidden unless ``index``. Text is HTML-escaped.
    A column named in ``percent``, ``formats`` or ``text_columns`` that the table lacks raises
    KeyError naming it.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"styled: expected a pandas DataFrame, got {type(frame).__name__}")
    if not frame.columns.is_unique:
        duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ValueError(f"styled: the table has duplicate column names {duplicated}; give each column its own name")
    percent = _check_columns(frame, percent, "percent")
    formats = dict(formats or {})
    _check_columns(frame, formats, "formats")
    wrapped = _check_columns(frame, long_text_columns(frame) if text_columns is None else text_columns, "text_columns")

    style = frame.style.format(lambda v: format_cell(v, digits), escape="html")
    style = style.format_index(breakable_label, axis="columns")
    if percent:
        style = style.format(lambda v: format_percent(v), subset=percent)
    for column, spec in formats.items():
        formatter = spec if callable(spec) else (lambda v, spec=spec: MISSING if is_missing(v) else spec.format(v))
        style = style.format(formatter, subset=[column], escape="html")
    if wrapped:
        props = [
            ("max-width", text_width),
            ("min-width", "12em"),
            ("white-space", "normal"),
            ("overflow-wrap", "break-word"),
            ("text-align", "left"),
        ]
        style = style.set_table_styles({c: [{"selector": "td", "props": props}] for c in wrapped}, overwrite=False)
    if not index:
        style = style.hide(axis="index")
    if caption:
        style = style.set_caption(caption)
    return style


def breakable_label(label: Any) -> str:
    """A column label as HTML that may break after each underscore (``per_day_<wbr>per_million_<wbr>dau``),
    so a table of long snake_case labels narrows to fit the page instead of running past it."""
    return html.escape(str(label)).replace("_", "_<wbr>")


def show(frame: "pd.DataFrame", **options: Any) -> None:
    """Display a DataFrame formatted for reading (:func:`styled`, same options) in the notebook."""
    from IPython.display import display

    display(styled(frame, **options))
