"""Visibility in the core: set at ingest, filtered before ranking in every leg, changed without re-ingesting; users."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from ingest.pipeline import ingest_paths
from kb.access import set_visibility
from kb.cli import main
from kb.config import Settings
from kb.errors import DocumentNotFound, KBError
from kb.knowledge_base import KnowledgeBase
from kb.users import UserStore

PUBLIC = ("public",)


def _write(folder: Path, files: dict[str, str], manifest: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    if manifest is not None:
        (folder / "manifest.yaml").write_text(manifest)
    return folder


def test_visibility_comes_from_the_manifest_then_the_run_then_the_setting(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    lib = _write(
        tmp_path / "lib",
        {"open.md": "# Open\n\nSchool meals reach pupils.\n", "closed.md": "# Closed\n\nThe board met in March.\n",
         "plain.md": "# Plain\n\nOffice cars are serviced yearly.\n"},
        "documents:\n  - file: open.md\n    visibility: public\n  - file: closed.md\n    visibility: internal\n",
    )
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    seen = {d.source: d.visibility for d in kb.documents()}
    assert seen == {"open.md": "public", "closed.md": "internal", "plain.md": "internal"}  # deny by default

    other = settings.model_copy(update={"data_dir": tmp_path / "other"})
    ingest_paths([lib], settings=other, embedder=fake_embedder, visibility="public")
    seen = {d.source: d.visibility for d in KnowledgeBase(other, embedder=fake_embedder).documents()}
    assert seen == {"open.md": "public", "closed.md": "internal", "plain.md": "public"}  # the manifest still wins


def test_a_bad_visibility_in_the_manifest_names_the_file(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    lib = _write(tmp_path / "lib", {"a.md": "# A\n\ntext\n"}, "documents:\n  - file: a.md\n    visibility: secret\n")
    with pytest.raises(KBError, match=r"manifest.yaml: a.md: visibility 'secret' is not one of public, internal"):
        ingest_paths([lib], settings=settings, embedder=fake_embedder)


def test_a_partners_top_k_is_the_best_of_what_they_may_see(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    # Twelve internal notes match the query far better than the three public ones: a filter applied after
    # ranking would find no public passage among each leg's ten candidates.
    files = {f"board-{i:02d}.md": f"# Zebra migration {i}\n\nZebra migration zebra migration herds {i}.\n" for i in range(12)}
    files |= {f"pub-{i}.md": f"# Public note {i}\n\nA single zebra was seen near the river, note {i}.\n" for i in range(3)}
    manifest = "documents:\n" + "".join(f"  - file: pub-{i}.md\n    visibility: public\n" for i in range(3))
    lib = _write(tmp_path / "lib", files, manifest)
    s = settings.model_copy(update={"candidates": 10, "max_per_document": 1})
    ingest_paths([lib], settings=s, embedder=fake_embedder)
    kb = KnowledgeBase(s, embedder=fake_embedder)

    everyone = kb.search("zebra migration", k=3)
    assert {h.document.visibility for h in everyone} == {"internal"}
    partner = kb.search("zebra migration", k=3, visible=PUBLIC)
    assert sorted(h.document.source for h in partner) == ["pub-0.md", "pub-1.md", "pub-2.md"]
    assert all(h.dense is not None and h.keyword for h in partner)  # both legs ranked them

    answer = kb.ask("Where was a zebra seen?", visible=PUBLIC)
    shown = answer.citations + answer.related
    assert shown and all(c.hit.document.visibility == "public" for c in shown)
    assert kb.stats(PUBLIC).documents == 3 and kb.stats().documents == 15
    assert kb.stats(PUBLIC).chunks == sum(d.chunks for d in kb.documents(PUBLIC))


def test_hidden_documents_are_not_found_like_missing_ones(kb: KnowledgeBase) -> None:
    internal = next(d for d in kb.documents() if d.visibility == "internal")
    for call in (kb.document, kb.pages, kb.chunks, kb.file_path):
        with pytest.raises(DocumentNotFound) as hidden:
            call(internal.id, PUBLIC)
        with pytest.raises(DocumentNotFound) as missing:
            call("no-such-document", PUBLIC)
        assert str(hidden.value) == str(missing.value).replace("no-such-document", internal.id)
    assert kb.document(internal.id, ("public", "internal")).id == internal.id
    assert internal.id not in {d.id for d in kb.documents(PUBLIC)}


def test_a_public_document_is_not_marked_superseded_by_a_hidden_one(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    lib = _write(
        tmp_path / "lib",
        {"old.md": "# Fleet policy\n\nCars are serviced yearly.\n", "new.md": "# Fleet policy\n\nCars twice a year.\n"},
        "documents:\n  - file: old.md\n    title: Fleet policy\n    date: 2020-01-01\n    visibility: public\n"
        "  - file: new.md\n    title: Fleet policy\n    date: 2024-01-01\n    visibility: internal\n    supersedes: old.md\n",
    )
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    assert {d.source: d.superseded_by is not None for d in kb.documents()}["old.md"]
    [old] = kb.documents(PUBLIC)
    assert old.superseded_by is None
    [hit] = kb.search("cars serviced", k=1, visible=PUBLIC)
    assert hit.document.superseded_by is None


def test_an_admins_change_applies_at_once_and_survives_a_re_ingest(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    manifest = "documents:\n  - file: a.md\n    visibility: public\n"
    lib = _write(tmp_path / "lib", {"a.md": "# Alpha\n\nAlpaca grazing rules.\n"}, manifest)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    [doc] = kb.documents()
    assert kb.search("alpaca", k=3, visible=PUBLIC)
    set_visibility(kb.store, doc.id, "internal", by="test")
    assert not kb.search("alpaca", k=3, visible=PUBLIC)  # the running knowledge base sees it on the next query
    (lib / "a.md").write_text("# Alpha\n\nAlpaca grazing rules, revised.\n")
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert report.updated == ["a.md"]
    assert kb.documents()[0].visibility == "internal"
    with pytest.raises(DocumentNotFound):
        set_visibility(kb.store, "nope", "public", by="test")


def test_kb_documents_shows_visibility_and_set_visibility_changes_it(
    fake_library: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    data = tmp_path / "copy"
    shutil.copytree(fake_library.data_dir, data)
    assert main(["documents", "--json", "--data-dir", str(data)]) == 0
    docs = json.loads(capsys.readouterr().out)["documents"]
    internal = [d for d in docs if d["visibility"] == "internal"]
    assert {d["doc_type"] for d in internal} == {"minutes"}
    assert all(d["visibility"] == "public" for d in docs if d not in internal)
    assert main(["documents", "set-visibility", internal[0]["id"], "public", "--data-dir", str(data)]) == 0
    assert "is now public" in capsys.readouterr().out
    assert main(["documents", "--json", "--data-dir", str(data)]) == 0
    now = {d["id"]: d["visibility"] for d in json.loads(capsys.readouterr().out)["documents"]}
    assert now[internal[0]["id"]] == "public" and now[internal[1]["id"]] == "internal"


# -- users and tokens -----------------------------------------------------------------------------
def test_users_roles_tokens_and_the_last_admin(settings: Settings) -> None:
    from kb.store import Store

    users = UserStore(Store(settings.data_dir))
    assert users.count() == 0
    users.add("amara", "admin", "correct horse")
    users.add("lena", "partner", "battery staple")
    with pytest.raises(KBError, match="already exists"):
        users.add("lena", "staff", "another password")
    with pytest.raises(KBError, match="too short"):
        users.add("short", "staff", "1234567")
    with pytest.raises(KBError, match="role 'boss' is not one of admin, staff, partner"):
        users.add("boss", "boss", "long enough")
    assert users.verify("amara", "correct horse") == users.user("amara")
    assert users.verify("amara", "wrong") is None and users.verify("nobody", "correct horse") is None
    stored = Store(settings.data_dir).connect().__enter__().execute("SELECT password_hash FROM users").fetchall()
    assert all(h[0].startswith("$argon2id$") for h in stored)

    with pytest.raises(KBError, match="last admin"):
        users.set_role("amara", "staff")
    with pytest.raises(KBError, match="last admin"):
        users.remove("amara")
    token_id, token = users.create_token("lena", "script")
    assert users.token_user(token).name == "lena"  # type: ignore[union-attr]
    assert token not in json.dumps([t.__dict__ for t in users.tokens()])
    users.set_role("lena", "staff")
    assert users.token_user(token).role == "staff"  # type: ignore[union-attr]
    users.revoke_token(token_id)
    assert users.token_user(token) is None
    session, _ = users.start_session("lena", 1)
    assert users.session(session)[0].name == "lena"  # type: ignore[index]
    users.remove("lena")
    assert users.session(session) is None


def test_kb_users_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "d")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "amara", "--role", "admin", "--password-stdin", "--data-dir", data]) == 0
    assert main(["users", "--data-dir", data, "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out.splitlines()[-1])["users"]
    assert (listed["name"], listed["role"]) == ("amara", "admin")
    assert main(["tokens", "create", "amara", "--data-dir", data]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("kb_") and "shown once" in captured.err
    assert token not in (tmp_path / "d" / "kb.sqlite3").read_bytes().decode("latin-1")
    assert main(["users", "add", "amara", "--role", "staff", "--password-stdin", "--data-dir", data]) == 1


def test_serve_refuses_a_public_address_with_no_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "no users" in err and "kb users add NAME --role admin" in err


def test_a_stored_path_that_leaves_its_folder_is_never_served(fake_library: Settings, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "copy"
    shutil.copytree(fake_library.data_dir, data)
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data}), embedder=FakeEmbedder())
    doc = kb.documents(PUBLIC)[0]
    assert kb.file_path(doc.id).is_file()
    with kb.store.connect() as db:  # a tampered or hand-edited database
        db.execute("UPDATE documents SET source = ? WHERE id = ?", ("../" * 12 + "etc/hostname", doc.id))
    with pytest.raises(DocumentNotFound):
        kb.file_path(doc.id)
