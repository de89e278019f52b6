"""Title, kind and date of a parsed document when no manifest gives them, read from the document itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.types import Page, ParsedDocument

from .dates import infer_date
from .kind import head_kind, infer_kind
from .title import (
    acronyms,
    clean_title,
    cover_title,
    heading_title,
    is_placeholder,
    metadata_title,
    readable_name,
)

__all__ = ["METADATA_VERSION", "Metadata", "infer_metadata"]

# Bump when inference changes: files whose manifest entry leaves a field to inference are then read again.
METADATA_VERSION = "1"
TOP_LINES = 12
SHORT_LINE_WORDS = 10
UNPAGED_TOP_CHARS = 3000  # how much of a web page or text file counts as its "first page"
IMPRINT_PAGES = 4
# Where a title page ends and the body begins: a numbered section, the contents, the front matter.
_SECTION_START = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S|(?:table\s+of\s+)?contents\b|acknowledge?ments?\b|abstract\b"
    r"|foreword\b|preface\b|introduction\b|executive\s+summary\b)",
    re.I,
)


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself: its title, its kind (one of DOC_TYPES) and its date (ISO or None)."""

    title: str
    doc_type: str
    date: str | None


def top_lines(text: str) -> list[str]:
    """Return the first lines of a page up to where its body starts: its title page, or the head of its first page."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if lines and _SECTION_START.match(line):
            break
        lines.append(line)
        if len(lines) >= TOP_LINES:
            break
    return lines


def _first_page(pages: list[Page]) -> Page:
    """Return the first page with text (a blank scanned cover is not the title page)."""
    return next((p for p in pages if p.text.strip()), pages[0])


def _kind_lines(parsed: ParsedDocument, page: Page, top: list[str]) -> tuple[list[str], list[str]]:
    """Return the title page's lines that may name its kind (prominent or short ones) and its headings."""
    heads = [h.title for h in page.headings if page.number is not None or h.offset < UNPAGED_TOP_CHARS]
    lines = [t for t in top if t in heads or (len(t.split()) <= SHORT_LINE_WORDS and len(t) <= 90)]
    if parsed.cover:
        sizes: dict[float, int] = {}
        for ln in parsed.cover:
            sizes[ln.size] = sizes.get(ln.size, 0) + len(ln.text)
        body = max(sizes, key=lambda s: sizes[s])
        # The prominent lines of one size read together: "ONE" over "PAGER" is a one-pager.
        prominent = sorted({ln.size for ln in parsed.cover if ln.size > 1.05 * body}, reverse=True)
        lines = ["\n".join(ln.text for ln in parsed.cover if ln.size == size) for size in prominent] + lines
    return lines, [h for h in heads if h not in lines]


def infer_metadata(parsed: ParsedDocument, *, source: str) -> Metadata:
    """Return the title, kind and date a document gives for itself."""
    if not parsed.pages:
        return Metadata(readable_name(source), infer_kind(None, file_name=readable_name(source)), parsed.date)
    page = _first_page(parsed.pages)
    all_headings = [h.title for p in parsed.pages for h in p.headings]
    page_headings = [h.title for h in page.headings]
    candidates = (
        metadata_title(parsed.title, all_headings),
        cover_title(parsed.cover),
        parsed.opening,
        heading_title(page.text, page_headings, lambda t: head_kind(t) is not None),
    )
    chosen = next((t for t in candidates if t and not is_placeholder(t, source)), None)
    known = acronyms([p.text for p in parsed.pages[:8]])
    title = clean_title(chosen, known) if chosen else readable_name(source)
    top = top_lines(page.text)
    kind_lines, kind_headings = _kind_lines(parsed, page, top)
    doc_type = infer_kind(title if chosen else None, kind_lines, kind_headings, file_name=readable_name(source))
    imprint_pages = parsed.pages[:IMPRINT_PAGES] + parsed.pages[IMPRINT_PAGES:][-1:]
    imprint = [ln.strip() for p in imprint_pages for ln in p.text.split("\n") if ln.strip()]
    date = infer_date(title if chosen else None, top, imprint, file_date=parsed.date)
    return Metadata(title, doc_type, date)
