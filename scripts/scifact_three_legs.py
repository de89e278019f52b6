"""Tune the three legs' weights (MiniLM, multilingual-e5, BM25) on SciFact's TRAIN split.

The default library fuses three legs at 0.25 / 0.25 / 0.5, a split never tuned on SciFact. This builds (or
reuses) a three-leg index of the SciFact corpus through the production path — with `--embed-cache`, the
vectors of an earlier `kb eval beir --embed-cache` run are reused — computes each leg's candidates once per
query and replays the production `fuse` under a grid of weights. The best train setting and production's
are then scored once on TEST. Rows go to reports/scifact-three-legs.json.

    .venv/bin/python scripts/scifact_three_legs.py --data-dir /tmp/kb-scifact-3 --embed-cache /tmp/kb-eval-cache
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb import lexical  # noqa: E402
from kb.config import Settings  # noqa: E402
from kb.eval_beir import load_beir, parsed_documents  # noqa: E402
from kb.evaluate import score_run  # noqa: E402
from kb.knowledge_base import KnowledgeBase, load_embedders  # noqa: E402
from kb.retrieve import FusionParams, LegResult, dense_leg, fuse, keyword_leg  # noqa: E402
from scripts.tune_scifact import DEPTH, SCIFACT  # noqa: E402

# `kb eval beir` asks each leg for about 1.5 × 3 passages per document wanted (~450), not the default 100.
CANDIDATES = 450


def open_index(data_dir: Path, embed_cache: Path | None) -> KnowledgeBase:
    """Return a three-leg KnowledgeBase over the SciFact corpus, building it on the first call."""
    from kb.evaluate_cli import parsed_index_builder

    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    embedder, multilingual = load_embedders(settings)
    if multilingual is None:
        raise SystemExit("the multilingual leg is off (KB_MULTILINGUAL_MODEL=none)")
    if (data_dir / "kb.sqlite3").exists():
        kb = KnowledgeBase(settings, embedder=embedder, multilingual=multilingual)
        if kb.stats().documents:
            return kb
    data = load_beir(SCIFACT, split="test")
    build = parsed_index_builder(settings, embedder, multilingual=multilingual, embed_cache=embed_cache,
                                 progress=sys.stderr.isatty())
    return build(parsed_documents(data))


def legs_of(kb: KnowledgeBase, queries: dict[str, str]) -> dict[str, dict[str, LegResult]]:
    """Return {qid: {leg: candidates}} for the three legs."""
    snap = kb.snapshot()
    assert kb.multilingual is not None
    texts = list(queries.values())
    dense = dict(zip(queries, kb.embedder.embed(texts, kind="query"), strict=True))
    multi = dict(zip(queries, kb.multilingual.embed(texts, kind="query"), strict=True))
    return {
        qid: {
            "dense": dense_leg(snap, dense[qid], CANDIDATES, None),
            "multilingual": dense_leg(snap, multi[qid], CANDIDATES, None, index=snap.multilingual),
            "keyword": keyword_leg(snap, lexical.tokenize(text), CANDIDATES, None),
        }
        for qid, text in queries.items()
    }


def run_of(kb: KnowledgeBase, legs: dict[str, dict[str, LegResult]], weights: dict[str, float]) -> dict:
    """Return {qid: {source: score}}: fused passages, a document scoring its best passage (as the harness)."""
    snap = kb.snapshot()
    source = {d.id: d.source for d in snap.documents.values()}
    run = {}
    for qid, by_leg in legs.items():
        docs: dict[str, float] = {}
        for row, score in sorted(fuse(by_leg, weights, FusionParams()).items(), key=lambda item: -item[1]):
            docs.setdefault(source[snap.chunk_docs[row]], score)
            if len(docs) == DEPTH:
                break
        run[qid] = docs
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/kb-scifact-3"))
    ap.add_argument("--embed-cache", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "scifact-three-legs.json")
    args = ap.parse_args()

    kb = open_index(args.data_dir, args.embed_cache)
    print(f"index: {kb.stats()}", flush=True)
    rows: list[dict[str, object]] = []

    def record(split: str, weights: dict[str, float], legs: dict, qrels: dict) -> float:
        metrics = {k: round(v, 4) for k, v in score_run(qrels, run_of(kb, legs, weights)).items()}
        rows.append({"split": split, **{f"w_{k}": v for k, v in weights.items()}, **metrics})
        print(json.dumps(rows[-1]), flush=True)
        return metrics["ndcg@10"]

    train = load_beir(SCIFACT, split="train")
    train_legs = legs_of(kb, train.queries)
    production = {"dense": 0.25, "multilingual": 0.25, "keyword": 0.5}
    best = (record("train", production, train_legs, train.qrels), production)
    for dense in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
        for multi in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
            keyword = round(1.0 - dense - multi, 2)
            if keyword < 0.2 or (dense, multi) == (0.25, 0.25):
                continue
            weights = {"dense": dense, "multilingual": multi, "keyword": keyword}
            score = record("train", weights, train_legs, train.qrels)
            if score > best[0]:
                best = (score, weights)
    print(f"best on train: {best}", flush=True)

    test = load_beir(SCIFACT, split="test")
    test_legs = legs_of(kb, test.queries)
    record("test", production, test_legs, test.qrels)
    record("test", best[1], test_legs, test.qrels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"best_train": best[1], "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
