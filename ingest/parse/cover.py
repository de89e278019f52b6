"""Read a PDF's title page as lines with the size of their type, so metadata can find the largest text."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from kb.types import CoverLine

from .text import normalize_inline

log = logging.getLogger(__name__)

COVER_PAGES = 3  # a cover that is only a picture is followed by a title page with a text layer
MIN_LETTERS = 3


@dataclass
class _Run:
    """One piece of text the page draws: where, how large."""

    text: str
    x: float
    y: float
    size: float


def _runs(reader: PdfReader, index: int) -> list[_Run]:
    """Return the upright text runs of one page with their position and effective type size."""
    runs: list[_Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        # The text matrix times the current transformation matrix maps text space to the page.
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        if abs(b) > 1e-3 * abs(a) + 1e-6 or abs(c) > 1e-3 * abs(d) + 1e-6:
            return  # rotated text ("Public Disclosure Authorized" up a margin) is never the title
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        runs.append(_Run(normalize_inline(text), x, y, round(size * math.hypot(c, d), 1)))

    reader.pages[index].extract_text(visitor_text=visit)
    return runs


def _lines(runs: list[_Run]) -> tuple[CoverLine, ...]:
    """Group runs of one size on one baseline into lines, top to bottom, left to right."""
    groups: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x)):
        for group in groups:
            first = group[0]
            if abs(first.size - run.size) < 0.6 and abs(first.y - run.y) <= 0.3 * run.size:
                group.append(run)
                break
        else:
            groups.append([run])
    groups.sort(key=lambda g: (-g[0].y, min(r.x for r in g)))
    lines = []
    for group in groups:
        text = normalize_inline(" ".join(r.text for r in sorted(group, key=lambda r: r.x)))
        if text:
            lines.append(CoverLine(text, group[0].size, round(group[0].y, 1)))
    return tuple(lines)


def read_cover(path: Path, password: str | None = None) -> tuple[CoverLine, ...]:
    """Return the lines of the first page (of the first three) that has a text layer; () when none can be read."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt("") and not (password and reader.decrypt(password)):
            return ()
        for index in range(min(COVER_PAGES, len(reader.pages))):
            lines = _lines(_runs(reader, index))
            if sum(c.isalpha() for line in lines for c in line.text) >= MIN_LETTERS:
                return lines
    except Exception as exc:  # the cover only refines metadata: a PDF pypdf cannot walk simply has none
        log.debug("no cover lines from %s: %s", path, exc)
    return ()
