"""Commitments read from a parsed document's structure: list items, table rows and committing sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kb.commitments.types import Commitment
from kb.types import Chunk, Page

from .blocks import ITEM_MARKER, Block, read_blocks
from .cues import (
    ASKED_TO,
    DEADLINE_STATED,
    DUE_FIELD,
    DUE_PHRASE,
    FULL_DATE,
    MEETING_RECORD,
    OWNER_FIELD,
    REPORTING_LEAD,
    SELF_LABEL,
    TARGET_ASIDE,
    clean_owner,
    column_roles,
    commits,
    firmly_commits,
    kind_named,
    looks_like_owner,
    meeting_commits,
    names_talk,
    prose_kind,
    subject_owner,
)
from .due import resolve_due
from .tables import cells, table_records, table_runs

# Bumped when the same file would give other records; `kb ingest` then reads unchanged files again.
EXTRACTOR_VERSION = "3"  # 2: a table goes on across its group rows; 3: minutes decide under any agenda item

_LETTER_KIND = {"R": "recommendation", "D": "decision", "A": "action", "T": "target"}
_LABEL_KIND = {"recommendation": "recommendation", "decision": "decision", "action": "action",
               "action point": "action", "action item": "action", "target": "target", "commitment": "target",
               "milestone": "target"}
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bNo)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)"
                           r"(?<!\bArt)(?<!\bpara)[.!?][\"')\]]?\s+(?=[A-Z(\"“])")
_CONTINUES = re.compile(r"^(?:It|They|This|These|Its|Their|He|She|The same|Both)\b|^\(|^(?:[A-Z][\w ]{0,20}):")
# A bracket that points elsewhere names no owner: "(see Annex 2)", "(Table 3)".
_REFERENCE = re.compile(r"(?:see|cf|e\.g|i\.e|page|p\.|annex|appendix|table|figure|section|para|chapter|article)\b", re.I)
# A line holding only an item's fields: "Responsible: Treasury. Deadline: 30 June 2025."
_FIELDS_ONLY = re.compile(r"^\(?(?:responsib\w*|lead(?: body| agency)?|owner|led by|deadline|due(?: date)?|timeline|"
                          r"time ?frame|by when|target date|focal point|who|when)\s*:", re.I)
@dataclass
class _Context:
    """Where the reader stands: the headings above, the last table's header."""

    stack: list[tuple[int, str]] = field(default_factory=list)
    section: str | None = None
    meeting_record: bool = False  # the document is minutes: its agenda items hold decisions and actions

    def enter(self, title: str, level: int) -> None:
        if level <= 0:  # a heading the parser did not mark: a sibling of the one above
            level = self.stack[-1][0] if self.stack else 1
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))
        self.section = title

    @property
    def talk(self) -> bool:
        """Return True under a section that only discusses ("Discussion", "Opening")."""
        return any(names_talk(title) for _, title in self.stack)

    @property
    def kind(self) -> str | None:
        """Return the kind of commitment the sections around name, unless one of them only discusses."""
        if any(names_talk(title) for _, title in self.stack):
            return None
        for _, title in reversed(self.stack):
            if kind := kind_named(title):
                return kind
        return None


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Return (offset, sentence) pairs of a run of prose."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        if text[start:end].strip():
            out.append((start, text[start:end].strip()))
        start = m.end()
    if text[start:].strip():
        out.append((start, text[start:].strip()))
    return out


def _fields(text: str, kind: str, reference: str | None, *, subject: bool = True) -> tuple[str | None, str | None, str | None]:
    """Return (owner, due, due_text) from labelled fields, else from the sentence's subject and a 'by <date>'.

    Failing those, "Circulate the draft – Secretariat – 15 March 2025": a dash- or bracket-set part that names a
    body is the owner (not of a target), and an action's one dated expression is its deadline.
    """
    owner = None
    if m := OWNER_FIELD.search(text):
        owner = clean_owner(m["value"])
    elif m := ASKED_TO.search(text):  # "The Chair asked the Secretariat to …": the Secretariat does it
        owner = clean_owner(m["who"])
    elif subject:
        owner = subject_owner(text)
    if owner is None and kind != "target":
        dashed = [p.strip() for p in re.split(r"\s[–—-]\s", text)]
        bracketed = [p.strip() for inner in re.findall(r"\(([^()]*)\)", text) for p in re.split(r"[,;]", inner)]
        candidates = dashed[1:] + (dashed[:1] if len(dashed) >= 3 else []) + bracketed
        owner = next((clean_owner(p) for p in candidates
                      if p[:1].isupper() and not _REFERENCE.match(p) and looks_like_owner(p)
                      and not FULL_DATE.search(p) and len(p.split()) <= 8), None)
    for m in DUE_FIELD.finditer(text):
        value = m["value"].strip()
        return owner, resolve_due(value, reference=reference), value
    for m in [*DUE_PHRASE.finditer(text), *DEADLINE_STATED.finditer(text)]:
        value = m["value"].strip()
        if due := resolve_due(value, reference=reference):
            return owner, due, value
    dates = [m.group(0) for m in FULL_DATE.finditer(text)]
    if kind == "action" and len(dates) == 1:
        return owner, resolve_due(dates[0], reference=reference), dates[0]
    return owner, None, None


