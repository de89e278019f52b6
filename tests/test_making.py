"""Questions about the making of a text (who wrote, signed or issued it, and when): its front matter and its end are
read, and their short lines (authors, dates, a sign-off) are answer units."""

from __future__ import annotations

import pytest

from kb.knowledge_base import EDGE_READ
from kb.read.features import BACK_PASSAGES, FRONT_PASSAGES
from kb.read.frame import read_question
from kb.read.units import passage_units, split_sentences
from kb.types import Chunk, Filters


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the user guide?",
        "Who are the authors of the technical report on tariffs?",
        "Which minister signed the decree?",
        "When was the quick start guide signed off?",
        "When is the fonts document dated?",
        "What is the date on the quilting paper?",
        "Which office prepared the summary?",
    ],
)
def test_a_question_on_who_made_a_text_or_when_asks_of_its_making(question: str) -> None:
    assert read_question(question).asks_making


@pytest.mark.parametrize(
    "question",
    [
        "How many mothers had signed up by June?",  # a figure, not who or when
        "What does the guide say about fonts?",
        "Who chairs the commission?",  # who, but of no text's making
        "What is the date by which the plan is due?",
    ],
)
def test_other_questions_do_not(question: str) -> None:
    assert not read_question(question).asks_making


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Who prepared the briefing paper?", "prepar"),  # the verb of "who": a "Prepared by:" line answers it
        ("When was the agreement signed?", "sign"),
        ("Who chairs the commission?", "chair"),
        ("Who is the corresponding author of the guide?", "author"),  # "who is the …": the role named
        ("Who is responsible for the registry?", "respons"),  # a "Responsible: …" field
    ],
)
def test_who_and_when_ask_about_the_role_their_verb_names(question: str, role: str) -> None:
    assert role in read_question(question).focus


@pytest.mark.parametrize("question", ["Who is the Minister of Finance?", "When is the deadline for the plan?"])
def test_a_who_or_when_naming_no_role_has_no_focus(question: str) -> None:
    assert read_question(question).focus == ()


def test_a_documents_edges_are_its_first_chunks_and_its_last(kb) -> None:  # type: ignore[no-untyped-def]
    doc = max(kb.documents(), key=lambda d: d.chunks)
    assert doc.chunks > 5
    ids = kb.store.edge_chunk_ids([doc.id], first=3, last=2)
    ordinals = sorted(c.ordinal for c in kb.store.chunks(ids).values())
    assert ordinals == [0, 1, 2, doc.chunks - 2, doc.chunks - 1]
    assert kb.store.edge_chunk_ids([], first=3, last=2) == []


def test_a_search_limited_to_chunks_returns_only_those(kb) -> None:  # type: ignore[no-untyped-def]
    doc = max(kb.documents(), key=lambda d: d.chunks)
    ids = tuple(kb.store.edge_chunk_ids([doc.id], first=3, last=2))
    hits = kb.search("social protection", k=10, filters=Filters(chunks=ids))
    assert hits and {h.chunk.id for h in hits} <= set(ids)


def test_the_best_edges_of_the_best_passages_documents_are_read_for_a_making_question(kb) -> None:  # type: ignore[no-untyped-def]
    question = "Who prepared the strategy, and when was it signed?"
    assert read_question(question).asks_making
    hits = kb.reading(question)
    docs = list(dict.fromkeys(h.chunk.document_id for h in hits[:3] if not h.held_back))[:2]
    edges = set(kb.store.edge_chunk_ids(docs, first=FRONT_PASSAGES, last=BACK_PASSAGES))
    read_edges = [h for h in hits if h.chunk.id in edges]
    assert len(read_edges) >= min(EDGE_READ, len(edges))
    # The same question without asking who or when reads fewer of them.
    plain = kb.reading("The strategy, and its signing?")
    assert sum(h.chunk.id in edges for h in plain) < len(read_edges)


def test_an_initial_ends_no_sentence_but_a_letter_before_a_new_sentence_does() -> None:
    text = "The guide is by Emden R. Gansner and J. D. Smith. It was revised. See Annex A. The annex lists the options."
    sentences = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert sentences == [
        "The guide is by Emden R. Gansner and J. D. Smith.", "It was revised.", "See Annex A.", "The annex lists the options.",
    ]


def test_a_title_blocks_and_a_sign_offs_short_lines_are_units_only_when_asked_for() -> None:
    text = "Graph Drawing Tool\n\nA. Writer <a@example.org>\nB. Writer\n\nThe tool draws graphs from a text file.\n\nMarch 2012"
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    plain = passage_units(chunk)
    assert [u.text(chunk) for u in plain] == ["The tool draws graphs from a text file."]
    with_lines = passage_units(chunk, bylines=True)
    assert [(u.kind, u.text(chunk)) for u in with_lines] == [
        ("byline", "Graph Drawing Tool · A. Writer <a@example.org> · B. Writer"),
        ("sentence", "The tool draws graphs from a text file."),
        ("byline", "March 2012"),
    ]
    assert [u.position for u in with_lines] == [0, 1, 2]


def test_a_heading_that_reads_like_a_field_is_no_unit_and_a_block_of_fields_is_one_when_asked_for() -> None:
    head = "Memo: Moving the archive to new shelves"
    text = f"{head}\n\nPrepared by: the records office\nStatus: draft, May 2020\n\nThe archive moves in June."
    chunk = Chunk("d", 0, text, 1, head, 0, len(text))
    plain = passage_units(chunk)
    assert [(u.kind, u.text(chunk)) for u in plain] == [
        ("field", "Prepared by: the records office"),
        ("field", "Status: draft, May 2020"),
        ("sentence", "The archive moves in June."),
    ]
    bylines = [u.text(chunk) for u in passage_units(chunk, bylines=True) if u.kind == "byline"]
    assert bylines == ["Prepared by: the records office · Status: draft, May 2020"]
