"""Sentence builders for the notebooks' narrative: numbers worded so that a sentence stays true
and readable at the edges of every parameter's range.

Every builder refuses a value it cannot word honestly (``nan``, ``inf``, a share outside [0, 1])
with a ValueError instead of printing it, so a notebook fails loudly rather than publishing
"GMV up -99%" or "45000% of DAU". :func:`narrative_problems` is the check the property tests run
over every notebook's narrative.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

MINUS = "−"  # U+2212: a minus sign, not a hyphen, in running text


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what}: cannot word a non-finite value ({value!r})")
    return number


def number(value: float, digits: int = 3) -> str:
    """A number for reading: thousands separators, ``digits`` significant digits below 1,000."""
    value = _finite(value, "number")
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}".replace("-", MINUS)
    if abs(value) < 1e-4:
        return f"{value:.{digits}g}".replace("-", MINUS).replace("e" + MINUS, "e-")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def percent(share: float, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage ("12.5%"); refuses a share outside [0, 1]."""
    share = _finite(share, "percent")
    if not 0 <= share <= 1:
        raise ValueError(f"percent: a share must lie in [0, 1], got {share!r}")
    return f"{100 * share:.{decimals}f}%"


def error_percent(error: float, decimals: int = 1) -> str:
    """A non-negative error measure as a percentage, which may exceed 100% (a MAPE of 1.06 is
    "106.0%"): unlike :func:`percent` it is not a share of anything."""
    error = _finite(error, "error_percent")
    if error < 0:
        raise ValueError(f"error_percent: an error measure cannot be negative, got {error!r}")
    return f"{100 * error:,.{decimals}f}%"


def signed_percent(change: float, decimals: int = 1) -> str:
    """A relative change (0.12 for +12 %) with its sign: "+12.0%", "−3.4%", "0.0%"."""
    change = _finite(change, "signed_percent")
    text = f"{100 * abs(change):.{decimals}f}%"
    if float(text[:-1]) == 0:
        return f"{0:.{decimals}f}%"
    return ("+" if change > 0 else MINUS) + text


def change(old: float, new: float, decimals: int = 1) -> str:
    """How ``new`` compares with ``old`` in words: "up 48.0%", "down 23.1%", "unchanged",
    "more than doubled (2.4-fold)", or "from zero to 5" when there is no base to compare with."""
    old, new = _finite(old, "change (old)"), _finite(new, "change (new)")
    if old == 0:
        return "unchanged at zero" if new == 0 else f"from zero to {number(new)}"
    if (old < 0) != (new < 0) and new != 0:
        return f"from {number(old)} to {number(new)} (a change of sign)"
    relative = (new - old) / abs(old)
    if abs(relative) > 1e9:  # a base so small that a percentage says nothing (or overflows)
        return f"from {number(old)} to {number(new)}"
    rounded = round(100 * abs(relative), decimals)
    if rounded == 0:
        return "unchanged" if relative == 0 else f"essentially unchanged (less than {0.5 * 10**-decimals:g}%)"
    if relative >= 1 and old > 0:  # from a negative base a rise to zero is not a "fold" of anything
        return f"up {fold(new / old)} ({signed_percent(relative, decimals)})"
    return f"{'up' if relative > 0 else 'down'} {rounded:.{decimals}f}%"


def fold(ratio: float) -> str:
    """A ratio of at least 1 as "2.4-fold"; a ratio below 1 is worded as a fall, never as a
    fraction of a fold ("a fall to 40.0% of its level"). It carries no verb: after "grown" or
    "had to grow" use :func:`grown`, which words a fall and no change truthfully."""
    ratio = _finite(ratio, "fold")
    if ratio < 0:
        raise ValueError(f"fold: a ratio of two levels cannot be negative, got {ratio!r}")
    if ratio >= 1:
        return f"{number(ratio)}-fold"
    return f"a fall to {percent(ratio)} of its level"


def grown(ratio: float, decimals: int = 1) -> str:
    """A level's change as a past participle that reads after "had" or "has": "grown 2.4-fold" (a ratio
    of at least 2), "grown by 40.0%", "stayed at its level" (no change at this rounding), "fallen by
    60.0%", "fallen to zero"; never "grown a fall" or "grown 1-fold"."""
    ratio = _finite(ratio, "grown")
    if ratio < 0:
        raise ValueError(f"grown: a ratio of two levels cannot be negative, got {ratio!r}")
    step = round(100 * abs(ratio - 1), decimals)
    if ratio == 0:
        return "fallen to zero"
    if step == 0:
        return "stayed at its level"
    if ratio >= 2:
        return f"grown {fold(ratio)}"
    if ratio > 1:
        return f"grown by {step:.{decimals}f}%"
    return f"fallen by {step:.{decimals}f}%"


