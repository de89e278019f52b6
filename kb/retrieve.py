"""Hybrid retrieval: a dense leg (FAISS) and a keyword leg (BM25), fused, filtered and diversified."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from kb.access import visible_documents
from kb.embed import Embedder
from kb.lexical import detect_language, tokenize
from kb.store import ROW_ID_SHIFT, Store, chunk_of
from kb.types import Document, Filters, Hit
from kb.vectors import restrict_faiss

# A superseded version still answers, but loses to the current one when both match.
SUPERSEDED_FACTOR = 0.85

# A passage whose table row matches a question better than the passage as a whole is raised by this share
# of the difference. First tuned at 0.25 on the sample library's own questions (0.5 and 1 then cost MRR 0.876 ->
# 0.872); re-measured in session 19 on the opened rounds 17-24 (3,072 answerable questions, retrieval alone), a
# row's full score is best: hit@1 of the plain search 0.772 -> 0.792 on corpus/, 0.662 -> 0.666 on the real
# reports, hit@3 +0.7 and +0.6 points, the Debian documents (few tables) unchanged. A passage of nine indicator
# rows is about none of them; the row a question asks about is the passage's best claim.
ROW_WEIGHT = 1.0


@dataclass(frozen=True)
class FusionParams:
    """How the two legs are combined."""

    method: str = "minmax"
    dense_weight: float = 0.5
    rrf_k: int = 60
    candidates: int = 100
    # Which legs run; one leg alone ranks by that leg's score (used by `kb eval beir`).
    legs: tuple[str, ...] = ("dense", "multilingual", "keyword")
    multilingual_weight: float = 0.0

    def weights(self, *, lao_query: bool, has_multilingual: bool) -> dict[str, float]:
        """Return each running leg's weight; they sum to 1.

        MiniLM reads no Lao (every Lao word is [UNK]), so a Lao question gives its weight to the
        multilingual leg; without a multilingual model that weight goes back to the dense leg.
        """
        dense, multi = self.dense_weight, self.multilingual_weight
        if not has_multilingual:
            dense, multi = dense + multi, 0.0
        if lao_query and has_multilingual:
            dense, multi = 0.0, dense + multi
        w = {"dense": dense, "multilingual": multi, "keyword": max(0.0, 1.0 - dense - multi)}
        w = {leg: x for leg, x in w.items() if leg in self.legs and x > 0}
        if len(w) == 1 or not w:
            return {leg: 1.0 for leg in (w or {self.legs[0]: 1.0})}
        total = sum(w.values())
        return {leg: x / total for leg, x in w.items()}


@dataclass
class LegResult:
    """One leg's candidates: row positions in the snapshot and their raw scores, best first."""

    rows: np.ndarray
    scores: np.ndarray


class KeywordIndex:
    """BM25 over pre-tokenised chunks (so Lao words, segmented at ingest, are real terms)."""

    def __init__(self, token_lists: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        import logging

        import bm25s

        # bm25s sets its own logger to DEBUG on import, which prints on every index build.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self.size = len(token_lists)
        self.vocab: dict[str, int] = {}
        self.df: Counter[str] = Counter(t for tokens in token_lists for t in set(tokens))
        ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in tokens] for tokens in token_lists]
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.size:
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=self.vocab), show_progress=False)

    def idf(self, token: str) -> float:
        """Return the BM25 inverse document frequency of a term (highest for unseen terms)."""
        df = self.df.get(token, 0)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Return the BM25 score of every chunk for these query tokens."""
        known = [self.vocab[t] for t in tokens if t in self.vocab]
        if not self.size or not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


class RowVectors:
    """The table-row vectors of one FAISS index: how many, and which belong to each chunk."""

    def __init__(self, index) -> None:  # type: ignore[no-untyped-def]
        import faiss

        ids = faiss.vector_to_array(index.id_map) if index.ntotal else np.zeros(0, dtype=np.int64)
        rows = ids[(ids >> ROW_ID_SHIFT) > 0]
        self.count = len(rows)
        self.of: dict[int, list[int]] = {}
        for vector_id, chunk_id in zip(rows.tolist(), chunk_of(rows).tolist(), strict=True):
            self.of.setdefault(chunk_id, []).append(vector_id)

    def with_rows(self, chunk_ids: np.ndarray) -> np.ndarray:
        """Return the vector ids of these chunks: their own and their table rows'."""
        extra = [self.of[c] for c in chunk_ids.tolist() if c in self.of]
        return np.concatenate([chunk_ids, *(np.asarray(e, dtype=np.int64) for e in extra)]) if extra else chunk_ids


