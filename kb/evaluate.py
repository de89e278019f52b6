"""Shared evaluation pieces: IR metrics (via ir-measures), TREC run files, timing summaries.

`kb/eval_beir.py` scores retrieval on a BEIR dataset; `kb/eval_questions.py` scores the answers on the
project's own question set. Neither imports `ingest/`: the CLI hands them a ready KnowledgeBase or a
callable that builds one.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Mapping[str, float]]

# Our names for the metrics of record, and the ir-measures measure each one is.
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


def _measures():  # type: ignore[no-untyped-def]
    from ir_measures import RR, R, nDCG

    return {"ndcg@10": nDCG @ 10, "recall@10": R @ 10, "recall@100": R @ 100, "mrr@10": RR @ 10}


def score_run(qrels: Qrels, run: Run) -> dict[str, float]:
    """Return the mean of each metric over every judged query (a query missing from the run scores 0)."""
    per_query = score_run_per_query(qrels, run)
    judged = [q for q, rels in qrels.items() if any(v > 0 for v in rels.values())]
    if not judged:
        return {name: 0.0 for name in METRICS}
    return {name: sum(per_query[name].get(q, 0.0) for q in judged) / len(judged) for name in METRICS}


def score_run_per_query(qrels: Qrels, run: Run) -> dict[str, dict[str, float]]:
    """Return {metric: {query id: value}} computed by ir-measures (pytrec_eval underneath)."""
    import ir_measures

    measures = _measures()
    name_of = {str(m): name for name, m in measures.items()}
    out: dict[str, dict[str, float]] = {name: {} for name in METRICS}
    qrels_plain = {q: {d: int(r) for d, r in rels.items()} for q, rels in qrels.items()}
    run_plain = {q: {d: float(s) for d, s in docs.items()} for q, docs in run.items() if q in qrels_plain}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels_plain, run_plain):
        out[name_of[str(metric.measure)]][metric.query_id] = float(metric.value)
    return out


def write_trec_run(run: Run, path: Path, *, tag: str, depth: int = 100) -> None:
    """Write `run` in TREC format (`qid Q0 docid rank score tag`), best first, `depth` lines a query."""
    lines: list[str] = []
    for qid in sorted(run, key=_natural):
        ranked = sorted(run[qid].items(), key=lambda item: (-item[1], item[0]))[:depth]
        lines.extend(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}" for rank, (doc, score) in enumerate(ranked, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def read_trec_run(path: Path) -> dict[str, dict[str, float]]:
    """Return the run in a TREC run file as {qid: {docid: score}}."""
    import ir_measures

    run: dict[str, dict[str, float]] = {}
    for row in ir_measures.read_trec_run(str(path)):
        run.setdefault(row.query_id, {})[row.doc_id] = float(row.score)
    return run


def median_ms(seconds: Iterable[float]) -> float:
    """Return the median of durations given in seconds, in milliseconds (0 when empty)."""
    values = list(seconds)
    return 1000.0 * statistics.median(values) if values else 0.0


def _natural(qid: str) -> tuple[int, str]:
    return (int(qid), "") if qid.isdigit() else (1 << 62, qid)
