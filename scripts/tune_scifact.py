"""Tune retrieval levers on SciFact's TRAIN split, then score the chosen settings once on TEST.

Builds (or reuses) one index of the SciFact corpus through the production path, computes each leg's
candidates once per query, and replays `kb.retrieve.fuse` under every setting of the grid. Prints one
line per setting (train nDCG@10 etc.) and a JSON summary at the end.

    .venv/bin/python scripts/tune_scifact.py --data-dir /tmp/kb-scifact --embed-cache /tmp/kb-eval-cache
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.config import Settings  # noqa: E402
from kb.eval_beir import load_beir, parsed_documents  # noqa: E402
from kb.evaluate import score_run  # noqa: E402
from kb.knowledge_base import KnowledgeBase  # noqa: E402
from kb.retrieve import FusionParams, KeywordIndex, LegResult, dense_leg, fuse, keyword_leg  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"
DEPTH = 100


def open_index(data_dir: Path, embed_cache: Path | None, limit_docs: int | None = None) -> KnowledgeBase:
    """Return a KnowledgeBase over the whole SciFact corpus, building it on the first call."""
    from kb.embed import SentenceTransformerEmbedder
    from kb.evaluate_cli import parsed_index_builder

    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    embedder = SentenceTransformerEmbedder(settings.embed_model, batch_size=settings.embed_batch_size)
    if (data_dir / "kb.sqlite3").exists():
        kb = KnowledgeBase(settings, embedder=embedder)
        if kb.stats().documents:
            return kb
    data = load_beir(SCIFACT, split="test", limit_docs=limit_docs)
    return parsed_index_builder(settings, embedder, embed_cache=embed_cache, progress=sys.stderr.isatty())(
        parsed_documents(data)
    )


def doc_run(kb: KnowledgeBase, legs: dict[str, tuple[LegResult, LegResult]], params: FusionParams) -> dict:
    """Return {qid: {source: score}}: fused passages, a document scoring its best passage."""
    snap = kb.snapshot()
    source = {d.id: d.source for d in snap.documents.values()}
    run = {}
    # Two legs, as production weighs them without a multilingual model (its weight goes to MiniLM).
    weights = params.weights(lao_query=False, has_multilingual=False)
    for qid, (d, k) in legs.items():
        cut = {
            "dense": LegResult(d.rows[: params.candidates], d.scores[: params.candidates]),
            "keyword": LegResult(k.rows[: params.candidates], k.scores[: params.candidates]),
        }
        docs: dict[str, float] = {}
        for row, score in sorted(fuse(cut, weights, params).items(), key=lambda item: -item[1]):
            docs.setdefault(source[snap.chunk_docs[row]], score)
            if len(docs) == DEPTH:
                break
        run[qid] = docs
    return run


def compute_legs(kb, queries, keyword: KeywordIndex, tokenize, qvecs, candidates) -> dict:  # type: ignore[no-untyped-def]
    """Return {qid: (dense leg, keyword leg)} with `candidates` passages each."""
    snap = kb.snapshot()
    out = {}
    saved = snap.keyword
    snap.keyword = keyword
    try:
        for qid, text in queries.items():
            out[qid] = (
                dense_leg(snap, qvecs[qid], candidates, None), keyword_leg(snap, tokenize(text), candidates, None)
            )
    finally:
        snap.keyword = saved
    return out


def tokenizers():  # type: ignore[no-untyped-def]
    """Return the keyword tokenisers compared: production's, no stemming, and a longer stop-word list."""
    import Stemmer

    from kb import lexical

    stem = Stemmer.Stemmer("english")
    try:
        from bm25s.stopwords import STOPWORDS_EN_PLUS as STOPWORDS_EN
    except ImportError:  # pragma: no cover
        STOPWORDS_EN = ()
    long_stop = frozenset(lexical.STOPWORDS) | frozenset(STOPWORDS_EN)

    def no_stem(text: str) -> list[str]:
        return [m.group(0) for m in lexical._WORD.finditer(text.lower()) if m.group(0) not in lexical.STOPWORDS]

    def long_stoplist(text: str) -> list[str]:
        return stem.stemWords([m.group(0) for m in lexical._WORD.finditer(text.lower()) if m.group(0) not in long_stop])

    return {"production": lexical.tokenize, "no-stem": no_stem, "long-stoplist": long_stoplist}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/kb-scifact"))
    ap.add_argument("--embed-cache", type=Path)
    ap.add_argument("--limit-docs", type=int, help="only the first N documents (a quick check of the script)")
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "scifact-tuning.json")
    args = ap.parse_args()

    from ingest.chunk import embedding_text

    t0 = time.perf_counter()
    kb = open_index(args.data_dir, args.embed_cache, args.limit_docs)
    print(f"index ready in {time.perf_counter() - t0:.1f} s: {kb.stats()}", flush=True)
    train = load_beir(SCIFACT, split="train", limit_docs=args.limit_docs)
    test = load_beir(SCIFACT, split="test", limit_docs=args.limit_docs)
    all_queries = {**train.queries, **test.queries}
    vecs = kb.embedder.embed(list(all_queries.values()), kind="query")
    qvecs = dict(zip(all_queries, vecs, strict=True))

    # Texts for re-tokenising the keyword leg: exactly what ingest indexed (title + section + passage).
    snap = kb.snapshot()
    chunks = kb.store.chunks([int(i) for i in snap.chunk_ids])
    texts = [embedding_text(snap.documents[chunks[int(i)].document_id].title, chunks[int(i)]) for i in snap.chunk_ids]

    results: list[dict] = []

    def record(split: str, label: str, params: FusionParams, legs: dict, qrels: dict) -> float:
        m = score_run(qrels, doc_run(kb, legs, params))
        row = {"split": split, "label": label, "method": params.method, "dense_weight": params.dense_weight,
               "rrf_k": params.rrf_k, "candidates": params.candidates, "legs": list(params.legs),
               **{k: round(v, 4) for k, v in m.items()}}
        results.append(row)
        print(json.dumps(row), flush=True)
        return m["ndcg@10"]

    cand_max = 400
    variants = {}
    for tok_name, tok in tokenizers().items():
        for k1, b in ((1.2, 0.75), (0.9, 0.4), (1.5, 0.75), (1.2, 0.9), (0.7, 0.5)):
            if tok_name != "production" and (k1, b) != (1.2, 0.75):
                continue
            index = KeywordIndex([tok(t) for t in texts], k1=k1, b=b)
            label = f"{tok_name} k1={k1} b={b}"
            variants[label] = compute_legs(kb, train.queries, index, tok, qvecs, cand_max)
            record("train", label, FusionParams(legs=("keyword",), candidates=cand_max), variants[label], train.qrels)

    base = variants["production k1=1.2 b=0.75"]
    record("train", "dense", FusionParams(legs=("dense",), candidates=cand_max), base, train.qrels)
    best = (-1.0, "", FusionParams())
    for label, legs in variants.items():
        for cand in (100, 200, 400):
            for w in (0.3, 0.4, 0.5, 0.6, 0.7):
                p = FusionParams("minmax", w, 60, cand)
                score = record("train", label, p, legs, train.qrels)
                if score > best[0]:
                    best = (score, label, p)
            for rk in (10, 30, 60):
                for w in (0.4, 0.5, 0.6):
                    p = FusionParams("rrf", w, rk, cand)
                    score = record("train", label, p, legs, train.qrels)
                    if score > best[0]:
                        best = (score, label, p)
    print(f"best on train: {best}", flush=True)

    # Test: the production defaults and the train-chosen setting, once each.
    tok_name, k1b = best[1].split(" ", 1)
    k1 = float(k1b.split()[0].split("=")[1])
    b = float(k1b.split()[1].split("=")[1])
    tok = tokenizers()[tok_name]
    best_index = KeywordIndex([tok(t) for t in texts], k1=k1, b=b)
    test_legs_best = compute_legs(kb, test.queries, best_index, tok, qvecs, cand_max)
    test_legs_prod = compute_legs(
        kb, test.queries, KeywordIndex([tokenizers()["production"](t) for t in texts]), tokenizers()["production"],
        qvecs, cand_max,
    )
    record("test", "production k1=1.2 b=0.75", FusionParams(), test_legs_prod, test.qrels)
    record("test", best[1], best[2], test_legs_best, test.qrels)
    record("test", best[1], replace(best[2], legs=("keyword",)), test_legs_best, test.qrels)
    record("test", "dense", FusionParams(legs=("dense",), candidates=cand_max), test_legs_prod, test.qrels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"best_train": {"label": best[1], "params": best[2].__dict__,
                                                   "ndcg@10": round(best[0], 4)}, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
