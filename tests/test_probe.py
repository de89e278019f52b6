"""The probe: every route of the app x every role, over a library with internal documents.

No internal title, id, file name, passage or count may reach a partner or an anonymous visitor by any route.
The route list is read from the app itself: a new route without a probe here fails the suite.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import docx
import pytest
from fakes import FakeEmbedder
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from starlette.routing import Mount, Route

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.passage_keys import passage_key, passage_path
from kb.types import Document
from kb.users import UserStore
from web.app import create_app

PASSWORD = "probe-password-1"
ROLES = ("anonymous", "partner", "staff", "admin")
HIDDEN_FROM = ("anonymous", "partner")
MISSING_ID = "no-such-document-00000000"


@dataclass
class Library:
    """The probed app, the documents on each side of the line, and what an internal leak would look like."""

    app: Any
    kb: KnowledgeBase
    public: list[Document]
    internal: list[Document]
    markers: list[str]  # strings only internal documents hold
    questions: list[str]
    tokens: dict[str, str]
    records: dict[str, list[str]]  # commitment ids by their document's visibility


def _norm(text: str) -> str:
    return " ".join(html.unescape(text).split())


def leak_markers(kb: KnowledgeBase, internal: list[Document], public: list[Document]) -> list[str]:
    """Return what only internal documents hold: ids, titles, file names, and passages' windows no public text has."""
    public_text = _norm(" ".join(c.text for d in public for c in kb.chunks(d.id)) + " ".join(d.title for d in public))
    markers = [m for d in internal for m in (d.id, d.title, d.source)]
    for d in internal:
        for chunk in kb.chunks(d.id):
            words = _norm(chunk.text).split()
            for start in range(0, max(1, len(words) - 8), 8):
                window = " ".join(words[start : start + 8])
                if len(window) > 30 and window not in public_text:
                    markers.append(window)
    return markers


