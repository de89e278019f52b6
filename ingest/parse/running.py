"""Running headers, footers and page labels: edge lines that repeat on most pages of a document."""

from __future__ import annotations

import re

from kb.types import Page

from .text import find_line_headings

_PAGE_LABEL = re.compile(r"^(?:page\s*)?#+(?:\s*(?:of|/)\s*#+)?$", re.IGNORECASE)


def _line_key(line: str) -> str:
    """Return a line with its digits masked, so "Page 3" and "Page 4" count as the same line."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def strip_running_lines(pages: list[Page], *, edge: int = 2) -> list[Page]:
    """Drop running headers, footers and page labels: edge lines repeated on most pages."""
    with_text = [p for p in pages if p.text.strip()]
    if len(with_text) < 2:
        return pages
    counts: dict[str, int] = {}
    for page in with_text:
        lines = [ln for ln in page.text.split("\n") if ln.strip()]
        for key in {_line_key(ln) for ln in lines[:edge] + lines[-edge:]}:
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, n in counts.items() if n >= max(2, 0.5 * len(with_text))}
    out = []
    for page in pages:
        lines = page.text.split("\n")
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonblank[:edge] + nonblank[-edge:])
        drop = {
            i for i in edges
            if _line_key(lines[i]) in running or _PAGE_LABEL.match(_line_key(lines[i]))
        }
        if not drop:
            out.append(page)
            continue
        text = "\n".join(ln for i, ln in enumerate(lines) if i not in drop).strip("\n")
        out.append(Page(page.number, text, find_line_headings(text), ocr=page.ocr, words=page.words))
    return out
