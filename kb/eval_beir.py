"""Retrieval on a BEIR dataset: load it, index it through the production path, score three rankings.

Each BEIR document becomes a one-page ParsedDocument (page number None) titled with the BEIR title and
whose source is the BEIR id, so a hit's `document.source` is the id the qrels judge. A document's score
is its best passage's score; per-document diversity is off so every passage competes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.evaluate import METRICS, median_ms, score_run
from kb.knowledge_base import KnowledgeBase
from kb.retrieve import search
from kb.types import Filters, Page, ParsedDocument

# The three rankings reported: each leg alone, then the fused hybrid the product serves.
RANKINGS: dict[str, tuple[str, ...]] = {
    "dense": ("dense",),
    "multilingual": ("multilingual",),
    "keyword": ("keyword",),
    "hybrid": ("dense", "multilingual", "keyword"),
}

IndexBuilder = Callable[[list[tuple[str, ParsedDocument]]], KnowledgeBase]


@dataclass
class BeirDataset:
    """A BEIR dataset restricted to one split: documents, the split's queries and their judgements."""

    name: str
    split: str
    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass
class BeirReport:
    """Metrics per ranking plus index and query timings."""

    dataset: str
    split: str
    documents: int
    chunks: int
    queries: int
    index_seconds: float
    metrics: dict[str, dict[str, float]]
    median_query_ms: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON printed by `kb eval beir --json` (runs left out)."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "documents": self.documents,
            "chunks": self.chunks,
            "queries": self.queries,
            "index_seconds": round(self.index_seconds, 2),
            "median_query_ms": {k: round(v, 2) for k, v in self.median_query_ms.items()},
            "metrics": {r: {m: round(v, 4) for m, v in ms.items()} for r, ms in self.metrics.items()},
            "settings": self.settings,
        }

    def table(self) -> str:
        """Return the metrics as a plain-text table."""
        head = f"{'ranking':8}  " + "  ".join(f"{m:>10}" for m in METRICS) + f"  {'median ms':>9}"
        rows = [head]
        for name, values in self.metrics.items():
            cells = "  ".join(f"{values[m]:10.4f}" for m in METRICS)
            rows.append(f"{name:8}  {cells}  {self.median_query_ms.get(name, 0.0):9.1f}")
        rows.append(
            f"{self.dataset} {self.split}: {self.documents} documents, {self.chunks} passages, "
            f"{self.queries} queries; index built in {self.index_seconds:.1f} s"
        )
        return "\n".join(rows)


def qrels_path(root: Path, split: str) -> Path:
    """Return the qrels file of a split in either BEIR layout (`qrels/test.tsv` or `qrels-test.tsv`)."""
    for path in (root / "qrels" / f"{split}.tsv", root / f"qrels-{split}.tsv"):
        if path.is_file():
            return path
    raise KBError(f"{root}: no qrels for split {split!r} (looked for qrels/{split}.tsv and qrels-{split}.tsv)")


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Return {query id: {doc id: relevance}} from a BEIR qrels TSV (header line optional)."""
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t") if "\t" in line else line.split()
        if not parts or not line.strip():
            continue
        if n == 1 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # the header: query-id corpus-id score
        if len(parts) == 4:  # TREC layout: qid iteration docid rel
            parts = [parts[0], parts[2], parts[3]]
        if len(parts) != 3:
            raise KBError(f"{path}:{n}: expected 'query-id corpus-id score', got {line!r}")
        qrels.setdefault(parts[0].strip(), {})[parts[1].strip()] = int(parts[2])
    return qrels


def _read_jsonl(path: Path, limit: int | None = None) -> Iterable[dict[str, Any]]:
    if not path.is_file():
        raise KBError(f"{path}: missing (a BEIR dataset has corpus.jsonl and queries.jsonl)")
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if limit is not None and n > limit:
                return
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise KBError(f"{path}:{n}: not JSON ({exc})") from exc


def load_beir(
    root: Path, *, split: str = "test", limit_docs: int | None = None, limit_queries: int | None = None
) -> BeirDataset:
    """Return the dataset: the first `limit_docs` documents, and the split's queries judged against them."""
    root = Path(root)
    corpus = {str(d["_id"]): (str(d.get("title") or ""), str(d.get("text") or "")) for d in _read_jsonl(
        root / "corpus.jsonl", limit_docs)}
    qrels = read_qrels(qrels_path(root, split))
    if limit_docs is not None:
        # Keep only the judgements that point into the documents kept, and the queries left with one.
        qrels = {q: {d: r for d, r in rels.items() if d in corpus} for q, rels in qrels.items()}
    qrels = {q: rels for q, rels in qrels.items() if any(r > 0 for r in rels.values())}
    queries = {str(q["_id"]): str(q["text"]) for q in _read_jsonl(root / "queries.jsonl") if str(q["_id"]) in qrels}
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise KBError(f"{root}: {len(missing)} judged queries are not in queries.jsonl (e.g. {missing[0]!r})")
    if limit_queries is not None:
        keep = sorted(queries, key=lambda q: (int(q), q) if q.isdigit() else (1 << 62, q))[:limit_queries]
        queries = {q: queries[q] for q in keep}
        qrels = {q: qrels[q] for q in keep}
    return BeirDataset(name=root.name, split=split, corpus=corpus, queries=queries, qrels=qrels)


