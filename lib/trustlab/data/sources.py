"""Source documents: the registry in ``data/sources.csv`` and the cleaner for scraped articles.

The scrape in ``data/raw/`` is never edited; every repair is made here, in code, and reported.
:func:`load_article` reads a registered article, checks its SHA-256 against the registry and
returns the cleaned text with the list of what was repaired and what could not be.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trustlab import config
from trustlab.data.tables import check_columns, read_text_table

# Pinyin the scraping site injected after characters: lower-case Latin letters, at least one with a
# tone mark or a plain syllable, inside ASCII parentheses, e.g. 發(fā)展 for 發展.
_PINYIN_LETTERS = "a-zàáâǎāèéêěēìíîǐīòóôǒōùúûǔūüǖǘǚǜńňǹḿ"
# The character before may itself be lost ('?' in the scrape, U+FFFD once replaced).
_INJECTED_PINYIN = re.compile(rf"(?<=[\u4e00-\u9fff?\ufffd])\(([{_PINYIN_LETTERS}]{{1,7}})\)")
# Lost characters: each is a question mark standing for bytes the site could not decode, followed by
# the rest of its pinyin annotation; garbled bytes may sit between two of them (?shù)臋?quán) is 的權,
# ?jīng)] is 沒). One U+FFFD replaces each lost character.
_LOST_CHAR = rf"\?[{_PINYIN_LETTERS}]{{1,7}}\)"
_MOJIBAKE = re.compile(rf"{_LOST_CHAR}(?:[^\s?]?{_LOST_CHAR})*[\[\]]?")
# An HTML closing tag whose '<' and the closing punctuation before it were mangled: ?!?/p>, ?!?/strong>.
_MANGLED_CLOSING_TAG = re.compile(r"\?!\?/(p|strong|span|b|em)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_BULLET_ONLY = re.compile(r"^\s*•\s*$")
# The site's disclaimer opens the chrome that follows the article body (disclaimer, date, share footer).
_DISCLAIMER_START = "免責聲明"

REPLACEMENT_CHAR = "\ufffd"


@dataclass(frozen=True)
class Repair:
    """One change the cleaner made: what kind, where in the raw text, what was there, what replaced it."""

    kind: str
    raw_offset: int
    original: str
    replacement: str


@dataclass(frozen=True)
class UnrepairedSpan:
    """A span the cleaner could not restore. It stays in the text as U+FFFD, never silently dropped."""

    raw_offset: int
    original: str
    context: str


@dataclass
class CleanedArticle:
    """The plain text of an article with everything the cleaner did to it."""

    text: str
    title: str
    published: str | None
    repairs: list[Repair] = field(default_factory=list)
    unrepaired: list[UnrepairedSpan] = field(default_factory=list)
    removed_sections: list[str] = field(default_factory=list)

    def repair_counts(self) -> pd.Series:
        """Number of repairs by kind."""
        return pd.Series([r.kind for r in self.repairs], dtype="object").value_counts().rename("repairs")


def clean_scraped_article(raw: str) -> CleanedArticle:
    """Clean a scraped Chinese article into plain text.

    Removes HTML debris, the pinyin the site injected after characters and mangled closing tags;
    replaces each undecodable span with U+FFFD and lists it in ``unrepaired``; drops the site's
    disclaimer and share footer (listed in ``removed_sections``) and reads the publication date from it.
    """
    repairs: list[Repair] = []
    unrepaired: list[UnrepairedSpan] = []

    for m in _MOJIBAKE.finditer(raw):
        start, end = m.span()
        unrepaired.append(UnrepairedSpan(start, m.group(), raw[max(0, start - 8) : end + 8]))
    for m in _MANGLED_CLOSING_TAG.finditer(raw):
        repairs.append(Repair("mangled closing tag", m.start(), m.group(), "。”"))
    for m in _INJECTED_PINYIN.finditer(raw):
        repairs.append(Repair("injected pinyin", m.start(), m.group(), ""))
    for m in _HTML_TAG.finditer(raw):
        repairs.append(Repair("html tag", m.start(), m.group(), ""))

    text = _MOJIBAKE.sub(lambda m: REPLACEMENT_CHAR * len(re.findall(_LOST_CHAR, m.group())), raw)
    text = _MANGLED_CLOSING_TAG.sub("。”", text)
    text = _INJECTED_PINYIN.sub("", text)
    text = _HTML_TAG.sub("", text)

    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not _BULLET_ONLY.match(line)]

    removed: list[str] = []
    published = None
    body: list[str] = []
    in_chrome = False
    for line in lines:
        if line.startswith(_DISCLAIMER_START):
            in_chrome = True
        if in_chrome:
            removed.append(line)
            if published is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
                published = line
            continue
        body.append(line)
    if not body:
        raise ValueError("the scraped article has no body text after cleaning")
    return CleanedArticle(
        text="\n".join(body) + "\n",
        title=body[0],
        published=published,
        repairs=sorted(repairs, key=lambda r: r.raw_offset),
        unrepaired=unrepaired,
        removed_sections=removed,
    )


SOURCES_SCHEMA_COLUMNS = ["source_id", "kind", "title", "publisher", "published", "path", "url", "sha256", "notes"]


def load_sources(path: Path | None = None) -> pd.DataFrame:
    """The source registry (``data/sources.csv``), one row per source document."""
    path = path or config.DATA_DIR / "sources.csv"
    frame = read_text_table(path)
    check_columns(frame, SOURCES_SCHEMA_COLUMNS, path)
    return frame


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_article(source_id: str, sources: pd.DataFrame | None = None) -> CleanedArticle:
    """Read a registered article from ``data/raw/``, check its hash, and clean it."""
    sources = load_sources() if sources is None else sources
    rows = sources[sources["source_id"] == source_id]
    if rows.empty:
        known = ", ".join(sources["source_id"])
        raise KeyError(f"source_id {source_id!r} is not in data/sources.csv; known: {known}")
    row = rows.iloc[0]
    if row["kind"] != "article":
        raise ValueError(f"source_id {source_id!r} is a {row['kind']!r}, not a scraped article")
    path = config.PROJECT_ROOT / row["path"]
    if not path.exists():
        raise FileNotFoundError(f"{path}: raw file of source {source_id!r} is missing")
    digest = sha256_of(path)
    if row["sha256"] and digest != row["sha256"]:
        raise ValueError(
            f"{path}: SHA-256 {digest} differs from {row['sha256']} recorded in data/sources.csv; "
            "the raw scrape must not be edited"
        )
    return clean_scraped_article(path.read_text(encoding="utf-8"))
