"""The tracker's page, exports, hand-set statuses and API through FastAPI's TestClient on the sample library."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import docx
from fakes import FakeEmbedder
from fastapi.testclient import TestClient

from kb.knowledge_base import KnowledgeBase
from web.app import create_app

HX = {"HX-Request": "true"}
RECORD = {"id", "kind", "number", "text", "owner", "due", "due_text", "status", "source", "evidence"}
SOURCE = {"document_id", "title", "source", "page", "section"}


def test_api_lists_records_in_the_contract_and_filters_them(client: TestClient) -> None:
    everything = client.get("/api/commitments").json()["commitments"]
    assert len(everything) >= 50
    for record in everything:
        assert RECORD <= record.keys() and SOURCE <= record["source"].keys()
    review = next(r for r in everything if r["number"] == "R5")
    assert (review["kind"], review["owner"], review["due"]) == (
        "recommendation", "Ministry of Finance, with MoH and MoLSW", "2024-10-31"
    )
    assert review["due_text"] == "in time for the 2025 budget, October 2024" and review["source"]["page"] == 6
    actions = client.get("/api/commitments", params={"kind": "action", "owner": "NSPC Secretariat"}).json()["commitments"]
    assert actions and all(r["kind"] == "action" and "NSPC Secretariat" in r["owner"] for r in actions)
    due = client.get("/api/commitments", params={"due_before": "2023-12-31"}).json()["commitments"]
    assert due and all(r["due"] <= "2023-12-31" for r in due)
    found = client.get("/api/commitments", params={"q": "school meals"}).json()["commitments"]
    places = [" ".join([r["text"], r["source"]["title"], r["source"]["section"] or ""]).lower() for r in found]
    assert found and all("school" in p and "meals" in p for p in places)
    overdue = client.get("/api/commitments", params={"status": "overdue"}).json()["commitments"]
    assert overdue and all(r["status"] == "overdue" for r in overdue)


def test_api_refuses_a_bad_filter_naming_it(client: TestClient) -> None:
    response = client.get("/api/commitments", params={"due_before": "soon"})
    assert response.status_code == 422 and "due_before" in response.json()["detail"]
    assert client.get("/api/commitments", params={"status": "finished"}).status_code == 422


def test_the_page_lists_rows_linked_to_their_passages_and_htmx_gets_the_fragment(
    client: TestClient, kb: KnowledgeBase
) -> None:
    page = client.get("/commitments", params={"kind": "recommendation"})
    assert page.status_code == 200 and '<a href="/commitments">Commitments</a>' in page.text
    record = next(r for r in kb.commitments() if r.number == "R1")
    assert f'href="/documents/{record.document_id}#chunk-{record.chunk_id}"' in page.text
    assert page.text.count('<span class="badge kind">recommendation</span>') == 8
    fragment = client.get("/commitments", params={"kind": "recommendation"}, headers=HX)
    assert "<html" not in fragment.text and "R1" in fragment.text and "HX-Request" in fragment.headers["vary"]
    passage = client.get(f"/documents/{record.document_id}")
    assert f'id="chunk-{record.chunk_id}"' in passage.text


def test_the_soon_view_holds_only_overdue_or_items_due_within_30_days(client: TestClient) -> None:
    soon = client.get("/api/commitments", params={"view": "soon"}).json()["commitments"]
    assert soon and all(r["status"] == "overdue" for r in soon), "the sample's deadlines have all passed"


def test_exports_hold_the_filtered_records_with_their_sources(client: TestClient) -> None:
    params = {"status": "overdue", "owner": "Ministry of Finance"}
    expected = client.get("/api/commitments", params=params).json()["commitments"]
    rows = list(csv.DictReader(io.StringIO(client.get("/commitments.csv", params=params).text)))
    assert [r["id"] for r in rows] == [r["id"] for r in expected] and rows[0]["source"]
    response = client.get("/commitments.docx", params=params)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    briefing = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in briefing.paragraphs)
    assert "Commitments briefing" in text and "owner “Ministry of Finance”" in text
    for record in expected:
        assert " ".join(record["text"].split()) in text and record["source"]["title"] in text


def test_a_status_set_in_the_form_is_kept_with_who_and_the_note(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import ingest_paths

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "minutes.md").write_text(
        "# Minutes\n\n## Decisions\n\n1. The Budget Office will draft the costing note by 30 June 2024.\n"
    )
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    with TestClient(create_app(settings, kb=kb)) as c:
        record = c.get("/api/commitments").json()["commitments"][0]
        assert record["status"] == "overdue"
        # A server with no users (one person on this machine): the form names who sets the status.
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/commitments").text)
        assert token and 'name="by"' in c.get("/commitments").text
        form = {"id": record["id"], "status": "done", "note": "Sent on 1 July", "by": "khamla",
                "back": "/commitments?kind=decision", "csrf_token": token.group(1)}
        assert c.post("/commitments/status", data={**form, "csrf_token": "forged"}).status_code == 403
        response = c.post("/commitments/status", data=form, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/commitments?kind=decision")
        after = c.get("/api/commitments").json()["commitments"][0]
        assert after["status"] == "done" and after["status_set_by_hand"]["by"] == "khamla"
        history = c.get(f"/api/commitments/{record['id']}/history").json()["history"]
        assert [(h["status"], h["note"]) for h in history] == [("done", "Sent on 1 July")]
        assert "Set to <strong>done</strong> by khamla" in c.get("/commitments").text
        bad = c.post("/commitments/status", data={**form, "status": "finished"})
        assert bad.status_code == 422


def test_an_answer_unit_leads_to_its_commitment_record(kb: KnowledgeBase) -> None:
    """What the answer layer calls: the record whose item a cited passage, or the unit it quotes, holds."""
    r5 = next(r for r in kb.commitments() if r.number == "R5")
    assert r5.chunk_id is not None
    unit = "R5. Make social protection spending visible in the state budget and agree a multi-year financing plan"
    found = kb.commitment_for_unit(r5.chunk_id, unit)
    assert found is not None and (found.id, found.owner, found.due) == (r5.id, r5.owner, r5.due)
    assert found.status == r5.status
    assert kb.commitment_for_unit(r5.chunk_id, "National Health Insurance remains the strongest pillar") is None
    assert kb.commitment_for_unit(10**9) is None


def test_an_answer_quoting_a_tracked_item_carries_its_owner_deadline_and_status(kb: KnowledgeBase) -> None:
    from kb.commitments.answers import attach_commitments
    from kb.types import Answer, Citation, Hit

    r5 = next(r for r in kb.commitments() if r.number == "R5")
    chunk = next(c for c in kb.chunks(r5.document_id) if c.id == r5.chunk_id)
    start = chunk.text.index("Make social protection spending")
    quoted = Citation(n=1, hit=Hit(chunk=chunk, document=kb.document(r5.document_id), score=1.0),
                      highlights=[(start, start + 80)])
    other = Citation(n=2, hit=Hit(chunk=chunk, document=kb.document(r5.document_id), score=0.5))
    answer = attach_commitments(kb.store, Answer(question="q", answer="a", abstained=False, citations=[quoted, other]))
    record = answer.citations[0].commitment
    assert record is not None and (record["id"], record["owner"], record["due"]) == (r5.id, r5.owner, r5.due)
    assert record["status"] in ("open", "in progress", "done", "overdue") and record["url"].startswith("/commitments?")
    assert answer.citations[1].commitment is None  # not quoted: cited as a source only
    assert answer.citations[0].to_dict()["commitment"] == record
