"""Numbers written in a verbatim quote: the one reader behind every check that a transcribed value
is stated by its source quote.

Each data file quotes its own kind of source, and each kind writes numbers its own way:

- :func:`article_numbers` (``data/facts.csv``): Chinese article text. Arabic numbers with a
  multiplier after them (``6244萬``) and runs of Chinese numerals (``一千``, ``三千五百萬``); no
  thousands separators, as the article uses ',' as its sentence comma.
- :func:`face_and_scaled` (``data/trust_report_2021.csv``): English or Chinese report text. Each
  number at face value and, when a scale word follows (million, billion, thousand in any case, as in
  headlines; 萬, 億, 千), scaled.
- :func:`amounts` (``data/platform_positioning.csv``): English filings. Each amount times its scale
  word (trillion, billion, million, tn, bn, m); a two-part amount also as its sum.
- :func:`parse_number`: one number on its own, Arabic or Chinese, any multiplier applied.

Arabic numbers may carry thousands separators (``1,006.6``) except in the article; a number whose
separators are malformed (``1,23``, ``2019,2020``) is not read at all. :func:`is_stated` tells
whether a value is among the numbers read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

# What each scale word or multiplier multiplies the number before it by.
SCALES: dict[str, int] = {
    "trillion": 10**12,
    "tn": 10**12,
    "billion": 10**9,
    "bn": 10**9,
    "million": 10**6,
    "m": 10**6,
    "thousand": 10**3,
    "億": 10**8,
    "亿": 10**8,
    "千萬": 10**7,
    "千万": 10**7,
    "百萬": 10**6,
    "百万": 10**6,
    "十萬": 10**5,
    "十万": 10**5,
    "萬": 10**4,
    "万": 10**4,
    "千": 10**3,
    "百": 10**2,
    "十": 10,
}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "萬万億亿"
_VAGUE = "幾几"  # 幾百萬 'several million' is a vague quantity, not a number

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"  # a well-formed Arabic number: 1006.6, 1,006.6, 494,000
_WELL_FORMED = re.compile(_NUMBER)


def _words(words: Iterable[str]) -> str:
    """Regex alternation of scale words, longest first; an English word must end where its word ends."""
    return "|".join(re.escape(w) + ("(?![A-Za-z])" if w.isascii() else "") for w in sorted(words, key=len, reverse=True))


def _scanner(words: Iterable[str], separators: bool = True, numerals: bool = False, ignore_case: bool = False) -> re.Pattern[str]:
    """A number (with ``separators``: digits and commas, checked by :func:`_amounts`), optionally
    followed by one of ``words`` (not after a trailing comma; in any case with ``ignore_case``);
    with ``numerals``, also runs of Chinese numeral characters (group ``run``)."""
    number = r"\d[\d,]*(?:\.\d+)?" if separators else r"\d+(?:\.\d+)?"
    pattern = rf"(?P<number>{number})(?:(?<!,)\s*(?P<word>{_words(words)}))?"
    if numerals:
        pattern += rf"|(?P<run>[{_VAGUE}{_CHINESE_CHARS}]+)"
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


# In the article a 千, 百 or 十 after Arabic digits is read as a numeral of its own (3千: 3 and 1000).
_ARTICLE = _scanner(("千萬", "千万", "百萬", "百万", "萬", "万", "億", "亿"), separators=False, numerals=True)
_REPORT = _scanner(("million", "billion", "thousand", "萬", "万", "億", "亿", "千"), ignore_case=True)
_FILINGS = _scanner(("trillion", "billion", "million", "tn", "bn", "m"))
_ONE_NUMBER = re.compile(rf"({_NUMBER})\s*({_words(w for w in SCALES if not w.isascii())})?")


class Amount(NamedTuple):
    """A number as written, the factor of the scale word after it (1 if none) and its span in the text."""

    number: float
    scale: int
    start: int
    end: int

    @property
    def value(self) -> float:
        """The number times its scale."""
        return self.number * self.scale


def _amounts(text: str, scanner: re.Pattern[str]) -> Iterator[Amount]:
    """What ``scanner`` finds in ``text``, in order: each Arabic number with the factor of its scale
    word (one with malformed separators is skipped) and each number of a run of Chinese numerals
    (a vague run such as 幾百萬 is skipped)."""
    for match in scanner.finditer(text):
        run = match.groupdict().get("run")
        if run is not None:
            if not any(ch in run for ch in _VAGUE):
                yield from (Amount(n, 1, match.start(), match.end()) for n in _chinese_run_numbers(run))
            continue
        written = match["number"].rstrip(",")
        if _WELL_FORMED.fullmatch(written):
            scale = SCALES[match["word"].lower()] if match["word"] else 1
            yield Amount(float(written.replace(",", "")), scale, match.start(), match.end())


# --------------------------------------------------------------------------------------------------
# Chinese numerals


def _parse_chinese_numeral(text: str) -> int:
    total = 0  # the part in units of 億
    section = 0  # the part below 億, in units of 萬 already multiplied out
    small = 0  # the part below 萬
    number: int | None = None
    last_small_unit = 10**5
    if not text:
        raise ValueError("empty numeral")
    for position, ch in enumerate(text):
        if ch in _DIGITS:
            if ch in "零〇":
                continue
            if number is not None:
                raise ValueError(f"two digits in a row in {text!r} (a range such as 兩三 is not one number)")
            number = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_small_unit:
                raise ValueError(f"units out of order in {text!r}")
            small += (1 if number is None else number) * unit
            last_small_unit = unit
            number = None
        elif ch in "萬万":
            group = small + (number or 0) or (1 if position == 0 else 0)  # a leading 萬 is 一萬
            if group == 0 or section:
                raise ValueError(f"萬 without a count in {text!r}")
            section = group * 10**4
            small, number, last_small_unit = 0, None, 10**5
        elif ch in "億亿":
            group = section + small + (number or 0) or (1 if position == 0 else 0)
            if group == 0 or total:
                raise ValueError(f"億 without a count in {text!r}")
            total = group * 10**8
            section, small, number, last_small_unit = 0, 0, None, 10**5
        else:
            raise ValueError(f"{ch!r} is not a Chinese numeral character (in {text!r})")
    return total + section + small + (number or 0)


def _chinese_run_numbers(run: str) -> list[float]:
    """Numbers in a run of Chinese numeral characters: the longest parseable prefix, repeatedly."""
    found: list[float] = []
    i = 0
    while i < len(run):
        for j in range(len(run), i, -1):
            try:
                value = _parse_chinese_numeral(run[i:j])
            except ValueError:
                continue
            found.append(float(value))
            i = j
            break
        else:
            i += 1
    return found


def parse_number(text: str) -> float:
    """Parse one number written in Arabic or Chinese numerals, multipliers applied.

    '6244萬' -> 62440000.0, '50億' -> 5e9, '1,099' -> 1099.0, '2.5萬' -> 25000.0, '一千' -> 1000.0,
    '兩' -> 2.0, '十' -> 10.0, '千萬' -> 1e7. Vague quantities raise ValueError: '幾百萬' (several
    million), '兩三' (two or three), '上千' (over a thousand: take the number out of the phrase first).
    """
    s = str(text).strip()
    if not s:
        raise ValueError("cannot parse an empty string as a number")
    if any(ch in s for ch in _VAGUE):
        raise ValueError(f"{text!r} is a vague quantity ('幾' = several), not a number")
    m = _ONE_NUMBER.fullmatch(s)
    if m:
        return float(m.group(1).replace(",", "")) * SCALES.get(m.group(2) or "", 1)
    try:
        return float(_parse_chinese_numeral(s))
    except ValueError as exc:
        raise ValueError(f"cannot parse {text!r} as a number: {exc}") from None


# --------------------------------------------------------------------------------------------------
# The readers


def article_numbers(text: str) -> list[float]:
    """All numbers a piece of Chinese article text states, in order, multipliers applied.

    '攔截…超過了6244萬次' -> [62440000.0]; '5月20日' -> [5.0, 20.0]; '兩三年' -> [2.0, 3.0];
    '破千萬' -> [1e7]; '上千個' -> [1000.0]. A vague '幾百萬' contributes nothing.
    """
    return [amount.value for amount in _amounts(text, _ARTICLE)]


def face_and_scaled(text: str) -> list[float]:
    """Every number written in ``text``, at face value and, when a scale word follows, scaled.

    ``"62.44 million"`` gives 62.44 and 62,440,000; ``"21萬人次"`` gives 21 and 210,000;
    thousands separators are read (``"210,000"`` is 210,000).
    """
    found: list[float] = []
    for amount in _amounts(text, _REPORT):
        found.append(amount.number)
        if amount.scale != 1:
            found.append(amount.value)
    return found


def amounts(text: str) -> list[float]:
    """Every amount written in ``text``, in plain units (``RMB1,006.6 billion`` -> 1.0066e12).

    Scale words (trillion, billion, million, tn, bn, m) multiply the number before them; an amount
    written in two parts (``7 trillion 494,000 million``) is also returned as its sum.
    """
    parts = list(_amounts(text, _FILINGS))
    found = [a.value for a in parts]
    for a, b in zip(parts, parts[1:]):
        if a.scale > b.scale > 1 and text[a.end : b.start].strip() == "":
            found.append(a.value + b.value)
    return found


def is_stated(value: float, numbers: Iterable[float], rel_tol: float = 1e-9, abs_tol: float = 0.0) -> bool:
    """True when ``value`` is one of ``numbers`` (the numbers read from a quote), within the tolerances."""
    return any(math.isclose(value, n, rel_tol=rel_tol, abs_tol=abs_tol) for n in numbers)
