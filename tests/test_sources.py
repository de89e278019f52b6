"""The sources a question names: which documents of a library they fit, and what the question asks of them."""

from __future__ import annotations

from kb.read.sources import named_documents, named_first, named_sources, without_source
from kb.types import Document

LIBRARY = [
    Document("a", "harbour/interim-evaluation.pdf", "Interim Evaluation of the Harbour Dredging Programme", date="2022-05"),
    Document("b", "harbour/final_evaluation_2025.pdf", "Final Evaluation of the Harbour Dredging Programme", date="2025"),
    Document("c", "notes/board-minutes-2024-03.docx", "Minutes of the Port Board", date="2024-03-12"),
    Document("d", "Tide_Gauge_Factsheet_2023.pdf", "Measuring the tides", date="2023"),
]


def _named(question: str) -> tuple[str, ...]:
    return named_documents(named_sources(question, LIBRARY))


def test_a_distinguishing_word_picks_one_document_of_a_kind() -> None:
    assert _named("What did the interim evaluation recommend on silt disposal?") == ("a",)
    assert _named("According to the final evaluation, how much silt was removed?") == ("b",)
    assert _named("What did the 2025 evaluation find?") == ("b",)


def test_a_source_named_by_its_kind_alone_fits_every_document_of_that_kind() -> None:
    assert set(_named("What does the evaluation say about dredging costs?")) == {"a", "b"}
    assert _named("Who chaired the meeting, according to the minutes?") == ("c",)


def test_the_file_name_names_a_document_its_title_does_not() -> None:
    assert _named("Where is the gauge placed, according to the tide gauge factsheet?") == ("d",)


def test_no_document_is_named_when_none_fits_or_the_kind_word_is_no_source() -> None:
    assert _named("What did the 2019 annual report say?") == ()
    assert _named("What did the mid-term review recommend?") == ()
    # "review" is a verb here, and "decide" is no modifier of a document.
    assert _named("How often does the board review dredging plans?") == ()
    assert _named("What did the board decide the evaluation must include?") == ()
    # A library of one document: every question is about it, none is told apart.
    assert named_sources("What did the interim evaluation recommend?", LIBRARY[:1]) == []


def test_the_words_naming_the_source_are_taken_out_of_what_is_asked() -> None:
    named = named_sources("What did the interim evaluation recommend on silt disposal?", LIBRARY)
    assert without_source("What did the interim evaluation recommend on silt disposal?", named) == (
        "What did the recommend on silt disposal?"
    )


def test_the_named_documents_passages_come_first_in_the_order_they_had() -> None:
    assert named_first([3, 0, 2, 1], ["a", "b", "a", "c"], ["a"]) == [0, 2, 3, 1]


def test_the_sources_a_question_names_are_read_once_per_question_and_generation(kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kb.knowledge_base as knowledge_base

    calls: list[str] = []

    def counted(question, documents):  # type: ignore[no-untyped-def]
        calls.append(question)
        return named_sources(question, documents)

    monkeypatch.setattr(knowledge_base, "named_sources", counted)
    question = "What does the mid-term review recommend on financing?"
    first = kb.ask(question)
    assert len(calls) == 1  # the reading and the answer share them
    again = kb.ask(question)
    assert len(calls) == 1 and again.answer == first.answer
    kb.ask(question, visible=("public",))  # another set of visible documents is another library
    assert len(calls) == 2
