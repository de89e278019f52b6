"""HTML parsing with BeautifulSoup + lxml: visible text only, h1-h6 as headings, tables as rows."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)

from kb.types import Page, ParsedDocument

from .text import Block, join_blocks, normalize_inline

DROP_TAGS = (
    "script",
    "style",
    "nav",
    "footer",
    "aside",
    "form",
    "noscript",
    "template",
    "iframe",
    "svg",
    "button",
    "select",
)
BLOCK_TAGS = {
    "address", "article", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "ul", "caption",
}  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_DATE_META = ("date", "dc.date", "dc.date.issued", "dcterms.date", "article:published_time", "citation_date")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}")


def _drop_invisible(soup: BeautifulSoup) -> None:
    """Remove scripts, navigation, footers and hidden elements; keep a <header> that holds the h1."""
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("header"):
        if tag.find("h1") is None:
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        style = str(tag.get("style", "")).replace(" ", "").lower()
        if tag.has_attr("hidden") or tag.get("aria-hidden") == "true" or "display:none" in style:
            tag.decompose()


def _table_rows(table: Tag) -> str:
    """Return a table's rows as 'cell | cell' lines (nested tables flattened into their cell)."""
    rows: list[str] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [normalize_inline(c.get_text(" ")) for c in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _blocks(root: Tag) -> list[Block]:
    """Walk the tree and return paragraphs, headings and tables in reading order."""
    blocks: list[Block] = []
    inline: list[str] = []

    def flush() -> None:
        text = normalize_inline("".join(inline))
        if text:
            blocks.append((text, None))
        inline.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                inline.append(str(child))
            elif isinstance(child, Tag):
                name = child.name
                if name in _HEADINGS:
                    flush()
                    blocks.append((normalize_inline(child.get_text(" ")), _HEADINGS[name]))
                elif name == "table":
                    flush()
                    blocks.append((_table_rows(child), None))
                elif name == "li":
                    flush()
                    # A list item keeps the marker a browser shows: "1. " in an ordered list, "• " otherwise.
                    parent = child.parent
                    if parent is not None and parent.name == "ol":
                        siblings = list(parent.find_all("li", recursive=False))
                        first = str(parent.get("start") or "1")
                        start = int(first) if first.isdigit() else 1
                        inline.append(f"{start + siblings.index(child)}. ")
                    else:
                        inline.append("• ")
                    walk(child)
                    flush()
                elif name == "br":
                    inline.append("\n")
                    flush()
                elif name in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(root)
    flush()
    return blocks


def _meta_date(soup: BeautifulSoup) -> str | None:
    """Return an ISO date from the usual <meta> date names, if any."""
    for meta in soup.find_all("meta"):
        name = str(meta.get("name") or meta.get("property") or "").lower()
        if name in _DATE_META:
            match = _ISO_DATE.match(str(meta.get("content") or "").strip())
            if match:
                return match.group(0)
    return None


def parse_html(path: Path, *, source: str) -> ParsedDocument:
    """Return an HTML file's visible text as one page with h1-h6 headings."""
    with warnings.catch_warnings():
        # An XHTML page (an XML declaration before <html>) is read as HTML on purpose: its text is what is wanted.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(path.read_bytes(), "lxml")
    title_tag = soup.find("title")
    title = normalize_inline(title_tag.get_text(" ")) if title_tag else ""
    date = _meta_date(soup)
    _drop_invisible(soup)
    root = soup.body or soup
    text, headings = join_blocks(_blocks(root))
    if not title:
        title = next((h.title for h in headings if h.level == 1), "")
    return ParsedDocument(pages=[Page(None, text, headings)], title=title or None, date=date)
