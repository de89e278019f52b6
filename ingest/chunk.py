"""Split parsed pages into passages sized in the embedding model's tokens, keeping provenance."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kb.lexical import detect_language
from kb.tables import cells, header_above, is_data_row, row_header
from kb.types import Chunk, Page

# Bumped when the passages or their indexed text change for the same file; `kb ingest` then re-chunks
# unchanged files too (their unchanged passages keep their cached embeddings).
# 2: a table's header row rides with passages that continue it; contents lines are not indexed.
# 3: an unnumbered "Annex: ..." line starts a section (parser), so its passages are cited under it.
# 4: OCR reads a noisy page again through a median filter and keeps the surer reading (parser).
# 5: each table row gets a vector of its own, beside its passage's (`row_texts`).
# 6: a PDF table cell that wraps above or below its row, under another column, is joined into it (parser).
# 7: a numbered heading with a comma ("2 Vision, goal and guiding principles") is a heading, not a footnote.
# 8: PDF pages read in layout order (columns, blocks, ruled tables as rows) with pypdfium2 (parser).
# 9: a paragraph is cut between sentences before its line breaks: a narrow column's lines end mid-sentence.
# 10: a piece with almost no words (an index page's numbers, a contents line, a lone heading) is no passage.
# 11: a plain-text file's opening line, standing alone, is its title (parser), which every passage's vector carries.
# 12: running heads that alternate or run over one chapter, and a stamp's fields, are dropped; a caption, a chart's
#     labels and a footnote head no section; a label heading ("FOUR", "Section 2") takes its title; a raised ordinal
#     joins its number ("10th"), a raised note number is cut from the text it opens (parser).
# 13: a number that a wrapped sentence puts at a line's start opens no item; a title in capitals broken over lines is
#     one heading; a numbered line that ends on "than", "for", "with" … runs on and heads no section (parser).
# 14: a table row is never cut at a full stop inside it ("Co. | Port Town"); a table running on from the page before
#     under no header of its own carries that page's header row.
# 15: a footnote mark set between a title's lines no longer cuts the title (metadata), which every passage carries.
# 16: a letter set raised or lowered and kerned back into the word before it joins it ("LaTeX", a vowel sign); an
#     accent drawn as a glyph of its own goes on its letter ("Genève") (parser).
CHUNKER_VERSION = "16"

# Paragraphs first, then before a list item or numbered item ("R4. ", "2.1 ", "• "), then between sentences,
# then any line (table rows, which have no sentence ends), then words: a recommendation is not cut in the middle
# if it fits, and a passage of prose neither starts nor ends inside a sentence that a column's line breaks wrap.
# A number with no stop after it opens an item before a capital ("2.1 Health"), else only where the line above
# does not run on: "The rate among women was\n50 per cent higher" is one sentence, and a passage that began at
# "50" had lost what the figure is of.
SEPARATORS = [
    r"\n\n",
    r"\n(?=(?:[A-Z]\d{1,2}|\d{1,2}(?:\.\d{1,2})*)[.):]\s)"
    r"|\n(?=(?:[A-Z]\d{1,2}|\d{1,2}(?:\.\d{1,2})*)\s+[A-Z])|(?<![a-z,])\n(?=(?:[A-Z]\d{1,2}|\d{1,2}(?:\.\d{1,2})*)\s)",
    r"\n(?=[•▪*-]\s)",
    r"(?<=[.!?])\s+(?![^\n]*\s\|\s)",  # not inside a table row: "Harbour Works, Inc. | Port Town | 40"
    r"\n",
    r"(?<=[;,])\s+",
    r"\s+",
    "",
]


@dataclass(frozen=True)
class Segment:
    """A stretch of one page under one section heading (and the numbered headings above that one)."""

    page: Page
    start: int
    end: int
    section: str | None
    parent: str | None = None


_DOTTED = re.compile(r"(\d{1,2}(?:\.\d{1,2})*)\.?\s")


class _Numbered:
    """The numbered headings open at a point of a document: "3" and "3.1" while "3.1.1" is read."""

    def __init__(self) -> None:
        self.open: dict[str, str] = {}

    def enter(self, title: str) -> str | None:
        """Return the titles of the open headings above a new section heading, and open it if it is numbered."""
        match = _DOTTED.match(title + " ")
        if match is None:
            return None  # an unnumbered heading may be a chapter's or a box's: what it is under is not known
        number = match.group(1)
        self.open = {n: t for n, t in self.open.items() if number.startswith(n + ".")}
        parent = " › ".join(t for _, t in sorted(self.open.items(), key=lambda x: x[0].count("."))) or None
        self.open[number] = title
        return parent


def segment_pages(pages: Iterable[Page]) -> list[Segment]:
    """Cut pages at their headings; a section carries on across page breaks until the next heading."""
    segments: list[Segment] = []
    section: str | None = None
    parent: str | None = None
    numbered = _Numbered()
    for page in pages:
        cuts = sorted({h.offset: h.title for h in page.headings if 0 <= h.offset < len(page.text)}.items())
        start = 0
        for offset, title in cuts:
            if offset > start:
                segments.append(Segment(page, start, offset, section, parent))
            start, section, parent = offset, title, numbered.enter(title)
        segments.append(Segment(page, start, len(page.text), section, parent))
    segments = [s for s in segments if s.page.text[s.start : s.end].strip()]
    # A heading with no body of its own ("2 Progress" right above "2.1 Health") joins the next segment.
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.page is seg.page
            and prev.end == seg.start
            and " ".join(seg.page.text[prev.start : prev.end].split()) == " ".join((prev.section or "").split())
        ):
            merged[-1] = Segment(seg.page, prev.start, seg.end, seg.section, seg.parent)
        else:
            merged.append(seg)
    return merged


def chunk_pages(
    pages: Iterable[Page],
    *,
    document_id: str,
    count_tokens: Callable[[str], int],
    size: int,
    overlap: int,
) -> list[Chunk]:
    """Return chunks of at most `size` tokens with `overlap`, never crossing a page or a section."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2),
        length_function=count_tokens,
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    pages = list(pages)
    carried = carried_headers(pages)
    for seg in segment_pages(pages):
        body = seg.page.text[seg.start : seg.end]
        first_of_segment = len(chunks)
        for piece in splitter.create_documents([body]):
            text = piece.page_content
            start = seg.start + int(piece.metadata.get("start_index", 0))
            if start < 0 or seg.page.text[start : start + len(text)] != text:
                found = seg.page.text.find(text, seg.start)
                start = found if found >= 0 else seg.start
            if not text.strip():
                continue
            chunks.append(
                Chunk(
                    document_id=document_id,
                    ordinal=len(chunks),
                    text=text,
                    page=seg.page.number,
                    section=seg.section,
                    parent=seg.parent,
                    char_start=start,
                    char_end=start + len(text),
                    ocr=seg.page.ocr,
                    language=detect_language(text),
                )
            )
        _absorb_stub(chunks, first_of_segment, seg.page.text, count_tokens, size)
        for chunk in chunks[first_of_segment:]:
            before = seg.page.text[seg.start : chunk.char_start]
            from_top = not seg.page.text[: seg.start].strip()
            chunk.table_header = table_header(before, chunk.text, carried.get(id(seg.page)) if from_top else None)
    kept = [c for c in chunks if has_words(c.text)]
    for i, chunk in enumerate(kept):
        chunk.ordinal = i
    return kept


