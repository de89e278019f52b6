"""Visibility in the viewer's lasting links and the commitments tracker: a partner meets no internal document there.

Real SQLite, real ingest of Markdown files, the web app through FastAPI's TestClient with real users and sessions.
"""

from __future__ import annotations

import re
from pathlib import Path

from fakes import FakeEmbedder
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_paths
from kb.access import set_visibility
from kb.commitments.answers import summary
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.links import resolve_link
from kb.passage_keys import passage_key, passage_path
from kb.users import UserStore
from web.app import create_app

PASSWORD = "tracker-password-1"
PUBLIC = ("public",)
NOTE = ("# Cash grant note\n\n## Monitoring\n\nThe district office reports enrolment and payments every quarter to the "
        "provincial steering group, which reviews delays and complaints at its next meeting.\n")
NEWER = NOTE.replace("Cash grant note", "Cash grant operations manual").replace("every quarter", "every month")


def _library(folder: Path, manifest: str, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "manifest.yaml").write_text(manifest)
    return folder


def _signed_in(app: object, name: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    if name != "anonymous":
        token = _csrf(client.get("/login").text)
        r = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return client


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no form with a CSRF token on the page"
    return match.group(1)


def _users(kb: KnowledgeBase) -> None:
    users = UserStore(kb.store)
    for role in ("partner", "staff", "admin"):
        users.add(role, role, PASSWORD)


def test_a_public_passage_superseded_or_replaced_by_an_internal_version_names_no_newer_one_to_a_partner(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    folder = _library(
        tmp_path / "lib",
        "documents:\n  - {file: grant.md, visibility: public}\n"
        "  - {file: grant-2025.md, supersedes: grant.md, date: 2025-01-01, visibility: internal}\n",
        {"grant.md": NOTE, "grant-2025.md": NEWER},
    )
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    old = next(d for d in kb.documents() if d.source == "grant.md")
    key = passage_key(next(c.text for c in kb.chunks(old.id) if "every quarter" in c.text))
    assert resolve_link(kb.store, old.id, key).status == "superseded"  # staff see the newer version
    partner = resolve_link(kb.store, old.id, key, PUBLIC)
    assert partner.status == "exact" and partner.current is None and partner.notice is None
    _users(kb)
    app = create_app(kb.settings, kb=kb)
    page = _signed_in(app, "partner").get(passage_path(old.id, key))
    assert page.status_code == 200 and "every quarter" in page.text
    assert "operations manual" not in page.text and "superseded" not in page.text and "every month" not in page.text
    staff = _signed_in(app, "staff").get(passage_path(old.id, key)).text
    assert "superseded by a newer version" in staff and "operations manual" in staff

    (folder / "grant.md").unlink()  # gone: staff are sent to the internal version that replaces it, partners are not
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    assert resolve_link(kb.store, old.id, key).status == "replaced"
    removed = resolve_link(kb.store, old.id, key, PUBLIC)
    assert removed.status == "removed" and removed.document is None and removed.linked_title == "Cash grant note"
    page = _signed_in(app, "partner").get(passage_path(old.id, key))
    assert page.status_code == 200 and "no longer in the library" in page.text and "operations manual" not in page.text


def test_a_link_to_a_removed_internal_document_is_a_404_to_a_partner_like_a_missing_one(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    folder = _library(tmp_path / "lib", "documents:\n  - {file: minutes.md, visibility: internal}\n",
                      {"minutes.md": NOTE.replace("Cash grant note", "Board minutes"), "open.md": "# Open\n\nCars.\n"})
    ingest_paths([folder], settings=settings, embedder=fake_embedder, visibility="public")
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    minutes = next(d for d in kb.documents() if d.source == "minutes.md")
    key = passage_key(kb.chunks(minutes.id)[-1].text)
    (folder / "minutes.md").unlink()
    ingest_paths([folder], settings=settings, embedder=fake_embedder, visibility="public")
    assert resolve_link(kb.store, minutes.id, key).status == "removed"  # its history is kept, with its visibility
    _users(kb)
    app = create_app(kb.settings, kb=kb)
    partner = _signed_in(app, "partner")
    hidden, missing = partner.get(passage_path(minutes.id, key)), partner.get(passage_path("gone-00000000", key))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(minutes.id, "gone-00000000") == missing.text and "Board minutes" not in hidden.text
    assert "Board minutes" in _signed_in(app, "staff").get(passage_path(minutes.id, key)).text


def test_an_admin_making_a_document_internal_hides_its_old_passages_links_too(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    folder = _library(tmp_path / "lib", "documents: []\n", {"grant.md": NOTE})
    ingest_paths([folder], settings=settings, embedder=fake_embedder, visibility="public")
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    doc = kb.documents()[0]
    key = passage_key(kb.chunks(doc.id)[-1].text)
    (folder / "grant.md").write_text(NEWER)  # the passage changes: the old one lives in the history only
    ingest_paths([folder], settings=settings, embedder=fake_embedder, visibility="public")
    assert resolve_link(kb.store, doc.id, key, PUBLIC).status == "changed"
    set_visibility(kb.store, doc.id, "internal", by="admin")
    (folder / "grant.md").unlink()
    ingest_paths([folder], settings=settings, embedder=fake_embedder, visibility="public")
    assert resolve_link(kb.store, doc.id, key).status == "removed"
    _users(kb)
    assert _signed_in(create_app(kb.settings, kb=kb), "partner").get(passage_path(doc.id, key)).status_code == 404


def _tracker(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    lib = _library(
        tmp_path / "lib",
        "documents:\n  - {file: minutes.md, date: 2024-01-10, visibility: public}\n"
        "  - {file: report.md, date: 2024-09-01, visibility: internal}\n",
        {
            "minutes.md": "# Minutes\n\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n"
            "| Publish the annual progress report on social protection | Secretariat | 30 June 2024 |\n",
            "report.md": "# Progress report\n\nThe annual progress report on social protection was published in March "
            "2024 by the Secretariat.\n",
        },
    )
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    return KnowledgeBase(settings, embedder=FakeEmbedder())


def test_evidence_from_an_internal_document_neither_shows_nor_sets_the_status_for_a_partner(
    settings: Settings, tmp_path: Path
) -> None:
    kb = _tracker(settings, tmp_path)
    everything = kb.commitments(today="2024-12-01")
    published = next(r for r in everything if r.text.startswith("Publish"))
    assert published.status == "done" and [e.source for e in published.evidence] == ["report.md"]
    shown = kb.commitments(today="2024-12-01", visible=PUBLIC)
    assert [(r.id, r.status, r.evidence) for r in shown] == [(published.id, "overdue", [])]
    assert kb.commitment_for_unit(published.chunk_id or 0, visible=PUBLIC).evidence == []  # type: ignore[union-attr]
    # What an answer quoting the item says of it (kb.commitments.answers): "done, per <internal report>" for staff only.
    quoted = "Publish the annual progress report on social protection"
    for visible, done_in in ((None, "Progress report"), (PUBLIC, None)):
        record = kb.commitment_for_unit(published.chunk_id or 0, quoted, visible=visible)
        assert record is not None
        said = summary(record)
        assert (said["done_in"] or {}).get("title") == done_in and said["status"] == ("done" if done_in else "overdue")
    _users(kb)
    app = create_app(kb.settings, kb=kb)
    for name in ("anonymous", "partner"):
        client = _signed_in(app, name)
        for path in ("/commitments", "/commitments.csv", "/api/commitments"):
            body = client.get(path).text
            assert "Publish the annual progress report" in body and "Progress report" not in body, (name, path)
            assert "was published in March" not in body and "report.md" not in body, (name, path)
    staff = _signed_in(app, "staff").get("/api/commitments").json()["commitments"]
    assert [e["source"] for e in staff[0]["evidence"]] == ["report.md"] and staff[0]["status"] == "done"


def test_only_staff_and_admins_set_a_status_and_it_is_set_in_their_name_with_a_csrf_token(
    settings: Settings, tmp_path: Path
) -> None:
    kb = _tracker(settings, tmp_path)
    record = kb.commitments()[0]
    _users(kb)
    app = create_app(kb.settings, kb=kb)
    form = {"id": record.id, "status": "in progress", "note": "Draft seen", "by": "someone else"}
    for name in ("anonymous", "partner"):
        client = _signed_in(app, name)
        assert "Set status" not in client.get("/commitments").text
        r = client.post("/commitments/status", data={**form, "csrf_token": _csrf(client.get("/login").text)})
        assert r.status_code == 403, name
    staff = _signed_in(app, "staff")
    page = staff.get("/commitments").text
    assert "Set status" in page and 'name="by"' not in page
    assert staff.post("/commitments/status", data=form).status_code == 403  # no CSRF token
    forged = staff.post("/commitments/status", data={**form, "csrf_token": _csrf(page)},
                        headers={"Origin": "http://elsewhere.example"})
    assert forged.status_code == 403
    assert kb.commitment_history(record.id) == []
    r = staff.post("/commitments/status", data={**form, "csrf_token": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    [note] = kb.commitment_history(record.id)
    assert (note.status, note.note, note.by) == ("in progress", "Draft seen", "staff")
    missing = staff.post("/commitments/status", data={**form, "id": "nothing~000000000000", "csrf_token": _csrf(page)})
    assert missing.status_code == 404