def parsed_documents(data: BeirDataset) -> list[tuple[str, ParsedDocument]]:
    """Return (source, ParsedDocument) pairs: one unnumbered page of text, titled with the BEIR title."""
    return [
        (doc_id, ParsedDocument(pages=[Page(number=None, text=text)], title=title or None))
        for doc_id, (title, text) in data.corpus.items()
        if text.strip() or title.strip()
    ]


def search_documents(kb: KnowledgeBase, query: str, *, legs: tuple[str, ...], depth: int = 100) -> dict[str, float]:
    """Return the `depth` best documents {source: score}; a document scores its best passage."""
    snap = kb.snapshot()
    total = len(snap.chunk_ids)
    per_doc = max(1.0, total / max(1, len(snap.documents)))
    k = min(total, max(depth, math.ceil(depth * per_doc * 1.5)))
    while True:
        fusion = kb.fusion(k, legs)
        hits = search(
            kb.store, snap, kb.embedder, query, k=k, filters=Filters(), fusion=fusion, per_doc=k,
            multilingual=kb.multilingual,
        )
        docs: dict[str, float] = {}
        for hit in hits:  # best first, so the first passage of a document is its best
            docs.setdefault(hit.document.source, hit.score)
        if len(docs) >= depth or k >= total or len(hits) < k:
            break
        k = min(total, 2 * k)
    return dict(sorted(docs.items(), key=lambda item: -item[1])[:depth])


def evaluate_beir(
    data: BeirDataset,
    build_index: IndexBuilder,
    *,
    depth: int = 100,
    rankings: Iterable[str] = RANKINGS,
    progress: bool = False,
) -> BeirReport:
    """Build the index with `build_index`, run every query under each ranking, and score the runs."""
    started = time.perf_counter()
    kb = build_index(parsed_documents(data))
    kb.warm_up()
    index_seconds = time.perf_counter() - started
    metrics: dict[str, dict[str, float]] = {}
    timings: dict[str, float] = {}
    runs: dict[str, dict[str, dict[str, float]]] = {}
    for name in rankings:
        if name == "multilingual" and kb.multilingual is None:
            continue
        legs = RANKINGS[name]
        run: dict[str, dict[str, float]] = {}
        seconds: list[float] = []
        for qid, text in _progress(data.queries.items(), len(data.queries), f"{name:7}", progress):
            t0 = time.perf_counter()
            run[qid] = search_documents(kb, text, legs=legs, depth=depth)
            seconds.append(time.perf_counter() - t0)
        runs[name] = run
        metrics[name] = score_run(data.qrels, run)
        timings[name] = median_ms(seconds)
    stats = kb.stats()
    s = kb.settings
    return BeirReport(
        dataset=data.name,
        split=data.split,
        documents=stats.documents,
        chunks=stats.chunks,
        queries=len(data.queries),
        index_seconds=index_seconds,
        metrics=metrics,
        median_query_ms=timings,
        settings={
            "embed_model": kb.embedder.name, "chunk_tokens": s.chunk_tokens, "chunk_overlap": s.chunk_overlap,
            "fusion": s.fusion, "dense_weight": s.dense_weight, "rrf_k": s.rrf_k, "candidates": s.candidates,
        },
        runs=runs,
    )


def _progress(items: Iterable[Any], total: int, desc: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit="query", leave=False)
