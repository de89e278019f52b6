"""Table rows in passage text ("a | b | c" lines): which header row a row stands under."""

from __future__ import annotations

from collections.abc import Iterable

from kb.types import Chunk


def header_above(lines: Iterable[str]) -> tuple[str | None, bool]:
    """Return the header row of the table whose rows end these lines (its topmost "|" line), and whether
    the table starts among them (a line of prose stands above it) or may have begun earlier."""
    header = None
    for line in reversed(list(lines)):
        if "|" in line:
            header = line.strip()
        elif line.strip():
            return header, True
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
