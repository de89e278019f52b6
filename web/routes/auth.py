"""Sign in and out, and the admin's form that makes a document public or internal."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kb.access import VISIBILITIES, set_visibility
from web.auth import SESSION_COOKIE, check_csrf, session_id, users_of
from web.deps import KBDep, TemplatesDep, ViewerDep
from web.i18n import N_, safe_next, translations_for
from web.security import sign

router = APIRouter(include_in_schema=False)


def client_key(request: Request) -> str:
    """Return the address a sign-in attempt came from."""
    return f"ip:{request.client.host if request.client else '?'}"


@router.get("/login")
def login_page(request: Request, templates: TemplatesDep, next: str = "/") -> Response:
    """Return the sign-in form."""
    context = {"next": safe_next(next), "error": None, "name": "", "stats": None}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login")
async def login(request: Request, templates: TemplatesDep) -> Response:
    """Check the name and password; on success start a session (a signed, HttpOnly cookie) and go on."""
    form = await check_csrf(request)
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    limiter = request.app.state.login_limiter
    keys = [client_key(request), f"user:{name.lower()}"]
    context = {"next": target, "name": name, "stats": None}
    if wait := limiter.retry_after(keys):
        context["error"] = translations_for(request).gettext(N_("Too many failed sign-ins. Try again in %(wait)s seconds.")) % {
            "wait": wait}
        return templates.TemplateResponse(request, "login.html", context, status_code=429, headers={"Retry-After": str(wait)})
    users = users_of(request)
    user = users.verify(name, password) if name and password else None
    if user is None:
        limiter.failed(keys)
        context["error"] = N_("Wrong name or password.")  # the template shows it in the reader's language
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    limiter.succeeded(keys[1:])
    settings = request.app.state.settings
    session, _ = users.start_session(user.name, settings.session_hours)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, sign(request.app.state.secret, session), max_age=int(settings.session_hours * 3600),
        path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session and forget its cookie."""
    await check_csrf(request)
    if (sid := session_id(request)) is not None:
        users_of(request).end_session(sid)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.post("/documents/{doc_id}/visibility")
async def change_visibility(request: Request, doc_id: str, kb: KBDep, viewer: ViewerDep) -> Response:
    """Make a document public or internal (admins only; to anyone else this address does not exist)."""
    if not viewer.is_admin:
        kb.document(doc_id, viewer.visibilities)  # a document they may not see is not found, like a missing one
        raise HTTPException(403, N_("Only an admin may change who sees a document."))
    form = await check_csrf(request)
    visibility = str(form.get("visibility") or "")
    if visibility not in VISIBILITIES:
        raise HTTPException(422, f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    set_visibility(kb.store, doc_id, visibility, by=viewer.name or "single-user owner")
    return RedirectResponse(f"/documents/{doc_id}", status_code=303)
