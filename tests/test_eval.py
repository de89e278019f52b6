"""Smoke tests of the evaluation harness: a slice of SciFact and a tiny question set, fake embedder."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from kb.config import Settings
from kb.evaluate import METRICS, read_trec_run, score_run, write_trec_run

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "scifact"
N_DOCS = 300

needs_scifact = pytest.mark.skipif(not (SCIFACT / "corpus.jsonl").is_file(), reason="SciFact copy not present")


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def scifact_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The first 300 SciFact documents and the test queries judged on them, through the eval path."""
    from kb.eval_beir import evaluate_beir, load_beir
    from kb.evaluate_cli import parsed_index_builder

    data = load_beir(SCIFACT, split="test", limit_docs=N_DOCS)
    settings = _settings(tmp_path_factory.mktemp("beir"))
    build = parsed_index_builder(settings, FakeEmbedder())
    return data, evaluate_beir(data, build)


@needs_scifact
def test_load_beir_keeps_only_queries_judged_on_kept_documents() -> None:
    from kb.eval_beir import load_beir

    data = load_beir(SCIFACT, split="test", limit_docs=N_DOCS, limit_queries=5)
    assert len(data.corpus) == N_DOCS
    assert 0 < len(data.queries) <= 5 and set(data.queries) == set(data.qrels)
    assert all(d in data.corpus for rels in data.qrels.values() for d in rels)


@needs_scifact
def test_beir_metrics_are_rates_for_every_ranking(scifact_report) -> None:  # type: ignore[no-untyped-def]
    data, report = scifact_report
    assert report.documents == N_DOCS and report.chunks >= N_DOCS
    assert report.queries == len(data.queries) > 0
    assert set(report.metrics) == {"dense", "keyword", "hybrid"}
    for values in report.metrics.values():
        assert set(values) == set(METRICS)
        assert all(0.0 <= v <= 1.0 for v in values.values())
    # Keyword search on 300 abstracts finds most judged documents; a broken harness scores ~0.
    assert report.metrics["keyword"]["recall@100"] > 0.5
    assert report.metrics["hybrid"]["ndcg@10"] > 0.3
    assert report.index_seconds > 0 and report.median_query_ms["hybrid"] > 0
    payload = report.to_dict()
    assert payload["metrics"]["hybrid"]["ndcg@10"] == round(report.metrics["hybrid"]["ndcg@10"], 4)


