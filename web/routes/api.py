"""The JSON API: ask, search, list documents, health. Bodies follow the `to_dict()` contracts in kb.types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kb.passage_keys import passage_key, passage_path
from kb.types import DOC_TYPES
from web.deps import TOP_K_MAX, KBDep, ViewerDep, build_filters
from web.schemas import AnswerOut

router = APIRouter(prefix="/api", tags=["api"])

_ANSWER_EXAMPLE = {
    "question": "Who chairs the steering committee?",
    "answer": "The committee is chaired by the head of the lead ministry. [1]",
    "abstained": False,
    "citations": [
        {
            "n": 1,
            "document_id": "a1b2c3",
            "title": "National Strategy",
            "source": "strategy-2020.pdf",
            "doc_type": "strategy",
            "page": 12,
            "section": "Governance",
            "text": "…",
            "score": 0.81,
            "date": "2020-01-01",
            "chunk_id": 42,
            "ocr": False,
            "superseded": False,
            "highlights": [[0, 74]],
            "url": "/documents/strategy-2020-1a2b3c4d/passages/0f1e2d3c4b5a6978",
            "reference": "National Strategy, § 4, p. 10",
        }
    ],
    "related": [],
    "reason": None,
    "coverage": {
        "documents": 12, "library_documents": 12, "kinds": {"strategy": 2, "review": 3, "minutes": 7},
        "formats": {"PDF": 9, "Word": 3}, "languages": {"en": 12}, "filters": {}, "as_of": "2024-02-28",
        "as_of_basis": "the latest document date among the documents searched", "last_ingest": "2026-12-05T10:00:00+00:00",
    },
}


class FiltersIn(BaseModel):
    """Which documents a question may be answered from."""

    doc_type: str | list[str] | None = Field(default=None, description=f"One or more of: {', '.join(DOC_TYPES)}")
    date_from: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2016"])
    date_to: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2025-12-31"])
    language: str | list[str] | None = Field(
        default=None, description="One or more language codes of the documents (en, lo)", examples=["lo"]
    )


_NOT_BLANK: dict[str, Any] = {"minLength": 1, "pattern": r"\S"}


class ErrorOut(BaseModel):
    """An error: a sentence saying what is wrong (or, for a malformed request, the validator's list), and its kind."""

    detail: str | list[dict[str, Any]]
    error: str | None = None


# Errors every API route may answer with: a refused request, and (with users) a missing or revoked token.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid API token, and the server refuses anonymous readers"},
    422: {"model": ErrorOut, "description": "Empty or too long question or query, unknown doc_type, bad date, language or top_k"},
}


class AskIn(BaseModel):
    """A question, how many passages to cite at most, and optional filters."""

    # The schema says "not blank"; the check itself is the core's, whose 422 says what is wrong in words.
    question: str = Field(
        ..., description="The question; not empty, at most KB_MAX_QUESTION_CHARS characters.", json_schema_extra=_NOT_BLANK
    )
    top_k: int | None = Field(default=None, ge=1, le=TOP_K_MAX, description="Passages to consider (default KB_TOP_K).")
    filters: FiltersIn | None = None


@router.post(
    "/ask",
    summary="Answer a question with cited passages",
    response_model=AnswerOut,
    responses={200: {"content": {"application/json": {"example": _ANSWER_EXAMPLE}}}, **ERRORS},
)
def ask(body: AskIn, kb: KBDep, viewer: ViewerDep) -> dict[str, Any]:
    """Return `Answer.to_dict()`: question, answer, abstained, citations (and related passages)."""
    f = body.filters or FiltersIn()
    filters = build_filters(f.doc_type, f.date_from, f.date_to, f.language)
    return kb.ask(body.question, top_k=body.top_k, filters=filters, visible=viewer.visibilities).to_dict()


@router.get("/search", summary="Search passages", responses=ERRORS)
def search(
    kb: KBDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(description="The search query; not empty", json_schema_extra=_NOT_BLANK)],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages to return")] = 10,
    doc_type: Annotated[list[str] | None, Query(description=f"One or more of: {', '.join(DOC_TYPES)}")] = None,
    date_from: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    language: Annotated[list[str] | None, Query(description="One or more language codes of the documents (en, lo)")] = None,
) -> dict[str, Any]:
    """Return the query and its best passages as `Hit.to_dict()` objects, each with its lasting `url`."""
    filters = build_filters(doc_type, date_from, date_to, language)
    hits = kb.search(q, k=k, filters=filters, visible=viewer.visibilities)
    return {"query": q, "results": [h.to_dict() | {"url": passage_path(h.document.id, passage_key(h.chunk.text))} for h in hits]}


@router.get("/documents", summary="List the library", responses=ERRORS)
def documents(kb: KBDep, viewer: ViewerDep) -> dict[str, Any]:
    """Return every document the caller may see as `Document.to_dict()`."""
    return {"documents": [d.to_dict() for d in kb.documents(viewer.visibilities)]}


@router.get("/health", summary="Health check with library counts", responses=ERRORS)
def health(kb: KBDep, viewer: ViewerDep) -> dict[str, Any]:
    """Return status, the counts of the documents and passages the caller may see, and when they last changed."""
    stats = kb.stats(viewer.visibilities)
    return {
        "status": "ok",
        "documents": stats.documents,
        "chunks": stats.chunks,
        "last_updated": stats.last_updated,
    }
