"""The API's interactive documentation: Swagger UI served from node_modules, started by a static script (no inline code)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def api_docs(request: Request, templates: TemplatesDep) -> Response:
    """Return the Swagger UI page for /openapi.json."""
    return templates.TemplateResponse(request, "api_docs.html", {"stats": None})
