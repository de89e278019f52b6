"""Ingestion is incremental, isolates bad files, and never loses what is already in."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.errors import IndexMismatchError
from kb.knowledge_base import KnowledgeBase


def _write_library(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meals.md").write_text(
        "# School meals\n\nThe programme serves lunch to pupils in poor districts every school day.\n"
    )
    (folder / "fleet.txt").write_text("VEHICLE POLICY\n\nOffice cars are serviced every 10,000 kilometres.\n")
    (folder / "manifest.yaml").write_text(
        "exclude: [README.md]\n"
        "documents:\n"
        "  - file: meals.md\n    title: School meals note\n    type: note\n    date: 2024-05-01\n"
    )
    (folder / "README.md").write_text("# About this folder\n")


def test_first_run_adds_second_run_skips(settings: Settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    first = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert sorted(first.added) == ["fleet.txt", "meals.md"] and first.ok
    embedded = fake_embedder.texts_embedded
    second = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert sorted(second.unchanged) == ["fleet.txt", "meals.md"]
    assert not second.added and not second.updated
    assert fake_embedder.texts_embedded == embedded, "unchanged files must not be re-embedded"
    docs = {d.source: d for d in KnowledgeBase(settings, embedder=fake_embedder).documents()}
    assert docs["meals.md"].title == "School meals note" and docs["meals.md"].doc_type == "note"
    assert docs["meals.md"].date == "2024-05-01"
    assert docs["fleet.txt"].title  # from the first heading or the file name
    assert "README.md" not in docs


def test_changed_file_replaces_and_gone_file_is_removed(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    (lib / "meals.md").write_text("# School meals\n\nFrom 2026 breakfast is served as well as lunch.\n")
    (lib / "fleet.txt").unlink()
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert report.updated == ["meals.md"] and report.removed == ["fleet.txt"]
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    texts = [c.text for d in kb.documents() for c in kb.chunks(d.id)]
    assert any("breakfast" in t for t in texts)
    assert not any("lunch to pupils" in t for t in texts), "stale chunks of the old version remain"
    assert not any("kilometres" in t for t in texts)
    with sqlite3.connect(settings.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == len(texts)


def test_bad_file_fails_alone_and_keeps_previous_version(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    (lib / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert [f["source"] for f in report.failed] == ["broken.pdf"]
    assert report.failed[0]["reason"]
    assert sorted(report.added) == ["fleet.txt", "meals.md"]
    # A file that was fine and becomes unreadable keeps its last good version.
    (lib / "meals.md").write_bytes(b"\x00\x01\x02" * 100)
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert "meals.md" in [f["source"] for f in report.failed]
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    assert any(d.source == "meals.md" for d in kb.documents())


def test_index_built_with_another_model_is_refused(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)

    class Other(type(fake_embedder)):  # type: ignore[misc]
        name = "another-model"

    with pytest.raises(IndexMismatchError, match="another-model"):
        KnowledgeBase(settings, embedder=Other())


def test_stale_dense_file_is_rebuilt_from_the_database(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A crash between the database commit and the FAISS swap must not serve a stale index."""
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    from kb.store import Store

    dense = Store(settings.data_dir).dense_path(fake_embedder.name)
    assert dense.is_file()
    dense.with_suffix(".json").write_text(json.dumps({"generation": -1, "model": fake_embedder.name}))
    dense.write_bytes(b"garbage")
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    hits = kb.search("lunch for pupils", k=1)
    assert hits and hits[0].document.source == "meals.md"


