"""A parsed document read as blocks: headings, list items, table rows and runs of prose, each with its place."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.types import Page

# A list item's marker: a bullet, "1.", "1)", "(a)", "R5.", "A2 ", "D1:", "Recommendation 3:".
ITEM_MARKER = re.compile(
    r"^(?P<marker>[•▪◦●*–-]\s+(?:(?P<inner>(?:[A-Z]{1,3}\s?\d{1,3}|\d{1,3}(?:\.\d{1,2})?)[.):])\s+)?"
    r"|\(?(?P<num>[A-Z]{1,3}\s?\d{1,3}|\d{1,3}(?:\.\d{1,2})?|[a-z]|[ivx]{1,4})[.):]\s+"
    r"|(?P<word>(?:Recommendation|Decision|Action(?: point| item)?|Target|Commitment)\s+(?:No\.?\s*)?"
    r"(?P<wnum>[A-Z]?\d{1,3}[a-z]?))\s*[.:–—-]\s+)",
    re.I,
)
_END_SENTENCE = re.compile(r"[.!?:;]['\")\]]?$")


@dataclass
class Block:
    """A stretch of one page's text: a heading, a list item, a table row or a run of prose lines."""

    kind: str  # "heading", "item", "row" or "prose"
    text: str  # line breaks inside the block replaced by spaces, so offsets into it are page offsets
    page_index: int
    page: int | None
    start: int  # offset in the page's text
    level: int = 0  # for headings
    number: str | None = None  # for items: the marker's number ("R5", "3"), None for a bullet


def _marker_number(m: re.Match[str]) -> str | None:
    raw = m["inner"] or m["num"] or m["wnum"]
    if raw is None:
        return None
    return raw.replace(" ", "").rstrip(".")


def _looks_like_heading(line: str, previous: str) -> bool:
    """Return True for a short line standing alone like a heading that the parser did not mark as one."""
    words = line.split()
    return (
        0 < len(words) <= 9
        and len(line) <= 70
        and not _END_SENTENCE.search(line)
        and not line.endswith(",")
        and "|" not in line
        and line[0].isupper()
        and (not previous or bool(_END_SENTENCE.search(previous)) or "|" in previous)
        and ITEM_MARKER.match(line) is None
    )


def _continues(item: str, line: str) -> bool:
    """Return True when a line carries on a list item: the item's sentence or bracket is still open."""
    return (
        not _END_SENTENCE.search(item)
        or item.count("(") > item.count(")")
        or line[0] in "(["
        or line[0].islower()
    )


def read_blocks(pages: Iterable[Page]) -> list[Block]:
    """Return every page's blocks in reading order."""
    blocks: list[Block] = []
    for index, page in enumerate(pages):
        text = page.text
        headings = {h.offset: h for h in page.headings}
        current: Block | None = None
        offset = 0
        previous = ""
        for raw in text.split("\n"):
            start, offset = offset, offset + len(raw) + 1
            line = raw.strip()
            lead = len(raw) - len(raw.lstrip())
            if not line:
                current, previous = None, ""
                continue
            heading = headings.get(start) or headings.get(start + lead)
            if heading is not None or _looks_like_heading(line, previous):
                level = heading.level if heading is not None else 0
                blocks.append(Block("heading", line, index, page.number, start + lead, level=level))
                current = None
            elif "|" in line and re.search(r"\w", line):
                blocks.append(Block("row", line, index, page.number, start + lead))
                current = None
            elif m := ITEM_MARKER.match(line):
                current = Block("item", line, index, page.number, start + lead, number=_marker_number(m))
                blocks.append(current)
            elif current is not None and (current.kind == "prose" or _continues(current.text, line)):
                # A wrapped line carries on the item or the prose above it.
                gap = start + lead - (current.start + len(current.text))
                current.text += " " * gap + line
            else:
                current = Block("prose", line, index, page.number, start + lead)
                blocks.append(current)
            previous = line
    return blocks
