"""SQLite holds documents, pages, chunks and cached embeddings; a FAISS file mirrors the vectors."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kb.commitments.store import create_tables, insert_commitments
from kb.commitments.types import Commitment
from kb.errors import DocumentNotFound, IndexMismatchError
from kb.passage_keys import record_passages
from kb.schema import SCHEMA, SCHEMA_VERSION, migrate
from kb.types import Chunk, Document, Word
from kb.vectors import ROW_ID_SHIFT, build_faiss, chunk_of  # noqa: F401 (re-exported for retrieve)
from kb.versions import link_versions

_DOC_COLUMNS = (
    "id, root, source, title, doc_type, date, language, pages, sha256, media_type, visibility, "
    "supersedes, ingested_at"
)


def utc_now() -> str:
    """Return the current UTC time as an ISO string to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
    """The library's persistent state in one data directory."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / "kb.sqlite3"
        self._local = threading.local()
        if not read_only:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(SCHEMA)
            create_tables(db)
            migrate(db)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Yield this thread's connection inside a transaction (commit on success)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.db_path, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

    # -- index identity -----------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """Return one value of the meta table."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def check_identity(self, identity: dict[str, str], *, claim: bool) -> None:
        """Raise IndexMismatchError if the index was built with other settings; record them if `claim`."""
        with self.connect() as db:
            stored = {r[0]: r[1] for r in db.execute("SELECT key, value FROM meta")}
            has_chunks = db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is not None
            for key, value in identity.items():
                if key in stored and stored[key] != value and has_chunks:
                    raise IndexMismatchError(
                        f"the index in {self.data_dir} was built with {key}={stored[key]!r}, "
                        f"but the settings say {value!r}; use another KB_DATA_DIR or delete it and re-ingest"
                    )
            if claim:
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", identity.items())

    def generation(self) -> int:
        """Return a counter bumped by every committed change to the library."""
        return int(self.meta("generation") or 0)

    def _bump(self, db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('last_updated', ?)", (utc_now(),))

    # -- documents ----------------------------------------------------------------------
    def file_states(self, root: str) -> dict[str, tuple[str, int, float, str]]:
        """Return {source: (sha256, size, mtime, id)} for the documents ingested from `root`."""
        with self.connect() as db:
            rows = db.execute("SELECT source, sha256, size, mtime, id FROM documents WHERE root = ?", (root,))
            return {r["source"]: (r["sha256"], r["size"], r["mtime"], r["id"]) for r in rows}

    def file_state(self, root: str, source: str) -> tuple[str, int, float, str, str | None] | None:
        """Return (sha256, size, mtime, id, chunker version) of one ingested file, or None."""
        with self.connect() as db:
            r = db.execute(
                "SELECT sha256, size, mtime, id, chunker FROM documents WHERE root = ? AND source = ?", (root, source)
            ).fetchone()
        return None if r is None else (r["sha256"], r["size"], r["mtime"], r["id"], r["chunker"])

    def copies(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        """Return (id, "root/source" of the other) for each of these documents whose bytes another document has."""
        marks = ",".join("?" * len(ids))
        with self.connect() as db:
            rows = db.execute(
                f"SELECT a.id, b.root, b.source FROM documents a JOIN documents b ON a.sha256 = b.sha256 AND a.id <> b.id"
                f" WHERE a.id IN ({marks}) ORDER BY a.id, b.root, b.source", list(ids)
            ).fetchall()
        return [(r[0], f"{r[1]}/{r[2]}") for r in rows]

    def touch(self, doc_id: str, mtime: float) -> None:
        """Record a new mtime for a file whose content did not change."""
        with self.connect() as db:
            db.execute("UPDATE documents SET mtime = ? WHERE id = ?", (mtime, doc_id))

    def replace_document(
        self,
        doc: Document,
        *,
        size: int,
        mtime: float,
        warnings: Sequence[str],
        pages: Sequence[tuple[int | None, str, bool]],
        chunks: Sequence[Chunk],
        tokens: Sequence[list[str]],
        hashes: Sequence[str],
        row_hashes: Sequence[Sequence[str]] = (),
        chunker: str | None = None,
        page_labels: Mapping[int, str] | None = None,
        page_words: Mapping[int, Sequence[Word]] | None = None,
        commitments: Sequence[Commitment] = (),
    ) -> None:
        """Write one document with its pages and chunks in a single transaction, replacing any old copy.

        `row_hashes` gives, for each chunk, the embeddings of its table rows (vectors beside the chunk's own);
        `chunker` is the version of the chunker that cut the passages (a newer one re-chunks the file);
        `page_labels` the printed labels of the pages the PDF defines them for; `page_words` an OCR'd page's words
        with their boxes. Every passage is also recorded in the
        passage history, which outlives the document, so links to it keep opening.
        `commitments` are the records read from the document, stored with it.
        """
        with self.connect() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
            db.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}, size, mtime, warnings, chunker) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.id, doc.root, doc.source, doc.title, doc.doc_type, doc.date, doc.language,
                    doc.pages, doc.sha256, doc.media_type, doc.visibility, doc.supersedes,
                    doc.ingested_at or utc_now(), size, mtime, json.dumps(list(warnings)), chunker,
                ),
            )
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?, ?, ?)",
                [(doc.id, i, number, text, int(ocr)) for i, (number, text, ocr) in enumerate(pages)],
            )
            db.executemany(
                "INSERT INTO chunks (document_id, ordinal, text, page, section, char_start, char_end, "
                "ocr, language, content_hash, tokens, table_header, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (doc.id, c.ordinal, c.text, c.page, c.section, c.char_start, c.char_end,
                     int(c.ocr), c.language, h, " ".join(t), c.table_header, c.parent)
                    for c, t, h in zip(chunks, tokens, hashes, strict=True)
                ],
            )
            db.executemany("INSERT INTO page_labels VALUES (?, ?, ?)", [(doc.id, n, t) for n, t in (page_labels or {}).items()])
            db.executemany("INSERT INTO page_words VALUES (?, ?, ?)",
                           [(doc.id, n, json.dumps([list(w) for w in words])) for n, words in (page_words or {}).items()])
            record_passages(db, doc, chunks, doc.ingested_at or utc_now())
            if any(row_hashes):
                ids = dict(db.execute("SELECT ordinal, id FROM chunks WHERE document_id = ?", (doc.id,)).fetchall())
                db.executemany(
                    "INSERT INTO chunk_rows VALUES (?, ?, ?)",
                    [(ids[c.ordinal], i, h) for c, rows in zip(chunks, row_hashes, strict=True) for i, h in enumerate(rows)],
                )
            insert_commitments(db, doc.id, commitments)
            self._bump(db)

    def remove_documents(self, ids: Sequence[str]) -> None:
        """Delete documents (and, by cascade, their pages and chunks)."""
        if not ids:
            return
        with self.connect() as db:
            db.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in ids])
            self._bump(db)

    def documents(self) -> list[Document]:
        """Return every document with its chunk count, newest first."""
        return self._documents()

    def _documents(self, where: str = "", params: Sequence[object] = ()) -> list[Document]:
        with self.connect() as db:
            rows = db.execute(
                f"SELECT {_DOC_COLUMNS}, (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS chunks "
                f"FROM documents d {where} ORDER BY COALESCE(date, '') DESC, title",
                params,
            ).fetchall()
        docs = [_row_to_document(r) for r in rows]
        link_versions(docs)
        return docs

    def document(self, doc_id: str) -> Document:
        """Return one document or raise DocumentNotFound.

        Only the documents that can make it a version of something are read: those with the same
        title, and those that name it in `supersedes`.
        """
        with self.connect() as db:
            row = db.execute("SELECT root, source, title FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        related = self._documents(
            "WHERE id = ? OR lower(title) = lower(?) OR (root = ? AND supersedes = ?)",
            (doc_id, row["title"], row["root"], row["source"]),
        )
        return next(d for d in related if d.id == doc_id)

    def warnings(self, doc_id: str) -> list[str]:
        """Return the warnings recorded when the document was parsed."""
        with self.connect() as db:
            row = db.execute("SELECT warnings FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return [] if row is None else list(json.loads(row[0]))

    def pages(self, doc_id: str) -> list[tuple[int | None, str, bool]]:
        """Return (page number, text, ocr) for each page of a document."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT number, text, ocr FROM pages WHERE document_id = ? ORDER BY ordinal", (doc_id,)
            ).fetchall()
        return [(r[0], r[1], bool(r[2])) for r in rows]

    def page_labels(self, doc_id: str) -> dict[int, str]:
        """Return the printed label of each page the PDF labels, by 1-based page number (empty if it defines none)."""
        with self.connect() as db:
            rows = db.execute("SELECT number, label FROM page_labels WHERE document_id = ?", (doc_id,)).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def page_words(self, doc_id: str, number: int) -> list[Word]:
        """Return an OCR'd page's words with their boxes (empty when OCR gave none or the page was not OCR'd)."""
        with self.connect() as db:
            row = db.execute("SELECT words FROM page_words WHERE document_id = ? AND number = ?", (doc_id, number)).fetchone()
        return [] if row is None else [tuple(w) for w in json.loads(row[0])]  # type: ignore[misc]

    # -- chunks and vectors -------------------------------------------------------------
    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        """Return the chunks with these ids."""
        if not ids:
            return {}
        out: dict[int, Chunk] = {}
        with self.connect() as db:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                marks = ",".join("?" * len(part))
                for r in db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", part):
                    out[r["id"]] = _row_to_chunk(r)
        return out

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """Return a document's chunks in reading order."""
        with self.connect() as db:
            rows = db.execute("SELECT * FROM chunks WHERE document_id = ? ORDER BY ordinal", (doc_id,))
            return [_row_to_chunk(r) for r in rows]

    def edge_chunk_ids(self, doc_ids: Sequence[str], *, first: int, last: int) -> list[int]:
        """Return the ids of each document's first `first` chunks and its last `last`: where a document says who
        wrote, signed or issued it, and when."""
        if not doc_ids:
            return []
        marks = ",".join("?" * len(doc_ids))
        with self.connect() as db:
            rows = db.execute(
                f"SELECT id FROM chunks AS c WHERE document_id IN ({marks}) AND (ordinal < ? OR ordinal > "
                "(SELECT MAX(ordinal) FROM chunks WHERE document_id = c.document_id) - ?) ORDER BY document_id, ordinal",
                [*doc_ids, first, last],
            )
            return [r[0] for r in rows]

    def chunk_index_rows(self) -> list[tuple[int, str, str, str]]:
        """Return (chunk id, document id, keyword tokens, language) for every chunk, in id order."""
        with self.connect() as db:
            rows = db.execute("SELECT id, document_id, tokens, language FROM chunks ORDER BY id")
            return [tuple(r) for r in rows]  # type: ignore[misc]

    def cached_vectors(self, hashes: Sequence[str], model: str) -> dict[str, np.ndarray]:
        """Return the embeddings already computed for these content hashes."""
        out: dict[str, np.ndarray] = {}
        with self.connect() as db:
            for start in range(0, len(hashes), 500):
                part = list(hashes[start : start + 500])
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT content_hash, vector FROM embeddings WHERE model = ? AND content_hash IN ({marks})",
                    [model, *part],
                )
                for h, blob in rows:
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cache_vectors(self, vectors: dict[str, np.ndarray], model: str) -> None:
        """Store embeddings by content hash so unchanged text is never embedded twice."""
        with self.connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                [(h, model, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )

    def prune_vectors(self, model: str) -> None:
        """Drop cached embeddings that no chunk uses any more."""
        with self.connect() as db:
            db.execute(
                "DELETE FROM embeddings WHERE model = ? AND content_hash NOT IN "
                "(SELECT content_hash FROM chunks UNION SELECT content_hash FROM chunk_rows)",
                (model,),
            )

    def chunk_vectors(self, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (vector ids, vectors): each chunk's own, then its table rows' (see `ROW_ID_SHIFT`)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT c.id, e.vector FROM chunks c JOIN embeddings e "
                "ON e.content_hash = c.content_hash AND e.model = ? ORDER BY c.id",
                (model,),
            ).fetchall()
            rows += db.execute(
                "SELECT r.chunk_id + ((r.ordinal + 1) << ?), e.vector FROM chunk_rows r JOIN embeddings e "
                "ON e.content_hash = r.content_hash AND e.model = ? ORDER BY r.chunk_id, r.ordinal",
                (ROW_ID_SHIFT, model),
            ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        return ids, vectors

    def dense_path(self, model: str) -> Path:
        """Return the FAISS file of one embedding model."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", model).strip("-").lower() or "model"
        return self.data_dir / f"dense-{slug}.faiss"

    def write_faiss(self, model: str, dim: int) -> None:
        """Rebuild the FAISS file from the stored vectors and swap it in atomically."""
        import faiss

        generation = self.generation()
        index = build_faiss(*self.chunk_vectors(model, dim), dim=dim)
        path = self.dense_path(model)
        tmp = path.with_suffix(".faiss.tmp")
        faiss.write_index(index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        path.with_suffix(".json").write_text(json.dumps({"generation": generation, "model": model}))

    def read_faiss(self, model: str, dim: int):  # type: ignore[no-untyped-def]
        """Return the FAISS index for the current generation, rebuilding it if the file is stale."""
        import faiss

        path = self.dense_path(model)
        try:
            info = json.loads(path.with_suffix(".json").read_text())
            if info == {"generation": self.generation(), "model": model}:
                return faiss.read_index(str(path))
        except (OSError, ValueError, RuntimeError):
            pass
        # The file is missing or older than the database (e.g. a crash mid-ingest): rebuild in memory.
        return build_faiss(*self.chunk_vectors(model, dim), dim=dim)

    def stats(self) -> tuple[int, int, str | None]:
        """Return (documents, chunks, last updated)."""
        with self.connect() as db:
            docs = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks), self.meta("last_updated")


def _row_to_document(r: sqlite3.Row) -> Document:
    return Document(
        id=r["id"], root=r["root"], source=r["source"], title=r["title"], doc_type=r["doc_type"],
        date=r["date"], language=r["language"], pages=r["pages"], sha256=r["sha256"],
        media_type=r["media_type"], visibility=r["visibility"], supersedes=r["supersedes"],
        ingested_at=r["ingested_at"], chunks=r["chunks"],
    )


def _row_to_chunk(r: sqlite3.Row) -> Chunk:
    return Chunk(
        id=r["id"], document_id=r["document_id"], ordinal=r["ordinal"], text=r["text"], page=r["page"],
        section=r["section"], char_start=r["char_start"], char_end=r["char_end"], ocr=bool(r["ocr"]),
        language=r["language"], table_header=r["table_header"], parent=r["parent"],
    )