@needs_scifact
def test_run_file_is_trec_and_rescorable(scifact_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import ir_measures
    from ir_measures import nDCG

    data, report = scifact_report
    path = tmp_path / "hybrid.run"
    write_trec_run(report.runs["hybrid"], path, tag="test")
    lines = path.read_text().splitlines()
    assert lines
    for line in lines:
        qid, q0, doc, rank, score, tag = line.split()
        assert q0 == "Q0" and tag == "test" and int(rank) >= 1 and math.isfinite(float(score))
        assert qid in data.queries and doc in data.corpus
    per_query = {}
    for line in lines:
        per_query.setdefault(line.split()[0], []).append(int(line.split()[3]))
    assert all(ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 100 for ranks in per_query.values())
    # ir-measures reads the file back and gives the same nDCG@10 as the report.
    rescored = ir_measures.calc_aggregate([nDCG @ 10], data.qrels, ir_measures.read_trec_run(str(path)))
    assert rescored[nDCG @ 10] == pytest.approx(report.metrics["hybrid"]["ndcg@10"], abs=1e-4)
    assert score_run(data.qrels, read_trec_run(path))["ndcg@10"] == pytest.approx(
        report.metrics["hybrid"]["ndcg@10"], abs=1e-4
    )


def test_leg_only_search_uses_one_leg(tmp_path: Path) -> None:
    from kb.eval_beir import search_documents
    from kb.evaluate_cli import parsed_index_builder
    from kb.types import Page, ParsedDocument

    docs = [
        ("a", ParsedDocument(pages=[Page(None, "Cash transfers reach poor households in districts.")], title="A")),
        ("b", ParsedDocument(pages=[Page(None, "Health insurance covers informal workers.")], title="B")),
    ]
    kb = parsed_index_builder(_settings(tmp_path), FakeEmbedder())(docs)
    keyword = search_documents(kb, "health insurance", legs=("keyword",), depth=10)
    assert list(keyword) == ["b"]  # 'a' shares no term, so the keyword leg alone never returns it
    dense = search_documents(kb, "health insurance", legs=("dense",), depth=10)
    assert set(dense) == {"a", "b"} and next(iter(dense)) == "b"


def test_cli_registers_eval_commands() -> None:
    from kb.cli import build_parser

    args = build_parser().parse_args(["eval", "beir", "somewhere", "--limit-docs", "10", "--run", "x.run"])
    assert args.limit_docs == 10 and str(args.run) == "x.run" and args.split == "test"
    args = build_parser().parse_args(["eval", "questions", "q.yaml", "--split", "all"])
    assert args.split == "all"


QUESTIONS_YAML = """
- id: q1
  question: How many households receive the cash transfer?
  kind: fact
  document: strategy.pdf
  page: 2
  answers: ["12,000 households"]
  split: tune
- id: q2
  question: Who chairs the social protection committee?
  kind: fact
  document: strategy.pdf
  page: 1
  answers: ["the Minister of Labour"]
  split: test
- id: q3
  question: What colour is the moon rover of Jupiter?
  kind: unanswerable
  answerable: false
  split: tune
- id: q4
  question: Which workers does health insurance cover?
  kind: fact
  document: minutes.docx
  page: null
  answers: ["informal   workers"]
  split: test
"""


@pytest.fixture
def tiny_kb(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two documents, one paged and one not, indexed through the production stage + finish path."""
    from kb.evaluate_cli import parsed_index_builder
    from kb.types import Page, ParsedDocument

    docs = [
        ("strategy.pdf", ParsedDocument(title="Social protection strategy", pages=[
            Page(1, "The national social protection committee is chaired by the Minister of Labour."),
            Page(2, "The cash transfer programme reaches 12,000 households in 2024."),
        ])),
        ("minutes.docx", ParsedDocument(title="Meeting minutes", pages=[
            Page(None, "Health insurance now covers informal workers in three provinces."),
        ])),
    ]
    return parsed_index_builder(_settings(tmp_path), FakeEmbedder())(docs)


def test_questions_report_hits_and_abstention(tiny_kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kb.eval_questions import evaluate_questions, load_questions

    path = tmp_path / "questions.yaml"
    path.write_text(QUESTIONS_YAML)
    questions = load_questions(path)
    assert [q.answerable for q in questions] == [True, True, False, True]
    tiny_kb.settings.abstain_threshold = 0.0  # answer everything: the hits must then be found
    report = evaluate_questions(tiny_kb, questions, split="all")
    overall = report.groups["all"]
    assert overall["n"] == 3 and overall["n_unanswerable"] == 1
    assert overall["hit@3"] == 1.0 and 0.0 < overall["mrr"] <= 1.0
    # Even with no threshold, the unanswerable question is refused: no passage mentions "Jupiter".
    assert overall["false_abstention"] == 0.0 and overall["abstention"] == 1.0
    assert {"split=tune", "split=test", "kind=fact", "kind=unanswerable"} <= set(report.groups)
    assert "hit@1" in report.text() and report.to_dict()["split"] == "all"

    tiny_kb.settings.abstain_threshold = 10.0  # refuse everything
    refusing = evaluate_questions(tiny_kb, questions, split="all")
    refused = refusing.groups["all"]
    assert refused["abstention"] == 1.0 and refused["false_abstention"] == 1.0 and refused["hit@1"] == 0.0
    # "quoted": the answer's own words hold an answer phrase; a refusal quotes nothing.
    assert refused["quoted"] == 0.0 and overall["quoted"] == statistics.fmean(
        [any(" ".join(a.split()).casefold() in o.answer.casefold() for a in o.question.answers) for o in report.outcomes
         if o.question.answerable]
    ) and overall["quoted"] > 0
    # The retrieval floor cites the search's top passages whatever the answer step does.
    assert refused["floor_hit@3"] == overall["floor_hit@3"] == 1.0 and "floor_hit@3" in refusing.text()
    # The misses say what was expected and what the knowledge base said instead.
    misses = {m["id"]: m for m in refusing.to_dict()["misses"]}
    assert set(misses) == {"q1", "q2", "q4"}
    assert misses["q1"]["expected"] == "strategy.pdf p.2" and misses["q4"]["expected"] == "minutes.docx"
    assert misses["q1"]["abstained"] and misses["q1"]["answer"].startswith("The library has no passage")
    answered = [o for o in report.outcomes if not o.abstained]
    assert answered and all(o.cited and o.answer for o in answered)


def test_hit_needs_document_page_and_phrase(tiny_kb) -> None:  # type: ignore[no-untyped-def]
    from kb.eval_questions import Question, is_hit

    hits = tiny_kb.search("cash transfer households", k=3)
    q = Question(id="x", question="?", kind="fact", split="test", document="strategy.pdf", page=2,
                 answers=("12,000 HOUSEHOLDS",))
    assert any(is_hit(q, h) for h in hits)
    wrong_page = Question(**{**q.__dict__, "page": 1})
    assert not any(is_hit(wrong_page, h) for h in hits)
    # Another place that states the same answer counts when the question lists it under `also`.
    elsewhere = Question(**{**q.__dict__, "document": "other.pdf", "also": (("strategy.pdf", 2),)})
    assert any(is_hit(elsewhere, h) for h in hits)
    assert not any(is_hit(Question(**{**elsewhere.__dict__, "also": (("strategy.pdf", 1),)}), h) for h in hits)


def test_hit_reads_table_cells_as_words_in_a_row() -> None:
    from kb.eval_questions import Question, is_hit
    from kb.types import Document
    from tests.fakes import passage_hit

    doc = Document("d", "minutes.pdf", "Minutes")
    hit = passage_hit("A3 | Provide budget data | Department of Budget, MoF | 15 December 2023", doc)
    q = Question(id="x", question="?", kind="fact", split="test", document="minutes.pdf", page=None,
                 answers=("Department of Budget, MoF 15 December 2023",))
    assert is_hit(q, hit)
    assert not is_hit(Question(**{**q.__dict__, "answers": ("MoF 16 December 2023",)}), hit)
    # A phrase with a bar of its own (a shell pipe, a row copied with its bars) is read the same way.
    piped = passage_hit("To see it, run objdump -p libzeta.so.2 | grep SONAME in a shell.", doc)
    assert is_hit(Question(**{**q.__dict__, "answers": ("objdump -p libzeta.so.2 | grep SONAME",)}), piped)
    assert is_hit(Question(**{**q.__dict__, "answers": ("Budget, MoF | 15 December",)}), hit)


def test_hit_ignores_ligatures_and_typographic_quotes_and_dashes() -> None:
    from kb.eval_questions import Question, is_hit
    from kb.types import Document
    from tests.fakes import passage_hit

    doc = Document("d", "report.pdf", "Report")
    hit = passage_hit("The programme’s ﬁnal target for 2020–2025 is 60 per cent.", doc)
    q = Question(id="x", question="?", kind="fact", split="test", document="report.pdf", page=None,
                 answers=("programme's final target for 2020-2025",))
    assert is_hit(q, hit)
    assert not is_hit(Question(**{**q.__dict__, "answers": ("final target for 2021-2025",)}), hit)