def times_as_many(ratio: float, noun: str, decimals: int = 1) -> str:
    """``ratio`` times as many ``noun`` in words: "2.4 times as many merchants", "as many merchants" (1 at this
    rounding), "40.0% as many merchants" (below 1); never "1 times as many" or "0.01 times as many"."""
    ratio = _finite(ratio, "times_as_many")
    if ratio < 0:
        raise ValueError(f"times_as_many: a ratio of two counts cannot be negative, got {ratio!r}")
    if round(100 * abs(ratio - 1), decimals) == 0:
        return f"as many {noun}"
    if ratio > 1:  # enough digits that a ratio just above 1 never reads "1 times"
        digits = 3 if number(ratio) != "1" else 3 + decimals + 2
        return f"{number(ratio, digits)} times as many {noun}"
    return f"{100 * ratio:.{decimals}f}% as many {noun}"


def p_value(p: float) -> str:
    """A p-value as it should be reported: "p = 0.032", "p < 0.001", or a bound when the
    computation underflowed ("p < 1e-300", never "p = 0")."""
    p = _finite(p, "p_value")
    if not 0 <= p <= 1:
        raise ValueError(f"p_value: a probability must lie in [0, 1], got {p!r}")
    if p < 1e-300:
        return "p < 1e-300"
    if p < 0.001:
        return f"p < {_power_of_ten_above(p)}"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def _power_of_ten_above(p: float) -> str:
    exponent = math.floor(math.log10(p)) + 1
    return f"1e{exponent}" if exponent < -3 else "0.001"


def join(items: Iterable[str]) -> str:
    """Items in running text: "a", "a and b", "a, b and c"."""
    words = [str(item) for item in items]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def count(n: float, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 quarter", "9 quarters", "0 quarters", "1,200 facts".
    ``plural`` for an irregular noun ("1 repair", "2 repairs" need none; "1 child", "2 children" do)."""
    amount = _finite(n, "count")
    word = noun if amount == 1 else (plural or noun + "s")
    return f"{number(amount)} {word}"


def per_day(value: float) -> str:
    """A daily rate for reading: "171,068 a day" (the number as :func:`number` words it)."""
    return f"{number(value)} a day"


def bullets(lines: Iterable[str]) -> str:
    """Lines as a markdown bullet list, one item a line; a line that already starts with "- " keeps its marker."""
    return "\n".join(line if line.startswith("- ") else f"- {line}" for line in lines)


_PROBLEMS = (
    (re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])", re.IGNORECASE), "a 'nan'"),
    (re.compile(r"(?<![A-Za-z])-?inf(inity)?(?![A-Za-z])", re.IGNORECASE), "an 'inf'"),
    (re.compile(r"\+\s*[-−]"), "a '+-'"),
    (re.compile(r"[-−]\s*\d[\d,.]*\s*-fold"), "a negative '-fold'"),
    (re.compile(r"(?<![\d.])0(\.0+)?-fold"), "a zero '-fold'"),
    (re.compile(r"\bup\s+[-−]"), "'up' with a negative number"),
    (re.compile(r"\bdown\s+[-−]"), "'down' with a negative number"),
    (re.compile(r"\bNone\b"), "a Python 'None'"),
    (re.compile(r"\bgrown\s+a\s+fall"), "'grown' with a fall"),
    (re.compile(r"\bgrown\s+1(\.0+)?-fold"), "'grown 1-fold' (no growth)"),
    (re.compile(r"(?<![\d.,])1(\.0+)?\s+times\s+(as\s+many|as\s+much|more)\b"), "'1 times as many'"),
    (re.compile(r"\bat\s+least\s+more\s+than\b"), "'at least more than'"),
    (re.compile(r"[A-Za-z]\(s\)"), "a '(s)' plural (word the count with prose.count)"),
    (re.compile(r"\bfall\s+of\s+(at\s+least\s+)?\**0\.0+%"), "a 'fall of 0.00%'"),
    (re.compile(r"\bmore\s+than\s+all\W*\s+of\b"), "'more than all of' (a share above the whole)"),
)


def narrative_problems(text: str) -> list[str]:
    """What makes a narrative unfit to publish: nan, inf, "+-", a negative or zero "-fold", "up -x",
    a Python None, "grown a fall" or "grown 1-fold", "1 times as many", "at least
    more than", "more than all of", or a share of something given as a percentage above 100 ("...
    4,500.0% of ...", checked where the sentence says "of"). Returns one message per problem, empty when fit."""
    problems = [
        f"{label}: ...{text[max(0, m.start() - 40) : m.end() + 40]}..."
        for pattern, label in _PROBLEMS
        for m in pattern.finditer(text)
    ]
    for match in re.finditer(r"(\d[\d,]*(?:\.\d+)?)%\s+of\b", text):
        if float(match.group(1).replace(",", "")) > 100:
            problems.append(f"a share above 100%: ...{text[max(0, match.start() - 40) : match.end() + 40]}...")
    return problems
