"""The commitments tracker: the page (htmx filters in place), its CSV and DOCX exports, statuses set by hand, the API."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from kb.commitments.export import to_csv, to_docx
from kb.commitments.tracker import CommitmentFilters, find_commitment, owners, set_status
from kb.commitments.types import KINDS, STATUSES, Commitment
from web.auth import check_csrf
from web.deps import KBDep, TemplatesDep, ViewerDep, is_htmx
from web.routes.api import ERRORS, ErrorOut
from web.routes.pages import library_context

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])

_VARY = {"Vary": "HX-Request"}


def _filters(kind: str = "", owner: str = "", status: str = "", document: str = "", due_before: str = "",
             q: str = "", view: str = "") -> CommitmentFilters:
    return CommitmentFilters(
        kind=kind or None, owner=owner.strip() or None, status=status or None, document_id=document or None,
        due_before=due_before or None, q=q.strip() or None, soon=view == "soon",
    ).check()


def _query(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _describe(f: CommitmentFilters, documents: dict[str, str]) -> str:
    parts = []
    if f.soon:
        parts.append("due in the next 30 days or overdue")
    if f.kind:
        parts.append(f"{f.kind}s")
    if f.status:
        parts.append(f"status {f.status}")
    if f.owner:
        parts.append(f"owner “{f.owner}”")
    if f.document_id:
        parts.append(f"from {documents.get(f.document_id, f.document_id)}")
    if f.due_before:
        parts.append(f"due by {f.due_before}")
    if f.q:
        parts.append(f"matching “{f.q}”")
    return "; ".join(parts) or "all commitments"


@router.get("/commitments")
def commitments_page(request: Request, kb: KBDep, templates: TemplatesDep, viewer: ViewerDep, kind: str = "",
                     owner: str = "", status: str = "", document: str = "", due_before: str = "", q: str = "",
                     view: str = "") -> Response:
    """Return the tracker: every record the viewer may see that passes the filters, each linked to its passage."""
    params = {"kind": kind, "owner": owner, "status": status, "document": document, "due_before": due_before,
              "q": q, "view": view}
    f = _filters(**params)
    records = kb.commitments(f, visible=viewer.visibilities)
    everything = kb.commitments(visible=viewer.visibilities)
    documents = {r.document_id: r.title for r in everything}
    context = library_context(kb, viewer) | {
        "records": records, "total": len(everything), "params": params, "query": _query(params),
        "kinds": KINDS, "statuses": STATUSES, "owners": owners(everything),
        "documents": sorted(documents.items(), key=lambda d: d[1]),
        "today": dt.date.today().isoformat(), "local_user": getpass.getuser(),  # the filters in words: web/wording.py
    }
    name = "_fragments/commitments.html" if is_htmx(request) else "commitments.html"
    return templates.TemplateResponse(request, name, context, headers=_VARY)


@router.get("/commitments.csv")
def commitments_csv(kb: KBDep, viewer: ViewerDep, kind: str = "", owner: str = "", status: str = "",
                    document: str = "", due_before: str = "", q: str = "", view: str = "") -> Response:
    """Return the filtered records the viewer may see as CSV."""
    records = kb.commitments(_filters(kind, owner, status, document, due_before, q, view), visible=viewer.visibilities)
    return Response(to_csv(records), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="commitments.csv"'})


@router.get("/commitments.docx")
def commitments_docx(kb: KBDep, viewer: ViewerDep, kind: str = "", owner: str = "", status: str = "",
                     document: str = "", due_before: str = "", q: str = "", view: str = "") -> Response:
    """Return a Word briefing of the filtered records the viewer may see, with their sources and evidence."""
    f = _filters(kind, owner, status, document, due_before, q, view)
    records = kb.commitments(f, visible=viewer.visibilities)
    documents = {r.document_id: r.title for r in kb.commitments(visible=viewer.visibilities)}
    today = dt.date.today().isoformat()
    described = _describe(f, documents)
    body = to_docx(records, title="Commitments briefing", subtitle=described[:1].upper() + described[1:], today=today)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="commitments-briefing-{today}.docx"'})


@router.post("/commitments/status")
async def commitment_status(request: Request, kb: KBDep, viewer: ViewerDep) -> Response:
    """Set a record's status by hand and go back to the list (staff and admins; a form from this site only).

    Who set it is the signed-in user; on a server with no users (one person, this machine), the form's name, else
    the local account's.
    """
    if not viewer.is_staff:
        # The same refusal for any id, so it tells nothing of which records exist.
        raise HTTPException(403, "Only staff and admins may set a commitment's status.")
    form = await check_csrf(request)
    record_id, status = str(form.get("id") or ""), str(form.get("status") or "")
    note, back = str(form.get("note") or ""), str(form.get("back") or "")
    find_commitment(kb.store, record_id, viewer.visibilities)
    by = viewer.name if viewer.signed_in else str(form.get("by") or "").strip() or getpass.getuser()
    set_status(kb.store, record_id, status, note=note, by=by or getpass.getuser())
    target = back if back.startswith("/commitments") else "/commitments"
    return RedirectResponse(f"{target}#c-{record_id}", status_code=303)


@api.get("/commitments", summary="List recommendations, decisions, actions and targets", responses=ERRORS)
def commitments_api(
    kb: KBDep,
    viewer: ViewerDep,
    kind: Annotated[str, Query(description=f"One of: {', '.join(KINDS)}")] = "",
    owner: Annotated[str, Query(description="Records whose owner contains these words")] = "",
    status: Annotated[str, Query(description=f"One of: {', '.join(STATUSES)}")] = "",
    due_before: Annotated[str, Query(description="Records due on or before this date, YYYY-MM-DD")] = "",
    q: Annotated[str, Query(description="Records whose words include these")] = "",
    document: Annotated[str, Query(description="Records of this document id")] = "",
    view: Annotated[str, Query(description="'soon': due in the next 30 days, or overdue")] = "",
) -> dict[str, Any]:
    """Return `{"commitments": [...]}`: each record the caller may see, with owner, deadline, status, source, evidence."""
    f = _filters(kind, owner, status, document, due_before, q, view)
    records: list[Commitment] = kb.commitments(f, visible=viewer.visibilities)
    return {"commitments": [r.to_dict() for r in records]}


@api.get("/commitments/{commitment_id}/history", summary="Statuses set by hand on one record",
         responses={**ERRORS, 404: {"model": ErrorOut, "description": "No such record, or one the caller may not see"}})
def commitment_history(kb: KBDep, viewer: ViewerDep, commitment_id: str) -> dict[str, Any]:
    """Return every status set by hand on one record, oldest first, with who and when."""
    notes = kb.commitment_history(commitment_id, viewer.visibilities)
    return {"id": commitment_id, "history": [h.to_dict() for h in notes]}