def test_running_server_sees_a_later_ingest(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    assert kb.stats().documents == 2
    (lib / "extra.txt").write_text("IRRIGATION\n\nCanals are cleared before the rainy season.\n")
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert kb.stats().documents == 3
    assert kb.search("canals rainy season", k=1)[0].document.source == "extra.txt"


def test_newer_version_supersedes_and_wins(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "policy-2019.md").write_text("# Leave policy\n\nStaff get 15 days of annual leave each year.\n")
    (lib / "policy-2024.md").write_text("# Leave policy\n\nStaff get 18 days of annual leave each year.\n")
    (lib / "manifest.yaml").write_text(
        "documents:\n"
        "  - {file: policy-2019.md, title: Leave policy, date: 2019-01-01}\n"
        "  - {file: policy-2024.md, title: Leave policy, date: 2024-01-01}\n"
    )
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert any("supersedes policy-2019.md" in w["warning"] for w in report.warnings), report.warnings
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    docs = {d.source: d for d in kb.documents()}
    assert docs["policy-2019.md"].superseded_by == docs["policy-2024.md"].id
    hits = kb.search("how many days of annual leave do staff get", k=2)
    assert hits[0].document.source == "policy-2024.md"
    answer = kb.ask("How many days of annual leave do staff get?").to_dict()
    labels = {c["source"]: c["superseded"] for c in answer["citations"] + answer["related"]}
    assert labels.get("policy-2019.md") is True and labels.get("policy-2024.md") is False


def test_the_same_file_from_a_second_folder_is_reported(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "lib", tmp_path / "moved"
    _write_library(first)
    assert not ingest_paths([first], settings=settings, embedder=fake_embedder).warnings
    shutil.copytree(first, second)
    (second / "new.md").write_text("# Ferries\n\nThe ferry runs twice a day in the dry season.\n")
    report = ingest_paths([second], settings=settings, embedder=fake_embedder)
    copied = {w["source"] for w in report.warnings if "already holds the same file" in w["warning"]}
    assert copied == {"meals.md", "fleet.txt"}, report.warnings
    assert any(str(first) in w["warning"] for w in report.warnings)


def test_manifest_supersedes_by_file(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "draft.md").write_text("# Draft strategy\n\nCoverage target is 60 percent.\n")
    (lib / "final.md").write_text("# Final strategy\n\nCoverage target is 70 percent.\n")
    (lib / "manifest.yaml").write_text("documents:\n  - {file: final.md, supersedes: draft.md}\n")
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    docs = {d.source: d for d in KnowledgeBase(settings, embedder=fake_embedder).documents()}
    assert docs["draft.md"].superseded_by == docs["final.md"].id and docs["final.md"].superseded_by is None


def test_every_hostile_file_is_accounted_for(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The shared broken/encrypted/scanned PDFs: each is added or failed with a reason; passwords come from the manifest."""
    import shutil

    nasty = Path(__file__).resolve().parents[2] / "shared" / "pdfs" / "nasty"
    if not nasty.is_dir():
        pytest.skip(f"shared PDFs not found at {nasty}")
    lib = tmp_path / "nasty"
    shutil.copytree(nasty, lib)
    (lib / "manifest.yaml").write_text(
        "documents:\n"
        "  - {file: encrypted-aes128-user-pw-asdfzxcv.pdf, password: asdfzxcv}\n"
        "  - {file: encrypted-aes256-pw-password.pdf, password: password}\n"
    )
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    files = {p.name for p in lib.iterdir() if p.name != "manifest.yaml"}
    failed = {f["source"]: f["reason"] for f in report.failed}
    assert set(report.added) | set(failed) == files and not set(report.added) & set(failed)
    assert all(reason.strip() for reason in failed.values())
    assert "encrypted-aes128-user-pw-asdfzxcv.pdf" in report.added
    assert "encrypted-aes256-pw-password.pdf" in report.added
    assert "password required" in failed["encrypted-libreoffice-pw-openpassword.pdf"]
    assert failed["empty-0-bytes.pdf"] == "empty file (0 bytes)"


def test_small_files_are_embedded_together_and_each_is_stored(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(12):
        (lib / f"note{i:02}.txt").write_text(f"Note {i}\n\nDistrict {i} reported {i * 7} new members this month.\n")
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert len(report.added) == 12 and report.ok
    assert fake_embedder.calls == 1, "twelve one-passage files should make one embedding batch, not twelve"
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    assert len(kb.documents()) == 12
    hits = kb.search("District 5 new members")
    assert hits and hits[0].document.source == "note05.txt"


def test_an_unforeseen_error_in_one_file_fails_that_file_alone(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ingest.parse import parse_file

    lib = tmp_path / "lib"
    _write_library(lib)

    def parser(path: Path, *, source: str, **options):  # type: ignore[no-untyped-def]
        if source == "fleet.txt":
            raise TypeError("TextInputSequence must be str")
        return parse_file(path, source=source)

    report = ingest_paths([lib], settings=settings, embedder=fake_embedder, parser=parser)
    assert report.added == ["meals.md"]
    assert report.failed == [{"source": "fleet.txt", "reason": "could not be read (TypeError: TextInputSequence must be str)"}]


def test_a_failed_embedding_batch_fails_its_files_and_keeps_the_rest(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    (lib / "meals.md").write_text("# School meals\n\nFrom 2026 breakfast is served as well as lunch.\n")

    class Failing(type(fake_embedder)):  # type: ignore[misc]
        def embed(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
            raise RuntimeError("out of memory")

    report = ingest_paths([lib], settings=settings, embedder=Failing())
    assert report.failed == [{"source": "meals.md", "reason": "embedding failed: out of memory"}]
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    texts = [c.text for d in kb.documents() for c in kb.chunks(d.id)]
    assert any("lunch to pupils" in t for t in texts), "the last good version must stay"
    assert any("kilometres" in t for t in texts)


def test_a_library_from_before_table_headers_and_parents_opens(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    with sqlite3.connect(settings.db_path) as db:  # the schema as it was before the columns existed
        db.execute("ALTER TABLE chunks DROP COLUMN table_header")
        db.execute("ALTER TABLE chunks DROP COLUMN parent")
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    chunks = kb.chunks(kb.documents()[0].id)
    assert kb.search("school lunch pupils") and all(c.table_header is None and c.parent is None for c in chunks)


def test_a_newer_chunker_rechunks_unchanged_files_once(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    with sqlite3.connect(settings.db_path) as db:  # as if an older chunker had cut one of the files
        db.execute("UPDATE documents SET chunker = '1' WHERE source = 'meals.md'")
    embedded = fake_embedder.texts_embedded
    again = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert again.updated == ["meals.md"] and again.unchanged == ["fleet.txt"] and again.ok
    assert fake_embedder.texts_embedded == embedded, "passages whose text did not change keep their vectors"
    third = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert sorted(third.unchanged) == ["fleet.txt", "meals.md"]


def test_a_library_with_one_chunker_version_for_all_files_is_migrated(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import READER_VERSION

    lib = tmp_path / "lib"
    _write_library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    for version, expected in ((READER_VERSION, "unchanged"), ("1", "updated")):
        with sqlite3.connect(settings.db_path) as db:  # the schema as it was: one version in `meta`
            db.execute("ALTER TABLE documents DROP COLUMN chunker")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('chunker_version', ?)", (version,))
        report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
        assert sorted(getattr(report, expected)) == ["fleet.txt", "meals.md"], version


def test_table_rows_get_vectors_that_lift_their_passage(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A row matching the question raises its passage in the dense leg; its vectors leave with the file."""
    from kb.retrieve import ROW_WEIGHT, dense_leg
    from kb.store import ROW_ID_SHIFT, Store

    lib = tmp_path / "lib"
    _write_library(lib)
    rows = "\n".join(f"| Indicator {name} | {i} | {i * 2} |" for i, name in enumerate(["alpha", "beta", "gamma", "delta"]))
    (lib / "table.md").write_text(f"# Indicators\n\n| Indicator | Baseline | Target |\n|---|---|---|\n{rows}\n")
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    store = Store(settings.data_dir)
    ids, vectors = store.chunk_vectors(fake_embedder.name, fake_embedder.dim)
    row_ids = ids[ids >= 1 << ROW_ID_SHIFT]
    assert len(row_ids) == 4 and len(vectors) == len(ids)

    kb = KnowledgeBase(settings, embedder=fake_embedder)
    snap = kb.snapshot()
    table_chunk = int(row_ids[0] & ((1 << ROW_ID_SHIFT) - 1))
    query = fake_embedder.embed(["Indicator gamma Baseline Target"], kind="query")[0]
    own = float(snap.dense.reconstruct(table_chunk) @ query)
    best_row = max(float(snap.dense.reconstruct(int(v)) @ query) for v in row_ids)
    assert best_row > own
    leg = dense_leg(snap, query, 5, None, row_weight=0.5)
    scores = dict(zip(snap.chunk_ids[leg.rows].tolist(), leg.scores.tolist(), strict=True))
    assert scores[table_chunk] == pytest.approx(own + 0.5 * (best_row - own), abs=1e-5)
    assert len(set(leg.rows.tolist())) == len(leg.rows)  # one entry per passage, however many rows matched
    # A filter that allows only the table's document still finds it through its rows.
    only_table = np.array([snap.chunk_docs[r] == snap.chunk_docs[snap.row_of[table_chunk]] for r in range(len(snap.chunk_ids))])
    assert snap.chunk_ids[dense_leg(snap, query, 5, only_table).rows].tolist() == [table_chunk]
    hit = next(h for h in kb.search("Indicator gamma Baseline Target", k=5) if h.chunk.id == table_chunk)
    assert hit.dense == pytest.approx(own + ROW_WEIGHT * (best_row - own), abs=1e-5)  # the search's setting

    with sqlite3.connect(settings.data_dir / "kb.sqlite3") as db:
        row_hashes = [h for (h,) in db.execute("SELECT content_hash FROM chunk_rows")]
    assert len(store.cached_vectors(row_hashes, fake_embedder.name)) == 4
    (lib / "table.md").unlink()
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    with sqlite3.connect(settings.data_dir / "kb.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM chunk_rows").fetchone() == (0,)
    ids, _ = store.chunk_vectors(fake_embedder.name, fake_embedder.dim)
    assert not (ids >= 1 << ROW_ID_SHIFT).any()
    assert store.cached_vectors(row_hashes, fake_embedder.name) == {}  # pruned with the file


def test_a_table_whose_rows_all_match_does_not_crowd_out_other_passages(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kb.retrieve import dense_leg

    lib = tmp_path / "lib"
    _write_library(lib)
    rows = "\n".join(f"| District budget line {i} | {i} | {i * 2} |" for i in range(60))
    (lib / "budget.md").write_text(f"# Budget lines\n\n| District budget line | 2023 | 2025 |\n|---|---|---|\n{rows}\n")
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    snap = kb.snapshot()
    assert snap.rows_of(snap.dense).count >= 60
    query = fake_embedder.embed(["district budget line"], kind="query")[0]
    leg = dense_leg(snap, query, 4, None)
    # Sixty rows outrank every other passage, yet the leg still returns four distinct passages.
    assert len(leg.rows) == 4 and len(set(leg.rows.tolist())) == 4
