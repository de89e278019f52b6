"""scripts/refusal_lab.py: kept answers, and what a candidate refusal check would change among them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("refusal_lab", ROOT / "scripts" / "refusal_lab.py")
assert _spec and _spec.loader
refusal_lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refusal_lab)


def _row(set_name: str, *, answerable: bool, rank: int | None, refused: bool = False, kinds: list[str] | None = None):  # type: ignore[no-untyped-def]
    return {"set": set_name, "id": "x", "question": "How many?", "answerable": answerable, "refused": refused,
            "rank": rank, "kinds": kinds or ["number"], "units": [{"context": "It has a hall.", "passage": ""}]}


def test_a_check_is_scored_per_library_on_what_the_answer_did_not_refuse() -> None:
    rows = [
        _row("policy38", answerable=False, rank=None),  # unanswerable, answered: refusing it is a gain
        _row("policy39", answerable=True, rank=2),  # a correct answer: refusing it is a loss
        _row("policy39", answerable=True, rank=5),  # a wrong answer
        _row("policy39", answerable=False, rank=None, refused=True),  # already refused: not counted
        _row("outside40", answerable=True, rank=1, kinds=["date"]),
    ]
    changed = refusal_lab.score(rows, lambda r: "number" in r["kinds"])
    assert changed == {"policy": {"refused": 1, "lost": 1, "wrong": 1}}
    assert refusal_lab.score(rows, lambda r: False) == {}


def test_dumped_rows_are_scored_with_a_check_read_from_a_file(tmp_path: Path, real_library, capsys) -> None:  # type: ignore[no-untyped-def]
    questions = tmp_path / "corpus99.yaml"
    questions.write_text(
        "- id: t1\n  question: Which legal act made the social protection strategy official?\n  kind: fact\n"
        "  document: nsps-2021-2025.pdf\n  page: 1\n  answers: [\"224/PM\"]\n  split: test\n"
        "- id: t2\n  question: How many staff does the strategy's secretariat employ in each district office?\n"
        "  kind: unanswerable\n  answerable: false\n  split: test\n", encoding="utf-8")
    rows_file = tmp_path / "rows.jsonl"
    assert refusal_lab.dump(real_library.data_dir, [questions], rows_file) == 2
    rows = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2"] and [r["answerable"] for r in rows] == [True, False]
    assert all(len(r["units"]) <= refusal_lab.UNITS_KEPT for r in rows)
    assert "number" in rows[1]["kinds"] and rows[1]["counted"]
    checks = tmp_path / "checks.py"
    checks.write_text("def everything(row):\n    return True\n", encoding="utf-8")
    assert refusal_lab.main(["score", str(rows_file), "--check", f"{checks}:everything"]) == 0
    changed = refusal_lab.score(rows, refusal_lab.load_check(f"{checks}:everything"))
    answered = [r for r in rows if not r["refused"] and r["units"]]
    assert sum(sum(c.values()) for c in changed.values()) == len(answered)
    if answered:
        assert capsys.readouterr().out.startswith("corpus: ")
