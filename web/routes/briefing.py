"""The reader's briefing: answers saved from the answer page, listed, removed, and exported as one DOCX or PDF.

The list is kept server-side (kb/saved_answers.py): a signed-in user's under their name, so it follows them across
sessions; anyone else's under their browser's session cookie. The export answers each saved question again with the
reader's visibility of now (see kb/saved_answers.py for why).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kb.access import Viewer
from kb.briefing import briefing_docx, briefing_pdf
from kb.errors import QueryError
from kb.saved_answers import BROWSER_PREFIX, SavedAnswers, user_owner
from web.auth import check_csrf
from web.deps import KBDep, TemplatesDep, ViewerDep, build_filters, is_htmx
from web.i18n import N_
from web.routes.export import MEDIA_TYPES
from web.security import CSRF_COOKIE

router = APIRouter(include_in_schema=False)


def saved_answers(request: Request, kb: KBDep) -> SavedAnswers:
    """Return the app's saved-answer lists (opened on first use, in the library's database)."""
    saved: SavedAnswers | None = getattr(request.app.state, "saved_answers", None)
    if saved is None or saved.store is not kb.store:
        saved = request.app.state.saved_answers = SavedAnswers(kb.store)
    return saved


def owner_of(request: Request, viewer: Viewer) -> str | None:
    """Return whose list this request reads: the signed-in user's, else this browser session's (None: no session)."""
    if viewer.name is not None:  # signed in
        return user_owner(viewer.name)
    cookie = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    # The cookie is hashed: the database never holds what a form's token is made from.
    return BROWSER_PREFIX + hashlib.sha256(cookie.encode()).hexdigest() if cookie else None


@router.get("/briefing")
def briefing_page(request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep) -> Response:
    """Return the list of saved answers, each with a remove button, and the export links."""
    owner = owner_of(request, viewer)
    items = saved_answers(request, kb).list(owner) if owner else []
    return templates.TemplateResponse(request, "briefing.html", {"items": items})


@router.post("/briefing/save")
async def save(request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep) -> Response:
    """Save the answer to `q` (and its filters) to the reader's briefing; htmx gets a line saying so, a form the list."""
    form = await check_csrf(request)
    question, doc_type, lang = (str(form.get(k) or "").strip() for k in ("q", "type", "lang"))
    build_filters(doc_type, languages=lang)  # a filter the answer page would refuse is refused here too
    owner = owner_of(request, viewer)
    if owner is None:
        raise HTTPException(403, N_("The form's security token is missing or out of date: reload the page and try again."))
    store = saved_answers(request, kb)
    added = store.save(owner, question, doc_type, lang)
    if not is_htmx(request):
        return RedirectResponse("/briefing", status_code=303)
    context = {"added": added, "count": len(store.list(owner))}
    return templates.TemplateResponse(request, "_fragments/saved.html", context, headers={"Vary": "HX-Request"})


@router.post("/briefing/remove")
async def remove(request: Request, kb: KBDep, viewer: ViewerDep) -> Response:
    """Remove one saved answer from the reader's briefing and show the list again."""
    form = await check_csrf(request)
    owner = owner_of(request, viewer)
    try:
        saved_id = int(str(form.get("id") or ""))
    except ValueError:
        raise HTTPException(422, f"id: {form.get('id')!r} is not the number of a saved answer") from None
    if owner is None or not saved_answers(request, kb).remove(owner, saved_id):
        raise HTTPException(404, N_("There is no such answer in your briefing."))
    return RedirectResponse("/briefing", status_code=303)


@router.get("/briefing.{extension}")
def export(request: Request, extension: str, kb: KBDep, viewer: ViewerDep) -> Response:
    """Return every saved answer, answered again under the reader's visibility now, as one DOCX or PDF briefing."""
    if extension not in MEDIA_TYPES:
        raise HTTPException(404, f"no briefing format {extension!r}; use docx or pdf")
    owner = owner_of(request, viewer)
    items = saved_answers(request, kb).list(owner) if owner else []
    if not items:
        return RedirectResponse("/briefing", status_code=303)  # the list says it is empty and how to fill it
    answers = []
    for item in items:
        try:
            answers.append(kb.ask(item.question, filters=build_filters(item.doc_type, languages=item.lang),
                                  visible=viewer.visibilities))
        except QueryError:
            continue  # a question the library refuses now (a filter it no longer knows) is left out
    write = briefing_docx if extension == "docx" else briefing_pdf
    body = write(answers, base_url=str(request.base_url), title=f"Briefing: {len(answers)} saved answers")
    name = f"briefing-{datetime.now(UTC):%Y-%m-%d}.{extension}"
    return Response(body, media_type=MEDIA_TYPES[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
