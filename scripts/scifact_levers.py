"""Measure two more retrieval levers on SciFact's TRAIN split over the index `tune_scifact.py` builds.

- how a document's score is made from its passages: the best fused passage (production), the best plus
  a share of the second best, or each leg's best passage per document fused at document level;
- dense pseudo-relevance feedback: the query vector moved towards the mean of the top passages
  (Rocchio), then fused with the unchanged keyword leg;
- score normalisation before the weighted sum: z-scores over each leg's candidates instead of min-max.

Writes every row to reports/scifact-levers.json; the verdicts are in docs/benchmarks.md.

    .venv/bin/python scripts/scifact_levers.py --data-dir /tmp/kb-scifact
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb import lexical  # noqa: E402
from kb.eval_beir import load_beir  # noqa: E402
from kb.evaluate import score_run  # noqa: E402
from kb.retrieve import FusionParams, LegResult, dense_leg, fuse  # noqa: E402
from scripts.tune_scifact import DEPTH, SCIFACT, compute_legs, open_index  # noqa: E402

WEIGHTS = {"dense": 0.5, "keyword": 0.5}  # production's two-leg weights
CANDIDATES = 100

Legs = tuple[LegResult, LegResult]


def _cut(leg: LegResult, n: int = CANDIDATES) -> LegResult:
    return LegResult(leg.rows[:n], leg.scores[:n])


def _fused(legs: Legs) -> list[tuple[int, float]]:
    dense, keyword = legs
    return sorted(fuse({"dense": _cut(dense), "keyword": _cut(keyword)}, WEIGHTS, FusionParams()).items(),
                  key=lambda item: -item[1])


def _top(docs: dict[str, float]) -> dict[str, float]:
    return dict(sorted(docs.items(), key=lambda item: -item[1])[:DEPTH])


def best_passage(doc_of: np.ndarray) -> Callable[[Legs], dict[str, float]]:
    def run(legs: Legs) -> dict[str, float]:
        docs: dict[str, float] = {}
        for row, score in _fused(legs):
            docs.setdefault(str(doc_of[row]), score)
        return _top(docs)

    return run


def with_second(doc_of: np.ndarray, share: float) -> Callable[[Legs], dict[str, float]]:
    def run(legs: Legs) -> dict[str, float]:
        scores: dict[str, list[float]] = {}
        for row, score in _fused(legs):
            scores.setdefault(str(doc_of[row]), []).append(score)
        return _top({doc: s[0] + share * (s[1] if len(s) > 1 else 0.0) for doc, s in scores.items()})

    return run


def per_leg_documents(doc_of: np.ndarray, candidates: int) -> Callable[[Legs], dict[str, float]]:
    def run(legs: Legs) -> dict[str, float]:
        out: dict[str, float] = {}
        for leg, weight in zip(legs, (WEIGHTS["dense"], WEIGHTS["keyword"]), strict=True):
            best: dict[str, float] = {}
            for row, score in zip(leg.rows[:candidates], leg.scores[:candidates], strict=True):
                best.setdefault(str(doc_of[row]), float(score))
            if not best:
                continue
            lo, hi = min(best.values()), max(best.values())
            for doc, score in best.items():
                out[doc] = out.get(doc, 0.0) + weight * ((score - lo) / (hi - lo) if hi > lo else 1.0)
        return _top(out)

    return run


def zscore(doc_of: np.ndarray, dense_weight: float) -> Callable[[Legs], dict[str, float]]:
    def run(legs: Legs) -> dict[str, float]:
        fused: dict[int, float] = {}
        floor = 0.0
        for leg, weight in zip(legs, (dense_weight, 1 - dense_weight), strict=True):
            cut = _cut(leg)
            if len(cut.scores) == 0:
                continue
            z = (cut.scores - cut.scores.mean()) / (cut.scores.std() or 1.0)
            floor += weight * float(z.min())  # a passage a leg did not return scores that leg's lowest
            for row, value in zip(cut.rows, z, strict=True):
                fused[int(row)] = fused.get(int(row), 0.0) + weight * (float(value) - float(z.min()))
        docs: dict[str, float] = {}
        for row, score in sorted(fused.items(), key=lambda item: -item[1]):
            docs.setdefault(str(doc_of[row]), score + floor)
        return _top(docs)

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/kb-scifact"))
    ap.add_argument("--split", default="train", choices=["train", "test"])
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "scifact-levers.json")
    args = ap.parse_args()

    kb = open_index(args.data_dir, None)
    data = load_beir(SCIFACT, split=args.split)
    qvecs = dict(zip(data.queries, kb.embedder.embed(list(data.queries.values()), kind="query"), strict=True))
    snap = kb.snapshot()
    legs = compute_legs(kb, data.queries, snap.keyword, lexical.tokenize, qvecs, 400)
    source = {d.id: d.source for d in snap.documents.values()}
    doc_of = np.array([source[d] for d in snap.chunk_docs])
    vectors = np.vstack([snap.dense.reconstruct(int(i)) for i in snap.chunk_ids])

    rows: list[dict[str, object]] = []

    def record(label: str, run: dict[str, dict[str, float]]) -> None:
        metrics = {k: round(v, 4) for k, v in score_run(data.qrels, run).items()}
        rows.append({"split": args.split, "label": label, **metrics})
        print(json.dumps(rows[-1]), flush=True)

    variants: dict[str, Callable[[Legs], dict[str, float]]] = {"best passage (production)": best_passage(doc_of)}
    variants |= {f"best + {share} x second": with_second(doc_of, share) for share in (0.1, 0.2, 0.3, 0.5)}
    variants |= {f"per-leg best, {n} candidates": per_leg_documents(doc_of, n) for n in (100, 200)}
    variants |= {f"z-score fusion, dense weight {w}": zscore(doc_of, w) for w in (0.4, 0.5, 0.6)}
    for label, make in variants.items():
        record(label, {qid: make(pair) for qid, pair in legs.items()})

    production = best_passage(doc_of)
    for top in (3, 5, 10):
        for beta in (0.3, 0.6, 1.0):
            run = {}
            for qid, (dense, keyword) in legs.items():
                feedback = [row for row, _ in _fused((dense, keyword))[:top]]
                moved = qvecs[qid] + beta * vectors[feedback].mean(axis=0)
                moved = (moved / np.linalg.norm(moved)).astype(np.float32)
                run[qid] = production((dense_leg(snap, moved, CANDIDATES, None), keyword))
            record(f"dense PRF: top {top} fused passages, beta {beta}", run)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