def _record(kind: str, text: str, block: Block, offset: int, ctx: _Context, reference: str | None,
            number: str | None = None) -> Commitment:
    owner, due, due_text = _fields(text, kind, reference)
    return Commitment(
        document_id="", kind=kind, text=text, number=number, owner=owner, due=due, due_text=due_text,
        page=block.page, section=ctx.section, char_start=block.start + offset, page_index=block.page_index,
    )


def _item(block: Block, ctx: _Context, reference: str | None, lead_kind: str | None = None) -> Commitment | None:
    m = ITEM_MARKER.match(block.text)
    assert m is not None
    body = block.text[m.end():].strip()
    if len(body.split()) < 3:
        return None
    number = block.number
    if lead_kind == "" and not (OWNER_FIELD.search(body) or DUE_FIELD.search(body)):
        return None  # a point of a list of findings ("The review found:")
    kind = ctx.kind or lead_kind or None
    label = SELF_LABEL.match(body)
    if kind is None and m["wnum"]:
        kind = _LABEL_KIND.get(m["word"].split()[0].lower())
    if kind is None and label:
        kind = _LABEL_KIND.get(label["label"].lower())
    if kind is None and number and number[0] in _LETTER_KIND and (OWNER_FIELD.search(body) or DUE_FIELD.search(body)):
        kind = _LETTER_KIND[number[0]]
    if kind is None and (OWNER_FIELD.search(body) and DUE_FIELD.search(body)):
        kind = prose_kind(body, None)
    if kind is None:
        return None
    return _record(kind, body, block, m.end(), ctx, reference, number)


def _prose(block: Block, ctx: _Context, reference: str | None) -> list[Commitment]:
    """Return the committing sentences of a run of prose, each with the sentences that carry it on."""
    records: list[Commitment] = []
    open_record: Commitment | None = None
    section_kind = ctx.kind
    for offset, sentence in split_sentences(block.text):
        if sentence[:1].islower():  # the tail of a sentence cut by a page or column break: not an item's start
            open_record = None
            continue
        label = SELF_LABEL.match(sentence)
        kind: str | None = None
        if open_record is not None and _CONTINUES.match(sentence) and not label \
                and not re.match(r"It (?:was|is) (?:agreed|decided|resolved)", sentence) \
                and (commits(sentence) or sentence.startswith("(") or _FIELDS_ONLY.match(sentence)):
            open_record.text = f"{open_record.text} {sentence}"
            _refill(open_record, reference)
            continue
        if label:
            kind = _LABEL_KIND.get(label["label"].lower())
        elif TARGET_ASIDE.search(sentence):
            kind = "target"
        elif section_kind and (commits(sentence) or OWNER_FIELD.search(sentence)):
            kind = prose_kind(sentence, section_kind)
        elif ctx.meeting_record and not ctx.talk and (decided := meeting_commits(sentence)):
            kind = decided
        elif firmly_commits(sentence) and subject_owner(sentence) \
                and _fields(sentence, "action", reference)[1]:
            kind = prose_kind(sentence, None)  # "X will do Y by 30 June" anywhere is an action
        if kind is not None:
            open_record = _record(kind, sentence, block, offset, ctx, reference)
            records.append(open_record)
        else:
            open_record = None
    return records


def _refill(record: Commitment, reference: str | None) -> None:
    """Take an owner or a deadline that a continuing sentence gives, if the record still lacks it."""
    if record.owner is None or record.due is None:
        owner, due, due_text = _fields(record.text, record.kind, reference)
        record.owner = record.owner or owner
        if record.due is None:
            record.due, record.due_text = due, due_text


