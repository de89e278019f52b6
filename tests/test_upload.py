"""The upload page through the test client: who may upload, CSRF, the limits, a hostile name, one bad file of two."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_paths
from ingest.upload import REFUSALS, safe_name, uploads_dir
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.users import UserStore
from web.app import create_app
from web.routes.upload import MARKED_REFUSALS

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PDF = CORPUS / "minutes-technical-working-group-2023-11.pdf"
PASSWORD = "upload-password-1"
NOTE = b"# Pension indexation note\n\nThe pension is indexed to prices each January, the note says.\n"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def library(tmp_path: Path, **limits: Any) -> tuple[Settings, KnowledgeBase]:
    """A small library of one document in its own data directory (uploads change it)."""
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(data_dir=data, _env_file=None, **limits)  # type: ignore[call-arg]
    ingest_paths([CORPUS / "note-school-meals-handover.md"], settings=settings, embedder=FakeEmbedder())
    return settings, KnowledgeBase(settings, embedder=FakeEmbedder())


@pytest.fixture
def single_user(tmp_path: Path) -> Iterator[tuple[TestClient, KnowledgeBase]]:
    """A client on a server with no users: its owner (this machine) may upload."""
    settings, kb = library(tmp_path, upload_max_bytes=4096)
    with TestClient(create_app(settings, kb=kb)) as client:
        yield client, kb


def post(client: TestClient, files: list[tuple[str, bytes]], **data: str) -> Any:
    token = csrf_of(client.get("/login").text)
    fields = {"csrf_token": token, "visibility": "public"} | data
    return client.post("/upload", data=fields, files=[("files", f) for f in files], follow_redirects=False)


def outcomes(page: str) -> list[tuple[str, str]]:
    """Return (file as sent, outcome) for each row of the results table."""
    rows = re.findall(r'<tr class="outcome-(\w+)">\s*<td>([^<]*)', page)
    return [(name.strip(), outcome) for outcome, name in rows]


def test_the_single_user_owner_uploads_two_files_one_broken_and_the_library_lists_the_good_one(
    single_user: tuple[TestClient, KnowledgeBase],
) -> None:
    client, kb = single_user
    assert 'href="/upload"' in client.get("/").text, "the navigation links the upload page for its owner"
    broken = PDF.read_bytes()[:1500]  # a PDF cut short
    r = post(client, [("pension-note.md", NOTE), ("minutes-cut.pdf", broken)])
    assert r.status_code == 200, r.text
    assert outcomes(r.text) == [("pension-note.md", "added"), ("minutes-cut.pdf", "failed")]
    assert "damaged PDF" in r.text, "the failure says why"
    library_page = client.get("/documents").text
    assert "Pension indexation note" in library_page and "minutes-cut" not in library_page
    assert sorted(p.name for p in uploads_dir(kb.settings).iterdir()) == ["pension-note.md"], "no broken copy is kept"
    added = next(d for d in kb.documents() if d.title == "Pension indexation note")
    assert added.visibility == "public", "the form's choice"

    again = post(client, [("pension-note.md", NOTE)])
    assert outcomes(again.text) == [("pension-note.md", "unchanged")]
    changed = post(client, [("pension-note.md", NOTE + b"\nA second paragraph was added later.\n")], visibility="internal")
    assert outcomes(changed.text) == [("pension-note.md", "replaced")]
    assert [d.id for d in kb.documents() if d.title == "Pension indexation note"] == [added.id], "same file, same id"


def test_a_failed_replacement_keeps_the_earlier_file(single_user: tuple[TestClient, KnowledgeBase]) -> None:
    client, kb = single_user
    good = b"Plain text report: the grant reached 12,000 households.\n"
    assert outcomes(post(client, [("report.txt", good)]).text) == [("report.txt", "added")]
    r = post(client, [("report.txt", b"\x00\x01\x02binary\x00" * 10)])
    assert outcomes(r.text) == [("report.txt", "failed")] and "unsupported file type" in r.text
    assert (uploads_dir(kb.settings) / "report.txt").read_bytes() == good
    assert any(d.source == "report.txt" for d in kb.documents())


def test_a_hostile_file_name_stays_in_the_uploads_folder(single_user: tuple[TestClient, KnowledgeBase]) -> None:
    client, kb = single_user
    r = post(client, [("../../../kb.sqlite3.md", NOTE), ("..\\..\\.hidden|name*.txt", b"Some plain text.\n")])
    assert [o for _, o in outcomes(r.text)] == ["added", "added"]
    folder = uploads_dir(kb.settings)
    saved = sorted(p.name for p in folder.iterdir())
    assert saved == ["hidden_name.txt", "kb.sqlite3.md"]
    assert (kb.settings.data_dir / "kb.sqlite3").stat().st_size > len(NOTE), "the database was not overwritten"
    assert not (kb.settings.data_dir.parent / "kb.sqlite3.md").exists()


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\a\\report.PDF", "report.pdf"),
        (".bashrc", "bashrc"),
        ("...", "upload"),
        ("a/b/<script>.md", "script.md"),
        ("ນະໂຍບາຍ ສັງຄົມ.docx", "ນະໂຍບາຍ ສັງຄົມ.docx"),
    ],
)
def test_safe_name_keeps_one_plain_entry_of_the_folder(sent: str, expected: str) -> None:
    assert safe_name(sent) == expected
    assert len(safe_name("ລ" * 400 + ".pdf").encode()) <= 180


def test_size_type_and_count_limits_fail_only_their_own_file(single_user: tuple[TestClient, KnowledgeBase]) -> None:
    client, kb = single_user
    files = [
        ("big.txt", b"x" * 5000),
        ("tool.exe", b"MZ"),
        ("manifest.yaml", b"exclude: ['*']\n"),
        ("empty.md", b""),
        ("fine.md", NOTE),
        ("fine.md", NOTE),
    ]
    r = post(client, files)
    assert outcomes(r.text) == [
        ("big.txt", "failed"), ("tool.exe", "failed"), ("manifest.yaml", "failed"), ("empty.md", "failed"),
        ("fine.md", "added"), ("fine.md", "failed"),
    ]
    for reason in ("larger than 4096 bytes", "files ending in .exe are not accepted", "manifest",
                   "the file is empty", "same name"):
        assert reason in r.text
    assert sorted(p.name for p in uploads_dir(kb.settings).iterdir()) == ["fine.md"]


def test_more_files_than_allowed_are_refused_by_count(tmp_path: Path) -> None:
    settings, kb = library(tmp_path, upload_max_files=1)
    with TestClient(create_app(settings, kb=kb)) as client:
        r = post(client, [("one.md", NOTE), ("two.md", NOTE + b"two\n")])
    assert outcomes(r.text) == [("one.md", "added"), ("two.md", "failed")]
    assert "more than 1 files in one upload" in r.text


def test_a_request_over_the_upload_body_limit_is_refused_whole(tmp_path: Path) -> None:
    settings, kb = library(tmp_path, upload_max_bytes=1024, upload_max_files=1)
    with TestClient(create_app(settings, kb=kb)) as client:
        r = post(client, [("huge.txt", b"y" * (settings.upload_body_bytes + 10))])
    assert r.status_code == 413
    assert not any(uploads_dir(settings).glob("*.txt"))


def test_no_files_is_a_clear_error(single_user: tuple[TestClient, KnowledgeBase]) -> None:
    client, _ = single_user
    r = post(client, [])
    assert r.status_code == 422 and "Choose at least one file" in r.text


def test_the_form_needs_its_csrf_token(single_user: tuple[TestClient, KnowledgeBase]) -> None:
    client, kb = single_user
    files = [("files", ("note.md", NOTE))]
    r = client.post("/upload", data={"visibility": "public"}, files=files)
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/upload", data={"csrf_token": "forged", "visibility": "public"}, files=files)
    assert r.status_code == 403
    token = csrf_of(client.get("/upload").text)
    r = client.post("/upload", data={"csrf_token": token}, files=files, headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 403
    assert not uploads_dir(kb.settings).exists() or not any(uploads_dir(kb.settings).iterdir())


def test_only_staff_and_admins_upload(tmp_path: Path) -> None:
    settings, kb = library(tmp_path)
    users = UserStore(kb.store)
    for role in ("partner", "staff", "admin"):
        users.add(role, role, PASSWORD)
    app = create_app(settings, kb=kb)
    for role in ("anonymous", "partner", "staff", "admin"):
        with TestClient(app) as client:
            if role != "anonymous":
                token = csrf_of(client.get("/login").text)
                client.post("/login", data={"name": role, "password": PASSWORD, "csrf_token": token})
            may = role in ("staff", "admin")
            assert ('href="/upload"' in client.get("/").text) is may, role
            assert client.get("/upload").status_code == (200 if may else 403), role
            r = post(client, [(f"{role}.md", NOTE + role.encode())])
            assert r.status_code == (200 if may else 403), role
            assert (uploads_dir(settings) / f"{role}.md").exists() is may, role
    assert {d.source for d in kb.documents()} >= {"staff.md", "admin.md"}
    assert not {"anonymous.md", "partner.md"} & {d.source for d in kb.documents()}


def test_default_visibility_is_the_setting(tmp_path: Path) -> None:
    settings, kb = library(tmp_path, default_visibility="internal")
    with TestClient(create_app(settings, kb=kb)) as client:
        page = client.get("/upload").text
        assert re.search(r'value="internal"\s+checked', page)
        token = csrf_of(page)
        client.post("/upload", data={"csrf_token": token}, files=[("files", ("memo.md", NOTE))])
    assert next(d for d in kb.documents() if d.source == "memo.md").visibility == "internal"


def test_the_refusals_are_marked_for_translation() -> None:
    assert tuple(MARKED_REFUSALS) == REFUSALS


def test_a_run_that_breaks_puts_the_uploads_folder_back(tmp_path: Path) -> None:
    from ingest.upload import upload_files

    settings, kb = library(tmp_path)
    first = upload_files([("kept.md", io.BytesIO(NOTE))], settings=settings, embedder=FakeEmbedder())
    assert [r.outcome for r in first] == ["added"]

    def broken_parser(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the parser's process pool is gone")

    with pytest.raises(RuntimeError):
        upload_files([("kept.md", io.BytesIO(NOTE + b"new\n")), ("new.md", io.BytesIO(NOTE))], settings=settings,
                     embedder=FakeEmbedder(), parser=broken_parser)
    assert sorted(p.name for p in uploads_dir(settings).iterdir() if p.is_file()) == ["kept.md"]
    assert (uploads_dir(settings) / "kept.md").read_bytes() == NOTE


def test_the_script_gets_each_file_result_as_json_in_the_reader_language(
    single_user: tuple[TestClient, KnowledgeBase],
) -> None:
    client, kb = single_user
    token = csrf_of(client.get("/login").text)
    fields = {"csrf_token": token, "visibility": "public"}
    r = client.post("/upload", data=fields, files=[("files", ("memo.md", NOTE))], headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    [result] = r.json()["results"]
    doc = next(d for d in kb.documents() if d.source.endswith("memo.md"))
    assert result == {"sent_as": "memo.md", "saved_as": "memo.md", "outcome": "added", "reason": "",
                      "label": "added", "url": f"/documents/{doc.id}"}
    client.get("/locale/lo")
    r = client.post("/upload", data=fields, files=[("files", ("x.exe", b"MZ"))], headers={"Accept": "application/json"})
    [refused] = r.json()["results"]
    assert refused["outcome"] == "failed" and refused["label"] == "ບໍ່ສຳເລັດ" and ".exe" in refused["reason"]


def _remove(client: TestClient, doc_id: str, **data: str) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(f"/documents/{doc_id}/remove", data={"csrf_token": token} | data, follow_redirects=False)


def test_an_admin_removes_a_document_from_its_page_and_an_uploaded_file_goes_with_it(tmp_path: Path) -> None:
    settings, kb = library(tmp_path)
    users = UserStore(kb.store)
    for role in ("staff", "admin"):
        users.add(role, role, PASSWORD)
    app = create_app(settings, kb=kb)
    with TestClient(app) as staff, TestClient(app) as admin:
        for client, role in ((staff, "staff"), (admin, "admin")):
            client.post("/login", data={"name": role, "password": PASSWORD, "csrf_token": csrf_of(client.get("/login").text)})
        assert outcomes(post(staff, [("pension-note.md", NOTE)]).text) == [("pension-note.md", "added")]
        uploaded = next(d for d in kb.documents() if d.source == "pension-note.md")
        ingested = next(d for d in kb.documents() if d.source != "pension-note.md")
        # Staff may upload but not remove, and see no removal form.
        assert 'action="/documents/' + uploaded.id + '/remove"' not in staff.get(f"/documents/{uploaded.id}").text
        assert _remove(staff, uploaded.id, confirm="yes").status_code == 403
        # The admin sees the form; without the box ticked nothing happens.
        assert f'action="/documents/{uploaded.id}/remove"' in admin.get(f"/documents/{uploaded.id}").text
        assert _remove(admin, uploaded.id).status_code == 422
        assert _remove(admin, "no-such-document", confirm="yes").status_code == 404
        assert uploaded.id in {d.id for d in kb.documents()}

        r = _remove(admin, uploaded.id, confirm="yes")
        assert r.status_code == 303 and r.headers["location"].startswith("/documents?removed=")
        # The library page says which document went, as text.
        page = admin.get(r.headers["location"]).text
        assert 'role="status"' in page and f"“{uploaded.title}” was removed" in page.replace("&#34;", '"')
        assert "<script>" not in admin.get("/documents", params={"removed": "<script>x</script>"}).text
        assert uploaded.id not in {d["id"] for d in admin.get("/api/documents").json()["documents"]}
        assert not (uploads_dir(settings) / "pension-note.md").exists(), "an upload's file goes with its document"
        found = admin.get("/api/search", params={"q": "pension indexed to prices"}).json()["results"]
        assert found and all(hit["source"] != "pension-note.md" for hit in found)
        # A document ingested from elsewhere leaves its file where it is.
        assert _remove(admin, ingested.id, confirm="yes").status_code == 303
        assert not kb.documents() and (CORPUS / "note-school-meals-handover.md").exists()
