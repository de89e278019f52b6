"""Hybrid retrieval: fusion, filters and per-document diversity."""

from __future__ import annotations

import numpy as np

from kb.retrieve import FusionParams, LegResult, diversify, fuse
from kb.types import Filters


def test_minmax_fusion_rewards_agreement() -> None:
    dense = LegResult(np.array([0, 1, 2]), np.array([0.9, 0.5, 0.1], dtype=np.float32))
    keyword = LegResult(np.array([1, 3]), np.array([12.0, 3.0], dtype=np.float32))
    fused = fuse({"dense": dense, "keyword": keyword}, {"dense": 0.5, "keyword": 0.5}, FusionParams("minmax"))
    assert max(fused, key=fused.__getitem__) in (0, 1)
    assert fused[1] > fused[2] and fused[1] > fused[3]


def test_rrf_fusion_uses_ranks_only() -> None:
    dense = LegResult(np.array([5, 6]), np.array([100.0, 99.0], dtype=np.float32))
    keyword = LegResult(np.array([6, 5]), np.array([0.2, 0.1], dtype=np.float32))
    fused = fuse({"dense": dense, "keyword": keyword}, {"dense": 0.5, "keyword": 0.5}, FusionParams("rrf", rrf_k=60))
    assert abs(fused[5] - fused[6]) < 1e-12


def test_diversify_caps_one_document_unless_nothing_else() -> None:
    ranked = [(0, 1.0), (1, 0.9), (2, 0.8), (3, 0.7)]
    docs = ["a", "a", "a", "b"]
    assert [r for r, _ in diversify(ranked, docs, 3, 2)] == [0, 1, 3]
    assert [r for r, _ in diversify(ranked[:3], docs, 3, 2)] == [0, 1, 2]


def test_filters_by_type_and_date(kb) -> None:  # type: ignore[no-untyped-def]
    docs = kb.documents()
    minutes = {d.id for d in docs if d.doc_type == "minutes"}
    assert minutes, "the sample library has minutes"
    hits = kb.search("decisions and action items", k=10, filters=Filters(doc_types=("minutes",)))
    assert hits and {h.document.id for h in hits} <= minutes
    hits = kb.search("social protection", k=10, filters=Filters(date_from="2024-01-01"))
    assert hits and all(h.document.date and h.document.date >= "2024-01-01" for h in hits)
    hits = kb.search("social protection", k=10, filters=Filters(date_to="2020"))
    assert all(h.document.date and h.document.date[:4] <= "2020" for h in hits)
    hits = kb.search("ການປົກປ້ອງສັງຄົມ", k=10, filters=Filters(languages=("lo",)))
    assert hits and all(h.document.language == "lo" for h in hits)


def test_search_spreads_over_documents(kb) -> None:  # type: ignore[no-untyped-def]
    hits = kb.search("social protection strategy", k=6)
    counts: dict[str, int] = {}
    for h in hits:
        counts[h.document.id] = counts.get(h.document.id, 0) + 1
    assert max(counts.values()) <= kb.settings.max_per_document


def test_leg_weights_route_lao_questions_to_the_multilingual_leg() -> None:
    params = FusionParams(dense_weight=0.25, multilingual_weight=0.25)
    assert params.weights(lao_query=False, has_multilingual=True) == {
        "dense": 0.25, "multilingual": 0.25, "keyword": 0.5
    }
    assert params.weights(lao_query=True, has_multilingual=True) == {"multilingual": 0.5, "keyword": 0.5}
    assert params.weights(lao_query=False, has_multilingual=False) == {"dense": 0.5, "keyword": 0.5}
    assert FusionParams(legs=("keyword",)).weights(lao_query=False, has_multilingual=True) == {"keyword": 1.0}


def test_depth_adds_the_passages_the_cap_held_back(kb) -> None:  # type: ignore[no-untyped-def]
    plain = kb.search("minutes of the commission meeting, decisions and action items", k=4)
    deep = kb.search("minutes of the commission meeting, decisions and action items", k=4, depth=12)
    # The first k are the same passages either way; the rest were cut by the per-document cap.
    assert [h.chunk.id for h in deep[:4]] == [h.chunk.id for h in plain]
    assert not any(h.held_back for h in deep[:4])
    extra = deep[4:]
    assert extra and all(h.held_back for h in extra)
    capped = {h.document.id for h in plain if sum(p.document.id == h.document.id for p in plain) == 3}
    assert {h.document.id for h in extra} <= capped