_WORD = re.compile(r"[^\W\d_]{2,}")


def has_words(text: str) -> bool:
    """Return True when a piece holds something to find or quote: two words, or twenty letters (Lao writes no spaces).

    A back-of-book index page comes out as pieces like "71 69 70" or ". . . 35 U", a contents page as one piece per
    line; as passages they answered nothing, and on a manual with a long index they were a third of the library,
    each carrying its document's title into the keyword index, so the title's words no longer told documents apart.
    """
    return len(_WORD.findall(text)) >= 2 or sum(ch.isalpha() for ch in text) >= 20


def table_header(before: str, text: str, carried: str | None = None) -> str | None:
    """Return the header row of the table a passage continues, when the passage starts mid-table.

    A row such as "Children reached by school meals | 140,000 | 185,000" means nothing without
    "Indicator | Baseline 2020 | 2023 | 2025 target" above it. `carried` is the header of a table that runs on from
    the page before, for a passage on a page that begins with that table's rows (no prose above them).
    """
    first = next((line for line in text.split("\n") if line.strip()), "")
    if "|" not in first:
        return None
    header, starts_here = header_above([*before.split("\n"), first])
    if carried and not starts_here:
        return carried
    return None if header == first.strip() else header  # the table starts in the passage, its header with it


def carried_headers(pages: list[Page]) -> dict[int, str]:
    """Return, by page (its `id`), the header row of a table that runs on from the page before: the page begins with a
    row as wide as the one that ended that page, and the table had a header there (its own or carried in turn).

    A table of notices may run over many pages under one header on the first; without it, each later page's
    first row of data was taken for the header of the rows under it.
    """
    carried: dict[int, str] = {}
    open_header: str | None = None  # the header of the table that ended the page before, if one did
    width = 0
    for page in pages:
        text = page.text.strip()
        if not text:
            continue
        lines = [line.strip() for line in text.split("\n")]
        if open_header and "|" in lines[0] and len(cells(lines[0])) == width and is_data_row(lines[0], lines[1:]):
            carried[id(page)] = open_header
        header, starts_here = header_above(lines)
        width = len(cells(lines[-1])) if "|" in lines[-1] else 0
        if not width or header is None:
            open_header = None
        elif not starts_here and id(page) in carried:
            open_header = carried[id(page)]
        else:
            top = max(i for i, line in enumerate(lines) if line == header)
            open_header = None if is_data_row(header, lines[top + 1 :]) else header
    return carried


