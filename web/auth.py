"""Who is asking: the signed session cookie or the API's bearer token, single-user mode, and sign-in limits."""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from kb.access import ANONYMOUS, OWNER, Viewer
from kb.users import UserStore
from web.i18n import N_
from web.security import CSRF_COOKIE, CSRF_FIELD, csrf_token, is_loopback, unsign

SESSION_COOKIE = "kb_session"
WINDOW_S = 300.0


class SignInRequired(Exception):
    """The request needs a signed-in user (KB_ANONYMOUS=deny, or a bad API token)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def users_of(request: Request) -> UserStore:
    """Return the app's user store."""
    users: UserStore = request.app.state.users
    return users


def session_id(request: Request) -> str | None:
    """Return the session id of the request's signed session cookie, or None when it has none or it was forged."""
    return unsign(request.app.state.secret, request.cookies.get(SESSION_COOKIE))


def resolve_viewer(request: Request) -> tuple[Viewer, str | None]:
    """Return the viewer (and their session id, if signed in by cookie) without applying KB_ANONYMOUS."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached, getattr(request.state, "session", None)
    users = users_of(request)
    viewer, session = ANONYMOUS, None
    if not users.count():
        settings = request.app.state.settings
        # Bound elsewhere than loopback (say, `uvicorn --host 0.0.0.0` past `kb serve`'s check), or a visitor
        # from another address (through a proxy that reports it): single-user mode serves this machine only.
        if not is_loopback(settings.host) or not local_client(request):
            raise HTTPException(
                503, N_("This server has no users, so it serves nobody off this machine. "
                        "Add an admin: kb users add NAME --role admin"),
            )
        viewer = OWNER
    elif (auth := request.headers.get("authorization")) is not None:
        scheme, _, token = auth.partition(" ")
        user = users.token_user(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise SignInRequired("the API token is not valid (revoked, mistyped, or not 'Authorization: Bearer <token>')")
        viewer = Viewer(user.role, user.name)
    elif (sid := session_id(request)) is not None and (found := users.session(sid)) is not None:
        viewer, session = Viewer(found[0].role, found[0].name), sid
    request.state.viewer, request.state.session = viewer, session
    return viewer, session


def local_client(request: Request) -> bool:
    """Return False for a request from another machine's address (a Unix socket or a test client's name is local)."""
    host = request.client.host if request.client else None
    if not host:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return is_loopback(host)


def get_viewer(request: Request) -> Viewer:
    """Return who is asking; an anonymous visitor is refused when KB_ANONYMOUS=deny."""
    viewer, _ = resolve_viewer(request)
    if viewer is ANONYMOUS and request.app.state.settings.anonymous == "deny":
        raise SignInRequired("sign in to read this library")
    return viewer


def form_token(request: Request) -> str:
    """Return the CSRF token the request's forms must send back."""
    cookie = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None) or ""
    try:
        _, session = resolve_viewer(request)
    except (HTTPException, SignInRequired):
        session = None
    return csrf_token(request.app.state.secret, cookie, session)


async def check_csrf(request: Request) -> dict[str, Any]:
    """Return the submitted form when it carries this browser's CSRF token and comes from this site; else 403."""
    form = dict(await request.form())
    origin = request.headers.get("origin")
    # The host only: behind a proxy that ends TLS the scheme the app sees is not the browser's.
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, N_("This form was sent from another site and was refused."))
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = str(form.get(CSRF_FIELD) or "")
    if not cookie or not sent or sent != form_token(request):
        raise HTTPException(403, N_("The form's security token is missing or out of date: reload the page and try again."))
    return form


class LoginLimiter:
    """Failed sign-ins per address and per user name in the last five minutes; over the limit, refused."""

    def __init__(self, limit: int, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after(self, keys: list[str]) -> int:
        """Return the seconds to wait before another attempt under these keys may be tried (0: go ahead)."""
        now = time.monotonic()
        waits = [self.window_s - (now - t[0]) for k in keys if len(t := self._recent(k, now)) >= self.limit]
        return int(max(waits, default=0.0)) + (1 if waits else 0)

    def failed(self, keys: list[str]) -> None:
        """Record a failed attempt under each key."""
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)
        if len(self._failures) > 10_000:  # forget quiet keys so the table cannot grow without bound
            self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] <= self.window_s}

    def succeeded(self, keys: list[str]) -> None:
        """Forget the failures under these keys."""
        for key in keys:
            self._failures.pop(key, None)


def template_context(request: Request) -> dict[str, Any]:
    """Return what every page's frame shows: who is signed in, single-user mode, the forms' CSRF token."""
    try:
        viewer, _ = resolve_viewer(request)
    except (HTTPException, SignInRequired):
        viewer = ANONYMOUS
    return {
        "viewer": viewer,
        "single_user": viewer is OWNER,
        "csrf_token": form_token(request),
        "anonymous_reads": request.app.state.settings.anonymous == "public",
    }
