"""PDF tables as rows: "Indicator | Baseline 2020 | 2025 target", from pypdf's layout extraction."""

from __future__ import annotations

import re

_GAP = re.compile(r"\s{2,}")
_DIGIT = re.compile(r"\d")
_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+[A-Z]")


def _cells(line: str) -> list[str]:
    return [c for c in _GAP.split(line.strip()) if c]


def _is_row(cells: list[str]) -> bool:
    """A table row has three or more cells, or two when one of them is a figure."""
    return len(cells) >= 3 or (len(cells) == 2 and any(_DIGIT.search(c) for c in cells[1:]))


def rows_from_layout(layout: str, *, min_rows: int = 3) -> str | None:
    """Return the page's text with table rows joined by " | ", or None when the page has no table.

    In layout mode pypdf keeps columns apart with runs of spaces; a cell that wrapped puts its
    tail alone on the next line, which is joined back onto the row's first cell. Pages without
    at least `min_rows` rows are left to the plain extraction, which reads multi-column prose better.
    """
    lines = layout.split("\n")
    out: list[str] = []
    rows = 0
    last_row_at: int | None = None  # index in `out` of the last row, while a wrapped cell may follow
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            last_row_at = None  # a wrapped cell sits on the very next line, never after a gap
            continue
        cells = _cells(line)
        follows_row = last_row_at is not None and last_row_at == len(out) - 1
        if _is_row(cells):
            out.append(" | ".join(cells))
            rows += 1
            last_row_at = len(out) - 1
            continue
        indent = len(line) - len(line.lstrip())
        if (
            follows_row and last_row_at is not None and len(cells) == 1 and indent < 4 and len(stripped) <= 40
            and not _HEADING.match(stripped)
        ):
            first, _, rest = out[last_row_at].partition(" | ")
            out[last_row_at] = f"{first} {stripped} | {rest}" if rest else f"{first} {stripped}"
            last_row_at = None
            continue
        last_row_at = None
        out.append(" ".join(stripped.split()))
    if rows < min_rows:
        return None
    return "\n".join(out).strip("\n")
