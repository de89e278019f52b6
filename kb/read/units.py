"""Answer units: the pieces of a passage an answer may quote.

A unit is the whole structural piece that holds an answer, not a line: a sentence of prose; a table row under
its header; a numbered or bulleted item with its wrapped lines and the "Lead: …", "Deadline: …" lines that
follow it; a short paragraph followed by such lines (a recommendation or action item written as a record); a
record's own field line ("Venue: …") in a header block. A bare "Deadline: …" line is never a unit of its own
when something stands above it to belong to; at the very start of a passage (its item was cut off into the
previous passage) it is no unit at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from kb.lexical import STOPWORDS
from kb.tables import row_header
from kb.types import Chunk

# Inside a paragraph a sentence ends at . ! ? (or the Lao ellipsis-stop) before a space and a capital.
_SENTENCE_END = re.compile(
    r"(?<![A-Z][0-9]\.)(?<![A-Z][0-9][0-9]\.)(?<!\b[0-9]\.)(?<!\b[0-9][0-9]\.)"
    r"(?<=[.!?\u0eaf])\s+(?=[\"'(\[]?[A-Z0-9\u0e80-\u0eff])"
)
# "Order No. 12/HB", "Art. 5", "e.g. the province": a full stop that does not end the sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:No|Nos|Art|Arts|para|paras|Fig|Vol|pp|p|cf|Ref|Mr|Mrs|Ms|Dr|St|vs|approx|Dept|Govt|etc|al|v|vol|ed|eds)|\be\.g|\bi\.e)\.$"
)
# A capital's initial ("Ann B. Writer", "J. D. Smith"): its full stop ends no sentence when a name goes on after it.
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]\.$")
_NEXT_WORD = re.compile(r"[\"'(\[]?([A-Z][\w’'-]*)")
# A line that starts an item: a bullet, "1.", "1)", "(a)", "2.1 ", "R5.", "A2:".
_ITEM = re.compile(r"^\s*(?:[-•*▪◦‣]\s|\(?[0-9]{1,2}[.)]\s|\([a-z]\)\s|[0-9]+(?:\.[0-9]+)+\s|[A-Z]{1,2}[0-9]{1,2}[.:)]?\s|#)")
# A record's field: a short label and its value ("Deadline: 31 December 2024", "Responsible: MoF").
_FIELD = re.compile(r"^\s*[A-Z][\w’'/&()-]*(?: [\w’'/&()-]+){0,3}: +\S")
# A sentence ends inside a line: two lower-case letters, a stop, a space and a capital ("children. The").
_PROSE_STOP = re.compile(r"[a-z]{2}[.!?] +[A-Z]")
# A caption: "Table A1. Costs by year", "FIGURE 3.3 Incidence: …", "Box 2: …" names a table or figure; it answers
# nothing ("Table 2 shows that …" is a sentence, not a caption).
_CAPTION = re.compile(
    r"^(?i:table|figure|fig\.|box|chart|graph|map|exhibit|annex table)\s+[A-Z]?\d+(?:\.\d+)*[a-z]?(?:[.:,–-]|\s+[A-Z])")
# A closing bracket before any opening one, after a word: the piece began inside a bracket ("AOA event), the …").
_CLOSED_BEFORE_OPENED = re.compile(r"^[^(\[]*\w\w[)\]]")
# A line that ends on one of these words goes on in the next, whatever starts it: "… among women was" / "50 per
# cent higher …" is one sentence, not a heading over a figure.
_RUNS_ON = re.compile(r"\b(?:a|an|the|of|to|in|and|or|for|with|by|at|on|from|as|than|that|which|is|are|was|were)$")
_TERMINAL = re.compile(r"[.!?:;)\]\"'\u0eaf]$")
# A line that ends in a dot leader, with at most a page number after it.
_LEADER_END = re.compile(r"(?:\.\s?){4,}\s*\d{0,4}\s*$|…{2,}\s*\d{0,4}\s*$")
# Longer than this, an item or record is quoted by its sentences (each still carrying the record's fields).
MAX_UNIT_WORDS = 100


@dataclass(frozen=True)
class Unit:
    """A quotable piece of one passage: its main span and the spans that ride with it (a record's fields)."""

    hit: int  # index of the passage among those read
    start: int
    end: int
    kind: str  # "sentence", "item", "record", "row", "field"
    position: int  # order of the unit in its passage
    extras: tuple[tuple[int, int], ...] = field(default=())

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Return every span the unit quotes, in passage order."""
        return ((self.start, self.end), *self.extras)

    def text(self, chunk: Chunk) -> str:
        """Return the unit as one line of text (its fields after it; a byline's lines apart)."""
        return (" · " if self.kind == "byline" else " ").join(_clean(chunk.text[s:e]) for s, e in self.spans)

    def context(self, chunk: Chunk) -> str:
        """Return the text a unit is judged by: a table row under its header row."""
        header = row_header(chunk, self.start) if self.kind == "row" else None
        return f"{header}\n{self.text(chunk)}" if header else self.text(chunk)

    def quote(self, chunk: Chunk) -> str:
        """Return the unit as quoted in an answer; a table row names its table's columns."""
        header = row_header(chunk, self.start) if self.kind == "row" else None
        return f"{self.text(chunk)} (columns: {_clean(header)})" if header else self.text(chunk)


@dataclass
class _Block:
    kind: str  # "paragraph", "item", "row", "field"
    lines: list[tuple[int, int]]
    fields: list[tuple[int, int]]


def _short(line: str) -> bool:
    """Return True for a line short enough to be a heading rather than a wrapped line of prose (Lao: by length)."""
    return len(line.split()) <= 8 and len(line.strip()) <= 60


def _blocks(text: str, heading: str = "") -> list[_Block]:
    """Return the passage's blocks: paragraphs, items, table rows and field lines, with the fields they carry.

    `heading` is the passage's section heading: a line that is it ends its block, whatever word it ends on ("1.2
    Where we start from" does not run on into the paragraph under it), unless the next line goes on in lower case (a
    sentence's first line taken for a heading)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    prev = ""
    pos = 0
    for line in text.split("\n"):
        span = (pos, pos + len(line))
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            current, prev = None, ""
            continue
        if "|" in stripped:
            blocks.append(_Block("row", [span], []))
            current, prev = None, stripped
            continue
        if _FIELD.match(line) and not _open_bracket(text, current):
            if current is not None and current.kind in ("paragraph", "item", "record"):
                current.fields.append(span)  # "Deadline: …" under the item or paragraph it closes
            else:
                blocks.append(_Block("field", [span], []))
                current = blocks[-1] if current is None or current.kind == "field" else None
            prev = stripped
            continue
        starts = (
            current is None
            or current.kind in ("row", "field")
            or bool(current.fields)
            or _ITEM.match(line) is not None
            # A short line without a full stop is a heading when a capital, a digit or a bullet starts the next line; a
            # narrow column's line that wraps a sentence goes on in lower case, and one that holds a sentence's end
            # ("…many children. The Labour" / "Code of …") is prose, whatever case the next line starts with, and so
            # is one that starts in lower case ("of activations to one per high" / "AOA event, and …").
            or (
                not _TERMINAL.search(prev) and _short(prev) and not stripped[:1].islower()
                and not _PROSE_STOP.search(prev) and not prev[:1].islower() and not _RUNS_ON.search(prev)
            )
            or (bool(heading) and " ".join(prev.split()) == heading and not stripped[:1].islower())
            # An item's sentence ended at the line end and a capital starts the next: the paragraph after a list.
            or (
                current.kind == "item" and prev.endswith((".", "!", "?")) and stripped[:1].isupper()
                and not _open_bracket(text, current)
            )
        )
        if starts:
            current = _Block("item" if _ITEM.match(line) else "paragraph", [span], [])
            blocks.append(current)
        else:
            assert current is not None
            current.lines.append(span)
        prev = stripped
    return blocks


def _open_bracket(text: str, block: _Block | None) -> bool:
    """Return True when the block has an unclosed bracket: "(Responsible: X.\\nDeadline: Y.)" wraps inside it."""
    if block is None or not block.lines:
        return False
    start, end = block.lines[0][0], max(block.lines[-1][1], block.fields[-1][1] if block.fields else 0)
    return text.count("(", start, end) > text.count(")", start, end)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the spans of the sentences in text[start:end], whitespace trimmed; a bracketed aside stays whole."""
    piece = text[start:end]
    bounds = [
        (start + m.start(), start + m.end())
        for m in _SENTENCE_END.finditer(piece)
        if piece.count("(", 0, m.start()) <= piece.count(")", 0, m.start()) and not _ABBREVIATION.search(piece, 0, m.start())
        and not _names_on(piece, m.start(), m.end())
    ]
    out = []
    s = start
    for b_start, b_end in [*bounds, (end, end)]:
        out.append(_trim(text, s, b_start))
        s = b_end
    return [(a, b) for a, b in out if b - a >= 3]


def _names_on(piece: str, stop: int, after: int) -> bool:
    """Return True when the full stop before `stop` is a name's initial and the name goes on at `after` ("B. Writer",
    not "Annex A. The")."""
    if not _INITIAL.search(piece, 0, stop):
        return False
    word = _NEXT_WORD.match(piece, after)
    return word is not None and word.group(1).lower() not in STOPWORDS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_aside(text: str) -> bool:
    """Return True for a bracketed aside such as "(Responsible: the Treasury. Deadline: 2024.)"."""
    return text.startswith("(") and text.rstrip().endswith((")", ".)"))


def passage_units(chunk: Chunk, hit: int = 0, *, bylines: bool = False) -> list[Unit]:
    """Return the answer units of a passage, in reading order; with `bylines`, its runs of short lines too."""
    units = _units(chunk, hit)
    return with_bylines(chunk, units, hit) if bylines else units


def with_bylines(chunk: Chunk, units: list[Unit], hit: int) -> list[Unit]:
    """Return the units with each run of short lines no unit quotes as one unit more, in passage order.

    A title block's authors and date, an imprint, a sign-off ("A. Writer <a@example.org>" / "13 October 2014") are
    lines no sentence holds: a question on who wrote or signed a text, or when, is answered by them.
    """
    text = chunk.text
    # A field line ("Prepared by: …", "Status: …") is a unit of its own and may be part of a run as well: a front
    # matter's block of fields, quoted whole, answers who made the text and when at once.
    covered = [span for u in units if u.kind != "field" for span in u.spans]
    runs: list[list[tuple[int, int]]] = []
    pos, broken = 0, True
    for line in text.split("\n"):
        s, e = _trim(text, pos, pos + len(line))
        pos += len(line) + 1
        if s == e:
            continue  # a blank line: a title block's lines are often set apart
        words = text[s:e].split()
        free = (
            len(words) <= 12 and "|" not in line and not _LEADER_END.search(text[s:e])
            and not _is_section_heading(text[s:e], chunk)
            and not any(a < e and s < b for a, b in covered)
        )
        if free and broken:
            runs.append([])
        if free:
            runs[-1].append((s, e))
        broken = not free
    found = [Unit(hit, run[0][0], run[0][1], "byline", 0, tuple(run[1:])) for run in runs]
    ordered = sorted([*units, *found], key=lambda u: u.start)
    return [replace(u, position=i) for i, u in enumerate(ordered)]


def _units(chunk: Chunk, hit: int) -> list[Unit]:
    """Return the answer units of a passage, in reading order."""
    text = chunk.text
    units: list[Unit] = []
    blocks = _blocks(text, " ".join((chunk.section or "").split()))
    for index, block in enumerate(blocks):
        start, end = block.lines[0][0], block.lines[-1][1]
        fields = tuple(block.fields)
        if block.kind == "row":
            s, e = _trim(text, start, end)
            cells = [cell.strip() for cell in text[s:e].split("|")]
            if len(cells) >= 3 and sum(bool(cell) for cell in cells) < 2:
                continue  # a group's label row ("Scenario 1 | | |"): nothing to quote
            if not _is_header_row(chunk, (s, e), blocks[index + 1 : index + 2]):
                units.append(Unit(hit, s, e, "row", len(units)))
        elif block.kind == "field":
            span = _trim(text, start, end)
            if (index > 0 or not _continues(chunk)) and not _is_section_heading(text[span[0] : span[1]], chunk):
                units.append(Unit(hit, *span, "field", len(units)))
        else:
            words = len(text[start : (fields[-1][1] if fields else end)].split())
            if (block.kind == "item" or fields) and words <= MAX_UNIT_WORDS:
                if not fields and not _is_quotable(text[start:end], chunk, first=False, heading_words=6):
                    continue  # a numbered heading ("5. Action items")
                kind = "item" if block.kind == "item" else "record"
                units.append(Unit(hit, *_trim(text, start, end), kind, len(units), fields))
                continue
            sentences = split_sentences(text, start, end)
            # A bracketed aside ("(Responsible: the Treasury. Deadline: 2024.)") rides with the sentence before it.
            merged: list[tuple[tuple[int, int], tuple[tuple[int, int], ...]]] = []
            for s, e in sentences:
                if merged and _is_aside(text[s:e]):
                    main, extra = merged[-1]
                    merged[-1] = (main, (*extra, (s, e)))
                else:
                    merged.append(((s, e), ()))
            for (s, e), extra in merged:
                last = index == len(blocks) - 1 and (s, e) == sentences[-1]
                if _is_quotable(text[s:e], chunk, first=(s, e) == sentences[0] and index == 0, last=last):
                    units.append(Unit(hit, s, e, "sentence", len(units), extra + fields))
    return units


def _is_header_row(chunk: Chunk, span: tuple[int, int], following: list[_Block]) -> bool:
    """Return True for a table's header row: the row the next row stands under, or the row it is carried as."""
    line = chunk.text[span[0] : span[1]].strip()
    if chunk.table_header and line == chunk.table_header.strip():
        return True
    if row_header(chunk, span[0]) == line:
        return True
    return bool(following) and following[0].kind == "row" and row_header(chunk, following[0].lines[0][0]) == line


def _continues(chunk: Chunk) -> bool:
    """Return True when the passage begins inside something the previous passage started (its overlap)."""
    return chunk.ordinal > 0


def _is_section_heading(line: str, chunk: Chunk) -> bool:
    """Return True for the passage's section heading, whatever it looks like ("Memo: Moving the archive" reads as a field):
    it names what the passage is about and answers nothing."""
    section = chunk.section or ""
    return bool(section) and " ".join(line.split()) == " ".join(section.split())


def _is_quotable(sentence: str, chunk: Chunk, *, first: bool, last: bool = False, heading_words: int = 3) -> bool:
    """Return False for a heading, or a sentence cut off by the passage's start or end."""
    words = sentence.split()
    if _is_section_heading(sentence, chunk):
        return False
    if first and chunk.ordinal > 0 and sentence[:1].islower():
        return False  # the tail of a sentence that began in the previous passage
    if _CAPTION.match(sentence.lstrip()) and len(words) <= 20:
        return False  # a caption names a table or figure; it answers nothing (a longer piece holds a sentence too)
    if _LEADER_END.search(sentence):
        return False  # a contents line or a form's label and its dot leader, the value cut off or never there
    if len(words) >= 6 and len({w.casefold() for w in words}) * 3 <= len(words):
        return False  # a run of the same few words (a table's column of labels read as a line): no sentence
    if _CLOSED_BEFORE_OPENED.match(sentence):
        return False  # the tail of a bracket opened before the piece begins ("event), the software would …")
    ends = bool(_TERMINAL.search(sentence.strip()))
    if not ends and sentence.isupper() and not any(c.isdigit() for c in sentence):
        return False  # a title in capitals ("UKRAINE HOUSING AND UTILITY SUBSIDY") heads text; it answers nothing
    if not ends and last:
        return False  # a sentence the passage's end cuts off (the next passage, which overlaps, holds it whole)
    return len(words) > heading_words or (ends and len(words) >= 2)


def _clean(text: str) -> str:
    """Collapse whitespace so a piece reads as one line."""
    return re.sub(r"\s+", " ", text).strip()
