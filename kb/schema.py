"""The SQLite schema of a library: documents, pages, passages, their table rows and cached embeddings."""

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
