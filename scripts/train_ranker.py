"""Train the passage ranker (kb/read/ranker_trees.json) on the development question sets, and report it.

    .venv/bin/python scripts/train_ranker.py [--data-dir /tmp/reader-train]

The libraries of scripts/train_reader.py (corpus/, the real reports of ../shared/pdfs/policy, four out-of-domain
PDFs) are read through the production path with the committed reader; for every answerable question each
passage read gets the ranker's features and a label (it holds an answer phrase, on the right document and page:
the evaluation's own test). Gradient-boosted trees are scored on folds held out by question set and by library
(hit@3 of the passages in the ranker's order against retrieval's order), then fitted on everything. Sealed sets
are read only once opened (their header says when), and only those named below.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_reader import CORPUS_SETS, DEBIAN_SETS, POLICY_SETS  # noqa: E402

# The reader's sets (opened sealed sets only: see scripts/train_reader.py); each Debian set has its own library.
SETS = {"corpus": CORPUS_SETS, "policy": POLICY_SETS, "outside": ("train_outside",),
        **{name: (f"sealed/{name}",) for name in DEBIAN_SETS}}
PARAMS = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40}


def collect(kb, questions, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Return each answerable question's passage features and labels, read through the production path."""
    from kb.eval_questions import is_hit
    from kb.read.ranker import passage_features

    out = []
    for q in questions:
        if not q.answerable:
            continue
        hits = kb.reading(q.question)
        labels = np.array([is_hit(q, h) for h in hits], dtype=float)
        out.append({"set": name, "x": passage_features(kb.read(q.question, hits)), "y": labels})
    return out


def fit(examples: list[dict]):  # type: ignore[no-untyped-def]
    """Return trees fitted on the examples of questions with at least one right passage."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    used = [e for e in examples if e["y"].any()]
    model = HistGradientBoostingClassifier(random_state=0, **PARAMS)
    return model.fit(np.vstack([e["x"] for e in used]), np.concatenate([e["y"] for e in used]))


def hit3(examples: list[dict], model=None) -> float:  # type: ignore[no-untyped-def]
    """Return the share of questions with a right passage among the first three (ranker's order, or retrieval's)."""
    def first3(e: dict) -> np.ndarray:
        if model is None or not len(e["y"]):
            return e["y"][:3]
        order = np.argsort(-model.decision_function(e["x"]), kind="stable")
        return e["y"][order[:3]]
    return round(float(np.mean([first3(e).any() for e in examples])), 4) if examples else 0.0


def held_out(examples: list[dict], key) -> dict:  # type: ignore[no-untyped-def]
    """Return retrieval's and the ranker's hit@3 on each group, the ranker trained without that group."""
    report = {}
    for group in sorted({key(e) for e in examples}):
        test = [e for e in examples if key(e) == group]
        model = fit([e for e in examples if key(e) != group])
        report[group] = {"n": len(test), "retrieval_hit@3": hit3(test), "ranker_hit@3": hit3(test, model)}
    return report


def main() -> int:
    """Collect, cross-validate, fit, save and report."""
    from train_reader import debian_folder, library, outside_folder

    from kb.eval_questions import load_questions
    from kb.read.ranker import RANKER_FILE, RetrievalOrder, TreeRanker, trees_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/reader-train"))
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "ranker-training.json")
    args = parser.parse_args()

    folders = {"corpus": ROOT / "corpus", "policy": ROOT.parent / "shared" / "pdfs" / "policy",
               "outside": outside_folder(args.data_dir),
               **{name: debian_folder(args.data_dir, name) for name in DEBIAN_SETS}}
    examples: list[dict] = []
    for lib, names in SETS.items():
        kb = library(args.data_dir, lib, folders[lib], reader=None, ranker=RetrievalOrder())
        for name in names:
            examples += collect(kb, load_questions(ROOT / "tests" / "data" / f"{name}.yaml"), f"{lib}:{name}")
            print(f"read {name}: {len(examples)} questions", file=sys.stderr)
    by_set = held_out(examples, lambda e: e["set"])
    by_library = held_out(examples, lambda e: e["set"].split(":")[0])
    model = fit(examples)
    trees, baseline = trees_of(model)
    info = {
        "trained_on": [f"tests/data/{n}.yaml ({lib})" for lib, names in SETS.items() for n in names],
        "questions": len(examples),
        "passages": int(sum(len(e["y"]) for e in examples)),
        "params": PARAMS,
        "all": {"retrieval_hit@3": hit3(examples), "held_out_by_set": hit3_total(by_set)},
        "held_out_by_set": by_set,
        "held_out_by_library": by_library,
    }
    TreeRanker(trees=trees, baseline=baseline, info=info).save(RANKER_FILE)
    args.out.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(info, indent=2))
    return 0


def hit3_total(report: dict) -> float:
    """Return the ranker's held-out hit@3 over all groups, weighted by their questions."""
    n = sum(g["n"] for g in report.values())
    return round(sum(g["ranker_hit@3"] * g["n"] for g in report.values()) / n, 4) if n else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
