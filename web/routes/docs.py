"""The API's interactive documentation: Swagger UI served from node_modules, started by a static script (no inline code)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from web.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def api_docs(request: Request, templates: TemplatesDep) -> Response:
    """Return the Swagger UI page for /openapi.json."""
    return templates.TemplateResponse(request, "api_docs.html", {"stats": None})


def declare_optional_auth(app: FastAPI) -> None:
    """Say in /openapi.json that a bearer token is optional: without one, a request reads as anonymous
    (public documents, unless KB_ANONYMOUS=deny); with one, as its user."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                security = operation.get("security")
                if security and {} not in security:
                    security.append({})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