@pytest.fixture(scope="module")
def library(fake_library: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A copy of the sample library (two internal minutes) with an admin, a staff member and a partner."""
    data = tmp_path_factory.mktemp("probe") / "data"
    shutil.copytree(fake_library.data_dir, data)
    settings = fake_library.model_copy(update={"data_dir": data, "login_attempts": 1000})
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    users = UserStore(kb.store)
    tokens = {}
    for role in ("partner", "staff", "admin"):
        users.add(role, role, PASSWORD)
        tokens[role] = users.create_token(role)[1]
    docs = kb.documents()
    internal = [d for d in docs if d.visibility == "internal"]
    public = [d for d in docs if d.visibility == "public"]
    assert internal and public
    # Questions aimed at the internal documents: their titles and their passages' opening words.
    questions = [d.title for d in internal] + [" ".join(c.text.split()[:12]) for d in internal for c in kb.chunks(d.id)[:3]]
    records = {v: [r.id for r in kb.commitments() if r.visibility == v] for v in ("public", "internal")}
    assert records["public"] and records["internal"]
    app = create_app(settings, kb=kb)
    yield Library(app, kb, public, internal, leak_markers(kb, internal, public), questions, tokens, records)


def csrf_of(page: str) -> str:
    """Return the CSRF token of the first form of a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def signed_in(app: Any, role: str) -> TestClient:
    """Return a client signed in as `role` through the login form (anonymous: a fresh client)."""
    client = TestClient(app)
    if role != "anonymous":
        token = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"name": role, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return client


# -- what each route is probed with ---------------------------------------------------------------
Probe = Callable[[TestClient, Library, str], list[Response]]


def _each_doc(path: str) -> Probe:
    def run(client: TestClient, lib: Library, role: str) -> list[Response]:
        ids = [d.id for d in lib.internal + lib.public] + [MISSING_ID]
        return [client.get(path.format(doc_id=i)) for i in ids]
    return run


def _questions(make: Callable[[TestClient, Library, str, str], Response]) -> Probe:
    def run(client: TestClient, lib: Library, role: str) -> list[Response]:
        return [make(client, lib, role, q) for q in lib.questions]
    return run


def _api_headers(lib: Library, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {lib.tokens[role]}"} if role in lib.tokens else {}


def _api_get(path: str, **params: str) -> Probe:
    def run(client: TestClient, lib: Library, role: str) -> list[Response]:
        # Once with the session cookie, once with the API token.
        return [client.get(path, params=params), client.get(path, params=params, headers=_api_headers(lib, role))]
    return run


def _visibility(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    out = []
    for doc in lib.internal + lib.public[:1]:
        # Set each to what it already is: the probe must not change what the next role sees.
        data = {"visibility": doc.visibility, "csrf_token": token}
        out.append(client.post(f"/documents/{doc.id}/visibility", data=data, follow_redirects=False))
    return out


def _remove_document(client: TestClient, lib: Library, role: str) -> list[Response]:
    """Removal without the box ticked: refused before anything changes, whoever asks (what leaks is what is probed)."""
    token = csrf_of(client.get("/login").text)
    out = []
    for doc_id in [d.id for d in lib.internal + lib.public[:1]] + [MISSING_ID]:
        r = client.post(f"/documents/{doc_id}/remove", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code in (403, 404, 422), r.text
        out.append(r)
    return out


def _login(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    return [client.post("/login", data={"name": "partner", "password": "wrong", "csrf_token": token})]


def _logout(client: TestClient, lib: Library, role: str) -> list[Response]:
    other = signed_in(lib.app, role)  # its own session, so the probe's client stays signed in
    r = other.post("/logout", data={"csrf_token": csrf_of(other.get("/login").text)}, follow_redirects=True)
    return [r]


def _passages(client: TestClient, lib: Library, role: str) -> list[Response]:
    """Each document's first passages by their lasting links, an internal passage's key under a missing and a
    public document's id, and the text view."""
    out = []
    for doc in lib.internal + lib.public:
        for chunk in lib.kb.chunks(doc.id)[:2]:
            out.append(client.get(passage_path(doc.id, passage_key(chunk.text))))
    secret = passage_key(lib.kb.chunks(lib.internal[0].id)[0].text)
    out.append(client.get(passage_path(MISSING_ID, secret)))
    out.append(client.get(passage_path(lib.public[0].id, secret)))
    chunk = lib.kb.chunks(lib.internal[0].id)[0]
    out.append(client.get(passage_path(lib.internal[0].id, passage_key(chunk.text)), params={"view": "text"}))
    return out


def _briefings(client: TestClient, lib: Library, role: str) -> list[Response]:
    return [client.get(f"/ask/briefing.{ext}", params={"q": q}) for q in lib.questions[:4] for ext in ("docx", "pdf")]


def _save_questions(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    return [client.post("/briefing/save", data={"q": q, "csrf_token": token}, follow_redirects=False)
            for q in lib.questions[:4]]


def _saved_briefing(client: TestClient, lib: Library, role: str) -> list[Response]:
    """The role's list and its export, answered again for the role (the saves are the role's own)."""
    out = _save_questions(client, lib, role)
    assert all(r.status_code == 303 for r in out), [r.text for r in out]
    return out + [client.get("/briefing"), client.get("/briefing.docx"), client.get("/briefing.pdf")]


def _remove_saved(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    return [client.post("/briefing/remove", data={"id": "999999", "csrf_token": token})]


def _commitments_page(client: TestClient, lib: Library, role: str) -> list[Response]:
    out = [client.get("/commitments"), client.get("/commitments", headers={"HX-Request": "true"})]
    for doc in lib.internal[:1] + lib.public[:1]:
        out.append(client.get("/commitments", params={"document": doc.id}))
    return out


def _export(path: str) -> Probe:
    def run(client: TestClient, lib: Library, role: str) -> list[Response]:
        return [client.get(path), client.get(path, params={"document": lib.internal[0].id})]
    return run


def _set_status(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    out = []
    for record_id in lib.records["internal"][:2] + lib.records["public"][:1] + [f"{MISSING_ID}~0123456789ab"]:
        # Those who may not set a status send a valid one (it must be refused); staff and admins an invalid one,
        # so the probe changes nothing the next role sees.
        status = "done" if role in HIDDEN_FROM else "finished"
        data = {"id": record_id, "status": status, "note": "probe", "csrf_token": token}
        out.append(client.post("/commitments/status", data=data, follow_redirects=False))
    return out


def _history(client: TestClient, lib: Library, role: str) -> list[Response]:
    ids = lib.records["internal"][:3] + lib.records["public"][:1] + [f"{MISSING_ID}~0123456789ab"]
    return [client.get(f"/api/commitments/{i}/history", headers=_api_headers(lib, role)) for i in ids]


def _locale(client: TestClient, lib: Library, role: str) -> list[Response]:
    """The pages in Lao show the reader no more than in English; then back to English for the other probes."""
    out = [client.get("/locale/lo", params={"next": "/documents"}), client.get("/"), client.get("/commitments")]
    out += [client.get("/ask", params={"q": q}) for q in lib.questions[:3]]
    out.append(client.get("/locale/en", params={"next": "/"}))
    return out


def _upload(client: TestClient, lib: Library, role: str) -> list[Response]:
    """The page, then a POST whose one file is refused before parsing, so the probe adds nothing to the library."""
    token = csrf_of(client.get("/login").text)
    sent = client.post("/upload", data={"csrf_token": token, "visibility": "public"},
                       files=[("files", ("probe.exe", b"MZ not a document"))], follow_redirects=False)
    if role in HIDDEN_FROM:
        assert sent.status_code == 403, sent.text
    else:
        assert sent.status_code == 200 and "are not accepted" in sent.text, sent.text
    return [client.get("/upload"), sent]


PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "/upload"): _upload,
    ("POST", "/upload"): _upload,
    ("GET", "/locale/{code}"): _locale,
    ("GET", "/"): lambda c, lib, role: [c.get("/")],
    ("GET", "/ask"): _questions(lambda c, lib, role, q: c.get("/ask", params={"q": q}, headers={"HX-Request": "true"})),
    ("GET", "/documents"): lambda c, lib, role: [c.get("/documents")],
    ("GET", "/documents/{doc_id}"): _each_doc("/documents/{doc_id}"),
    ("GET", "/documents/{doc_id}/file"): _each_doc("/documents/{doc_id}/file"),
    ("POST", "/documents/{doc_id}/visibility"): _visibility,
    ("POST", "/documents/{doc_id}/remove"): _remove_document,
    ("GET", "/login"): lambda c, lib, role: [c.get("/login")],
    ("POST", "/login"): _login,
    ("POST", "/logout"): _logout,
    ("POST", "/api/ask"): _questions(
        lambda c, lib, role, q: c.post("/api/ask", json={"question": q, "top_k": 10}, headers=_api_headers(lib, role))
    ),
    ("GET", "/api/search"): _questions(
        lambda c, lib, role, q: c.get("/api/search", params={"q": q, "k": 50}, headers=_api_headers(lib, role))
    ),
    ("GET", "/api/documents"): _api_get("/api/documents"),
    ("GET", "/api/health"): _api_get("/api/health"),
    ("GET", "/openapi.json"): lambda c, lib, role: [c.get("/openapi.json")],
    ("GET", "/docs"): lambda c, lib, role: [c.get("/docs")],
    ("GET", "/documents/{doc_id}/passages/{key}"): _passages,
    ("GET", "/documents/{doc_id}/pages/{number}/words"): _each_doc("/documents/{doc_id}/pages/1/words"),
    ("GET", "/ask/briefing.{extension}"): _briefings,
    ("GET", "/briefing"): _saved_briefing,
    ("GET", "/briefing.{extension}"): _saved_briefing,
    ("POST", "/briefing/save"): _save_questions,
    ("POST", "/briefing/remove"): _remove_saved,
    ("GET", "/commitments"): _commitments_page,
    ("GET", "/commitments.csv"): _export("/commitments.csv"),
    ("GET", "/commitments.docx"): _export("/commitments.docx"),
    ("POST", "/commitments/status"): _set_status,
    ("GET", "/api/commitments"): _api_get("/api/commitments"),
    ("GET", "/api/commitments/{commitment_id}/history"): _history,
}


def app_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    """Return every (method, path) the app answers, through included routers, static file mounts aside."""
    found = set()
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's record of an included router
            found |= app_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            assert route.path.startswith("/static"), f"an unexpected mount {route.path} is not probed"
        else:
            assert isinstance(route, (APIRoute, Route)), f"a route of an unknown kind is not probed: {route!r}"
            found |= {(m, prefix + route.path) for m in (route.methods or set()) - {"HEAD"}}
    return found


def readable(r: Response) -> str:
    """Return the text a person reads in a Word or PDF download ("" for any other response)."""
    kind = r.headers.get("content-type", "")
    if r.status_code != 200:
        return ""
    if kind.startswith("application/vnd.openxmlformats-officedocument.wordprocessingml"):
        doc = docx.Document(io.BytesIO(r.content))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return " ".join([p.text for p in doc.paragraphs] + cells)
    if kind.startswith("application/pdf") and r.content.startswith(b"%PDF"):
        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(r.content)).pages)
    return ""


def body_of(r: Response, sent: list[str]) -> str:
    """Return a response's text as a person would read it (JSON decoded, HTML entities resolved, Word and PDF
    downloads read), less `sent`."""
    if (document := readable(r)) or r.headers.get("content-type", "").startswith(("application/pdf", "application/vnd")):
        text = _norm(document)
    elif r.headers.get("content-type", "").startswith("application/json"):
        data = r.json()
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("query", "question")}
        text = json.dumps(data, ensure_ascii=False)
    else:
        text = _norm(r.text)
    for question in sent:
        text = text.replace(_norm(question), "")
    return text


def test_every_route_is_probed(library: Library) -> None:
    routes = app_routes(library.app.routes)
    assert len(routes) > 10, routes
    missing = routes - PROBES.keys()
    assert not missing, f"routes without a probe in tests/test_probe.py: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_no_internal_document_reaches_a_role_that_may_not_see_it(library: Library, role: str) -> None:
    client = signed_in(library.app, role)
    internal_seen: set[str] = set()
    for (method, path), probe in sorted(PROBES.items()):
        for r in probe(client, library, role):
            where = f"{role}: {method} {path} -> {r.request.url} ({r.status_code})"
            assert r.status_code < 500, where
            # What the probe sent comes back (a 404 names the id asked for, an answer page its question): not a leak.
            echo = library.questions + [part for part in r.request.url.path.split("/") if len(part) > 12]
            echo += [value for _, value in r.request.url.params.multi_items() if len(value) > 12]
            text = body_of(r, echo)
            leaked = [m for m in library.markers if m in text]
            if role in HIDDEN_FROM:
                assert not leaked, f"{where} shows internal content: {leaked[:3]}"
            internal_seen |= set(leaked)
    if role not in HIDDEN_FROM:  # the probe can fail: staff and admins do reach the internal documents
        assert {d.id for d in library.internal} <= internal_seen and len(internal_seen) > 10, internal_seen


@pytest.mark.parametrize("role", ROLES)
def test_counts_are_those_of_what_the_role_may_see(library: Library, role: str) -> None:
    client = signed_in(library.app, role)
    visible = library.public if role in HIDDEN_FROM else library.public + library.internal
    expected = (len(visible), sum(d.chunks for d in visible))
    health = client.get("/api/health", headers=_api_headers(library, role)).json()
    assert (health["documents"], health["chunks"]) == expected
    for page in ("/", "/documents", f"/documents/{library.public[0].id}"):
        footer = re.search(r"(\d+) documents? · (\d+) passages", _norm(client.get(page).text))
        assert footer and tuple(map(int, footer.groups())) == expected, page
    listed = {d["id"] for d in client.get("/api/documents", headers=_api_headers(library, role)).json()["documents"]}
    assert listed == {d.id for d in visible}


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_an_internal_document_is_a_404_exactly_like_a_missing_one(library: Library, role: str) -> None:
    client = signed_in(library.app, role)
    for suffix in ("", "/file"):
        missing = client.get(f"/documents/{MISSING_ID}{suffix}")
        api_missing = client.get(f"/documents/{MISSING_ID}{suffix}", headers={"HX-Request": "true"})
        for doc in library.internal:
            hidden = client.get(f"/documents/{doc.id}{suffix}")
            assert hidden.status_code == missing.status_code == 404
            assert hidden.text.replace(doc.id, MISSING_ID) == missing.text
            fragment = client.get(f"/documents/{doc.id}{suffix}", headers={"HX-Request": "true"})
            assert fragment.text.replace(doc.id, MISSING_ID) == api_missing.text


def test_only_an_admin_changes_visibility(library: Library) -> None:
    doc = library.public[0]
    for role, status in (("anonymous", 403), ("partner", 403), ("staff", 403)):
        client = signed_in(library.app, role)
        token = csrf_of(client.get("/login").text)
        r = client.post(f"/documents/{doc.id}/visibility", data={"visibility": "internal", "csrf_token": token})
        assert r.status_code == status, role
    partner = signed_in(library.app, "partner")
    assert partner.get(f"/documents/{doc.id}").status_code == 200
    admin = signed_in(library.app, "admin")
    token = csrf_of(admin.get(f"/documents/{doc.id}").text)
    change = {"visibility": "internal", "csrf_token": token}
    r = admin.post(f"/documents/{doc.id}/visibility", data=change, follow_redirects=False)
    assert r.status_code == 303
    try:
        assert partner.get(f"/documents/{doc.id}").status_code == 404  # at once, no re-ingest
        assert doc.id not in partner.get("/api/documents").text
    finally:
        admin.post(f"/documents/{doc.id}/visibility", data={"visibility": "public", "csrf_token": token})
    assert partner.get(f"/documents/{doc.id}").status_code == 200


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_an_internal_passage_link_page_words_and_history_are_404s_like_missing_ones(library: Library, role: str) -> None:
    client = signed_in(library.app, role)
    for doc in library.internal:
        key = passage_key(library.kb.chunks(doc.id)[0].text)
        for path in (passage_path(doc.id, key), f"/documents/{doc.id}/pages/1/words"):
            hidden, missing = client.get(path), client.get(path.replace(doc.id, MISSING_ID))
            assert hidden.status_code == missing.status_code == 404, path
            assert hidden.text.replace(doc.id, MISSING_ID) == missing.text, path
    for record_id in library.records["internal"]:
        fake = MISSING_ID + record_id[record_id.index("~"):]
        hidden = client.get(f"/api/commitments/{record_id}/history", headers=_api_headers(library, role))
        missing = client.get(f"/api/commitments/{fake}/history", headers=_api_headers(library, role))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.text.replace(record_id, fake) == missing.text
    staff = signed_in(library.app, "staff")
    assert staff.get(f"/api/commitments/{library.records['internal'][0]}/history").status_code == 200


def test_coverage_counts_only_what_the_role_may_see(library: Library) -> None:
    question = library.questions[0]
    for role in ROLES:
        visible = library.public if role in HIDDEN_FROM else library.public + library.internal
        answer = signed_in(library.app, role).post("/api/ask", json={"question": question}, headers=_api_headers(library, role))
        coverage = answer.json()["coverage"]
        assert coverage["library_documents"] == coverage["documents"] == len(visible), role
        assert sum(coverage["kinds"].values()) == len(visible), role
