"""Running headers, footers and page labels: edge lines that repeat on most pages of a document."""

from __future__ import annotations

import re
from collections import Counter

from kb.types import Page

from .text import find_line_headings

_PAGE_LABEL = re.compile(r"^(?:page\s*)?#+(?:\s*(?:of|/)\s*#+)?$", re.IGNORECASE)
# How far in from a page's edge a run of running lines is followed: a printer's stamp set as a row of
# fields ("VerDate … | Jkt … | Frm 00015 | Fmt …") comes out as a line per field.
_MAX_PEEL = 12
_MAX_PEELED = 4  # words


def _line_key(line: str) -> str:
    """Return a line with its digits masked, so "Page 3" and "Page 4" count as the same line.

    Case counts: a running foot "REFERENCES" is not the heading "References" of the chapter it runs under.
    """
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _exact(line: str) -> str:
    return " ".join(line.split())


def _edge_run(lines: list[str], running: set[str], edge: int, *, probe: bool = False) -> list[int]:
    """Return the indexes of a page's edge lines, from both ends: the first `edge` non-blank lines, then
    the lines further in while they are running fields of a stamp (with `probe`, the next such line too,
    to be counted)."""
    found: list[int] = []
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        seen = 0
        for i in order:
            if not lines[i].strip():
                continue
            seen += 1
            if seen > _MAX_PEEL:
                break
            # Deeper in, only a stamp's short fields peel: prose a template repeats is no running line.
            field = len(lines[i].split()) <= _MAX_PEELED and not lines[i].endswith(".")
            if seen <= edge or (field and _line_key(lines[i]) in running):
                found.append(i)
                continue
            if probe and field:
                found.append(i)
            break
    return found


def _is_running(line: str, running: set[str]) -> bool:
    key = _line_key(line)
    return key in running or _PAGE_LABEL.match(key) is not None


def _running_keys(pages: list[list[str]], edge: int) -> set[str]:
    """Return the masked lines found at the edges of most pages, or of most pages of one stretch.

    A book's pages alternate their running heads (its title on the left, the chapter on the right), so
    each is on about half the pages; a chapter's head runs over that chapter's pages only. So a line
    also runs when it is at the edge of half the pages, or of half the odd or even pages, from the first
    page it is on to the last, and of three pages at least. The edges widen as running lines are found,
    until nothing changes.
    """
    running: set[str] = set()
    for _ in range(_MAX_PEEL):
        where: dict[str, list[int]] = {}
        for number, lines in enumerate(pages):
            for key in {_line_key(lines[i]) for i in _edge_run(lines, running, edge, probe=True)}:
                where.setdefault(key, []).append(number)
        found = {k for k, at in where.items() if len(at) >= max(2, 0.5 * len(pages))}
        for key, at in where.items():
            if " | " in key or len(at) < 3:
                continue
            for step, pick in ((1, at), (2, [n for n in at if n % 2 == 0]), (2, [n for n in at if n % 2 == 1])):
                if len(pick) >= 3 and len(pick) >= 0.5 * ((pick[-1] - pick[0]) // step + 1):
                    found.add(key)
        if found <= running:
            return running
        running |= found
    return running


def strip_running_lines(pages: list[Page], *, edge: int = 2) -> list[Page]:
    """Drop running headers, footers and page labels: edge lines repeated on most pages.

    A running line the layout put inside the page (a running head read after a figure that stands
    above it) goes too when it is the very line found at the edges; one whose digits differ ("Article 4"
    on one page, "Article 5" on the next) is dropped only at an edge.
    """
    with_text = [p for p in pages if p.text.strip()]
    if len(with_text) < 2:
        return pages
    running = _running_keys([p.text.split("\n") for p in with_text], edge)
    at_edge: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for page in with_text:
        lines = page.text.split("\n")
        edges = {i for i in _edge_run(lines, running, edge) if _is_running(lines[i], running)}
        at_edge.update(_exact(lines[i]) for i in edges)
        inside.update(_exact(ln) for i, ln in enumerate(lines) if ln.strip() and i not in edges)
    # A displaced running head is rare beside its copies at the edges; a sentence a template repeats
    # over its pages is everywhere.
    anywhere = {
        k for k, n in at_edge.items()
        if n >= max(2, 0.5 * len(with_text)) and inside[k] <= 0.25 * n and " | " not in k
    }
    out = []
    for page in pages:
        lines = page.text.split("\n")
        drop = {i for i in _edge_run(lines, running, edge) if _is_running(lines[i], running)}
        drop |= {i for i, ln in enumerate(lines) if ln.strip() and _exact(ln) in anywhere}
        if not drop:
            out.append(page)
            continue
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(ln for i, ln in enumerate(lines) if i not in drop)).strip("\n")
        out.append(Page(page.number, text, find_line_headings(text), ocr=page.ocr, words=page.words))
    return out
