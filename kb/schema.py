"""The SQLite schema of a library: documents, pages, passages, their table rows and cached embeddings."""

from __future__ import annotations

import sqlite3

from kb.passage_keys import backfill_history

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    date TEXT,
    language TEXT NOT NULL,
    pages INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    visibility TEXT NOT NULL DEFAULT 'public',
    supersedes TEXT,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT NOT NULL,
    chunker TEXT,
    UNIQUE (root, source)
);
CREATE TABLE IF NOT EXISTS pages (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    number INTEGER,
    text TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, ordinal)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    section TEXT,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    tokens TEXT NOT NULL,
    table_header TEXT,
    parent TEXT
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id);
CREATE TABLE IF NOT EXISTS chunk_rows (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (chunk_id, ordinal)
);
-- Every passage ever stored, kept when its document changes or goes, so links to it still open (kb/links.py).
CREATE TABLE IF NOT EXISTS passage_history (
    document_id TEXT NOT NULL,
    passage_key TEXT NOT NULL,
    root TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    seen_at TEXT NOT NULL,
    visibility TEXT,  -- the document's, so a link to a removed internal document stays hidden from partners
    PRIMARY KEY (document_id, passage_key)
);
-- The printed page labels a PDF defines (/PageLabels: "iv", "22", "A-3"), by 1-based page number.
CREATE TABLE IF NOT EXISTS page_labels (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);
-- An OCR'd page's words with their boxes on the page image (JSON [[text, left, top, width, height], ...] as fractions).
CREATE TABLE IF NOT EXISTS page_words (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    words TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);
CREATE TABLE IF NOT EXISTS embeddings (
    content_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (content_hash, model)
);
"""


def migrate(db: sqlite3.Connection) -> None:
    """Bring a library built by an earlier version up to the current schema (columns added since)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    if "table_header" not in columns:  # libraries built before table headers were kept
        db.execute("ALTER TABLE chunks ADD COLUMN table_header TEXT")
    if "parent" not in columns:  # libraries built before a section's numbered parents were kept
        db.execute("ALTER TABLE chunks ADD COLUMN parent TEXT")
    if "chunker" not in {row[1] for row in db.execute("PRAGMA table_info(documents)")}:
        # Libraries that kept one chunker version for the whole library: each file inherits it.
        db.execute("ALTER TABLE documents ADD COLUMN chunker TEXT")
        db.execute("UPDATE documents SET chunker = (SELECT value FROM meta WHERE key = 'chunker_version')")
    if "visibility" not in {row[1] for row in db.execute("PRAGMA table_info(passage_history)")}:
        # History kept before roles: a passage of a document still here takes its visibility; one of a
        # document gone stays unknown (NULL), which only those who see every document are shown.
        db.execute("ALTER TABLE passage_history ADD COLUMN visibility TEXT")
        db.execute("UPDATE passage_history SET visibility = "
                   "(SELECT d.visibility FROM documents d WHERE d.id = passage_history.document_id)")
    if db.execute("SELECT 1 FROM meta WHERE key = 'passage_history'").fetchone() is None:
        backfill_history(db)  # a library built before links were kept: its passages as they are now
        db.execute("INSERT INTO meta VALUES ('passage_history', '1')")
