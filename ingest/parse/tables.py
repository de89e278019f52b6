"""PDF tables as rows: "Indicator | Baseline 2020 | 2025 target", the header row first.

A table is a grid of ruled or shaded cells. pdfplumber's table geometry finds the cells from the page's
rules (read with pypdfium2 in `words.py`, so pdfminer never parses the page); the words in each cell
make its text. Prose never becomes rows: text outside a grid is left to the layout.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from .words import Word

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
_SNAP = 3.0  # rules this close (points) are one rule: cell borders drawn twice, shaded cells a hair apart


@dataclass
class Row:
    """One table row: its cell texts, and how many columns each cell spans (1 for a plain cell)."""

    cells: list[str]
    spans: list[int]


@dataclass
class Table:
    """A table found on a page: its box, the lines above its grid (a title cell) and its rows of cell texts."""

    box: Box
    rows: list[list[str]]
    caption: list[str]
    notes: list[str]

    def lines(self) -> list[str]:
        """Return the table as text lines: its caption, one "a | b | c" line per row, then its notes."""
        return [*self.caption, *(" | ".join(row).strip() for row in self.rows), *self.notes]


def find_tables(edges: list[dict[str, Any]], words: Sequence[Word]) -> list[Table]:
    """Return the ruled tables of a page (grids of at least two columns and two rows with text)."""
    if len(edges) < 4:
        return []
    merged = merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)
    cells = intersections_to_cells(edges_to_intersections(merged, 1, 1))
    tables = []
    for group in cells_to_tables(cells):
        table = _table(group, words)
        if table is not None:
            tables.append(table)
    return tables


def _center_in(word: Word, box: Box) -> bool:
    """Return True when the word's centre lies inside the box."""
    x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _table(cells: list[Box], words: Sequence[Word]) -> Table | None:
    """Return the table a group of cells makes with the page's words, or None when it is no table."""
    xs = _axis([c[0] for c in cells] + [c[2] for c in cells])
    ys = _axis([c[1] for c in cells] + [c[3] for c in cells])
    box = (xs[0], ys[0], xs[-1], ys[-1])
    inside = [w for w in words if _center_in(w, box)]
    # grid[row][column] holds (text lines of the cell that starts there, columns it spans) or None
    grid: list[list[tuple[list[list[Word]], int] | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    down: list[dict[int, str]] = [{} for _ in range(len(ys) - 1)]  # texts of cells ruled over several rows
    for cell in cells:
        col, row = _index(xs, cell[0]), _index(ys, cell[1])
        span = max(1, _index(xs, cell[2]) - col)
        lines = _text_lines([w for w in inside if _center_in(w, cell)])
        if not (0 <= row < len(grid) and 0 <= col < len(grid[0])):
            continue
        depth = _index(ys, cell[3]) - row
        if depth > 1 and lines and grid[row][col] is None:
            text = _join_wrapped([_line_text(line) for line in lines])
            for below in range(row + 1, min(row + depth, len(grid))):
                down[below][col] = text
        parts = _split_spanning(lines, xs[col : col + span + 1]) if span > 1 else None
        if parts is None:
            grid[row][col] = (lines, span)
        else:
            for j, part in enumerate(parts):
                grid[row][col + j] = ([part] if part else [], 1)
    rows: list[Row] = []
    for i, grid_row in enumerate(grid):
        made = _rows_of(grid_row)
        # A cell ruled over several rows ("Care-related social protections" beside four measures) names
        # each of them: its text is repeated in the rows under its first.
        for col, text in down[i].items():
            for made_row in made:
                if not made_row.cells[col]:
                    made_row.cells[col] = text
        rows.extend(made)
    rows = [r for r in rows if any(r.cells)]
    # Drop empty columns (spacers between shaded cells), narrowing the spans that crossed them.
    keep = [i for i in range(len(xs) - 1) if any(r.cells[i] for r in rows)]
    rows = [Row([r.cells[i] for i in keep], [sum(1 for j in keep if i <= j < i + r.spans[i]) for i in keep]) for r in rows]
    caption: list[str] = []
    notes: list[str] = []
    # A title set in one cell across the whole grid ("NICS Firearm Background Checks") is not the header row,
    # nor are notes in one cell under the rows.
    while len(rows) > 2 and sum(1 for c in rows[0].cells if c) == 1:
        caption.append(next(c for c in rows.pop(0).cells if c))
    while len(rows) > 2 and sum(1 for c in rows[-1].cells if c) == 1 and len(" ".join(rows[-1].cells).split()) > 12:
        notes.insert(0, next(c for c in rows.pop().cells if c))
    if len(keep) < 2 or sum(1 for r in rows if sum(1 for c in r.cells if c) >= 2) < 2:
        return None
    return Table(box, _merge_group_header(rows), caption, notes)


def _split_spanning(lines: list[list[Word]], xs: list[float]) -> list[list[Word]] | None:
    """Return a spanning cell's words split among the columns under it, or None when it truly spans them.

    A header cell ruled across six columns may hold six headers side by side ("Permit Handgun Long Gun
    ..."), and one across three a group label over three headers ("Pre-Pawn" over "Handgun Long Gun
    *Other"): each column gets its own header, after the group label.
    """
    label: list[Word] = []
    parts: list[list[Word]] = [[] for _ in range(len(xs) - 1)]
    split = False
    for line in lines:
        columns = _columns_of(line, xs)
        if columns is not None:
            split = True
            for word, column in zip(line, columns, strict=True):
                parts[column].append(word)
        elif not split:
            label.extend(line)
        else:
            return None  # a line under the headers that spans again: not a header cell
    if not split:
        return None
    return [label + part if part else [] for part in parts]


def _columns_of(line: list[Word], xs: list[float]) -> list[int] | None:
    """Return the column of each word of a line set as separate headers, or None when it reads as one text.

    Headers side by side keep clear of the column lines and stand further apart than words of one title.
    """
    columns = [max(0, min(len(xs) - 2, bisect.bisect_right(xs, (w.x0 + w.x1) / 2) - 1)) for w in line]
    if len(set(columns)) < 2:
        return None
    for word in line:
        if any(word.x0 + 1 < x < word.x1 - 1 for x in xs):
            return None
    for a, b, ca, cb in zip(line, line[1:], columns, columns[1:], strict=False):
        if ca != cb and b.x0 - a.x1 < 0.4 * a.size:
            return None
    return columns


def _axis(values: list[float]) -> list[float]:
    """Return the distinct grid lines among cell coordinates, values within the snap distance made one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(axis: list[float], value: float) -> int:
    """Return the index of the grid line nearest `value`."""
    return min(range(len(axis)), key=lambda i: abs(axis[i] - value))


def _text_lines(words: list[Word]) -> list[list[Word]]:
    """Return a cell's words as lines, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        middle = (word.top + word.bottom) / 2
        if lines and lines[-1][0].top <= middle <= lines[-1][0].bottom:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _line_text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


def _rows_of(grid_row: list[tuple[list[list[Word]], int] | None]) -> list[Row]:
    """Return the text rows one ruled row holds.

    A ruled row usually holds one table row, its long cells wrapped over several lines (joined into one
    cell). Some tables rule only every few rows (NICS: five states between rules): when three or more cells
    have the same number of lines, side by side, each line is a row of its own.
    """
    width = len(grid_row)
    spans = [c[1] if c is not None else 1 for c in grid_row]
    filled = [(i, c[0]) for i, c in enumerate(grid_row) if c is not None and c[0]]
    counts = {len(lines) for _, lines in filled}
    if len(filled) >= 3 and len(counts) == 1 and (k := counts.pop()) > 1:
        tops = [[line[0].top for line in lines] for _, lines in filled]
        if all(abs(t[j] - tops[0][j]) < 0.5 * filled[0][1][j][0].size for t in tops for j in range(k)):
            out = [Row([""] * width, list(spans)) for _ in range(k)]
            for i, lines in filled:
                for j, line in enumerate(lines):
                    out[j].cells[i] = _line_text(line)
            return out
    row = Row([""] * width, spans)
    for i, lines in filled:
        row.cells[i] = _join_wrapped([_line_text(line) for line in lines])
    return [row]


def _join_wrapped(lines: list[str]) -> str:
    """Return a wrapped cell's lines as one text, a word hyphenated at a line end kept whole."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].isalpha():
            text += line  # "Employment-" over "related": cells are set ragged, so the hyphen is the word's own
        else:
            text = f"{text} {line}" if text else line
    return text


def _merge_group_header(rows: list[Row]) -> list[list[str]]:
    """Return the rows' cells, a group header row folded into the header under it.

    "Pre-Pawn" spanning three columns over "Handgun | Long Gun | *Other" gives "Pre-Pawn Handgun | ...".
    """
    cells = [r.cells for r in rows]
    if len(rows) < 3:
        return cells
    top, below = rows[0], cells[1]
    groups = [i for i, c in enumerate(top.cells) if c and top.spans[i] > 1]
    if not groups or not all(below[i] for i in groups):
        return cells
    merged = list(below)
    for i, text in enumerate(top.cells):
        for j in range(i, i + top.spans[i]):
            if text and below[j]:
                merged[j] = f"{text} {below[j]}"
            elif text and not below[j] and top.spans[i] == 1:
                merged[j] = text  # a header cell ruled over two rows ("State / Territory") sits in the top one
    return [merged, *cells[2:]]
