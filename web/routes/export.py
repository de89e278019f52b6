"""Briefing export: an answer page's question, answer, quoted passages and references as a Word or PDF file."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kb.briefing import briefing_docx, briefing_pdf
from web.deps import KBDep, ViewerDep, build_filters

router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def file_name(question: str, extension: str) -> str:
    """Return a download name made from the question: 'briefing-what-are-the-three-pillars.docx'."""
    slug = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")[:60].rstrip("-")
    return f"briefing-{slug or 'answer'}.{extension}"


@router.get("/ask/briefing.{extension}")
def briefing(
    request: Request, extension: str, kb: KBDep, viewer: ViewerDep, q: str = "", type: str = "", lang: str = ""
) -> Response:
    """Return the answer to `q` (under the same filters as the answer page) as a DOCX or PDF briefing.

    Answered from the documents the viewer may see, as the page was: no hidden passage, title or count in it.
    """
    if extension not in MEDIA_TYPES:
        from starlette.exceptions import HTTPException

        raise HTTPException(404, f"no briefing format {extension!r}; use docx or pdf")
    answer = kb.ask(q, filters=build_filters(type, languages=lang), visible=viewer.visibilities)
    base_url = str(request.base_url)
    write = briefing_docx if extension == "docx" else briefing_pdf
    body = write([answer], base_url=base_url, title=f"Briefing: {answer.question}")
    disposition = f'attachment; filename="{file_name(answer.question, extension)}"'
    return Response(body, media_type=MEDIA_TYPES[extension], headers={"Content-Disposition": disposition})
