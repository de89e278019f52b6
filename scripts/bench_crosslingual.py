"""Benchmark: does an English question find the Lao passage on its topic, and a Lao question the English one?

    .venv/bin/python scripts/bench_crosslingual.py --data-dir DIR [--out reports/crosslingual.md]

DIR must hold the sample corpus ingested with the default models (`kb ingest --data-dir DIR`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
LAO_DOC = "nsps-summary-lao.pdf"


def _rank(hits, ok) -> int | None:  # type: ignore[no-untyped-def]
    return next((i + 1 for i, h in enumerate(hits) if ok(h)), None)


def main() -> int:
    """Run both directions under the full hybrid and the multilingual leg alone; write the report."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--out", default=str(ROOT / "reports" / "crosslingual.md"))
    args = ap.parse_args()
    kb = KnowledgeBase(Settings(data_dir=Path(args.data_dir)))  # type: ignore[call-arg]
    questions = {q["id"]: q for q in yaml.safe_load((ROOT / "tests/data/questions.yaml").read_text())}
    pairs = yaml.safe_load((ROOT / "tests/data/crosslingual.yaml").read_text())
    rows = []
    for pair in pairs:
        lao_q = questions[pair["id"]]
        lao_page = lao_q["page"]
        answer = pair["english_answer"].lower()

        def found_lao(h, page=lao_page):  # type: ignore[no-untyped-def]
            return h.document.source == LAO_DOC and h.chunk.page == page

        def found_en(h, answer=answer):  # type: ignore[no-untyped-def]
            return h.chunk.language == "en" and answer in h.chunk.text.lower()

        row = {"id": pair["id"]}
        for legs, label in ((None, "hybrid"), (("multilingual",), "e5 alone")):
            k = 10
            fusion = kb.fusion(k, legs)
            from kb.retrieve import search
            from kb.types import Filters

            def run(q: str, k: int = k, fusion=fusion):  # type: ignore[no-untyped-def]
                return search(kb.store, kb.snapshot(), kb.embedder, q, k=k, filters=Filters(), fusion=fusion,
                              per_doc=k, multilingual=kb.multilingual)

            row[f"en→lo {label}"] = _rank(run(pair["english"]), found_lao)
            row[f"lo→lo {label}"] = _rank(run(lao_q["question"]), found_lao)
            row[f"lo→en {label}"] = _rank(run(lao_q["question"]), found_en)
        rows.append(row)
    cols = [c for c in rows[0] if c != "id"]
    lines = [
        "# Cross-lingual retrieval on the sample library",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- inputs: {len(rows)} Lao questions of tests/data/questions.yaml and their English counterparts "
        "(tests/data/crosslingual.yaml); the Lao summary has 2 pages, the English library 10 documents",
        "- cells: the rank (1 = best, of the top 10 passages) of the passage sought; '-' when not in the top 10",
        "  - en→lo: English question, Lao summary page that answers it; lo→lo: the Lao question, same page;",
        "  - lo→en: the Lao question, any English passage containing the answer",
        "",
        "| question | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for row in rows:
        lines.append(f"| {row['id']} | " + " | ".join(str(row[c] or "-") for c in cols) + " |")
    share = {c: sum(1 for r in rows if r[c] and r[c] <= 3) / len(rows) for c in cols}
    lines.append("| **in top 3** | " + " | ".join(f"**{share[c]:.2f}**" for c in cols) + " |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
