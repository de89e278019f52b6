"""The upload page: staff and admins add or replace files, each ingested like `kb ingest` (ingest/upload.py); and
an admin's removal of a document from its page, like `kb remove` (ingest/remove.py)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ingest.remove import remove_document
from ingest.upload import REFUSALS, UploadResult, upload_files
from kb.access import VISIBILITIES, Viewer
from kb.config import Settings
from kb.errors import IngestBusy
from web.auth import check_csrf
from web.deps import KBDep, SettingsDep, TemplatesDep, ViewerDep
from web.i18n import N_, translations_for

router = APIRouter()
log = logging.getLogger(__name__)

# The refusals of ingest/upload.py, marked here for the catalogue (a test checks both lists agree).
MARKED_REFUSALS = (
    N_("the file is larger than %(limit)s bytes"),
    N_("the file is empty"),
    N_("files ending in %(suffix)s are not accepted; accepted: %(accepted)s"),
    N_("the file has no name"),
    N_("%(name)s is the name of a folder's manifest, not a document"),
    N_("another file of this upload has the same name"),
    N_("more than %(limit)s files in one upload"),
)
BUSY = N_(
    "Another upload or ingest is adding documents to the library right now, so these files were not added and "
    "nothing was changed. Try again in a minute."
)
BUSY_RETRY_S = 30
REMOVE_BUSY = N_(
    "Another upload or ingest is writing the library right now, so the document was not removed. Try again in a minute."
)
OUTCOMES = {"added": N_("added"), "replaced": N_("replaced"), "unchanged": N_("unchanged"), "failed": N_("failed")}


def _staff_only(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise HTTPException(403, N_("Only staff and admins may upload files."))


def _context(settings: Settings, **more: Any) -> dict[str, Any]:
    return {
        "accept": ",".join(settings.upload_suffixes),
        "types": " ".join(settings.upload_suffixes),
        "max_mb": f"{settings.upload_max_bytes / 1_000_000:g}",
        "max_files": settings.upload_max_files,
        "visibility": settings.default_visibility,
        "results": None,
        "problem": "",
    } | more


@router.get("/upload")
def upload_page(request: Request, settings: SettingsDep, templates: TemplatesDep, viewer: ViewerDep) -> Response:
    """Return the upload form (staff and admins)."""
    _staff_only(viewer)
    return templates.TemplateResponse(request, "upload.html", _context(settings))


@router.post("/upload")
async def upload(
    request: Request, kb: KBDep, settings: SettingsDep, templates: TemplatesDep, viewer: ViewerDep
) -> Response:
    """Save and ingest the files sent; return the page with what became of each (a plain form POST, no script)."""
    _staff_only(viewer)  # before the files are read
    await check_csrf(request)
    form = await request.form()
    visibility = str(form.get("visibility") or settings.default_visibility)
    if visibility not in VISIBILITIES:
        raise HTTPException(422, f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        problem = N_("Choose at least one file to upload.")
        context = _context(settings, visibility=visibility, problem=problem)
        return templates.TemplateResponse(request, "upload.html", context, status_code=422)
    translations = translations_for(request)
    try:
        results = await run_in_threadpool(
            upload_files, [(f.filename or "", f.file) for f in files], settings=settings, embedder=kb.embedder,
            multilingual=kb.multilingual, visibility=visibility,
        )
    except IngestBusy as exc:  # another ingest of this data directory held on past KB_UPLOAD_WAIT_S
        log.warning("upload refused: %s", exc)
        headers = {"Retry-After": str(BUSY_RETRY_S)}
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": translations.gettext(BUSY)}, status_code=503, headers=headers)
        context = _context(settings, visibility=visibility, problem=BUSY)
        return templates.TemplateResponse(request, "upload.html", context, status_code=503, headers=headers)
    shown = [(r, _reason(r, translations.gettext)) for r in results]
    if "application/json" in request.headers.get("accept", ""):  # upload.js sends one file a request, with progress
        return JSONResponse({"results": [
            {"sent_as": r.sent_as, "saved_as": r.saved_as, "outcome": r.outcome, "reason": reason,
             "label": translations.gettext(OUTCOMES[r.outcome]), "url": f"/documents/{r.document_id}" if r.document_id else ""}
            for r, reason in shown
        ]})
    context = _context(settings, visibility=visibility, results=shown, outcomes=OUTCOMES)
    return templates.TemplateResponse(request, "upload.html", context)


def _reason(result: UploadResult, gettext: Any) -> str:
    """Return the reason in the reader's language when it is one of ours; a parser's reason as it is."""
    if result.reason in REFUSALS:
        return str(gettext(result.reason) % result.params)
    return result.reason


@router.post("/documents/{doc_id}/remove")
async def remove(request: Request, doc_id: str, kb: KBDep, viewer: ViewerDep) -> Response:
    """Take a document out of the library, once the box saying so is ticked (admins only; to anyone else a document
    they may not see does not exist)."""
    doc = kb.document(doc_id, viewer.visibilities)  # not found, like a missing one, for who may not see it
    if not viewer.is_admin:
        raise HTTPException(403, N_("Only an admin may remove a document."))
    form = await check_csrf(request)
    if form.get("confirm") != "yes":
        raise HTTPException(422, N_("Tick the box to confirm that the document should be removed."))
    try:
        removed = await run_in_threadpool(
            remove_document, doc_id, settings=kb.settings, embedder=kb.embedder, multilingual=kb.multilingual,
            lock_wait_s=kb.settings.upload_wait_s,
        )
    except IngestBusy as exc:
        log.warning("removal refused: %s", exc)
        raise HTTPException(503, REMOVE_BUSY, headers={"Retry-After": str(BUSY_RETRY_S)}) from exc
    if removed is not None:
        log.warning("document %s (%s) removed by %s", doc.id, doc.source, viewer.name or "the single-user owner")
    # The library page says what was removed (the title only: it is shown as text, inside a sentence of ours).
    return RedirectResponse(f"/documents?{urlencode({'removed': doc.title})}", status_code=303)

