"""The passage viewer: a citation's lasting link opens its document at the passage, highlighted.

A PDF opens at the cited page through pdf.js (web/static/viewer.js), the passage marked on the page's text layer;
every other format, and a PDF without JavaScript or with `?view=text`, opens in the text view with the passage in a
<mark> that the link's #passage fragment scrolls to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup, escape

from kb.citing import reference
from kb.errors import DocumentNotFound
from kb.knowledge_base import KnowledgeBase, Scope, scope_of
from kb.links import LinkTarget, resolve_link
from kb.passage_keys import is_passage_key, passage_key, passage_path
from kb.types import Chunk, Document
from web.deps import KBDep, TemplatesDep, ViewerDep
from web.i18n import N_, worded
from web.routes.pages import library_context, locate
from web.templating import is_pdf

router = APIRouter(include_in_schema=False)

# Scanned image files a browser shows as they are (a TIFF it does not: those open in the text view).
BROWSER_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass
class PageText:
    """One page of the text view, as HTML with the passage marked when it is on this page."""

    number: int | None
    label: str | None
    ocr: bool
    html: Markup
    has_passage: bool = False
    printed: str | None = None  # the page's printed label, where the PDF defines one


def mark_passage(text: str, start: int, end: int) -> Markup:
    """Return `text` escaped, with [start, end) in <mark id="passage">."""
    return Markup("").join(
        [escape(text[:start]), Markup('<mark id="passage" class="passage-mark">%s</mark>') % text[start:end], escape(text[end:])]
    )


def page_texts(
    kb: KnowledgeBase, doc: Document, chunk: Chunk | None, only_page: int | None = None, visible: Scope = None
) -> list[PageText]:
    """Return the document's pages (or only one) as text, the passage marked where it is found."""
    labels = kb.store.page_labels(doc.id)
    out: list[PageText] = []
    placed = chunk is None
    for number, text, ocr in kb.pages(doc.id, visible):
        if only_page is not None and number != only_page:
            continue
        label = None  # a numbered page is named by the template, in the reader's language
        printed = labels.get(number) if number is not None else None
        at = locate(text, chunk) if chunk is not None and chunk.page == number and not placed else None
        if at is not None and chunk is not None:
            end = at + len(chunk.text) if text.startswith(chunk.text, at) else at + len(chunk.text.split("\n", 1)[0])
            out.append(PageText(number, label, ocr, mark_passage(text, at, min(end, len(text))), True, printed))
            placed = True
        else:
            out.append(PageText(number, label, ocr, escape(text), printed=printed))
    if not placed and chunk is not None:
        # The stored page text no longer holds the passage verbatim: show the passage itself, marked, first.
        out.insert(0, PageText(chunk.page, N_("The passage"), chunk.ocr, mark_passage(chunk.text, 0, len(chunk.text)), True))
    return out


def passage_url(doc: Document, chunk: Chunk) -> str:
    """Return the lasting link to a passage."""
    return passage_path(doc.id, passage_key(chunk.text))


def viewer_context(kb: KnowledgeBase, target: LinkTarget, view: str, visible: Scope = None) -> dict[str, Any]:
    """Return what the viewer page shows for a resolved link."""
    doc, chunk = target.document, target.chunk
    context: dict[str, Any] = {
        "target": target, "doc": doc, "chunk": chunk, "pdf": False, "image": False, "pages": [], "reference": None,
    }
    if doc is None:
        return context
    labels = kb.store.page_labels(doc.id)
    pdf = is_pdf(doc) and chunk is not None and chunk.page is not None and view != "text"
    if pdf and chunk is not None:
        context |= {"pdf": True, "file_url": f"/documents/{doc.id}/file", "page": chunk.page}
    elif (chunk is not None and chunk.ocr and doc.media_type in BROWSER_IMAGES and view != "text"
          and kb.store.page_words(doc.id, 1)):
        # A scanned image file: the image itself, its OCR'd words (kept as page 1's) placed over it.
        context |= {"image": True, "file_url": f"/documents/{doc.id}/file", "words_url": f"/documents/{doc.id}/pages/1/words"}
    if chunk is not None:
        context["reference"] = reference(doc, chunk, labels.get(chunk.page) if chunk.page is not None else None)
        context["url"] = passage_url(doc, chunk)
    only = chunk.page if pdf and chunk is not None else None
    context["pages"] = page_texts(kb, doc, chunk, only_page=only, visible=visible)
    if target.current is not None and target.current_chunk is not None:
        context["current_url"] = passage_url(target.current, target.current_chunk)
    return context


@router.get("/documents/{doc_id}/passages/{key}")
def passage(
    request: Request, doc_id: str, key: str, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep, view: str = ""
) -> Response:
    """Return the document opened at a passage: the PDF page with the passage highlighted, or the marked text view.

    The link resolves among the documents the viewer may see: a hidden one is a 404 like a missing one, and a
    public document superseded or replaced by an internal one names no newer version to a partner.
    """
    if not is_passage_key(key):
        raise worded(DocumentNotFound, N_("%(key)s is not a passage key (16 hex digits)"), key=repr(key))
    visible = scope_of(viewer.visibilities)
    target = resolve_link(kb.store, doc_id, key, visible)
    context = library_context(kb, viewer) | viewer_context(kb, target, view, visible) | {"view": view}
    return templates.TemplateResponse(request, "viewer.html", context)


@router.get("/documents/{doc_id}/pages/{number}/words")
def page_words(doc_id: str, number: int, kb: KBDep, viewer: ViewerDep) -> JSONResponse:
    """Return an OCR'd page's words with their boxes (fractions of the page), for the viewer to box a passage."""
    kb.document(doc_id, viewer.visibilities)  # a document the viewer may not see is a 404, like a missing one
    return JSONResponse({"words": [list(w) for w in kb.store.page_words(doc_id, number)]})
