"""PDF tables as rows: "Indicator | Baseline 2020 | 2025 target", from pypdf's layout extraction."""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+[A-Z]")


def _cell_spans(line: str) -> list[tuple[int, str]]:
    """Return (column, text) of each cell of a layout line: runs of text that two or more spaces keep apart."""
    return [(m.start(), m.group()) for m in re.finditer(r"\S(?:\s?\S)*", line)]


def _cells(line: str) -> list[str]:
    return [text for _, text in _cell_spans(line)]


def _is_row(cells: list[str]) -> bool:
    """A table row has three or more cells, or two when one of them is a figure."""
    return len(cells) >= 3 or (len(cells) == 2 and any(_DIGIT.search(c) for c in cells[1:]))


def _column_at(starts: list[int], indent: int) -> int | None:
    """Return the index of the cell that starts where a lone wrapped line does (within 3 columns).

    Only for rows of at most six cells: justified prose that pypdf spaced out looks like a row of many.
    """
    near = [i for i, start in enumerate(starts) if abs(start - indent) <= 3]
    return near[0] if near and len(starts) <= 6 else None


def rows_from_layout(layout: str, *, min_rows: int = 3) -> str | None:
    """Return the page's text with table rows joined by " | ", or None when the page has no table.

    In layout mode pypdf keeps columns apart with runs of spaces. A cell that wrapped puts the rest of
    its text alone on the line after the row, under its own column, and a row whose other cells wrap
    may put the start of a cell on the line before it (vertically centred cells): such a line is joined
    into the cell it stands under. Pages without at least `min_rows` rows are left to the plain
    extraction, which reads multi-column prose better.
    """
    lines = layout.split("\n")
    out: list[str] = []
    rows = 0
    last_row: tuple[int, list[int]] | None = None  # the last row (index in `out`, cell starts) a tail may follow
    head: tuple[str, int] | None = None  # a cell's first line (text, column), waiting for the row below it
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            last_row = None  # a wrapped cell sits right next to its row, never after a gap
            continue
        cells = _cells(line)
        if _is_row(cells):
            if head is not None:
                cells[head[1]] = f"{head[0]} {cells[head[1]]}"
                head = None
            out.append(" | ".join(cells))
            rows += 1
            last_row = (len(out) - 1, [start for start, _ in _cell_spans(line)])
            continue
        indent = len(line) - len(line.lstrip())
        lone = len(cells) == 1 and len(stripped) <= 40 and not _HEADING.match(stripped)
        if lone and last_row is not None and last_row[0] == len(out) - 1:
            column = _column_at(last_row[1], indent)
            parts = out[last_row[0]].split(" | ")
            if column is not None and column < len(parts):
                parts[column] = f"{parts[column]} {stripped}"
                out[last_row[0]] = " | ".join(parts)
                last_row = None
                continue
        last_row = None
        following = _cell_spans(lines[n + 1]) if n + 1 < len(lines) else []
        # A cell's first line reads on into the row ("Send the terms of reference of the"); a line that ends a
        # sentence is the previous paragraph's tail.
        if lone and indent and not stripped.endswith((".", ";", ":", "!", "?")) and _is_row([t for _, t in following]):
            column = _column_at([start for start, _ in following], indent)
            # Not the first column: a short line above a row there is as likely a heading ("Constitutional
            # protections" above "• | Article 18 …").
            if column is not None and 0 < column:
                head = (" ".join(stripped.split()), column)
                continue
        out.append(" ".join(stripped.split()))
    if rows < min_rows:
        return None
    return "\n".join(out).strip("\n")
