"""What an ingest run tells its caller: the files added, updated, unchanged, removed, failed and skipped, and the
warnings worth a look (a document superseding another, the same file held twice)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.discover import document_id
from kb.store import Store


@dataclass
class IngestReport:
    """What one ingest run did to each file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    # Entries of a folder left out on purpose (hidden, '_' folders, the manifest, its excludes), with the reason.
    skipped: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON printed by `kb ingest --json`."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "warnings": self.warnings,
            "skipped": self.skipped,
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 2),
        }

    @property
    def ok(self) -> bool:
        """Return True when no file failed."""
        return not self.failed


def report_versions(store: Store, report: IngestReport) -> None:
    """Say which added or updated documents supersede, or are superseded by, another (once per run)."""
    changed = set(report.added) | set(report.updated)
    if not changed:
        return
    docs = store.documents()
    by_id = {d.id: d for d in docs}
    for doc in docs:
        newer = by_id.get(doc.superseded_by or "")
        if newer is None:
            continue
        if newer.source in changed:
            report.warnings.append({"source": newer.source, "warning": f"supersedes {doc.source} ({doc.title}, {doc.date})"})
        if doc.source in changed:
            report.warnings.append(
                {"source": doc.source, "warning": f"superseded by {newer.source} ({newer.title}, {newer.date})"}
            )


def report_copies(store: Store, files: Sequence[tuple[str, str]], report: IngestReport) -> None:
    """Warn about each file added (of these (root, source) pairs) whose bytes the library already holds under another
    name or folder: its passages would be found and cited twice (a folder ingested again from a new path is held
    twice)."""
    added = set(report.added)
    ids = {document_id(root, source): source for root, source in files if source in added}
    for doc_id, other in store.copies(list(ids)) if ids else []:
        warning = (f"the library already holds the same file as {other}, so its passages will be found twice "
                   "(kb remove takes a copy out)")
        report.warnings.append({"source": ids[doc_id], "warning": warning})
