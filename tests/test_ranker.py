"""The passage ranker: its features, its trees read without scikit-learn, its file, and how answers cite in its order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import reading_of

from kb.answer import AnswerParams, build_answer
from kb.errors import ConfigError
from kb.read.features import FEATURES
from kb.read.ranker import RANKER_FEATURES, RETRIEVAL_FEATURES, RetrievalOrder, TreeRanker, passage_features, trees_of
from kb.types import Chunk, Document, Hit

DOC = Document("d1", "a.pdf", "A report on the scheme", doc_type="report")
OTHER = Document("d2", "b.pdf", "A note on the fleet", doc_type="other")


def _hit(text: str, doc: Document = DOC, *, score: float, ordinal: int = 0, keyword: float = 1.0) -> Hit:
    return Hit(Chunk(doc.id, ordinal, text, 1, None, 0, len(text)), doc, score, dense=score / 2, keyword=keyword,
               multilingual=0.8)




def test_passage_features_compare_each_passage_with_the_best_and_take_its_units_at_their_best() -> None:
    hits = [_hit("The scheme covers 94% of people. It grew.", score=1.0, keyword=4.0),
            _hit("Members pay 5.5% of salary.", OTHER, score=0.5, ordinal=3, keyword=1.0)]
    reading = reading_of("How much do members pay?", hits, {"Members": 0.9, "The scheme": 0.3, "It": 0.1})
    x = passage_features(reading)
    col = {name: i for i, name in enumerate(RANKER_FEATURES)}
    assert x.shape == (2, len(RANKER_FEATURES)) and len(RANKER_FEATURES) == len(RETRIEVAL_FEATURES) + len(FEATURES) - 1
    assert x[:, col["fused_share"]].tolist() == [1.0, 0.5]
    assert x[:, col["keyword_share"]].tolist() == [1.0, 0.25]
    assert x[:, col["top_document"]].tolist() == [1.0, 0.0]
    assert x[:, col["reader_best"]].tolist() == pytest.approx([0.3, 0.9])
    assert x[1, col["reader_share"]] == pytest.approx(1.0)
    # A passage's unit feature is the best of its units': the first passage has two sentences.
    first = [u for u, unit in enumerate(reading.units) if unit.hit == 0]
    length = FEATURES.index("length")
    assert x[0, col["unit_length"]] == pytest.approx(reading.features[first, length].max())


def test_the_trees_score_as_the_fitted_model_does_and_round_trip(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, len(RANKER_FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 7] - x[:, 3] * x[:, 1] + rng.normal(scale=0.5, size=600) > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7).fit(x, y)
    trees, baseline = trees_of(model)
    ranker = TreeRanker(trees=trees, baseline=baseline)
    assert ranker.scores(x[:50]) == pytest.approx(model.decision_function(x[:50]), abs=1e-4)
    ranker.save(tmp_path / "trees.json")
    assert TreeRanker.load(tmp_path / "trees.json").scores(x[:5]) == pytest.approx(ranker.scores(x[:5]))


def test_a_ranker_for_other_features_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "trees.json"
    path.write_text('{"features": ["fused_share"], "baseline": 0, "trees": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="scripts/train_ranker.py"):
        TreeRanker.load(path)
    with pytest.raises(ConfigError, match="cannot read"):
        TreeRanker.load(tmp_path / "missing.json")


def test_the_committed_ranker_loads_and_prefers_the_passage_that_answers() -> None:
    ranker = TreeRanker.load()
    hits = [_hit("Members of the scheme meet every year in the capital.", score=1.0, keyword=3.0),
            _hit("An unrelated passage about vehicles and fuel use.", OTHER, score=0.6, ordinal=4, keyword=0.5),
            _hit("Members pay 5.5% of their salary as a monthly contribution.", score=0.9, ordinal=2, keyword=2.8)]
    reading = reading_of("How much do members pay each month?", hits,
                       {"Members pay": 0.9, "Members of": 0.05, "An unrelated": 0.01})
    assert ranker.order(reading)[0] == 2
    assert sorted(ranker.order(reading)) == [0, 1, 2]


def test_answers_cite_unquoted_passages_in_the_rankers_order() -> None:
    hits = [_hit(f"Passage number {n} about fuel use.", score=1.0 - n / 10, ordinal=n) for n in range(5)]
    hits[4] = Hit(hits[4].chunk, DOC, hits[4].score, held_back=True)
    reading = reading_of("What is the fuel use?", hits, {"Passage number 3": 0.9})
    assert RetrievalOrder().order(reading) is None
    plain = build_answer(reading, AnswerParams(threshold=0.5))
    assert [c.hit.chunk.ordinal for c in plain.citations][:3] == [3, 0, 1]
    reading.order = [4, 2, 3, 1, 0]
    ranked = build_answer(reading, AnswerParams(threshold=0.5))
    # The ranker's first passage leads (even held back), the likelier quote's passage follows, then the ranker's order.
    assert [c.hit.chunk.ordinal for c in ranked.citations][:3] == [4, 3, 2]
    assert 0 not in [c.hit.chunk.ordinal for c in ranked.citations + ranked.related]


def test_the_answer_leads_with_the_likeliest_unit_of_the_rankers_first_passage() -> None:
    hits = [_hit("The scheme covers 94% of people. It grew fast.", score=1.0),
            _hit("Members pay 5.5% of salary. Premiums are monthly.", score=0.9, ordinal=2)]
    reading = reading_of("How much do members pay?", hits, {"The scheme": 0.8, "Members": 0.6, "Premiums": 0.5})
    assert reading.units[reading.lead()].text(hits[0].chunk).startswith("The scheme")  # no ranker: the likeliest
    reading.order = [1, 0]
    answer = build_answer(reading, AnswerParams(threshold=0.5))
    assert answer.answer.startswith("Members pay 5.5% of salary. [1]")
    # A likelier unit of another passage still follows as a close second, cited after the ranker's first passage.
    assert "The scheme covers 94% of people. [2]" in answer.answer
    assert [c.hit for c in answer.citations][:2] == [hits[1], hits[0]]
