"""The API's response models: what `POST /api/ask` returns, field by field, for the OpenAPI schema.

The bodies are `Answer.to_dict()`; these models document them (and pass through keys added later).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CitationOut(BaseModel):
    """A numbered passage the answer cites (or, in `related`, a passage shown as related reading)."""

    model_config = ConfigDict(extra="allow")

    n: int = Field(description="The number the answer's [n] markers use")
    document_id: str = Field(description="The document's id: stable across re-ingests of the same file")
    title: str
    source: str = Field(description="The file's path relative to the folder it was ingested from")
    doc_type: str
    page: int | None = Field(description="The 1-based PDF page; null for formats without pages")
    section: str | None = Field(description="The heading of the section the passage is in")
    text: str = Field(description="The passage")
    score: float
    date: str | None = None
    chunk_id: int | None = Field(default=None, description="The passage's row id: changes on re-ingest, do not link to it")
    ocr: bool = False
    superseded: bool = Field(default=False, description="A newer document replaces this one")
    highlights: list[list[int]] = Field(default_factory=list, description="[start, end) character spans of `text` quoted")
    url: str | None = Field(
        default=None,
        description="The passage's lasting link, relative to the server: /documents/{document_id}/passages/{key}, where "
        "key hashes the passage's normalised text. It opens the document at the passage, highlighted (a PDF at its page); "
        "it survives re-ingests, and when the passage changed or its document was superseded or removed it says so and "
        "shows the nearest passage of the current version.",
        examples=["/documents/strategy-2020-1a2b3c4d/passages/0f1e2d3c4b5a6978"],
    )
    reference: str | None = Field(
        default=None,
        description="The citation to paste: the document's title, the section's number (or heading) and the printed "
        "page label where the PDF defines one (/PageLabels), else the page number",
        examples=["National Strategy, § 3.2, p. 22"],
    )
    commitment: dict[str, Any] | None = Field(
        default=None,
        description="When the quoted text is an item the commitments tracker holds (a recommendation, decision, action "
        "or target): its id, kind, number, owner, due (ISO), due_text, status (open, in progress, done, overdue), "
        "status_by_hand, done_in (the later document that says it was done) and url (the tracker filtered to it)",
    )


class CoverageOut(BaseModel):
    """What the question searched, so a reader knows what an answer (or 'not found') covers."""

    model_config = ConfigDict(extra="allow")

    documents: int = Field(description="How many documents the question searched (those the filters allow)")
    library_documents: int = Field(description="How many documents the library holds")
    kinds: dict[str, int] = Field(description="Document type -> count, among those searched")
    formats: dict[str, int] = Field(description="File format -> count (PDF, Word, HTML, Markdown, text, image)")
    languages: dict[str, int] = Field(description="Language code -> count")
    filters: dict[str, object] = Field(description="The filters in force: doc_types, languages, date_from, date_to")
    as_of: str | None = Field(description="The latest document date among the documents searched")
    as_of_basis: str = Field(description="What `as_of` is")
    last_ingest: str | None = Field(description="When a document searched was last ingested (UTC)")


class AnswerOut(BaseModel):
    """An extractive answer with its citations, or an abstention with related passages."""

    model_config = ConfigDict(extra="allow")

    question: str
    answer: str = Field(description="Quoted sentences with [n] markers, or the abstention message")
    abstained: bool
    citations: list[CitationOut]
    related: list[CitationOut] = Field(default_factory=list, description="Passages shown as related reading, not as an answer")
    reason: str | None = Field(default=None, description="Why an abstention refused, when it can say")
    coverage: CoverageOut | None = Field(default=None, description="What was searched, and the library's 'as of' date")
