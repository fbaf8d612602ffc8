"""Tests of trustlab.data.quotes: reading the numbers a verbatim quote states."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trustlab.data import quotes

# --- one number on its own, and Chinese article text ---------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6244萬", 62440000),
        ("50億", 5e9),
        ("1200萬", 1.2e7),
        ("188億", 1.88e10),
        ("128.1", 128.1),
        ("2.5萬", 25000),
        ("200萬", 2e6),
        ("3千萬", 3e7),
        ("5百萬", 5e6),
        ("1,099", 1099),
        ("一千", 1000),
        ("兩", 2),
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十五", 25),
        ("一百零五", 105),
        ("千萬", 1e7),
        ("一萬二千", 12000),
        ("三千五百萬", 3.5e7),
        ("四億五千萬", 4.5e8),
        ("萬億", 1e12),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert quotes.parse_number(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["幾百萬", "幾", "兩三", "上千", "", "abc", "十百", "萬萬"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        quotes.parse_number(text)


@pytest.mark.parametrize(
    "quote, expected",
    [
        ("快手攔截疑似假冒偽劣商品發布超過了6244萬次", [62440000]),
        ("攔截約 50 萬次歷史違規用戶開新店申請", [500000]),
        ("快品牌直播間觀看次數 20億+", [2e9]),
        ("49個破千萬銷售額的快品牌直播間", [49, 1e7]),
        ("一千雙兩分鐘內直接售罄", [1000, 2]),
        ("品牌需要提前兩三年做好相應的規劃", [2, 3]),
        ("銷售就達到了幾百萬件", []),
        ("他給購買板鞋的上千個用戶兩個方案", [1000, 2]),
        ("今年快手616實在購物節(5月20日~6月14日)", [616, 5, 20, 6, 14]),
        ("所有發展到千億萬億以上規模", [1e11, 1e12]),
    ],
)
def test_article_numbers(quote: str, expected: list[float]) -> None:
    assert quotes.article_numbers(quote) == pytest.approx(expected, rel=1e-12)


_CN_DIGITS = "零一二三四五六七八九"


def _four(n: int) -> str:
    out, pending_zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_CN_DIGITS[d] + name)
    return "".join(out)


def to_chinese(n: int) -> str:
    """Write 1 <= n < 10**8 in Chinese numerals (一萬零五百, 三千二百一十)."""
    high, low = divmod(n, 10**4)
    text = _four(high) + "萬" if high else ""
    if low:
        text += ("零" if high and low < 1000 else "") + _four(low)
    return text


@given(st.integers(min_value=1, max_value=10**8 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert quotes.parse_number(to_chinese(n)) == n
    assert n in quotes.article_numbers(f"共有{to_chinese(n)}個")


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from([("萬", 1e4), ("億", 1e8), ("千萬", 1e7), ("百萬", 1e6)]))
def test_arabic_with_multiplier(n: int, multiplier: tuple[str, float]) -> None:
    suffix, factor = multiplier
    assert quotes.parse_number(f"{n}{suffix}") == n * factor
    assert quotes.article_numbers(f"超過了{n}{suffix}次") == [n * factor]


# --- report text: face value and scaled ----------------------------------------------------------------


def test_face_and_scaled_reads_scales():
    assert 62_440_000 in quotes.face_and_scaled("more than 62.44 million releases")
    assert 210_000 in quotes.face_and_scaled("封禁違規主播、商家21萬人次")
    assert 500_000 in quotes.face_and_scaled("全年共攔截約50萬次")
    assert 210_000 in quotes.face_and_scaled("banned 210,000 illegal anchors")
    assert 5e9 in quotes.face_and_scaled("nearly 5 billion orders")
    assert quotes.face_and_scaled("more than 62.44 million releases") == [62.44, 62_440_000]


# --- filings: amounts in plain units -------------------------------------------------------------------


def test_amounts_reads_scale_words_and_split_amounts():
    assert 1.0066e12 in quotes.amounts("was RMB1,006.6 billion")
    assert 7.494e12 in quotes.amounts("a GMV of RMB 7 trillion 494,000 million")
    assert quotes.amounts("reached 726m") == [726e6]
    assert quotes.amounts("CNY6,589bn (US$945bn)") == [6589e9, 945e9]


@given(st.integers(min_value=1, max_value=10**4), st.integers(min_value=1, max_value=999_999))
def test_two_part_amounts_are_summed(trillions: int, millions: int) -> None:
    assert trillions * 1e12 + millions * 1e6 in quotes.amounts(f"RMB {trillions} trillion {millions:,} million")


# --- what all readers share ----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=99))
def test_thousands_separators_are_read(n: int, cents: int) -> None:
    written = f"{n:,}.{cents:02d}"
    value = float(f"{n}.{cents:02d}")
    assert quotes.face_and_scaled(f"was {written} in") == [value]
    assert quotes.amounts(f"was RMB{written}") == [value]
    assert quotes.parse_number(written) == value


@pytest.mark.parametrize("text", ["1,2", "2019,2020", "1,23.5", "12,3456", "5,.5"])
def test_a_number_with_malformed_separators_is_not_read(text: str) -> None:
    assert quotes.face_and_scaled(text) == []
    assert quotes.amounts(text) == []


def test_the_article_comma_is_punctuation():
    assert quotes.article_numbers("1,099元") == [1, 99]


@pytest.mark.parametrize("text", ["5 millions", "5, million", "5 mn", "5millionth"])
def test_an_english_scale_word_is_read_only_as_a_whole_word_right_after_the_number(text: str) -> None:
    assert quotes.face_and_scaled(text) == [5]
    assert quotes.amounts(text) == [5]


def test_report_text_reads_scale_words_in_any_case_and_filings_as_written():
    assert quotes.face_and_scaled("269.9 Million") == [269.9, 269_900_000]
    assert quotes.amounts("5 Billion") == [5]


def test_is_stated_uses_the_tolerances():
    assert quotes.is_stated(62_440_000, [62.44, 62_440_000.00001])
    assert not quotes.is_stated(62_440_001, [62.44, 62_440_000])
    assert not quotes.is_stated(1e-13, [0.0])
    assert quotes.is_stated(1e-13, [0.0], abs_tol=1e-12)
