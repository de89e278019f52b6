"""Try a refusal check on kept answers before writing it: what it would refuse, and what it would cost.

    .venv/bin/python scripts/refusal_lab.py dump --data-dir DIR --out rows.jsonl SET.yaml [SET.yaml ...]
    .venv/bin/python scripts/refusal_lab.py score rows.jsonl [...] --check checks.py:name [--show]

`dump` asks every question of the sets (opened ones: a sealed set is never read here) over a library already
ingested in DIR (`kb eval questions --data-dir DIR` builds one), and keeps one row per question: the question, its
frame (answer kinds, names, years, figures, what is counted), the answer's outcome (refused and why, the rank of the
first right citation) and the likeliest units (text, context, kind, probability, their passage's text with its
title and headings, whether that passage is a right one).

`score` runs a candidate check, a function of a row returning True to refuse, over the rows the answer did not
refuse, and counts per library: unanswerable questions it would newly refuse, correct answers (right passage among
the first three citations) it would lose, and wrong answers it would turn into refusals. A check that earns its
place refuses many more unanswerable questions than it loses correct answers, on every library.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Row = dict[str, Any]
UNITS_KEPT = 5


def dump(data_dir: Path, sets: list[Path], out: Path) -> int:
    """Ask every question of the sets over the library in data_dir; write one JSON row per question to out."""
    from kb.answer import AnswerParams, build_answer
    from kb.config import Settings
    from kb.eval_questions import first_hit_rank, load_questions
    from kb.knowledge_base import KnowledgeBase, load_embedders
    from kb.read.abstain import hit_text

    settings = Settings(data_dir=data_dir)  # type: ignore[call-arg]
    embedder, multilingual = load_embedders(settings)
    kb = KnowledgeBase(settings, embedder=embedder, multilingual=multilingual)
    n = 0
    with out.open("w", encoding="utf-8") as sink:
        for path in sets:
            for q in load_questions(path):
                hits = kb.reading(q.question)
                reading = kb.read(q.question, hits)
                answer = build_answer(reading, AnswerParams(threshold=kb.threshold))
                units = []
                for i in reading.ranked()[:UNITS_KEPT]:
                    unit = reading.units[i]
                    hit = reading.hits[unit.hit]
                    units.append({"text": unit.text(hit.chunk), "context": unit.context(hit.chunk), "kind": unit.kind,
                                  "p": float(reading.probabilities[i]), "passage": hit_text(hit),
                                  "right": first_hit_rank(q, [hit]) is not None})
                frame = reading.frame
                row = {"set": path.stem, "id": q.id, "question": q.question, "answerable": q.answerable,
                       "refused": answer.abstained, "reason": answer.reason,
                       "rank": first_hit_rank(q, [c.hit for c in answer.citations]),
                       "probability": float(reading.answer_probability) if reading.units else 0.0,
                       "kinds": sorted(frame.answer_types), "names": list(frame.names), "years": list(frame.years),
                       "figures": list(frame.figures), "counted": list(frame.counted), "units": units}
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def library_of(row: Row) -> str:
    """Return the library a row's set is over: the set's name without its round number ("policy38" → "policy")."""
    return re.sub(r"\d+$", "", row["set"])


def score(rows: Iterable[Row], check: Callable[[Row], bool]) -> dict[str, Counter[str]]:
    """Return, per library, what the check would change among the rows the answer did not refuse: "refused"
    (unanswerable, now refused), "lost" (a correct answer now refused) and "wrong" (a wrong answer now refused)."""
    changed: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row["refused"] or not row["units"] or not check(row):
            continue
        if not row["answerable"]:
            outcome = "refused"
        elif row["rank"] is not None and row["rank"] <= 3:
            outcome = "lost"
        else:
            outcome = "wrong"
        changed[library_of(row)][outcome] += 1
    return dict(changed)


def load_check(spec: str) -> Callable[[Row], bool]:
    """Return the function named by "path.py:name"."""
    path, _, name = spec.partition(":")
    module_spec = importlib.util.spec_from_file_location("candidate_checks", path)
    if module_spec is None or module_spec.loader is None or not name:
        raise SystemExit(f"refusal_lab: cannot load {spec!r}: give it as path.py:function")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, name)  # type: ignore[no-any-return]


def read_rows(paths: list[Path]) -> list[Row]:
    """Return the rows of the dumps."""
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="ask the sets' questions and keep what a check reads")
    d.add_argument("sets", nargs="+", type=Path)
    d.add_argument("--data-dir", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score", help="what a candidate check would refuse and lose")
    s.add_argument("rows", nargs="+", type=Path)
    s.add_argument("--check", required=True, help="path.py:function (a row -> True to refuse)")
    s.add_argument("--show", action="store_true", help="print every question the check would change")
    args = parser.parse_args(argv)
    if args.command == "dump":
        print(f"{dump(args.data_dir, args.sets, args.out)} questions written to {args.out}")
        return 0
    rows = read_rows(args.rows)
    check = load_check(args.check)
    totals = Counter((library_of(r), r["answerable"]) for r in rows)
    for library, changed in sorted(score(rows, check).items()):
        answerable, unanswerable = totals[(library, True)], totals[(library, False)]
        print(f"{library}: +{changed['refused']} of {unanswerable} unanswerable refused, "
              f"-{changed['lost']} of {answerable} correct answers, {changed['wrong']} wrong answers refused")
    if args.show:
        for row in rows:
            if not row["refused"] and row["units"] and check(row):
                print(f"  {row['id']} {row['question'][:100]} || {row['units'][0]['context'][:80]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
