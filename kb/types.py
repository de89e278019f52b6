"""Plain data types that flow through the pipeline: parsed pages, chunks, hits, answers."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.coverage import Coverage

DOC_TYPES = ("strategy", "review", "minutes", "decree", "brief", "note", "other")
# An ISO 639 code, as documents record their language ("en", "lo"); filters take the same.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class Heading:
    """A section heading that starts at `offset` in its page's text."""

    offset: int
    title: str
    level: int = 1


# A word OCR read, with its box as fractions of the page image: (text, left, top, width, height).
Word = tuple[str, float, float, float, float]


@dataclass(frozen=True)
class Page:
    """One page of a parsed document; `number` is 1-based for paged formats, None otherwise."""

    number: int | None
    text: str
    headings: tuple[Heading, ...] = ()
    ocr: bool = False
    words: tuple[Word, ...] = ()  # an OCR'd page's words with their boxes, so a viewer can box a passage on the scan


@dataclass(frozen=True)
class CoverLine:
    """One line of a title page with the size of its type, so the largest text can be told apart."""

    text: str
    size: float  # in points
    y: float = 0.0  # the baseline's height above the page's foot, in points: gaps tell blocks apart


@dataclass
class ParsedDocument:
    """What a parser returns: the pages plus whatever metadata the file itself carries."""

    pages: list[Page]
    title: str | None = None
    date: str | None = None
    warnings: list[str] = field(default_factory=list)
    # The title page's lines top to bottom with their type size, when the format tells sizes (PDF text layers).
    cover: tuple[CoverLine, ...] = ()
    # A plain-text file's opening line when it stands alone as a title ("A Quick Start for the Tool" above "1. Introduction").
    opening: str | None = None
    # The printed page labels the PDF defines (/PageLabels), by 1-based page number: {1: "i", 5: "1", ...}.
    page_labels: dict[int, str] = field(default_factory=dict)


@dataclass
class Document:
    """A document in the library, as stored."""

    id: str
    source: str
    title: str
    doc_type: str = "other"
    date: str | None = None
    language: str = "en"
    pages: int = 0
    chunks: int = 0
    sha256: str = ""
    root: str = ""
    media_type: str = ""
    visibility: str = "public"
    supersedes: str | None = None
    superseded_by: str | None = None
    ingested_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by `kb documents --json` and `GET /api/documents`."""
        return asdict(self)


@dataclass
class Chunk:
    """A passage to embed and retrieve, carrying everything needed to cite it."""

    document_id: str
    ordinal: int
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    ocr: bool = False
    language: str = "en"
    id: int | None = None
    table_header: str | None = None  # the header row of a table this passage continues without it
    # The numbered headings its section is under ("3.1 Tariff Reforms in Town A" above "3.1.1 Background and
    # Context"): a report's case studies repeat their subsections' titles, and only this tells them apart.
    parent: str | None = None


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the legs' own scores."""

    chunk: Chunk
    document: Document
    score: float
    dense: float | None = None
    keyword: float | None = None
    multilingual: float | None = None
    # Ranked among the best but kept out of the top k by the per-document cap: the answer may quote it,
    # and it is shown only when quoted.
    held_back: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by `kb search --json` and `GET /api/search`."""
        return {
            "document_id": self.document.id,
            "title": self.document.title,
            "source": self.document.source,
            "doc_type": self.document.doc_type,
            "page": self.chunk.page,
            "section": self.chunk.section,
            "text": self.chunk.text,
            "score": round(self.score, 6),
            "dense_score": None if self.dense is None else round(self.dense, 6),
            "keyword_score": None if self.keyword is None else round(self.keyword, 6),
            "multilingual_score": None if self.multilingual is None else round(self.multilingual, 6),
            "chunk_id": self.chunk.id,
            "ocr": self.chunk.ocr,
            "parent": self.chunk.parent,  # the numbered headings above the section, " › " between them
        }


@dataclass
class Citation:
    """A numbered passage that the answer cites (or, when abstaining, a related passage)."""

    n: int
    hit: Hit
    highlights: list[tuple[int, int]] = field(default_factory=list)
    url: str | None = None  # the passage's lasting link (kb/citing.py), from its document and text, not row ids
    reference: str | None = None  # the citation to paste: "Title, § 3.2, p. 22"
    commitment: dict[str, Any] | None = None  # the tracked record the quote is (kb/commitments/answers.py)

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's citation object, plus extra fields other tools may ignore."""
        doc, chunk = self.hit.document, self.hit.chunk
        return {
            "n": self.n,
            "document_id": doc.id,
            "title": doc.title,
            "source": doc.source,
            "doc_type": doc.doc_type,
            "page": chunk.page,
            "section": chunk.section,
            "text": chunk.text,
            "score": round(self.hit.score, 6),
            "date": doc.date,
            "chunk_id": chunk.id,
            "ocr": chunk.ocr,
            "parent": chunk.parent,  # the numbered headings above the section, " › " between them
            "superseded": doc.superseded_by is not None,
            "highlights": [list(span) for span in self.highlights],
            "url": self.url,
            "reference": self.reference,
            "commitment": self.commitment,
        }


@dataclass
class Answer:
    """An extractive answer: sentences with [n] markers, and the passages they cite."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    related: list[Citation] = field(default_factory=list)
    # Why an abstention refused, when it can say ("No passage mentions Atlantis."); also in `answer`.
    reason: str | None = None
    coverage: Coverage | None = None  # what was searched (kb/coverage.py)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract shared by `kb ask --json` and `POST /api/ask`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "related": [c.to_dict() for c in self.related],
            "reason": self.reason,
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
        }


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents a search may return."""

    doc_types: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    languages: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # document ids
    chunks: tuple[int, ...] = ()  # chunk ids: only these passages (the reader's own look at a document's front matter)

    def allows(self, doc: Document) -> bool:
        """Return True when `doc` passes every filter that is set."""
        if self.documents and doc.id not in self.documents:
            return False
        if self.doc_types and doc.doc_type not in self.doc_types:
            return False
        if self.languages and doc.language not in self.languages:
            return False
        # A document dated only "2020" (or "2020-04") may fall on or after "2020-03-01": compare what it gives.
        if self.date_from and (doc.date is None or doc.date < self.date_from[: len(doc.date)]):
            return False
        if self.date_to and (doc.date is None or doc.date[: len(self.date_to)] > self.date_to):
            return False
        return True

    @property
    def active(self) -> bool:
        """Return True when any filter is set."""
        return bool(self.doc_types or self.date_from or self.date_to or self.languages or self.documents or self.chunks)


@dataclass(frozen=True)
class LibraryStats:
    """Counts shown on every page and by the health check."""

    documents: int
    chunks: int
    last_updated: str | None
