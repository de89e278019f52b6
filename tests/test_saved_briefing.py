"""A briefing from saved answers: the lists kept per user or per browser, the save/remove forms, the one-file export,
and the visibility of now applied to every answer it holds."""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document as WordDocument
from fakes import FakeEmbedder
from fastapi.testclient import TestClient
from pypdf import PdfReader
from test_auth_web import sign_in, token_of

from kb.cli import main
from kb.config import Settings
from kb.errors import QueryError
from kb.knowledge_base import KnowledgeBase
from kb.saved_answers import MAX_SAVED, SavedAnswers, user_owner
from kb.store import Store
from kb.types import Filters
from kb.users import UserStore
from web.app import create_app

QUESTION = "What are the three pillars of the National Social Protection Strategy?"
SECOND = "Who is responsible for the school meals programme after the handover?"
PASSWORD = "a good long password"


def docx_text(body: bytes) -> str:
    return "\n".join(p.text for p in WordDocument(io.BytesIO(body)).paragraphs)


def test_each_owner_has_a_list_of_its_own(tmp_path: Path) -> None:
    saved = SavedAnswers(Store(tmp_path))
    assert saved.save("user:amara", f"  {QUESTION} ", "strategy", "")
    assert saved.save("user:amara", SECOND)
    assert not saved.save("user:amara", QUESTION, "strategy", "")  # the same question under the same filters
    assert saved.save("user:amara", QUESTION)  # under other filters it is another answer
    assert [(s.question, s.doc_type) for s in saved.list("user:amara")] == [
        (QUESTION, "strategy"), (SECOND, ""), (QUESTION, "")]
    assert saved.list("user:lena") == []
    first = saved.list("user:amara")[0].id
    assert not saved.remove("user:lena", first)  # nobody removes another's
    assert saved.remove("user:amara", first) and len(saved.list("user:amara")) == 2


def test_bad_saves_are_refused_with_the_reason(tmp_path: Path) -> None:
    saved = SavedAnswers(Store(tmp_path))
    with pytest.raises(QueryError, match="question: empty"):
        saved.save("user:amara", "   ")
    with pytest.raises(QueryError, match="more than the 1000"):
        saved.save("user:amara", "x" * 1001)
    for i in range(MAX_SAVED):
        saved.save("user:amara", f"question {i}")
    with pytest.raises(QueryError, match=f"holds {MAX_SAVED} answers already"):
        saved.save("user:amara", "one more")


def test_a_browser_list_is_forgotten_after_a_month_and_a_user_list_is_kept(tmp_path: Path) -> None:
    store = Store(tmp_path)
    saved = SavedAnswers(store)
    saved.save("browser:abc", QUESTION)
    saved.save("user:amara", QUESTION)
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
    with store.connect() as db:
        db.execute("UPDATE saved_answers SET saved_at = ?", (old,))
    saved.save("browser:def", SECOND)
    assert saved.list("browser:abc") == [] and len(saved.list("user:amara")) == 1


def save(c: TestClient, question: str, htmx: bool = False, **filters: str):  # type: ignore[no-untyped-def]
    token = token_of(c.get("/ask", params={"q": QUESTION}).text)
    headers = {"HX-Request": "true"} if htmx else {}
    return c.post("/briefing/save", data={"q": question, "csrf_token": token, **filters}, headers=headers,
                  follow_redirects=False)


def test_save_list_export_and_remove_in_single_user_mode(client: TestClient, kb: KnowledgeBase) -> None:
    page = client.get("/ask", params={"q": QUESTION}).text
    assert 'action="/briefing/save"' in page and "Save to briefing" in page
    r = save(client, QUESTION, type="strategy")
    assert r.status_code == 303 and r.headers["location"] == "/briefing"
    r = save(client, SECOND, htmx=True)
    assert r.status_code == 200 and "Saved to your briefing." in r.text and "(2 answers)" in r.text
    assert "Already in your briefing." in save(client, SECOND, htmx=True).text

    listing = client.get("/briefing").text
    assert QUESTION in listing and SECOND in listing and "/briefing.docx" in listing

    r = client.get("/briefing.docx")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith('attachment; filename="briefing-')
    text = docx_text(r.content)
    first, second = kb.ask(QUESTION, filters=Filters(doc_types=("strategy",))), kb.ask(SECOND)
    assert QUESTION in text and SECOND in text
    for c in first.citations + second.citations:
        assert str(c.reference) in text
    pdf = client.get("/briefing.pdf")
    flat = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert QUESTION in flat and SECOND in flat
    assert client.get("/briefing.odt").status_code == 404

    # Another browser has a list of its own, and an empty briefing sends the reader to the list.
    with TestClient(client.app) as other:
        assert QUESTION not in other.get("/briefing").text
        assert other.get("/briefing.docx", follow_redirects=False).headers["location"] == "/briefing"

    first_id = client.get("/briefing").text.split('name="id" value="')[1].split('"')[0]
    token = token_of(client.get("/briefing").text)
    r = client.post("/briefing/remove", data={"id": first_id, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert QUESTION not in client.get("/briefing").text and SECOND in client.get("/briefing").text
    assert client.post("/briefing/remove", data={"id": first_id, "csrf_token": token}).status_code == 404
    assert client.post("/briefing/save", data={"q": QUESTION}).status_code == 403  # no CSRF token
    assert save(client, QUESTION, type="memo").status_code == 422  # a filter the answer page refuses


@pytest.fixture
def library(fake_library: Settings, tmp_path: Path) -> KnowledgeBase:
    data = tmp_path / "data"
    shutil.copytree(fake_library.data_dir, data)
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data}), embedder=FakeEmbedder())
    UserStore(kb.store).add("amara", "admin", PASSWORD)
    UserStore(kb.store).add("root", "admin", PASSWORD)  # so amara, not the last admin, may be made a partner
    return kb