def _style(number: str | None) -> str:
    """Return a marker's style: "num" (1, 2.1), "code" (R5, A2), "letter" (a), "roman" (iv) or "bullet"."""
    if number is None:
        return "bullet"
    if number[:1].isdigit():
        return "num"
    if re.fullmatch(r"[ivx]+", number):
        return "roman"
    if re.fullmatch(r"[a-zA-Z]", number):
        return "letter"
    return "code"


def _is_sub_item(number: str | None, parent_style: str) -> bool:
    return parent_style in ("num", "code") and _style(number) in ("letter", "roman", "bullet")


def extract_commitments(pages: Sequence[Page], *, reference: str | None = None) -> list[Commitment]:
    """Return the recommendations, decisions, actions and targets that a document's structure holds.

    `reference` is the document's date, for deadlines that name a month without its year.
    """
    blocks = read_blocks(pages)
    tables = {first: end for first, end in table_runs(blocks)}
    ctx = _Context(meeting_record=any(b.kind == "heading" and MEETING_RECORD.search(b.text) for b in blocks[:12]))
    records: list[Commitment] = []
    last_header: list[str] | None = None
    lead_kind: str | None = None  # what a lead-in line ("The meeting agreed the following actions:") names
    from_block = -1  # the block the last record came from
    parent_style = ""  # the marker style of the last item that made a record
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind != "item" and not (block.kind == "prose" and _FIELDS_ONLY.match(block.text)):
            lead_kind = None
        if block.kind == "heading":
            named = kind_named(block.text) or names_talk(block.text)
            if block.level > 0 or named:
                ctx.enter(block.text, block.level)
            i += 1
        elif block.kind == "row":
            end = tables[i]
            first = cells(block.text)
            starts_page = i == 0 or blocks[i - 1].page_index != block.page_index
            if column_roles(first) or not (starts_page and last_header and len(last_header) == len(first)):
                header, rows = first, blocks[i + 1 : end]
            else:  # a table carried on from the page before, without its header
                header, rows = last_header, blocks[i:end]
            records.extend(table_records(list(rows), header, kind=ctx.kind, section=ctx.section, reference=reference))
            last_header = header
            i = end
        elif block.kind == "item":
            if records and from_block == i - 1 and _is_sub_item(block.number, parent_style):
                # "a) …" or "• …" under "1. …" is a point of that item, not an item of its own.
                records[-1].text = f"{records[-1].text} {block.text}"
                _refill(records[-1], reference)
                from_block = i
            elif (record := _item(block, ctx, reference, lead_kind)) is not None:
                records.append(record)
                from_block = i
                parent_style = _style(block.number)
            i += 1
        elif records and from_block == i - 1 and _FIELDS_ONLY.match(block.text):
            # "Responsible: Treasury. Deadline: Q2 2025." on a line of its own belongs to the item above it.
            record = records[-1]
            record.text = f"{record.text} {block.text}"
            owner, due, due_text = _fields(record.text, record.kind, reference)
            record.owner = record.owner or owner
            if record.due is None:
                record.due, record.due_text = due, due_text
            from_block = i
            i += 1
        else:
            found = _prose(block, ctx, reference)
            if found:
                records.extend(found)
                from_block = i
            if block.text.rstrip().endswith(":"):
                lead = kind_named(block.text)
                lead_kind = lead if lead else ("" if REPORTING_LEAD.search(block.text) else None)
            i += 1
    return records


def attach_passages(records: list[Commitment], chunks: Sequence[Chunk], pages: Sequence[Page], document_id: str) -> None:
    """Give each record its document and the passage that holds its start (the passage a citation names)."""
    numbers = [p.number for p in pages]
    for record in records:
        record.document_id = document_id
        page_number = numbers[record.page_index] if record.page_index < len(numbers) else record.page
        best: Chunk | None = None
        for chunk in chunks:
            if chunk.page == page_number and chunk.char_start <= record.char_start < chunk.char_end:
                best = chunk
                break
        if best is None:  # past the last passage's end (trailing space): the page's last passage before it
            before = [c for c in chunks if c.page == page_number and c.char_start <= record.char_start]
            best = before[-1] if before else None
        if best is not None:
            record.chunk_ordinal = best.ordinal
            record.passage = best.text