def _absorb_stub(chunks: list[Chunk], first: int, page_text: str, count_tokens: Callable[[str], int], size: int) -> None:
    """Join a segment's tiny opening piece (usually its heading line alone) onto the piece after it."""
    if len(chunks) - first < 2:
        return
    stub, nxt = chunks[first], chunks[first + 1]
    if count_tokens(stub.text) > max(8, size // 8):
        return
    text = page_text[stub.char_start : nxt.char_end]
    chunks[first + 1] = Chunk(**{**nxt.__dict__, "text": text, "char_start": stub.char_start})
    del chunks[first]
    for i in range(first, len(chunks)):
        chunks[i].ordinal = i


# A table-of-contents line: "• 3 Pillar 1: Health insurance .......... 4".
_CONTENTS_LINE = re.compile(r"^.*\S(?:\s*\.{4,}|\s*…{2,})\s*\d{1,4}\s*$")


def embedding_text(title: str, chunk: Chunk) -> str:
    """Return the text that is embedded and indexed: the passage led by its title and section.

    Not the numbered headings above the section (`Chunk.parent`): led by them, a case study's passages all drew its
    questions alike, and the one with the figure fell out of those read (opened report rounds 17–27, the reader
    trained without them: passages cited by retrieval alone up, answers down).

    Table-of-contents lines are left out: they name every section of the document, so they drew
    questions about any of them to the contents page, which answers none.
    """
    head = title if not chunk.section or chunk.section == title else f"{title} — {chunk.section}"
    if chunk.table_header:
        head = f"{head}\n{chunk.table_header}"
    body = "\n".join(line for line in chunk.text.split("\n") if not _CONTENTS_LINE.match(line))
    return f"{head}\n{body}"


def row_texts(chunk: Chunk) -> list[str]:
    """Return each table row of a passage under its table's header row, to be embedded on its own.

    A passage of eight indicator rows has one vector that is about all of them and none in
    particular; "how many children got school lunches in 2023" finds the row "Children reached by
    school meals | 140,000 | 185,000 | 200,000" under "Indicator | Baseline 2020 | 2023 | 2025 target".
    """
    rows = []
    start = 0
    for line in chunk.text.split("\n"):
        row = line.strip()
        header = row_header(chunk, start) if "|" in row and re.search(r"[^\W_]", row) else None
        if header and header != row:
            rows.append(f"{header}\n{row}")
        start += len(line) + 1
    return rows
