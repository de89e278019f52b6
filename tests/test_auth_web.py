"""Signing in and out, CSRF, sign-in limits, KB_ANONYMOUS=deny, single-user mode, headers and bounded bodies."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from fakes import FakeEmbedder
from fastapi.testclient import TestClient

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.users import UserStore
from web.app import create_app

PASSWORD = "a good long password"


@pytest.fixture
def library(fake_library: Settings, tmp_path) -> KnowledgeBase:  # type: ignore[no-untyped-def]
    """A copy of the sample library with one partner and one admin."""
    data = tmp_path / "data"
    shutil.copytree(fake_library.data_dir, data)
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data, "login_attempts": 3}), embedder=FakeEmbedder())
    users = UserStore(kb.store)
    users.add("lena", "partner", PASSWORD)
    users.add("amara", "admin", PASSWORD)
    return kb


@pytest.fixture
def web(library: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(library.settings, kb=library)) as c:
        yield c


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def sign_in(c: TestClient, name: str, password: str = PASSWORD, next: str = "/"):  # type: ignore[no-untyped-def]
    token = token_of(c.get("/login").text)
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": next}, follow_redirects=False)


def test_sign_in_sets_a_signed_httponly_lax_cookie_and_sign_out_ends_it(web: TestClient) -> None:
    assert "Sign in" in web.get("/").text
    r = sign_in(web, "lena", next="/documents")
    assert r.status_code == 303 and r.headers["location"] == "/documents"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("kb_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    stolen = cookie.split(";")[0].split("=", 1)[1]
    page = web.get("/").text
    assert "lena · partner" in page and "Sign out" in page
    r = web.post("/logout", data={"csrf_token": token_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Sign in" in web.get("/").text
    # The session is ended on the server: its cookie, replayed, signs nobody in.
    replay = TestClient(web.app, cookies={"kb_session": stolen})
    assert "lena · partner" not in replay.get("/").text
    forged = TestClient(web.app, cookies={"kb_session": stolen.rsplit(".", 1)[0] + ".0000"})
    assert "lena · partner" not in forged.get("/").text


def test_wrong_passwords_are_refused_alike_and_then_limited(web: TestClient) -> None:
    wrong = sign_in(web, "lena", "not the password")
    nobody = sign_in(web, "nobody", "not the password")
    assert wrong.status_code == nobody.status_code == 401
    assert "Wrong name or password." in wrong.text and "Wrong name or password." in nobody.text
    sign_in(web, "lena", "still wrong")
    limited = sign_in(web, "lena")  # the right password, after three failures from this address
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in limited.text


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(web: TestClient) -> None:
    assert web.post("/login", data={"name": "lena", "password": PASSWORD}).status_code == 403
    assert web.post("/login", data={"name": "lena", "password": PASSWORD, "csrf_token": "forged"}).status_code == 403
    token = token_of(web.get("/login").text)
    other_site = web.post(
        "/login", data={"name": "lena", "password": PASSWORD, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert sign_in(web, "amara").status_code == 303
    doc = next(d for d in web.get("/api/documents").json()["documents"] if d["visibility"] == "public")
    r = web.post(f"/documents/{doc['id']}/visibility", data={"visibility": "internal"})
    assert r.status_code == 403 and "security token" in r.text
    # A token from before signing in is bound to that state, not to the new session.
    assert web.post(f"/documents/{doc['id']}/visibility", data={"visibility": "internal", "csrf_token": token}).status_code == 403


def test_next_never_leads_to_another_site(web: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        web.cookies.clear()
        assert sign_in(web, "lena", next=target).headers["location"] == "/"


def test_the_api_takes_bearer_tokens_and_refuses_bad_ones(library: KnowledgeBase, web: TestClient) -> None:
    _, token = UserStore(library.store).create_token("amara")
    everyone = web.get("/api/health", headers={"Authorization": f"Bearer {token}"}).json()["documents"]
    assert everyone == library.stats().documents
    assert web.get("/api/health").json()["documents"] < everyone  # anonymous: public only
    bad = web.get("/api/health", headers={"Authorization": "Bearer kb_not-a-token"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"


def test_anonymous_deny_asks_to_sign_in(library: KnowledgeBase) -> None:
    settings = library.settings.model_copy(update={"anonymous": "deny"})
    with TestClient(create_app(settings, kb=library)) as c:
        for path in ("/", "/documents", "/ask?q=goals"):
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        for method, path in (("GET", "/api/health"), ("GET", "/api/documents"), ("GET", "/api/search?q=goals")):
            assert c.request(method, path).status_code == 401
        assert c.post("/api/ask", json={"question": "What are the goals?"}).status_code == 401
        login = c.get("/login").text
        assert "public documents only" not in login
        assert sign_in(c, "lena", next="/documents").headers["location"] == "/documents"
        assert c.get("/documents").status_code == 200


def test_single_user_mode_says_so_and_serves_loopback_only(kb: KnowledgeBase) -> None:
    with TestClient(create_app(kb.settings, kb=kb)) as c:
        page = c.get("/").text
        assert "Single-user mode" in page and "kb users add NAME --role admin" in page and "Sign in" not in page
        assert c.get("/api/health").json()["documents"] == kb.stats().documents  # everything, internal too
    exposed = kb.settings.model_copy(update={"host": "0.0.0.0"})
    with TestClient(create_app(exposed, kb=kb)) as c:
        r = c.get("/api/documents")
        assert r.status_code == 503 and "kb users add" in r.json()["detail"]
    for address, status in (("192.0.2.7", 503), ("::1", 200), ("127.0.0.1", 200)):
        with TestClient(create_app(kb.settings, kb=kb), client=(address, 40000)) as c:
            assert c.get("/").status_code == status, address


def test_every_response_carries_the_security_headers(web: TestClient) -> None:
    for path in ("/", "/login", "/api/health", "/static/app.css", "/no/such/page"):
        h = web.get(path).headers
        assert "script-src 'self'" in h["content-security-policy"] and "'unsafe-inline'" not in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
    page = web.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    assert not re.search(r"\son[a-z]+=", page) and "style=" not in page


def test_request_bodies_are_bounded(web: TestClient) -> None:
    big = "x" * (web.app.state.settings.max_body_bytes + 1)
    r = web.post("/api/ask", content=f'{{"question": "{big}"}}', headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    r = web.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
