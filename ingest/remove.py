"""Taking documents out of the library: every document ingested from a file or folder, on disk or not.

Ingesting a folder again removes the documents of its files that are gone; a folder that was moved or deleted is
never ingested again, so its documents would stay (and a folder ingested from two paths is held twice). Removing
by path takes them out under the same ingest lock, then rebuilds the dense indexes as an ingest run ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.lock import Holder
from ingest.pipeline import Ingestor, IngestReport
from ingest.upload import uploads_dir
from kb.config import Settings
from kb.embed import Embedder
from kb.types import Document


def _path_of(doc: Document) -> Path:
    return Path(doc.root) / doc.source


def held_under(documents: Iterable[Document], target: Path) -> list[Document]:
    """Return the documents ingested from `target`: the file itself, or any file in the folder or below it."""
    return [d for d in documents if _path_of(d) == target or target in _path_of(d).parents]


def remove_paths(
    paths: Iterable[Path],
    *,
    settings: Settings,
    embedder: Embedder,
    multilingual: Embedder | None = None,
    lock_wait_s: float | None = None,
    on_lock_wait: Callable[[Holder | None], None] | None = None,
) -> IngestReport:
    """Remove every document ingested from these files or folders; a path that holds none is a failure that names it.

    The paths need not exist any more: a document is matched by the absolute path it was ingested from.
    """
    started = time.perf_counter()
    report = IngestReport()
    with Ingestor(
        settings, embedder, multilingual=multilingual, lock_wait_s=lock_wait_s, on_lock_wait=on_lock_wait
    ) as ingestor:
        documents = ingestor.store.documents()
        chosen: dict[str, Document] = {}
        for path in paths:
            target = Path(path).expanduser().resolve()
            found = held_under(documents, target)
            if not found:
                report.failed.append({"source": str(path), "reason": "the library holds no document ingested from here"})
            chosen.update((d.id, d) for d in found)
        if chosen:
            _take_out(ingestor, list(chosen.values()), report)
    report.seconds = time.perf_counter() - started
    return report


def remove_document(
    doc_id: str,
    *,
    settings: Settings,
    embedder: Embedder,
    multilingual: Embedder | None = None,
    lock_wait_s: float | None = None,
) -> Document | None:
    """Remove one document by its id and return it (None when the library holds no such document).

    A file uploaded from the web page is deleted with it: it lives in the data directory's uploads folder only for
    the library's sake. A file ingested from anywhere else is the owner's, and stays where it is.
    """
    with Ingestor(settings, embedder, multilingual=multilingual, lock_wait_s=lock_wait_s) as ingestor:
        doc = next((d for d in ingestor.store.documents() if d.id == doc_id), None)
        if doc is None:
            return None
        _take_out(ingestor, [doc], IngestReport())
        if Path(doc.root).resolve() == uploads_dir(settings).resolve():
            _path_of(doc).unlink(missing_ok=True)
    return doc


def _take_out(ingestor: Ingestor, documents: list[Document], report: IngestReport) -> None:
    """Delete the documents (their pages, passages and records go with them) and rebuild the indexes."""
    ingestor.store.remove_documents([d.id for d in documents])
    report.removed.extend(sorted(str(_path_of(d)) for d in documents))
    ingestor.finish(report)