class Snapshot:
    """An in-memory, read-only view of one generation of the store, ready to search."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        multilingual: Embedder | None = None,
        *,
        visibilities: tuple[str, ...] | None = None,
    ) -> None:
        """Load the index; with `visibilities`, only those documents' passages are in it at all.

        A scoped snapshot holds no other passage in any leg (dense, multilingual, keyword), and its BM25
        statistics are those of what it holds, so a search ranks the best of what the viewer may see and no
        score depends on a document they may not.
        """
        self.generation = store.generation()
        docs = store.documents()
        if visibilities is not None:
            docs = visible_documents(docs, visibilities)
        self.documents: dict[str, Document] = {d.id: d for d in docs}
        rows = [r for r in store.chunk_index_rows() if r[1] in self.documents]
        self.chunk_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.chunk_docs = [r[1] for r in rows]
        self.lao_rows = np.array([r[3] == "lo" for r in rows], dtype=bool)
        self.row_of = {int(cid): i for i, cid in enumerate(self.chunk_ids)}
        self.keyword = KeywordIndex([r[2].split() for r in rows])
        self.dense = store.read_faiss(embedder.name, embedder.dim)
        self.multilingual = None if multilingual is None else store.read_faiss(multilingual.name, multilingual.dim)
        if visibilities is not None:
            self.dense = restrict_faiss(self.dense, self.chunk_ids)
            if self.multilingual is not None:
                self.multilingual = restrict_faiss(self.multilingual, self.chunk_ids)
        self._rows = [(self.dense, RowVectors(self.dense))]
        if self.multilingual is not None:
            self._rows.append((self.multilingual, RowVectors(self.multilingual)))

    def rows_of(self, index) -> RowVectors:  # type: ignore[no-untyped-def]
        """Return the table-row vectors of one of the snapshot's FAISS indexes."""
        return next(rows for known, rows in self._rows if known is index)

    def allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """Return a boolean mask of rows the filters allow, or None when nothing is filtered."""
        if not filters.active:
            return None
        ok = {doc_id for doc_id, doc in self.documents.items() if filters.allows(doc)}
        mask = np.fromiter((d in ok for d in self.chunk_docs), dtype=bool, count=len(self.chunk_docs))
        return mask & np.isin(self.chunk_ids, filters.chunks) if filters.chunks else mask


