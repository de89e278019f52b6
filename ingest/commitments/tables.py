"""Tables whose header says what their rows are: recommendations, actions, targets, with owner and due columns."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.commitments.types import Commitment

from .blocks import ITEM_MARKER, Block
from .cues import clean_owner, column_roles, kind_named
from .due import resolve_due

_STATUS_WORDS = (
    ("done", re.compile(r"\b(?:done|complete[d]?|achieved|finished|closed|met)\b", re.I)),
    ("overdue", re.compile(r"\b(?:delayed|overdue|late|behind)\b", re.I)),
    ("in progress", re.compile(r"\b(?:in progress|ongoing|on-going|under ?way|started|partial\w*|on track)\b", re.I)),
    ("open", re.compile(r"\b(?:open|not started|pending|planned|to do)\b", re.I)),
)


def _status_word(text: str) -> str | None:
    for status, pattern in _STATUS_WORDS:
        if pattern.search(text):
            return status
    return None


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.split("|")]


def table_records(rows: list[Block], header: list[str] | None, *, kind: str | None, section: str | None,
                  reference: str | None) -> list[Commitment]:
    """Return the records of a table's rows when its header (or its section's `kind`) says what they are."""
    if header is None:
        return []
    roles = column_roles(header)
    text_col = roles.get("text")
    if text_col is None and kind and len(header) >= 2:
        text_col = next(i for i in range(len(header)) if i not in roles.values())
    if text_col is None or not ({"owner", "due", "target"} & roles.keys() or kind):
        return []
    named = kind_named(header[text_col])
    if named:
        kind = named
    elif "target" in roles:
        kind = "target"
    kind = kind or "action"
    due_header = header[roles["target"]] if "target" in roles and "due" not in roles else None
    records = []
    for block in rows:
        if "|" not in block.text:
            continue  # a group row of the table
        row = cells(block.text)
        if len(row) <= text_col or not row[text_col]:
            continue
        text = row[text_col]
        number = row[roles["number"]] if "number" in roles and roles["number"] < len(row) else None
        if number is None and (m := ITEM_MARKER.match(text)) and (m["num"] or m["inner"]):
            number, text = (m["num"] or m["inner"]).replace(" ", "").rstrip("."), text[m.end():]
        extra = [f"{header[i]}: {row[i]}" for i in range(min(len(header), len(row)))
                 if i != text_col and i not in roles.values() or i == roles.get("target")]
        if kind == "target" and extra:
            text = f"{text} ({'; '.join(e for e in extra if e.split(': ', 1)[1])})"
        owner = clean_owner(row[roles["owner"]]) if "owner" in roles and roles["owner"] < len(row) else None
        due_text = row[roles["due"]] if "due" in roles and roles["due"] < len(row) else due_header
        if "due" not in roles and "target" in roles and roles["target"] < len(row) \
                and resolve_due(row[roles["target"]], reference=reference):
            due_text = row[roles["target"]]  # a "Target" column that holds dates is the deadline
        status = row[roles["status"]] if "status" in roles and roles["status"] < len(row) else None
        records.append(Commitment(
            document_id="", kind=kind, text=text, number=number or None, owner=owner,
            due=resolve_due(due_text, reference=reference), due_text=due_text or None, page=block.page,
            section=section, char_start=block.start, page_index=block.page_index,
            given_status=_status_word(status) if status else None,
        ))
    return records


def table_runs(blocks: list[Block]) -> Iterable[tuple[int, int]]:
    """Yield (first, end) block indexes of each run of table rows.

    A table goes on across a group row ("B. Payments" spanning every column): a short line between two runs of
    rows with as many cells is part of the table, not an item or a heading of its own.
    """
    i = 0
    while i < len(blocks):
        if blocks[i].kind == "row":
            j = _run_end(blocks, i)
            width = len(cells(blocks[i].text))
            while j + 1 < len(blocks) and _is_group_row(blocks[j]) and blocks[j + 1].kind == "row" \
                    and len(cells(blocks[j + 1].text)) == width:
                j = _run_end(blocks, j + 1)
            yield i, j
            i = j
        else:
            i += 1


def _run_end(blocks: list[Block], i: int) -> int:
    while i < len(blocks) and blocks[i].kind == "row":
        i += 1
    return i


def _is_group_row(block: Block) -> bool:
    text = block.text.strip()
    return "|" not in text and "\n" not in text and len(text.split()) <= 8 and not text.endswith((".", ":", ";"))
