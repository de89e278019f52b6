"""The passage ranker: which of the passages read holds the answer, from retrieval's scores and the reader's view.

Retrieval orders passages by how much they share with the question; the reader scores each answer unit of
them. The ranker puts both together per passage: the legs' scores (each against the best passage of the
question), the rank, whether the passage is of the best passage's document, and the reader's features of the
passage's units, each at its best. A small gradient-boosted model, trained by `scripts/train_ranker.py` with
folds held out by question set and by library, gives each passage a score; the answer cites passages in that
order. Its trees are one JSON file beside this module, read here without scikit-learn.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kb.read.features import FEATURES
from kb.read.reading import Reading
from kb.read.scorer import read_model_file

RANKER_FILE = Path(__file__).with_name("ranker_trees.json")

RETRIEVAL_FEATURES = (
    "fused_share",  # the passage's fused score over the best passage's
    "fused_gap",  # the best passage's fused score less this one's
    "dense_gap",  # the best MiniLM cosine among the passages less this one's
    "keyword_share",  # the passage's BM25 over the best passage's
    "multilingual_gap",  # the best multilingual-e5 cosine less this one's
    "log_rank",  # log(1 + the passage's place in retrieval's order)
    "top_document",  # the passage is of the best passage's document
    "reader_best",  # the reader's probability for the passage's best unit
    "reader_share",  # … over the best probability among all passages
)
UNIT_FEATURES = tuple(f"unit_{name}" for name in FEATURES if name != "bias")  # each at its best over the units
RANKER_FEATURES = RETRIEVAL_FEATURES + UNIT_FEATURES


def passage_features(reading: Reading) -> np.ndarray:
    """Return one row of RANKER_FEATURES per passage read."""
    hits = reading.hits
    n = len(hits)
    x = np.zeros((n, len(RANKER_FEATURES)), dtype=np.float64)
    if not n:
        return x
    fused = np.array([h.score for h in hits])
    dense = np.array([h.dense or 0.0 for h in hits])
    keyword = np.array([h.keyword or 0.0 for h in hits])
    multi = np.array([h.multilingual or 0.0 for h in hits])
    best = np.array([reading.passage_probability(i) for i in range(n)])
    top_doc = hits[0].chunk.document_id
    x[:, 0] = fused / (fused.max() or 1.0)
    x[:, 1] = fused.max() - fused
    x[:, 2] = dense.max() - dense
    x[:, 3] = keyword / (keyword.max() or 1.0)
    x[:, 4] = multi.max() - multi
    x[:, 5] = np.log1p(np.arange(n))
    x[:, 6] = [h.chunk.document_id == top_doc for h in hits]
    x[:, 7] = best
    x[:, 8] = best / (best.max() or 1.0)
    keep = [i for i, name in enumerate(FEATURES) if name != "bias"]
    start, seen = len(RETRIEVAL_FEATURES), set()
    for u, unit in enumerate(reading.units):
        row = reading.features[u, keep]
        x[unit.hit, start:] = np.maximum(x[unit.hit, start:], row) if unit.hit in seen else row
        seen.add(unit.hit)
    return x


@dataclass
class TreeRanker:
    """A sum of regression trees over RANKER_FEATURES; each node is [feature, threshold, left, right, value, leaf]."""

    trees: list[list[list[float]]]
    baseline: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Return each row's score (log-odds that the passage holds the answer)."""
        out = np.full(len(features), self.baseline, dtype=np.float64)
        for r, row in enumerate(features):
            out[r] += sum(_leaf(tree, row) for tree in self.trees)
        return out

    def order(self, reading: Reading) -> list[int]:
        """Return the passages' indexes, likeliest first (ties keep retrieval's order)."""
        if not reading.hits:
            return []
        s = self.scores(passage_features(reading))
        return sorted(range(len(s)), key=lambda i: (-s[i], i))

    @classmethod
    def load(cls, path: Path = RANKER_FILE) -> TreeRanker:
        """Return the ranker saved at `path`; it must have been trained on this code's RANKER_FEATURES."""
        data = read_model_file(path, RANKER_FEATURES, "the passage ranker's trees", "scripts/train_ranker.py")
        return cls(trees=data["trees"], baseline=float(data["baseline"]), info=data.get("info", {}))

    def save(self, path: Path = RANKER_FILE) -> None:
        """Write the trees, their features and the baseline as JSON."""
        data = {"features": list(RANKER_FEATURES), "baseline": self.baseline, "info": self.info, "trees": self.trees}
        Path(path).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


class RetrievalOrder:
    """No ranker: passages are cited in retrieval's order (used to collect the ranker's own training examples)."""

    def order(self, reading: Reading) -> list[int] | None:
        """Return None: keep retrieval's order."""
        return None


def _leaf(tree: list[list[float]], row: np.ndarray) -> float:
    """Return the value of the leaf `row` falls in (a NaN feature goes right, as no feature is ever NaN here)."""
    node = tree[0]
    while not node[5]:
        value = row[int(node[0])]
        node = tree[int(node[2])] if (not math.isnan(value) and value <= node[1]) else tree[int(node[3])]
    return float(node[4])


def trees_of(model: Any) -> tuple[list[list[list[float]]], float]:
    """Return the trees and baseline of a fitted binary `HistGradientBoostingClassifier`, as TreeRanker keeps them."""
    trees = []
    for (predictor,) in model._predictors:
        trees.append([[int(n["feature_idx"]), float(n["num_threshold"]), int(n["left"]), int(n["right"]),
                       round(float(n["value"]), 6), int(n["is_leaf"])] for n in predictor.nodes])
    return trees, float(np.ravel(model._baseline_prediction)[0])
