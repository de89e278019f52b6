"""The web app factory: pages, the JSON API, static assets, and errors translated at the edge.

Run with ``uvicorn --factory web.app:create_app``.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.config import Settings
from kb.errors import DocumentNotFound, KBError, QueryError
from kb.knowledge_base import KnowledgeBase
from kb.store import Store
from kb.users import UserStore
from web.auth import LoginLimiter, SignInRequired, template_context
from web.deps import is_htmx
from web.i18n import N_, load_translations, message_in, translations_for
from web.routes import api, briefing, commitments, docs, export, pages, upload, viewer
from web.routes import auth as auth_routes
from web.routes import locale as locale_routes
from web.security import SecurityMiddleware, load_secret
from web.templating import create_templates

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
NODE_MODULES = WEB_DIR / "node_modules"

# URL under /static/vendor/ → folder inside node_modules (installed by `npm ci --prefix web`).
VENDOR_ASSETS = {
    "htmx": "htmx.org/dist",
    "pico": "@picocss/pico/css",
    "pdfjs": "pdfjs-dist",  # build/ (the library and its worker), web/pdf_viewer.css, cmaps/, standard_fonts/
    "swagger": "swagger-ui-dist",
    "noto-sans-lao": "@fontsource/noto-sans-lao",  # files/*.woff2, named by web/static/app.css's @font-face
}
# pdf.js ships ES modules as .mjs; browsers run a module only when it is served as JavaScript.
mimetypes.add_type("text/javascript", ".mjs")

_STATUS = {QueryError: 422, DocumentNotFound: 404}
# Starlette's titles of the HTTP errors a reader may meet, marked so the error page shows them translated.
HTTP_TITLES = (N_("Not Found"), N_("Method Not Allowed"), N_("Bad Request"), N_("Internal Server Error"))


def create_app(
    settings: Settings | None = None, *, kb: KnowledgeBase | None = None, node_modules: Path | None = None
) -> FastAPI:
    """Return the web app; the lifespan opens the knowledge base (unless given one) and warms it up."""
    settings = settings or Settings()  # type: ignore[call-arg]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "kb", None) is None:
            app.state.kb = KnowledgeBase(settings)
        app.state.kb.warm_up()
        yield

    app = FastAPI(
        title="NSPS Knowledge Base",
        description="Extractive, cited answers from a library of policy documents.",
        lifespan=lifespan,
        # FastAPI's own /docs loads Swagger UI from a CDN with an inline script: ours is served locally (routes/docs.py).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.kb = kb
    install_access(app, settings, kb)
    vendor = mount_static(app, node_modules or NODE_MODULES)
    app.state.translations = load_translations()
    app.state.templates = create_templates({"vendor": vendor}, [template_context])
    app.include_router(api.router)
    app.include_router(commitments.api)
    app.include_router(auth_routes.router)
    app.include_router(docs.router)
    docs.declare_optional_auth(app)
    app.include_router(pages.router)
    app.include_router(viewer.router)
    app.include_router(export.router)
    app.include_router(briefing.router)
    app.include_router(upload.router)
    app.include_router(commitments.router)
    app.include_router(locale_routes.router)
    install_error_handlers(app)
    return app


def install_access(app: FastAPI, settings: Settings, kb: KnowledgeBase | None) -> None:
    """Open the user store, load the signing key, bound request bodies and add the security headers."""
    store = kb.store if kb is not None else Store(settings.data_dir)
    app.state.users = UserStore(store)
    app.state.secret = load_secret(settings.data_dir)
    app.state.login_limiter = LoginLimiter(settings.login_attempts)
    larger = {"/upload": settings.upload_body_bytes}  # the upload form's files; each is also held to its own limit
    app.add_middleware(SecurityMiddleware, max_body=settings.max_body_bytes, larger=larger)


def mount_static(app: FastAPI, node_modules: Path) -> dict[str, bool]:
    """Mount our own CSS and the npm-installed assets; return which vendor assets are present."""
    present: dict[str, bool] = {}
    # Vendor mounts first: Starlette matches mounts in order and /static would swallow them.
    for name, sub in VENDOR_ASSETS.items():
        folder = node_modules / sub
        present[name] = folder.is_dir()
        if present[name]:
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=folder), name=f"vendor-{name}")
        else:
            log.warning(
                "%s is missing: the pages work without %s; run `npm ci --prefix web` to install it", folder, name
            )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return present


def wants_json(request: Request) -> bool:
    """Return True for API paths, whose errors are JSON rather than HTML."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def render_error(request: Request, status: int, message: str, title: str) -> Response:
    """Return the error as JSON for the API, a fragment for htmx, or the full error page."""
    if wants_json(request):
        return JSONResponse({"detail": message, "error": title}, status_code=status)
    name = "_fragments/error.html" if is_htmx(request) else "error.html"
    context = {"status": status, "message": message, "title": title, "stats": None}
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Translate the core's typed errors (and HTTP errors) into JSON or the error template."""

    async def on_kb_error(request: Request, exc: Exception) -> Response:
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 500)
        if status == 500:
            log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        titles = {422: N_("Invalid request"), 404: N_("Not found"), 500: N_("Knowledge base error")}
        message = str(exc) if wants_json(request) else message_in(exc, translations_for(request))  # the API: English
        return render_error(request, status, message, titles[status])

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = N_("There is no page at this address.") if exc.status_code == 404 else str(exc.detail)
        return render_error(request, exc.status_code, message, str(exc.detail))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if wants_json(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in exc.errors())
        return render_error(request, 422, problems, N_("Invalid request"))

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(KBError, on_kb_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)


__all__ = ["create_app"]
