"""The probe: every route of the app x every role, over a library with internal documents.

No internal title, id, file name, passage or count may reach a partner or an anonymous visitor by any route.
The route list is read from the app itself: a new route without a probe here fails the suite.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fakes import FakeEmbedder
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from starlette.routing import Mount, Route

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
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
    yield Library(create_app(settings, kb=kb), kb, public, internal, leak_markers(kb, internal, public), questions, tokens)


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


def _login(client: TestClient, lib: Library, role: str) -> list[Response]:
    token = csrf_of(client.get("/login").text)
    return [client.post("/login", data={"name": "partner", "password": "wrong", "csrf_token": token})]


def _logout(client: TestClient, lib: Library, role: str) -> list[Response]:
    other = signed_in(lib.app, role)  # its own session, so the probe's client stays signed in
    r = other.post("/logout", data={"csrf_token": csrf_of(other.get("/login").text)}, follow_redirects=True)
    return [r]


PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "/"): lambda c, lib, role: [c.get("/")],
    ("GET", "/ask"): _questions(lambda c, lib, role, q: c.get("/ask", params={"q": q}, headers={"HX-Request": "true"})),
    ("GET", "/documents"): lambda c, lib, role: [c.get("/documents")],
    ("GET", "/documents/{doc_id}"): _each_doc("/documents/{doc_id}"),
    ("GET", "/documents/{doc_id}/file"): _each_doc("/documents/{doc_id}/file"),
    ("POST", "/documents/{doc_id}/visibility"): _visibility,
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


def body_of(r: Response, sent: list[str]) -> str:
    """Return a response's text as a person would read it (JSON decoded, HTML entities resolved), less `sent`."""
    if r.headers.get("content-type", "").startswith("application/json"):
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
            text = "" if r.headers.get("content-type", "").startswith("application/pdf") else body_of(r, echo)
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