def dense_leg(
    snap: Snapshot,
    query_vector: np.ndarray,
    k: int,
    mask: np.ndarray | None,
    *,
    index=None,  # type: ignore[no-untyped-def]
    row_weight: float = ROW_WEIGHT,
) -> LegResult:
    """Return the k nearest chunks by inner product (cosine on normalised vectors).

    A chunk with table rows scores its own cosine, raised by `row_weight` of what its best row adds.
    """
    import faiss

    index = snap.dense if index is None else index
    n = len(snap.chunk_ids)
    if n == 0 or index.ntotal == 0:
        return LegResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    table_rows = snap.rows_of(index)
    query = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
    params = None
    if mask is not None:
        allowed = snap.chunk_ids[mask]
        if len(allowed) == 0:
            return LegResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(table_rows.with_rows(allowed)))  # type: ignore[call-arg]
    # Rows crowd out passages when a table matches: widen the search until k distinct chunks are in it.
    want = min(index.ntotal, k if not table_rows.count else 2 * k + 16)
    while True:
        scores, ids = index.search(query, want, params=params)
        keep = ids[0] >= 0
        vector_ids, scores = ids[0][keep], scores[0][keep]
        if want == index.ntotal or len(np.unique(chunk_of(vector_ids))) >= k:
            break
        want = min(index.ntotal, want * 4)
    own: dict[int, float | None] = {}
    best_row: dict[int, float] = {}
    for vector_id, chunk_id, score in zip(vector_ids.tolist(), chunk_of(vector_ids).tolist(), scores.tolist(), strict=True):
        if vector_id == chunk_id:
            own[chunk_id] = score
        else:
            best_row.setdefault(chunk_id, score)  # results come best first
    for chunk_id in best_row.keys() - own.keys():  # its row ranked, its own vector did not
        own[chunk_id] = _cosine(index, query[0], chunk_id)
    found = {chunk_id: _lifted(score, best_row.get(chunk_id), row_weight) for chunk_id, score in own.items()}
    top = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:k]
    rows = np.array([snap.row_of[chunk_id] for chunk_id, _ in top], dtype=np.int64)
    return LegResult(rows, np.array([score for _, score in top], dtype=np.float32))


def _cosine(index, query: np.ndarray, vector_id: int) -> float | None:  # type: ignore[no-untyped-def]
    """Return the inner product of the query with one stored vector, or None when the index lacks it."""
    try:
        return float(np.dot(index.reconstruct(vector_id), query))
    except RuntimeError:
        return None


def _lifted(own: float | None, row: float | None, row_weight: float) -> float:
    """Return a chunk's dense score from its own cosine and its best table row's (at least one is known)."""
    if own is None:
        assert row is not None
        return row
    return own if row is None else own + row_weight * max(0.0, row - own)


def keyword_leg(snap: Snapshot, tokens: list[str], k: int, mask: np.ndarray | None) -> LegResult:
    """Return the k best chunks by BM25, skipping chunks with no matching term."""
    scores = snap.keyword.scores(tokens)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    k = min(k, int((scores > 0).sum()))
    if k == 0:
        return LegResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return LegResult(top.astype(np.int64), scores[top])


_EMPTY = LegResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _minmax(scores: np.ndarray) -> np.ndarray:
    if len(scores) == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-9:
        return np.ones_like(scores)
    return (scores - lo) / (hi - lo)


def fuse(legs: dict[str, LegResult], weights: dict[str, float], params: FusionParams) -> dict[int, float]:
    """Return {row: fused score} from the legs' candidates (min-max normalised sum, or weighted RRF)."""
    fused: dict[int, float] = {}
    for name, leg in legs.items():
        weight = weights.get(name, 0.0)
        if weight <= 0:
            continue
        if params.method == "rrf":
            for rank, row in enumerate(leg.rows):
                fused[int(row)] = fused.get(int(row), 0.0) + weight / (params.rrf_k + rank + 1)
        else:
            for row, score in zip(leg.rows, _minmax(leg.scores), strict=True):
                fused[int(row)] = fused.get(int(row), 0.0) + weight * float(score)
    return fused


def diversify(ranked: list[tuple[int, float]], docs: list[str], k: int, per_doc: int) -> list[tuple[int, float]]:
    """Take the top k, at most `per_doc` from any one document unless no other document is left."""
    chosen: list[tuple[int, float]] = []
    held: dict[str, int] = {}
    overflow: list[tuple[int, float]] = []
    for row, score in ranked:
        doc = docs[row]
        if held.get(doc, 0) < per_doc:
            chosen.append((row, score))
            held[doc] = held.get(doc, 0) + 1
            if len(chosen) == k:
                return chosen
        else:
            overflow.append((row, score))
    return chosen + overflow[: k - len(chosen)]


