"""The answer layer on a library no model of ours was trained on: a BEIR dataset's queries asked through the product.

    .venv/bin/python scripts/beir_answers.py ../shared/benchmarks/scifact --data-dir /tmp/scifact [--split test]

The index is the one `kb eval beir DIR --data-dir D` builds (run that first). Every judged query is read as a
question: the passages an answer reads (`KnowledgeBase.reading`), put in retrieval's order and in the passage
ranker's, and the answer itself. Reported, at the document level the qrels judge: hit@1 and hit@3 of each order,
the share of queries the answer refuses (every query here has a relevant document, so each refusal is a false
one), and hit@3 of the answer's citations where it answers. The reader and ranker were trained on our question
sets only, so this says how they carry to a library and a kind of question they never saw.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Ask every judged query and print the figures as JSON."""
    from kb.config import Settings
    from kb.eval_beir import load_beir
    from kb.knowledge_base import KnowledgeBase, load_embedders

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True, help="the index `kb eval beir --data-dir` built")
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=None, help="first N queries only")
    args = parser.parse_args()

    data = load_beir(args.dataset, split=args.split)
    settings = Settings(data_dir=args.data_dir, _env_file=None)  # type: ignore[call-arg]
    embedder, multilingual = load_embedders(settings)
    kb = KnowledgeBase(settings, embedder=embedder, multilingual=multilingual)
    counts = dict.fromkeys(("retrieval_hit@1", "retrieval_hit@3", "ranker_hit@1", "ranker_hit@3", "refused",
                            "answered_hit@3"), 0)
    queries = list(data.queries.items())[: args.limit]
    started = time.perf_counter()
    for qid, text in queries:
        relevant = {doc for doc, grade in data.qrels[qid].items() if grade > 0}
        hits = kb.reading(text)
        reading = kb.read(text, hits)
        retrieval = [i for i, h in enumerate(hits) if not h.held_back]

        def found(order: list[int], n: int) -> bool:
            return any(hits[i].document.source in relevant for i in order[:n])  # noqa: B023

        for name, order in (("retrieval", retrieval), ("ranker", reading.shown())):
            counts[f"{name}_hit@1"] += found(order, 1)
            counts[f"{name}_hit@3"] += found(order, 3)
        answer = kb.answer(text, hits)
        counts["refused"] += answer.abstained
        if not answer.abstained:
            counts["answered_hit@3"] += any(c.hit.document.source in relevant for c in answer.citations[:3])
    n = len(queries)
    report = {"dataset": data.name, "split": args.split, "queries": n, "seconds": round(time.perf_counter() - started),
              **{k: round(v / n, 4) for k, v in counts.items()}}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
