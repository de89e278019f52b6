"""Table rows in passage text ("a | b | c" lines): which header row a row stands under."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.types import Chunk


def header_above(lines: Iterable[str]) -> tuple[str | None, bool]:
    """Return the header row of the table whose rows end these lines (its topmost "|" line), and whether
    the table starts among them (a line of prose stands above it, or a blank line and a table of another width) or
    may have begun earlier."""
    header = None
    gap = False
    for line in reversed(list(lines)):
        if "|" in line:
            if gap and header is not None and len(cells(line)) != len(cells(header)):
                return header, True
            header, gap = line.strip(), False
        elif line.strip():
            return header, True
        else:
            gap = header is not None
    return header, False


def row_header(chunk: Chunk, start: int) -> str | None:
    """Return the header row of the table whose row starts at `start`, from the passage or carried into it."""
    text = chunk.text
    if "|" not in text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]:
        return None
    header, starts_here = header_above(text[:start].split("\n")[:-1])
    # A table that starts inside this passage has its first row as header; one that began in an earlier
    # passage has its header carried into this one.
    return header if starts_here else chunk.table_header or header


def cells(row: str) -> list[str]:
    """Return a table row's cells ("a | b | c")."""
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _shape(cell: str) -> str:
    """Return what a cell holds: a year, another figure (a count, a date, a share), nothing, or words."""
    if not cell:
        return "empty"
    if re.fullmatch(r"(?:1[89]|20)\d\d", cell):
        return "year"
    if re.search(r"\d", cell) and re.fullmatch(r"[\d\s.,/:%()+\-–−$€£*]+", cell):
        return "figure"
    return "words"


def is_data_row(row: str, below: Iterable[str]) -> bool:
    """Return True when a table's topmost row is shaped like the rows under it, cell for cell: a row of data the
    page begins with, not a header ("12/11/2015 | Harbour Works | 76" above "12/15/2015 | Bay Bakery | 126", not "Notice
    Date | Company | Employees" above it). A header of years over figures ("Region | 2019 | 2020") is a header."""
    top = [_shape(c) for c in cells(row)]
    rows = [[_shape(c) for c in cells(line)] for line in below if "|" in line][:5]
    rows = [shape for shape in rows if len(shape) == len(top)]
    if not rows:
        return False
    filled = [i for i, s in enumerate(top) if s != "empty"]
    # Words alone tell nothing: a header and a row of words look alike.
    return any(top[i] != "words" for i in filled) and all(any(shape[i] == top[i] for shape in rows) for i in filled)