def search(
    store: Store,
    snap: Snapshot,
    embedder: Embedder,
    query: str,
    *,
    k: int,
    filters: Filters,
    fusion: FusionParams,
    per_doc: int,
    multilingual: Embedder | None = None,
    depth: int = 0,
) -> list[Hit]:
    """Return the k best passages for `query`, each with fused and per-leg scores.

    With `depth`, the passages among the `depth` best that the per-document cap kept out follow the k,
    flagged `held_back`: a question about one document is often answered by its fifth-best passage.
    """
    mask = snap.allowed_rows(filters)
    lao_query = detect_language(query) == "lo"
    weights = fusion.weights(lao_query=lao_query, has_multilingual=snap.multilingual is not None)
    legs: dict[str, LegResult] = {}
    qvec = embedder.embed([query], kind="query")[0]
    if "dense" in weights:
        # MiniLM maps Lao script to [UNK], so its vectors of Lao passages are noise: leave them out.
        latin = ~snap.lao_rows if mask is None else (mask & ~snap.lao_rows)
        legs["dense"] = dense_leg(snap, qvec, fusion.candidates, latin if snap.lao_rows.any() else mask)
    mvec = None
    if "multilingual" in weights and multilingual is not None:
        mvec = multilingual.embed([query], kind="query")[0]
        legs["multilingual"] = dense_leg(snap, mvec, fusion.candidates, mask, index=snap.multilingual)
    if "keyword" in weights:
        legs["keyword"] = keyword_leg(snap, tokenize(query), fusion.candidates, mask)
    fused = fuse(legs, weights, fusion)
    for row in fused:
        if snap.documents[snap.chunk_docs[row]].superseded_by:
            fused[row] *= SUPERSEDED_FACTOR
    ranked = sorted(fused.items(), key=lambda item: -item[1])
    top = diversify(ranked, snap.chunk_docs, k, per_doc)
    chosen = {row for row, _ in top}
    full = Counter(snap.chunk_docs[row] for row, _ in top)
    held = [(r, s) for r, s in ranked[:depth] if r not in chosen and full[snap.chunk_docs[r]] >= per_doc]
    score_of = {name: {int(r): float(s) for r, s in zip(leg.rows, leg.scores, strict=True)} for name, leg in legs.items()}
    chunks = store.chunks([int(snap.chunk_ids[row]) for row, _ in top + held])
    hits = []
    for i, (row, score) in enumerate(top + held):
        chunk = chunks.get(int(snap.chunk_ids[row]))
        if chunk is None:  # deleted since the snapshot was taken
            continue
        dense_score = score_of.get("dense", {}).get(row)
        if dense_score is None and not lao_query and not snap.lao_rows[row]:
            dense_score = chunk_dense_score(snap, snap.dense, qvec, int(snap.chunk_ids[row]))
        multi_score = score_of.get("multilingual", {}).get(row)
        if multi_score is None and mvec is not None:
            multi_score = chunk_dense_score(snap, snap.multilingual, mvec, int(snap.chunk_ids[row]))
        hits.append(
            Hit(chunk=chunk, document=snap.documents[chunk.document_id], score=score,
                dense=dense_score, keyword=score_of.get("keyword", {}).get(row, 0.0), multilingual=multi_score,
                held_back=i >= len(top))
        )
    return hits


def chunk_dense_score(snap: Snapshot, index, qvec: np.ndarray, chunk_id: int) -> float | None:  # type: ignore[no-untyped-def]
    """Return a chunk's dense score, as `dense_leg` gives it, for a chunk outside the leg's candidates."""
    rows = [score for v in snap.rows_of(index).of.get(chunk_id, []) if (score := _cosine(index, qvec, v)) is not None]
    own = _cosine(index, qvec, chunk_id)
    if own is None and not rows:
        return None
    return _lifted(own, max(rows) if rows else None, ROW_WEIGHT)
