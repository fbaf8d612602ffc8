"""Markup fixes applied to every rendered report page, for what nbconvert's lab template and the
outputs it embeds leave invalid or hard to target (html-validate's ``valid-id`` and
``element-permitted-content``): ids that start with a digit or hold characters beyond letters,
digits, ``-`` and ``_`` (nbconvert's ``cell-id=...`` and heading anchors such as ``7.-The-616-...``),
and the ``<style>`` elements pandas' Styler writes inside an output, which HTML allows only in the
head. :func:`tidy` applies both; the page looks and links as before."""

from __future__ import annotations

import re
import urllib.parse

_STRICT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_ID_ATTRIBUTE = re.compile(r'(\sid=")([^"]*)(")')
_FRAGMENT_LINK = re.compile(r'(\shref="#)([^"]*)(")')
# A <style> at the start of an HTML output (pandas' Styler puts its rules there, before the table).
_OUTPUT_STYLE = re.compile(r'(data-mime-type="text/html"[^>]*>\s*)(<style[^>]*>.*?</style>)', re.DOTALL)


def strict_id(raw: str) -> str:
    """``raw`` as an id that starts with a letter and holds only ASCII letters, digits, ``-`` and ``_``:
    percent-escapes decoded, each other character but a letter beyond ASCII made ``-`` (runs of them
    one ``-``), a letter beyond ASCII written as ``u`` and its code point in hex, and ``s-`` in front
    when it would not start with a letter. An id that is already so is returned as it is."""
    if _STRICT_ID.fullmatch(raw):
        return raw
    text = urllib.parse.unquote(raw)
    spelled = "".join(c if c.isascii() else (f"u{ord(c):x}-" if c.isalnum() else "-") for c in text)
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", spelled)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-") or "id"
    return cleaned if cleaned[0].isalpha() else f"s-{cleaned}"


def strict_ids(html: str) -> str:
    """Every id of ``html`` made a :func:`strict_id` (one that would clash with another id of the page
    gets ``-2``, ``-3``...), and every ``href="#..."`` to a renamed id pointed at its new name."""
    taken = set(m.group(2) for m in _ID_ATTRIBUTE.finditer(html) if _STRICT_ID.fullmatch(m.group(2)))
    renamed: dict[str, str] = {}
    for match in _ID_ATTRIBUTE.finditer(html):
        old = match.group(2)
        if old in renamed or _STRICT_ID.fullmatch(old):
            continue
        new = base = strict_id(old)
        suffix = 2
        while new in taken:
            new, suffix = f"{base}-{suffix}", suffix + 1
        renamed[old] = new
        taken.add(new)
    if not renamed:
        return html

    def rename(match: re.Match[str]) -> str:
        return match.group(1) + renamed.get(match.group(2), match.group(2)) + match.group(3)

    return _FRAGMENT_LINK.sub(rename, _ID_ATTRIBUTE.sub(rename, html))


def styles_to_head(html: str) -> str:
    """The ``<style>`` elements that open an HTML output moved into the page's head, just before
    ``</head>`` and in their order (empty ones dropped); their rules select by the table's own id,
    so the page looks the same."""
    moved: list[str] = []

    def take(match: re.Match[str]) -> str:
        if re.sub(r"<[^>]+>", "", match.group(2)).strip():
            moved.append(match.group(2))
        return match.group(1)

    head_end = html.find("</head>")
    if head_end < 0:
        return html
    body = _OUTPUT_STYLE.sub(take, html[head_end:])
    return html[:head_end] + "".join(f"{style}\n" for style in moved) + body


def tidy(html: str) -> str:
    """A rendered report page with :func:`styles_to_head` and :func:`strict_ids` applied."""
    return strict_ids(styles_to_head(html))
