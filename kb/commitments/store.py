"""The commitments tables: records tied to their document, evidence links, and statuses set by hand."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from kb.commitments.types import Commitment, Evidence, StatusNote

SCHEMA = """
CREATE TABLE IF NOT EXISTS commitments (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    number TEXT,
    text TEXT NOT NULL,
    owner TEXT,
    due TEXT,
    due_text TEXT,
    page INTEGER,
    section TEXT,
    char_start INTEGER NOT NULL,
    chunk_id INTEGER REFERENCES chunks(id) ON DELETE SET NULL,
    given_status TEXT
);
CREATE INDEX IF NOT EXISTS commitments_document ON commitments(document_id);
CREATE TABLE IF NOT EXISTS commitment_evidence (
    commitment_id TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (commitment_id, rank)
);
-- Kept apart from the records (no cascade): a status set by hand outlives a re-ingest of its document.
CREATE TABLE IF NOT EXISTS commitment_status (
    commitment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commitment_status_id ON commitment_status(commitment_id, set_at);
"""


def create_tables(db: sqlite3.Connection) -> None:
    """Create the commitments tables if the library lacks them."""
    db.executescript(SCHEMA)


def insert_commitments(db: sqlite3.Connection, doc_id: str, records: Sequence[Commitment]) -> None:
    """Store a document's records (inside its replacing transaction, after its chunks)."""
    ids = dict(db.execute("SELECT ordinal, id FROM chunks WHERE document_id = ?", (doc_id,)).fetchall())
    seen: set[str] = set()
    rows = []
    for i, r in enumerate(records):
        r.document_id = doc_id
        record_id = r.id
        if record_id in seen:  # the same words twice in one document: keep both, apart
            record_id = f"{record_id}-{i}"
        seen.add(record_id)
        rows.append((
            record_id, doc_id, i, r.kind, r.number, r.text, r.owner, r.due, r.due_text, r.page, r.section,
            r.char_start, ids.get(r.chunk_ordinal) if r.chunk_ordinal is not None else None, r.given_status,
        ))
    db.executemany("INSERT INTO commitments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


_SELECT = """
SELECT c.*, d.title, d.source, d.date AS doc_date, d.visibility, k.text AS passage
FROM commitments c JOIN documents d ON d.id = c.document_id LEFT JOIN chunks k ON k.id = c.chunk_id
"""


def read_commitments(db: sqlite3.Connection, document_id: str | None = None) -> list[Commitment]:
    """Return every record (or one document's) with its document, evidence and latest hand-set status, in document
    order."""
    where, params = (" WHERE c.document_id = ?", (document_id,)) if document_id is not None else ("", ())
    rows = db.execute(_SELECT + where + " ORDER BY COALESCE(d.date, '') DESC, d.title, c.ordinal", params).fetchall()
    evidence: dict[str, list[Evidence]] = {}
    of_document = " WHERE commitment_id IN (SELECT id FROM commitments WHERE document_id = ?)" if params else ""
    for cid, payload in db.execute(
        "SELECT commitment_id, evidence FROM commitment_evidence" + of_document + " ORDER BY commitment_id, rank", params
    ):
        evidence.setdefault(cid, []).append(Evidence(**json.loads(payload)))
    notes = latest_statuses(db)
    out = []
    for r in rows:
        c = Commitment(
            document_id=r["document_id"], kind=r["kind"], text=r["text"], number=r["number"], owner=r["owner"],
            due=r["due"], due_text=r["due_text"], page=r["page"], section=r["section"], char_start=r["char_start"],
            chunk_id=r["chunk_id"], passage=r["passage"], given_status=r["given_status"], title=r["title"],
            source=r["source"], doc_date=r["doc_date"], visibility=r["visibility"],
        )
        c.stored_id = r["id"]
        c.evidence = evidence.get(r["id"], [])
        c.manual = notes.get(r["id"])
        out.append(c)
    return out


def latest_statuses(db: sqlite3.Connection) -> dict[str, StatusNote]:
    """Return the latest hand-set status of each record."""
    out: dict[str, StatusNote] = {}
    for cid, status, note, by, at in db.execute(
        "SELECT commitment_id, status, note, set_by, set_at FROM commitment_status ORDER BY set_at, rowid"
    ):
        out[cid] = StatusNote(status, note, by, at)
    return out


def status_history(db: sqlite3.Connection, commitment_id: str) -> list[StatusNote]:
    """Return every status set by hand on one record, oldest first."""
    rows = db.execute(
        "SELECT status, note, set_by, set_at FROM commitment_status WHERE commitment_id = ? ORDER BY set_at, rowid",
        (commitment_id,),
    )
    return [StatusNote(*r) for r in rows]


def add_status(db: sqlite3.Connection, commitment_id: str, note: StatusNote) -> None:
    """Record a status set by hand."""
    db.execute("INSERT INTO commitment_status VALUES (?, ?, ?, ?, ?)",
               (commitment_id, note.status, note.note, note.by, note.at))


def replace_evidence(db: sqlite3.Connection, links: dict[str, list[Evidence]]) -> None:
    """Replace every record's evidence links."""
    db.execute("DELETE FROM commitment_evidence")
    db.executemany(
        "INSERT INTO commitment_evidence VALUES (?, ?, ?)",
        [(cid, rank, json.dumps(e.__dict__)) for cid, items in links.items() for rank, e in enumerate(items)],
    )
