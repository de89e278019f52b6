"""Links that last: passage keys survive re-ingests; changed, superseded and removed passages still open and say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.errors import DocumentNotFound
from kb.knowledge_base import KnowledgeBase
from kb.links import nearest_passage, resolve_link, similarity
from kb.passage_keys import passage_key, passage_path
from kb.types import Chunk
from web.app import create_app

SECTIONS = {
    "Eligibility": "Households in the poorest villages qualify when a pregnant woman or a child under two lives there. "
    "Registration is done by the village health volunteer, who checks the family book.",
    "Benefits": "Each eligible household receives a monthly cash transfer through the district office. "
    "Payments stop when the youngest child turns two years old.",
    "Monitoring": "The district office reports enrolment and payments every quarter to the provincial steering group, "
    "which reviews delays and complaints at its next meeting.",
}


def write_note(folder: Path, sections: dict[str, str], name: str = "grant.md", manifest: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(f"## {title}\n\n{text}" for title, text in sections.items())
    (folder / name).write_text(f"# Cash grant note\n\n{body}\n")
    (folder / "manifest.yaml").write_text(manifest or "documents: []\n")
    return folder / name


def links_of(kb: KnowledgeBase) -> dict[str, tuple[str, str, int | None]]:
    """Return {url: (document id, passage text, chunk row id)} for every passage of the library."""
    return {
        passage_path(d.id, passage_key(c.text)): (d.id, c.text, c.id) for d in kb.documents() for c in kb.chunks(d.id)
    }


@pytest.fixture
def library(settings: Settings, fake_embedder, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "lib"
    write_note(folder, SECTIONS)
    (folder / "other.md").write_text("# Fleet\n\nOffice cars are serviced every 10,000 kilometres.\n")
    report = ingest_paths([folder], settings=settings, embedder=fake_embedder)
    assert report.added == ["grant.md", "other.md"], report.to_dict()
    return folder, KnowledgeBase(settings, embedder=fake_embedder)


def test_key_ignores_whitespace_case_and_compatibility_forms() -> None:
    assert passage_key("The  ﬁrst\nstep") == passage_key("the first step")
    assert passage_key("The first step") != passage_key("The second step")
    assert len(passage_key("x")) == 16


def test_reingest_keeps_every_link_though_row_ids_change(library, settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    before = links_of(kb)
    assert len(before) >= 4
    # A new title in the manifest makes ingest re-read the file: every passage is stored again under new row ids.
    (folder / "manifest.yaml").write_text("documents:\n  - file: grant.md\n    title: Cash grant operations note\n")
    report = ingest_paths([folder], settings=settings, embedder=fake_embedder)
    assert report.updated == ["grant.md"]
    after = links_of(kb)
    assert set(after) == set(before)
    grant = {url for url, v in before.items() if "grant" in v[0]}
    assert {after[u][2] for u in grant}.isdisjoint({before[u][2] for u in grant}), "row ids did not change"
    for url, (doc_id, text, _) in before.items():
        target = resolve_link(kb.store, doc_id, url.rsplit("/", 1)[-1])
        assert target.status == "exact" and target.chunk is not None and target.chunk.text == text
        assert target.notice is None


def test_changed_passage_opens_the_nearest_and_says_so(library, settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    before = links_of(kb)
    benefits = next(url for url, v in before.items() if "monthly cash transfer" in v[1])
    edited = dict(SECTIONS, Benefits=SECTIONS["Benefits"].replace("monthly", "quarterly"))
    write_note(folder, edited)
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    doc_id, key = benefits.split("/")[2], benefits.rsplit("/", 1)[-1]
    target = resolve_link(kb.store, doc_id, key)
    assert target.status == "changed" and target.chunk is not None
    assert "quarterly cash transfer" in target.chunk.text
    assert target.linked_text is not None and "monthly cash transfer" in target.linked_text
    assert target.similarity is not None and 0.8 < target.similarity < 1
    assert target.notice and "has changed" in target.notice
    # The other passages did not change: their links are exact.
    others = [url for url in before if url != benefits]
    assert all(resolve_link(kb.store, u.split("/")[2], u.rsplit("/", 1)[-1]).status == "exact" for u in others)


def test_superseded_and_replaced_documents_point_to_the_current_version(library, settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    before = links_of(kb)
    monitoring = next(url for url, v in before.items() if "every quarter" in v[1])
    doc_id, key = monitoring.split("/")[2], monitoring.rsplit("/", 1)[-1]
    newer = dict(SECTIONS, Monitoring=SECTIONS["Monitoring"].replace("every quarter", "every month"))
    write_note(folder, newer, name="grant-2025.md",
               manifest="documents:\n  - file: grant-2025.md\n    supersedes: grant.md\n    date: 2025-01-01\n")
    ingest_paths([folder], settings=settings, embedder=fake_embedder)

    superseded = resolve_link(kb.store, doc_id, key)
    assert superseded.status == "superseded" and superseded.chunk is not None and "every quarter" in superseded.chunk.text
    assert superseded.current is not None and superseded.current.source == "grant-2025.md"
    assert superseded.current_chunk is not None and "every month" in superseded.current_chunk.text
    with TestClient(create_app(kb.settings, kb=kb)) as client:
        html = client.get(monitoring).text
        current = passage_path(superseded.current.id, passage_key(superseded.current_chunk.text))
        assert "superseded by a newer version" in html and f'href="{current}#passage"' in html

    (folder / "grant.md").unlink()  # the old file goes: its passages live on in the history only
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    replaced = resolve_link(kb.store, doc_id, key)
    assert replaced.status == "replaced" and replaced.document is not None
    assert replaced.document.source == "grant-2025.md"
    assert replaced.chunk is not None and "every month" in replaced.chunk.text
    assert replaced.notice and "no longer in the library" in replaced.notice


def test_removed_document_still_opens_with_its_passage(library, settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    url, (doc_id, text, _) = next(iter(links_of(kb).items()))
    (folder / "grant.md").unlink()
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    target = resolve_link(kb.store, doc_id, url.rsplit("/", 1)[-1])
    assert target.status == "removed" and target.document is None and target.linked_text == text
    with pytest.raises(DocumentNotFound):
        resolve_link(kb.store, doc_id, "0" * 16)

    with TestClient(create_app(kb.settings, kb=kb)) as client:
        page = client.get(url)
        assert page.status_code == 200 and "no longer in the library" in page.text
        assert client.get(f"/documents/{doc_id}/passages/not-a-key").status_code == 404


def test_viewer_pages_say_what_the_link_found(library, settings: Settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    links = links_of(kb)
    benefits = next(url for url, v in links.items() if "monthly cash transfer" in v[1])
    with TestClient(create_app(kb.settings, kb=kb)) as client:
        exact = client.get(benefits)
        assert exact.status_code == 200 and 'class="notice' not in exact.text
        assert '<mark id="passage" class="passage-mark">' in exact.text and "monthly cash transfer" in exact.text
        assert 'class="copy-reference' in exact.text and "Cash grant note, “Benefits”" in exact.text
        assert "<script>" not in exact.text  # no inline script: all of it is in static files

        write_note(folder, dict(SECTIONS, Benefits=SECTIONS["Benefits"].replace("monthly", "quarterly")))
        ingest_paths([folder], settings=settings, embedder=fake_embedder)
        changed = client.get(benefits)
        assert changed.status_code == 200 and "has changed since the link was made" in changed.text
        marked = changed.text.split('<mark id="passage" class="passage-mark">', 1)[1].split("</mark>", 1)[0]
        assert "quarterly cash transfer" in marked


def test_nearest_passage_prefers_the_most_similar_text() -> None:
    chunks = [Chunk("d", i, t, None, None, 0, len(t)) for i, t in enumerate(SECTIONS.values())]
    near, score = nearest_passage(SECTIONS["Benefits"].replace("two years", "three years"), chunks)
    assert near is chunks[1] and score > 0.9
    assert similarity("a b c", "x y z") == 0.0
    assert nearest_passage("anything", []) == (None, 0.0)


def test_a_library_ingested_from_a_new_folder_keeps_its_links(library, settings: Settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, kb = library
    before = links_of(kb)
    moved = tmp_path / "moved"
    folder.rename(moved)
    fresh = Settings(data_dir=tmp_path / "fresh", corpus_dir=moved, _env_file=None)  # type: ignore[call-arg]
    ingest_paths([moved], settings=fresh, embedder=fake_embedder)
    store = KnowledgeBase(fresh, embedder=fake_embedder).store
    for url, (doc_id, text, _) in before.items():
        assert store.documents() and all(d.id != doc_id for d in store.documents())  # the ids changed with the folder
        target = resolve_link(store, doc_id, url.rsplit("/", 1)[-1])
        assert target.status == "exact" and target.chunk is not None and target.chunk.text == text
