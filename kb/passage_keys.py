"""A passage's lasting key: the hash of its normalised text, and the history of every passage ever stored."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Sequence

from kb.types import Chunk, Document

KEY_LENGTH = 16  # hex digits of the passage's hash: 64 bits, unique among any one document's passages
_KEY = re.compile(rf"[0-9a-f]{{{KEY_LENGTH}}}")
_SOFT_HYPHEN = "\u00ad"


def normalise_passage(text: str) -> str:
    """Return the form of a passage's text that its key hashes: NFKC, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace(_SOFT_HYPHEN, "").casefold()
    return " ".join(text.split())


def passage_key(text: str) -> str:
    """Return the passage's key: the first hex digits of the SHA-256 of its normalised text."""
    return hashlib.sha256(normalise_passage(text).encode()).hexdigest()[:KEY_LENGTH]


def is_passage_key(value: str) -> bool:
    """Return True when `value` has the form of a passage key."""
    return bool(_KEY.fullmatch(value))


def passage_path(doc_id: str, key: str) -> str:
    """Return the site-relative URL of a passage's viewer."""
    return f"/documents/{doc_id}/passages/{key}"


def record_passages(db: sqlite3.Connection, doc: Document, chunks: Sequence[Chunk], seen_at: str) -> None:
    """Remember every passage of a document as stored now, so links to it outlive later versions."""
    # Its older passages take its visibility now too: a link to any of them is shown to whom the document is.
    db.execute("UPDATE passage_history SET visibility = ? WHERE document_id = ?", (doc.visibility, doc.id))
    db.executemany(
        "INSERT OR REPLACE INTO passage_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc.id, passage_key(c.text), doc.root, doc.source, doc.title, c.text, c.page, seen_at, doc.visibility)
         for c in chunks],
    )


def backfill_history(db: sqlite3.Connection) -> None:
    """Record the passages of a library built before links were kept (run once per library)."""
    db.create_function("passage_key", 1, passage_key, deterministic=True)
    db.execute(
        "INSERT OR IGNORE INTO passage_history SELECT d.id, passage_key(c.text), d.root, d.source, d.title, c.text, "
        "c.page, d.ingested_at, d.visibility FROM chunks c JOIN documents d ON d.id = c.document_id"
    )
