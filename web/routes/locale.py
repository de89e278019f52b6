"""The language switch: remembers the reader's choice in a cookie and goes back to the page they were on."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from web.i18n import COOKIE, COOKIE_MAX_AGE, LOCALES, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/locale/{code}")
def switch_locale(code: str, next: str = "/") -> Response:
    """Set the interface language (a link, so the switch works without JavaScript) and return to `next`."""
    if code not in LOCALES:
        raise HTTPException(404, f"no interface language {code!r}; offered: {', '.join(LOCALES)}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True)
    return response
