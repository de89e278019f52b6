"""Removing by path: the documents of a file or folder go, on disk or not; nothing else does; a path that holds
nothing is a failure that names it."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.pipeline import ingest_paths
from ingest.remove import remove_paths
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase


def _library(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "meals.md").write_text("# School meals\n\nThe programme serves lunch to pupils in poor districts.\n")
    (folder / "fleet.txt").write_text("VEHICLE POLICY\n\nOffice cars are serviced every 10,000 kilometres.\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "ferry.md").write_text("# Ferries\n\nThe ferry runs twice a day in the dry season.\n")


def _sources(settings: Settings, embedder) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(d.source for d in KnowledgeBase(settings, embedder=embedder).documents())


def test_a_moved_folders_documents_are_removed_and_the_other_copy_stays(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old, new = tmp_path / "old", tmp_path / "new"
    _library(old)
    ingest_paths([old], settings=settings, embedder=fake_embedder)
    shutil.move(old, new)
    report = ingest_paths([new], settings=settings, embedder=fake_embedder)
    assert any("kb remove" in w["warning"] for w in report.warnings)
    assert len(_sources(settings, fake_embedder)) == 6  # every passage held twice

    removed = remove_paths([old], settings=settings, embedder=fake_embedder)  # the folder is gone from disk
    assert removed.ok and sorted(removed.removed) == sorted(str(old / s) for s in ("meals.md", "fleet.txt", "sub/ferry.md"))
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    assert {d.root for d in kb.documents()} == {str(new)}
    hits = kb.search("office cars serviced kilometres", k=5)
    assert hits and all(h.document.root == str(new) for h in hits)  # the dense and keyword indexes agree


def test_one_file_or_a_subfolder_goes_alone(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert remove_paths([lib / "fleet.txt"], settings=settings, embedder=fake_embedder).removed == [str(lib / "fleet.txt")]
    assert remove_paths([lib / "sub"], settings=settings, embedder=fake_embedder).removed == [str(lib / "sub" / "ferry.md")]
    assert _sources(settings, fake_embedder) == ["meals.md"]
    hits = KnowledgeBase(settings, embedder=fake_embedder).search("ferry dry season", k=5)
    assert all(h.document.source == "meals.md" for h in hits)


def test_a_path_that_holds_nothing_fails_by_name_and_removes_nothing(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    _library(lib)
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    # "lib-old" starts like "lib" but is another folder: nothing of lib is under it.
    report = remove_paths([tmp_path / "lib-old", tmp_path / "li"], settings=settings, embedder=fake_embedder)
    assert not report.ok and not report.removed
    assert [f["source"] for f in report.failed] == [str(tmp_path / "lib-old"), str(tmp_path / "li")]
    assert all(f["reason"] for f in report.failed)
    assert len(_sources(settings, fake_embedder)) == 3
