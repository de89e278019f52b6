"""Links that last: a passage is addressed by its document's id and a hash of its normalised text.

A document's id comes from where its file was ingested from (`ingest.discover.document_id`), and a passage's key
from its text, so neither changes when the library is re-ingested (row ids do). Every passage ever stored is kept
in `passage_history` with its text, so a link whose passage has since changed, or whose document was superseded or
removed, still opens: it says what happened and points to the nearest passage of the current version.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.access import visible_documents
from kb.errors import DocumentNotFound
from kb.passage_keys import normalise_passage, passage_key
from kb.store import Store
from kb.types import Chunk, Document

_WORD = re.compile(r"\w+")
MAX_VERSIONS = 20  # how far a chain of superseding documents is followed


@dataclass
class LinkTarget:
    """What a passage link opens now, and how it relates to what the link pointed at."""

    # exact: the passage is there. changed: the document is, the passage changed; the nearest is shown.
    # superseded: the passage is there, in a document a newer one replaces. replaced: the document is gone, a newer
    # version holds the nearest passage. removed: the document and any version of it are gone.
    status: str
    key: str
    document: Document | None  # the document shown
    chunk: Chunk | None  # the passage marked in it
    linked_title: str  # the title of the document the link pointed at
    linked_text: str | None  # the passage the link pointed at, when known
    current: Document | None = None  # the newest version, when the shown document is superseded
    current_chunk: Chunk | None = None  # the nearest passage in it
    similarity: float | None = None  # of the passage shown (or `current_chunk`) to the linked one

    @property
    def notice(self) -> str | None:
        """Return what the reader must know before trusting the page, or None for an exact hit."""
        similar = "" if self.similarity is None else f" (text similarity {self.similarity:.0%})"
        if self.status == "changed":
            return ("The passage this link points to has changed since the link was made; the nearest passage of the "
                    f"document's current text is marked{similar}.")
        if self.status == "superseded":
            return "This document has been superseded by a newer version; the cited passage is shown as it was."
        if self.status == "replaced":
            return (f"The document this link points to ({self.linked_title}) is no longer in the library; the nearest "
                    f"passage of the version that replaces it is marked{similar}.")
        if self.status == "removed":
            return f"The document this link points to ({self.linked_title}) is no longer in the library."
        if self.status == "unknown":
            return "This document holds no passage with this link's key: it may come from an older library."
        return None


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise_passage(text))


def similarity(a: str, b: str) -> float:
    """Return how alike two passages are, 0 to 1: the share of their words in common runs, in order."""
    left, right = _words(a), _words(b)
    if not left or not right:
        return 0.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def nearest_passage(text: str, chunks: Sequence[Chunk]) -> tuple[Chunk | None, float]:
    """Return the passage most like `text` and its similarity; (None, 0) when there are none."""
    best: tuple[Chunk | None, float] = (None, 0.0)
    wanted = set(_words(text))
    for chunk in chunks:
        # Word overlap bounds the ratio cheaply: skip passages that cannot beat the best so far.
        words = _words(chunk.text)
        if not words or (best[0] is not None and 2 * len(wanted & set(words)) / (len(wanted) + len(words)) <= best[1]):
            continue
        score = similarity(text, chunk.text)
        if score > best[1] or best[0] is None:
            best = (chunk, score)
    return best


def _find(chunks: Sequence[Chunk], key: str) -> Chunk | None:
    return next((c for c in chunks if passage_key(c.text) == key), None)


def _history(store: Store, doc_id: str, key: str) -> sqlite3.Row | None:
    with store.connect() as db:
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM passage_history WHERE document_id = ? AND passage_key = ?", (doc_id, key)
        ).fetchone()
    return row


def current_version(documents: Mapping[str, Document], doc: Document) -> Document:
    """Return the newest version of a document among `documents` (itself when nothing there supersedes it)."""
    seen = {doc.id}
    while doc.superseded_by and doc.superseded_by in documents and len(seen) < MAX_VERSIONS:
        doc = documents[doc.superseded_by]
        if doc.id in seen:
            break
        seen.add(doc.id)
    return doc


def _successor(documents: Mapping[str, Document], root: str, source: str, title: str) -> Document | None:
    """Return the current version of a document that is gone: one naming it in `supersedes`, or one of its title."""
    docs = list(documents.values())
    named = [d for d in docs if d.root == root and d.supersedes == source]
    same_title = [d for d in docs if " ".join(d.title.casefold().split()) == " ".join(title.casefold().split())]
    found = (named or same_title)[:1]
    return current_version(documents, found[0]) if found else None


def _moved(store: Store, documents: Mapping[str, Document], doc_id: str, key: str) -> LinkTarget | None:
    """Return the passage in a document of the same file name that holds it, when the library was ingested from a
    new folder (a document's id is its file name's slug plus a hash of the folder and path), else None."""
    slug = doc_id.rsplit("-", 1)[0]
    for doc in documents.values():
        if doc.id.rsplit("-", 1)[0] == slug and (chunk := _find(store.document_chunks(doc.id), key)) is not None:
            return LinkTarget("exact", key, doc, chunk, doc.title, chunk.text)
    return None


def resolve_link(store: Store, doc_id: str, key: str, visible: Sequence[str] | None = None) -> LinkTarget:
    """Return what the link to passage `key` of document `doc_id` opens now (see `LinkTarget.status`).

    With `visible` (the visibilities the reader may see), the link resolves among those documents only: a hidden
    document, its passage history and any hidden version that replaces it are as if they had never been stored.
    """
    everything = store.documents()
    shown = everything if visible is None else visible_documents(everything, tuple(visible))
    documents = {d.id: d for d in shown}
    doc = documents.get(doc_id)
    past = _history(store, doc_id, key)
    hidden = visible is not None and doc is None and any(d.id == doc_id for d in everything)
    if past is not None and (hidden or (visible is not None and past["visibility"] not in visible)):
        past = None  # a document the reader may not see (or one gone whose visibility was never recorded)
    linked_text = None if past is None else str(past["text"])
    if doc is not None:
        chunk = _find(store.document_chunks(doc.id), key)
        if chunk is not None:
            target = LinkTarget("exact", key, doc, chunk, doc.title, chunk.text)
            if doc.superseded_by:
                target.status = "superseded"
                target.current = current_version(documents, doc)
                target.current_chunk, target.similarity = nearest_passage(chunk.text, store.document_chunks(target.current.id))
            return target
        if linked_text is None:
            return LinkTarget("unknown", key, doc, None, doc.title, None)
        newest = current_version(documents, doc)
        near, score = nearest_passage(linked_text, store.document_chunks(newest.id))
        return LinkTarget("changed", key, newest, near, doc.title, linked_text, similarity=score)
    if past is None:
        moved = _moved(store, documents, doc_id, key)
        if moved is not None:
            return moved
        raise DocumentNotFound(f"no document with id {doc_id!r}, and no passage {key!r} was ever stored under it")
    successor = _successor(documents, str(past["root"]), str(past["source"]), str(past["title"]))
    if successor is None:
        return LinkTarget("removed", key, None, None, str(past["title"]), linked_text)
    near, score = nearest_passage(linked_text or "", store.document_chunks(successor.id))
    return LinkTarget("replaced", key, successor, near, str(past["title"]), linked_text, similarity=score)
