"""Typed dependencies shared by the routes, and request parsing both routers need."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.templating import Jinja2Templates

from kb.access import Viewer
from kb.config import Settings
from kb.errors import KBError, QueryError
from kb.knowledge_base import KnowledgeBase
from kb.types import DOC_TYPES, LANGUAGE_CODE, Filters
from web.i18n import N_, worded

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

TOP_K_MAX = 20


def get_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_kb(request: Request) -> KnowledgeBase:
    """Return the app's KnowledgeBase, loaded by the lifespan (or passed to create_app)."""
    kb: KnowledgeBase | None = getattr(request.app.state, "kb", None)
    if kb is None:
        raise KBError("the knowledge base is not loaded: the app's startup did not run or failed")
    return kb


def get_templates(request: Request) -> Jinja2Templates:
    """Return the app's Jinja templates."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[Settings, Depends(get_settings)]
KBDep = Annotated[KnowledgeBase, Depends(get_kb)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
# Declares the API's bearer tokens in /openapi.json (Swagger UI's "Authorize"); web.auth checks them.
_BEARER = HTTPBearer(auto_error=False, description="An API token from `kb tokens create NAME`")


def _viewer(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> Viewer:
    from web.auth import get_viewer

    return get_viewer(request)


# Who is asking; every route that shows library content takes it and passes `viewer.visibilities` to the core.
ViewerDep = Annotated[Viewer, Depends(_viewer)]


def is_htmx(request: Request) -> bool:
    """Return True when htmx asked for a fragment (not when it restores history, which needs the page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def build_filters(
    doc_types: str | Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    languages: str | Iterable[str] | None = None,
) -> Filters:
    """Return Filters from request values, or raise QueryError naming the bad value and the valid ones."""
    if isinstance(doc_types, str):
        doc_types = [doc_types]
    wanted = tuple(dict.fromkeys(t.strip().lower() for t in doc_types or () if t and t.strip()))
    unknown = [t for t in wanted if t not in DOC_TYPES]
    if unknown:
        raise worded(QueryError, N_("unknown document type %(types)s; valid types are: %(valid)s"),
                     types=", ".join(repr(t) for t in unknown), valid=", ".join(DOC_TYPES))
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value and not _DATE.fullmatch(value):
            raise worded(QueryError, N_("%(name)s=%(value)s is not a date; use YYYY, YYYY-MM or YYYY-MM-DD"),
                         name=name, value=repr(value))
    if isinstance(languages, str):
        languages = [languages]
    codes = tuple(dict.fromkeys(code.strip().lower() for code in languages or () if code and code.strip()))
    for code in codes:
        if not LANGUAGE_CODE.fullmatch(code):
            raise worded(QueryError, N_("language=%(code)s is not a language code; use a code such as en or lo"),
                         code=repr(code))
    return Filters(doc_types=wanted, date_from=date_from or None, date_to=date_to or None, languages=codes)
