"""Ingestion: discover → parse (isolated) → chunk → embed (cached) → store, incrementally."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.chunk import CHUNKER_VERSION, chunk_pages, embedding_text, row_texts
from ingest.commitments import EXTRACTOR_VERSION, attach_passages, extract_commitments
from ingest.discover import Entry, Manifest, document_id, read_manifest, survey_folder
from ingest.lock import Holder, acquire_data_dir
from ingest.metadata import infer_metadata
from ingest.report import IngestReport, report_copies, report_versions
from kb.access import check_visibility, visibility_override
from kb.commitments.evidence import link_evidence
from kb.commitments.types import Commitment
from kb.config import Settings
from kb.embed import Embedder, MaxTokens
from kb.errors import KBError, ParseError
from kb.knowledge_base import index_identity
from kb.lexical import detect_language, tokenize
from kb.store import Store, utc_now
from kb.types import Chunk, Document, ParsedDocument

log = logging.getLogger(__name__)

# What a stored file records as the version that read it: the chunker's and the commitments extractor's.
READER_VERSION = f"{CHUNKER_VERSION}+c{EXTRACTOR_VERSION}"

Parser = Callable[..., ParsedDocument]


@dataclass
class _Staged:
    """A parsed and chunked document waiting for its embeddings."""

    doc: Document
    parsed: ParsedDocument
    chunks: list[Chunk]
    texts: list[str]
    hashes: list[str]
    rows: list[list[str]]  # each passage's table rows under their header, embedded beside the passage
    row_hashes: list[list[str]]
    size: int
    mtime: float
    replacing: bool
    commitments: list[Commitment] = field(default_factory=list)


def _hash(text: str) -> str:
    """Return the key an embedding is cached under: the hash of the text embedded."""
    return hashlib.sha256(text.encode()).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _default_parser() -> Parser:
    from ingest.parse.worker import parse_isolated

    return parse_isolated


class Ingestor:
    """Brings folders and files into one store, holding the data directory's ingest lock until `close`.

    Use it in a `with` block (or call `close`): another ingest of the same data directory, in this process or
    another, waits for it; readers never do.
    """

    flush_passages = 256  # queued passages that trigger an embedding batch

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        multilingual: Embedder | None = None,
        parser: Parser | None = None,
        visibility: str | None = None,
        lock_wait_s: float | None = None,
        on_lock_wait: Callable[[Holder | None], None] | None = None,
    ) -> None:
        self.settings = settings
        # Before anything is written, the store included: one ingest at a time per data directory.
        wait = settings.ingest_wait_s if lock_wait_s is None else lock_wait_s
        self._lock = acquire_data_dir(settings.data_dir, wait_s=wait, on_wait=on_lock_wait)
        # Files the manifest gives no visibility: this run's `--visibility`, else the setting (internal by default).
        self.default_visibility = check_visibility(visibility or settings.default_visibility, "visibility")
        self.embedder = embedder
        self.embedders = [embedder] + ([multilingual] if multilingual is not None else [])
        # A passage must fit every model: count tokens with the model that counts the most.
        self.count_tokens = MaxTokens(*self.embedders) if multilingual is not None else embedder.count_tokens
        self.parser = parser or _default_parser()
        self._staged: list[_Staged] = []
        try:
            self.store = Store(settings.data_dir)
            self.store.check_identity(index_identity(settings, embedder, multilingual), claim=True)
        except BaseException:
            self._lock.release()
            raise

    def close(self) -> None:
        """Let go of the data directory's ingest lock (what was not flushed is not stored)."""
        self._lock.release()

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def run(self, paths: Iterable[Path], *, progress: bool = False) -> IngestReport:
        """Ingest every path (folder or file) and rebuild the dense index once at the end."""
        started = time.perf_counter()
        report = IngestReport()
        jobs: list[tuple[Path, str, Entry, Manifest]] = []
        for path in paths:
            path = Path(path).resolve()
            if path.is_dir():
                manifest = read_manifest(path)
                found = survey_folder(path, manifest)
                sources = found.sources
                report.skipped.extend(found.skipped)
                report.failed.extend(found.failed)
                jobs.extend((path, s, manifest.entries.get(s, Entry()), manifest) for s in sources)
                self._remove_missing(path, set(sources), report)
            elif path.is_file():
                manifest = read_manifest(path.parent)
                jobs.append((path.parent, path.name, manifest.entries.get(path.name, Entry()), manifest))
            else:
                report.failed.append({"source": str(path), "reason": "no such file or folder"})
        bar = _progress(len(jobs), progress)
        for root, source, entry, _ in jobs:
            if bar is not None:
                bar.set_postfix_str(source[-40:])
            try:
                self._ingest_file(root, source, entry, report)
            except ParseError as exc:
                report.failed.append({"source": source, "reason": exc.reason})
            except (KBError, OSError) as exc:
                report.failed.append({"source": source, "reason": str(exc)})
            except UnicodeError:  # a file named on the command line whose name is not UTF-8
                report.failed.append({"source": source, "reason": "the file name is not valid UTF-8: rename the file"})
            except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError, AssertionError) as exc:
                # A file whose content trips a library or our code fails alone; a broken run (a parser pool gone,
                # RuntimeError) still stops it, so the caller can put things back.
                log.exception("ingest of %s failed", source)
                report.failed.append({"source": source, "reason": f"could not be read ({type(exc).__name__}: {exc})"})
            if bar is not None:
                bar.update(1)
        self.flush(report)
        if bar is not None:
            bar.close()
        report_versions(self.store, report)
        report_copies(self.store, [(str(root), source) for root, source, *_ in jobs], report)
        self.finish(report)
        report.seconds = time.perf_counter() - started
        return report

    def finish(self, report: IngestReport) -> None:
        """Store anything still queued (failures go to `report`), drop unused cached vectors, write the dense index."""
        self.flush(report)
        for embedder in self.embedders:
            self.store.prune_vectors(embedder.name)
            self.store.write_faiss(embedder.name, embedder.dim)
        # A new document may be the evidence that an older commitment was done: every record is linked again.
        link_evidence(self.store, self.embedder)

    def _remove_missing(self, root: Path, present: set[str], report: IngestReport) -> None:
        gone = {s: state[3] for s, state in self.store.file_states(str(root)).items() if s not in present}
        self.store.remove_documents(list(gone.values()))
        report.removed.extend(sorted(gone))

    def _ingest_file(self, root: Path, source: str, entry: Entry, report: IngestReport) -> None:
        path = root / source
        stat = path.stat()
        sha = _sha256(path)
        doc_id = document_id(str(root), source)
        entry = replace(entry, visibility=self.visibility_of(doc_id, entry))
        previous = self.store.file_state(str(root), source)
        # A file cut by an older version of the chunker is re-chunked even when unchanged.
        if (
            previous is not None
            and previous[0] == sha
            and previous[4] == READER_VERSION
            and self._same_metadata(doc_id, entry)
        ):
            if previous[2] != stat.st_mtime:
                self.store.touch(doc_id, stat.st_mtime)
            report.unchanged.append(source)
            return
        parsed = self.parser(
            path,
            source=source,
            password=entry.password,
            ocr=self.settings.ocr,
            ocr_languages=self.settings.ocr_languages,
            timeout_s=self.settings.parse_timeout_s,
            memory_mb=self.settings.parse_memory_mb,
        )
        self.stage(
            parsed, root=str(root), source=source, entry=entry, sha=sha, size=stat.st_size,
            mtime=stat.st_mtime, report=report, replacing=previous is not None,
        )

    def visibility_of(self, doc_id: str, entry: Entry) -> str:
        """Return a file's visibility: an admin's change wins, then the manifest, then the run's default."""
        return visibility_override(self.store, doc_id) or entry.visibility or self.default_visibility

    def stage(
        self,
        parsed: ParsedDocument,
        *,
        root: str,
        source: str,
        entry: Entry,
        sha: str,
        size: int = 0,
        mtime: float = 0.0,
        report: IngestReport,
        replacing: bool = False,
    ) -> str:
        """Chunk a parsed document and queue it; a full queue is flushed (embedded in one batch, then stored).

        `flush` (or `finish`) stores what is still queued; the evaluation harness calls this too.

        Embedding several small files together keeps the encoder's batches full: one file at a time,
        a three-passage abstract made a three-passage batch.
        """
        doc_id = document_id(root, source)
        text = "\n".join(p.text for p in parsed.pages)
        if not text.strip():
            raise ParseError(source, "no text found (no text layer, and OCR found nothing)")
        # The manifest wins field by field; what it leaves out is read from the document itself.
        inferred = infer_metadata(parsed, source=source)
        doc = Document(
            id=doc_id,
            source=source,
            root=root,
            title=entry.title or inferred.title,
            doc_type=entry.doc_type or inferred.doc_type,
            date=entry.date or inferred.date,
            language=entry.language or detect_language(text),
            pages=len(parsed.pages),
            sha256=sha,
            media_type=mimetypes.guess_type(source)[0] or "application/octet-stream",
            visibility=entry.visibility or self.visibility_of(doc_id, entry),
            supersedes=entry.supersedes,
            ingested_at=utc_now(),
        )
        chunks = chunk_pages(
            parsed.pages,
            document_id=doc_id,
            count_tokens=self.count_tokens,
            size=self.settings.chunk_tokens,
            overlap=self.settings.chunk_overlap,
        )
        texts = [embedding_text(doc.title, c) for c in chunks]
        hashes = [_hash(t) for t in texts]
        rows = [row_texts(c) for c in chunks]
        row_hashes = [[_hash(r) for r in passage_rows] for passage_rows in rows]
        records = extract_commitments(parsed.pages, reference=doc.date)
        attach_passages(records, chunks, parsed.pages, doc_id)
        self._staged.append(
            _Staged(doc, parsed, chunks, texts, hashes, rows, row_hashes, size, mtime, replacing, records)
        )
        if sum(len(s.texts) for s in self._staged) >= self.flush_passages:
            self.flush(report)
        return doc_id

    def flush(self, report: IngestReport) -> None:
        """Embed every queued passage the cache lacks, then store each queued document in its own transaction."""
        staged, self._staged = self._staged, []
        if not staged:
            return
        try:
            texts = [t for s in staged for t in s.texts] + [r for s in staged for rows in s.rows for r in rows]
            hashes = [h for s in staged for h in s.hashes] + [h for s in staged for rows in s.row_hashes for h in rows]
            self._embed_missing(texts, hashes, report)
        except (KBError, OSError, RuntimeError, ValueError) as exc:
            report.failed.extend({"source": s.doc.source, "reason": f"embedding failed: {exc}"} for s in staged)
            return
        for s in staged:
            try:
                self.store.replace_document(
                    s.doc,
                    size=s.size,
                    mtime=s.mtime,
                    warnings=s.parsed.warnings,
                    pages=[(p.number, p.text, p.ocr) for p in s.parsed.pages],
                    chunks=s.chunks,
                    tokens=[tokenize(t) for t in s.texts],
                    hashes=s.hashes,
                    row_hashes=s.row_hashes,
                    chunker=READER_VERSION,
                    page_labels=s.parsed.page_labels,
                    # A file without pages (an image) keeps its words as page 1's: the image is its one page.
                    page_words={p.number or 1: p.words for p in s.parsed.pages if p.words},
                    commitments=s.commitments,
                )
            except (KBError, OSError) as exc:
                report.failed.append({"source": s.doc.source, "reason": str(exc)})
                continue
            report.warnings.extend({"source": s.doc.source, "warning": w} for w in s.parsed.warnings)
            (report.updated if s.replacing else report.added).append(s.doc.source)

    def _same_metadata(self, doc_id: str, entry: Entry) -> bool:
        try:
            doc = self.store.document(doc_id)
        except KBError:
            return False
        wanted = (entry.title, entry.doc_type, entry.date, entry.language, entry.visibility, entry.supersedes)
        stored = (doc.title, doc.doc_type, doc.date, doc.language, doc.visibility, doc.supersedes)
        return all(w is None or w == s for w, s in zip(wanted, stored, strict=True))

    def _embed_missing(self, texts: list[str], hashes: list[str], report: IngestReport) -> None:
        for embedder in self.embedders:
            cached = self.store.cached_vectors(hashes, embedder.name)
            todo = {h: t for h, t in zip(hashes, texts, strict=True) if h not in cached}
            if not todo:
                continue
            vectors = embedder.embed(list(todo.values()), kind="passage")
            self.store.cache_vectors(dict(zip(todo.keys(), vectors, strict=True)), embedder.name)
            if embedder is self.embedder:
                report.chunks_embedded += len(todo)


def _progress(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="ingest", leave=False)


def ingest_paths(
    paths: Iterable[Path],
    *,
    settings: Settings,
    embedder: Embedder,
    multilingual: Embedder | None = None,
    parser: Parser | None = None,
    progress: bool = False,
    visibility: str | None = None,
    lock_wait_s: float | None = None,
    on_lock_wait: Callable[[Holder | None], None] | None = None,
) -> IngestReport:
    """Ingest folders and files into the store in `settings.data_dir` (`visibility`: for files the manifest leaves open).

    Another ingest of the same data directory is waited for up to `lock_wait_s` (default KB_INGEST_WAIT_S), then
    IngestBusy; `on_lock_wait` is told once, with the holder, when there is one to wait for.
    """
    with Ingestor(
        settings, embedder, multilingual=multilingual, parser=parser, visibility=visibility,
        lock_wait_s=lock_wait_s, on_lock_wait=on_lock_wait,
    ) as ingestor:
        return ingestor.run(paths, progress=progress)
