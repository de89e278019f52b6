"""HTML pages: the question form, answers (a fragment for htmx), the library and document views."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from kb.access import VISIBILITIES, Viewer
from kb.errors import QueryError
from kb.knowledge_base import KnowledgeBase
from kb.types import DOC_TYPES, Chunk
from web.deps import KBDep, TemplatesDep, ViewerDep, build_filters, is_htmx
from web.i18n import N_, message_in, translations_for

router = APIRouter(include_in_schema=False)

# The fragment differs from the page for the same URL, so caches must key on the header.
_VARY = {"Vary": "HX-Request"}


@dataclass
class Segment:
    """A run of page text that starts where `chunk` starts (or precedes every chunk when None)."""

    text: str
    chunk: Chunk | None = None
    section: str | None = None


@dataclass
class PageView:
    """One page of a document's text, cut into segments at its passages' starts."""

    number: int | None
    ocr: bool
    segments: list[Segment]
    label: str | None = None


# Names of the languages the form offers (a code not listed is shown as itself).
LANGUAGE_NAMES = {"en": N_("English"), "lo": N_("Lao (ລາວ)")}


def library_context(kb: KnowledgeBase, viewer: Viewer) -> dict[str, Any]:
    """Return what every page shows: the counts of what the viewer may see, the types and languages to filter on."""
    languages = sorted({d.language for d in kb.documents(viewer.visibilities) if d.language})
    return {
        "stats": kb.stats(viewer.visibilities),
        "doc_types": DOC_TYPES,
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
    }


def locate(text: str, chunk: Chunk) -> int | None:
    """Return where `chunk` starts in a page's text: its recorded offset if it matches, else a search."""
    probe = chunk.text[:40]
    if 0 <= chunk.char_start < len(text) and text.startswith(probe, chunk.char_start):
        return chunk.char_start
    found = text.find(probe.strip()) if probe.strip() else -1
    return found if found >= 0 else None


def segment_page(text: str, chunks: list[Chunk]) -> tuple[list[Segment], list[Chunk]]:
    """Return the page cut at each chunk's start, and the chunks that could not be placed in it."""
    starts: dict[int, Chunk] = {}
    unplaced: list[Chunk] = []
    for chunk in chunks:
        at = locate(text, chunk)
        if at is None:
            unplaced.append(chunk)
        else:
            starts.setdefault(at, chunk)
    cuts = sorted(starts)
    segments = [Segment(text[: cuts[0]] if cuts else text)] if not cuts or cuts[0] > 0 else []
    for i, at in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else len(text)
        segments.append(Segment(text[at:end], starts[at]))
    return segments, unplaced


def document_pages(kb: KnowledgeBase, doc_id: str, visible: tuple[str, ...] | None = None) -> list[PageView]:
    """Return the document's pages, each cut into passages that carry `chunk-<id>` anchors."""
    remaining = kb.chunks(doc_id, visible)
    views: list[PageView] = []
    for number, text, ocr in kb.pages(doc_id, visible):
        mine = [c for c in remaining if c.page == number]
        segments, unplaced = segment_page(text, mine)
        placed = {id(c) for c in mine} - {id(c) for c in unplaced}
        remaining = [c for c in remaining if id(c) not in placed]
        views.append(PageView(number, ocr, segments))  # the template names a numbered page in the reader's language
    if remaining:
        # Passages whose text is not found in the stored pages still get an anchor to land on.
        views.append(PageView(None, False, [Segment(c.text, c) for c in remaining], N_("Other passages")))
    label_sections(views)
    return views


def label_sections(views: list[PageView]) -> None:
    """Label each passage that enters a new section, unless its text already starts with the heading."""
    section: str | None = None
    for view in views:
        for seg in view.segments:
            if seg.chunk is None or not seg.chunk.section or seg.chunk.section == section:
                continue
            section = seg.chunk.section
            if not seg.text.lstrip().startswith(section):
                seg.section = section


@router.get("/")
def index(request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep) -> Response:
    """Return the question form."""
    context = library_context(kb, viewer) | {"q": "", "doc_type": "", "lang": ""}
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/ask")
def ask(
    request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep, q: str = "", type: str = "", lang: str = ""
) -> Response:
    """Return the answer: the fragment for htmx, or the full page (so the form works without JavaScript)."""
    context: dict[str, Any] = {"q": q, "doc_type": type, "lang": lang, "answer": None, "error": None}
    status = 200
    try:
        context["answer"] = kb.ask(q, filters=build_filters(type, languages=lang), visible=viewer.visibilities)
    except QueryError as exc:
        context["error"], status = message_in(exc, translations_for(request)), 422
    if is_htmx(request):
        name = "_fragments/answer.html" if context["answer"] else "_fragments/error.html"
        context |= {"message": context["error"], "title": N_("Invalid question"), "fragment": True}
        return templates.TemplateResponse(request, name, context, status_code=status, headers=_VARY)
    context |= library_context(kb, viewer)
    return templates.TemplateResponse(request, "index.html", context, status_code=status, headers=_VARY)


@router.get("/documents")
def documents(request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep, removed: str = "") -> Response:
    """Return the library: every document the viewer may see, with its type, date, language and size (and, after a
    removal, which document went)."""
    context = library_context(kb, viewer) | {"documents": kb.documents(viewer.visibilities), "removed": removed[:300]}
    return templates.TemplateResponse(request, "documents.html", context)


@router.get("/documents/{doc_id}")
def document(request: Request, doc_id: str, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep) -> Response:
    """Return one document's metadata and its text page by page, each passage anchored (a hidden one is a 404)."""
    doc = kb.document(doc_id, viewer.visibilities)
    pages = document_pages(kb, doc_id, viewer.visibilities)
    context = library_context(kb, viewer) | {"doc": doc, "pages": pages, "visibilities": VISIBILITIES}
    return templates.TemplateResponse(request, "document.html", context)


@router.get("/documents/{doc_id}/file")
def document_file(doc_id: str, kb: KBDep, viewer: ViewerDep) -> Response:
    """Return the original file inline, so citations can open a PDF at the cited page (a hidden one is a 404)."""
    doc = kb.document(doc_id, viewer.visibilities)
    path = kb.file_path(doc_id, viewer.visibilities)
    media_type = doc.media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # Not the pages' policy: Chromium's PDF viewer needs its plugin. No one may frame the file either way.
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'none'"}
    if media_type != "application/pdf":
        # An ingested HTML file must not run scripts on our origin. (Chromium will not show a PDF
        # in a sandboxed document, so PDFs are left out.)
        headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
        )
    return FileResponse(
        path,
        media_type=media_type,
        filename=Path(doc.source).name,
        content_disposition_type="inline",
        headers=headers,
    )
