"""Which documents are older versions of others: by the manifest's `supersedes`, or by title and date."""

from __future__ import annotations

from kb.types import Document


def _title_key(title: str) -> str:
    return " ".join(title.lower().split())


def link_versions(docs: list[Document]) -> None:
    """Set `superseded_by` on older versions.

    A manifest's `supersedes: <file>` says so explicitly; otherwise two documents with the same
    title and different dates are taken as versions of one document, the newer one current.
    """
    by_source = {(d.root, d.source): d for d in docs}
    explicit = set()
    for d in docs:
        if d.supersedes and (old := by_source.get((d.root, d.supersedes))) and old is not d:
            old.superseded_by = d.id
            explicit.add(old.id)
    groups: dict[str, list[Document]] = {}
    for d in docs:
        if d.date:
            groups.setdefault(_title_key(d.title), []).append(d)
    for group in groups.values():
        dates = {d.date for d in group}
        if len(dates) < 2:
            continue
        newest = max(group, key=lambda d: d.date or "")
        for d in group:
            if d.date != newest.date and d.id not in explicit and d.superseded_by is None:
                d.superseded_by = newest.id