@pytest.fixture
def web(library: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(library.settings, kb=library)) as c:
        yield c


def test_a_user_keeps_the_list_across_sessions_and_the_export_shows_only_what_they_may_read_now(
    library: KnowledgeBase, web: TestClient
) -> None:
    internal = [d for d in library.documents() if d.visibility == "internal"]
    chunk = library.chunks(internal[0].id)[1]
    question = " ".join(chunk.text.split()[:14])  # the opening words of an internal passage
    assert sign_in(web, "amara", PASSWORD).status_code == 303
    assert save(web, question).status_code == 303
    as_admin = docx_text(web.get("/briefing.docx").content)
    assert any(d.title in as_admin for d in internal)  # the check below can fail

    with TestClient(web.app) as later:  # another session, the same user: the same list
        assert question not in later.get("/briefing").text
        sign_in(later, "amara", PASSWORD)
        assert question in later.get("/briefing").text
        UserStore(library.store).set_role("amara", "partner")
        as_partner = docx_text(later.get("/briefing.docx").content)
    assert question in as_partner
    assert not any(d.title in as_partner for d in internal)
    assert not any(c.text[:60] in as_partner for d in internal for c in library.chunks(d.id))


def test_removing_a_user_removes_their_saved_answers_tokens_and_sessions_in_one_transaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    store = Store(data)
    users, saved = UserStore(store), SavedAnswers(store)
    users.add("amara", "admin", PASSWORD)
    users.add("lena", "staff", PASSWORD)
    saved.save(user_owner("lena"), QUESTION)
    saved.save(user_owner("lena"), SECOND)
    saved.save(user_owner("amara"), QUESTION)
    saved.save("browser:abc", SECOND)
    _, token = users.create_token("lena", "script")
    session, _ = users.start_session("lena", 1)

    # A removal that fails at its last step (the user row) leaves everything as it was: one transaction.
    with store.connect() as db:
        db.execute("CREATE TRIGGER hold_lena BEFORE DELETE ON users WHEN old.name = 'lena' "
                   "BEGIN SELECT RAISE(ABORT, 'held by the test'); END")
    with pytest.raises(sqlite3.DatabaseError, match="held by the test"):
        users.remove("lena")
    assert len(saved.list(user_owner("lena"))) == 2
    assert users.token_user(token) is not None and users.session(session) is not None
    with store.connect() as db:
        db.execute("DROP TRIGGER hold_lena")

    assert main(["users", "remove", "lena", "--data-dir", str(data)]) == 0
    assert "removed lena with their API tokens, sessions and saved answers" in capsys.readouterr().out
    assert saved.list(user_owner("lena")) == []
    assert users.token_user(token) is None and users.session(session) is None
    with store.connect() as db:
        left = [db.execute(f"SELECT COUNT(*) FROM {table} WHERE user = 'lena'").fetchone()[0]
                for table in ("api_tokens", "sessions")]
    assert left == [0, 0]
    assert [s.question for s in saved.list(user_owner("amara"))] == [QUESTION], "another user's list stays"
    assert [s.question for s in saved.list("browser:abc")] == [SECOND], "a browser's list stays"
    users.add("lena", "partner", PASSWORD)
    assert saved.list(user_owner("lena")) == [], "a new user of the same name starts with an empty list"


def test_a_user_removed_and_added_again_under_the_same_name_sees_an_empty_briefing(
    library: KnowledgeBase, web: TestClient
) -> None:
    assert sign_in(web, "amara", PASSWORD).status_code == 303
    assert save(web, QUESTION).status_code == 303
    assert QUESTION in web.get("/briefing").text
    UserStore(library.store).remove("amara")
    assert QUESTION not in web.get("/briefing").text, "the removed user's session is over"
    UserStore(library.store).add("amara", "partner", PASSWORD)
    with TestClient(web.app) as later:
        assert sign_in(later, "amara", PASSWORD).status_code == 303
        assert QUESTION not in later.get("/briefing").text
