"""Tests of trustlab.data.sources: the cleaner on the real scraped article, and on small made-up inputs."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from trustlab import config
from trustlab.data import sources

SOURCE_ID = "kuaishou-trust-pyramid-2022-06-23"
RAW = config.RAW_DIR / f"{SOURCE_ID}.scraped.txt"

# Any letter a pinyin annotation can carry that a clean Chinese article would not have after a CJK char.
_PINYIN_AFTER_CJK = re.compile(r"[\u4e00-\u9fff\ufffd?]\([a-zàáâǎāèéêěēìíîǐīòóôǒōùúûǔūüǖǘǚǜńňǹḿ]{1,7}\)")
_TONE_MARKS = re.compile(r"[àáǎāèéěēìíǐīòóǒōùúǔūǖǘǚǜńňǹḿ]")


@pytest.fixture(scope="module")
def article() -> sources.CleanedArticle:
    return sources.load_article(SOURCE_ID)


@pytest.fixture(scope="module")
def raw() -> str:
    return RAW.read_text(encoding="utf-8")


def test_raw_file_is_unchanged() -> None:
    registry = sources.load_sources()
    recorded = registry.loc[registry["source_id"] == SOURCE_ID, "sha256"].item()
    assert sources.sha256_of(RAW) == recorded


def test_raw_file_has_what_the_cleaner_must_remove(raw: str) -> None:
    # guards the tests below against passing on an already clean input
    assert _PINYIN_AFTER_CJK.search(raw)
    assert "<" in raw and ">" in raw
    assert raw.count("?!?/") == 5


def test_no_pinyin_left(article: sources.CleanedArticle) -> None:
    assert not _PINYIN_AFTER_CJK.search(article.text)
    assert not _TONE_MARKS.search(article.text)
    # the only parenthesised text left is the article's own (dates, glosses), none of it pinyin
    assert not re.search(r"\([a-z]{1,7}\)", article.text)
    assert "(凈推薦值,Net Promoter Score)" in article.text


def test_no_html_left(article: sources.CleanedArticle) -> None:
    assert not re.search(r"</?[a-zA-Z][^<>]*>", article.text)
    assert "<" not in article.text and "/p>" not in article.text and "/strong>" not in article.text
    assert "&nbsp;" not in article.text


def test_two_unrepaired_spans_reported_and_marked(article: sources.CleanedArticle) -> None:
    assert len(article.unrepaired) == 2
    runs = re.findall("\ufffd+", article.text)
    assert len(runs) == 2
    # 正當?shù)臋?quán)益 lost two characters (的權), 模式?jīng)]辦法 lost one (沒)
    assert "正當\ufffd\ufffd益" in article.text
    assert "模式\ufffd辦法" in article.text
    assert [u.original for u in article.unrepaired] == ["?shù)臋?quán)", "?jīng)]"]
    # no lost-character marker survives: "?" is left only as the article's two question marks
    assert article.text.count("?") == 2 and "哪個方案嗎?所有" in article.text and "快品牌”呢?通過" in article.text


def test_five_mangled_closing_tags_repaired(article: sources.CleanedArticle, raw: str) -> None:
    counts = article.repair_counts()
    assert counts["mangled closing tag"] == 5
    assert "?!?/" not in article.text
    assert all(r.replacement == "。”" for r in article.repairs if r.kind == "mangled closing tag")
    # each repaired closing quote ends one of the founder's quoted paragraphs
    assert "踐行的事情,所以我們每年會推出春夏和秋冬兩次主題和元素,比如7月2號要發布的秋冬款就是‘器鑒殷商’系列。”" in article.text


def test_repair_counts_are_reported(article: sources.CleanedArticle) -> None:
    counts = article.repair_counts()
    assert set(counts.index) == {"injected pinyin", "html tag", "mangled closing tag"}
    assert counts["injected pinyin"] > 300
    assert counts.sum() == len(article.repairs)
    offsets = [r.raw_offset for r in article.repairs]
    assert offsets == sorted(offsets)


def test_title_and_published_date(article: sources.CleanedArticle) -> None:
    assert article.title == "對話貝源世家:快手電商的“信任金字塔”與“快品牌”成長邏輯"
    assert article.published == "2022-06-23"


def test_site_chrome_removed(article: sources.CleanedArticle) -> None:
    assert "免責聲明" not in article.text
    assert "長按掃碼" not in article.text
    assert any(s.startswith("免責聲明") for s in article.removed_sections)
    assert article.text.endswith("貝源哥堅定地要在快手繼續做深做透。\n")


def test_key_sentences_survive_cleaning(article: sources.CleanedArticle) -> None:
    assert "快手攔截疑似假冒偽劣商品發布超過了6244萬次" in article.text
    assert "快品牌訂單量共計1200萬單" in article.text


def test_cleaner_on_made_up_input() -> None:
    raw = "標題\n<p>快手發(fā)展(zhǎn)已經(jīng)很快?!?/p>\n•\n正當(dāng)?shù)臋?quán)益\n免責聲明:略\n2022-06-23\n"
    cleaned = sources.clean_scraped_article(raw)
    assert cleaned.text == "標題\n快手發展已經很快。”\n正當\ufffd\ufffd益\n"
    assert cleaned.published == "2022-06-23"
    assert len(cleaned.unrepaired) == 1
    kinds = cleaned.repair_counts()
    assert kinds["injected pinyin"] == 4 and kinds["html tag"] == 1 and kinds["mangled closing tag"] == 1


def test_cleaner_rejects_empty_body() -> None:
    with pytest.raises(ValueError, match="no body"):
        sources.clean_scraped_article("免責聲明:略\n2022-06-23\n")


def test_load_article_rejects_unknown_and_edited(tmp_path) -> None:
    registry = sources.load_sources()
    with pytest.raises(KeyError, match="not-a-source"):
        sources.load_article("not-a-source", registry)
    edited = registry.copy()
    edited.loc[edited["source_id"] == SOURCE_ID, "sha256"] = "0" * 64
    with pytest.raises(ValueError, match="must not be edited"):
        sources.load_article(SOURCE_ID, edited)
    assert isinstance(registry, pd.DataFrame)
