"""Extractive answers cite what they say, and abstain when the evidence is weak."""

from __future__ import annotations

from datetime import date

from kb.answer import ABSTAIN_MESSAGE, split_sentences


def test_split_sentences_keeps_rows_and_sentences_apart() -> None:
    text = "The plan ends in 2025. It covers three pillars.\nIndicator | 2020 | 2025\nCoverage | 15% | 30%"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == [
        "The plan ends in 2025.",
        "It covers three pillars.",
        "Indicator | 2020 | 2025",
        "Coverage | 15% | 30%",
    ]


def test_answer_sentences_carry_markers_that_match_citations(kb) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask("Which districts did the mother and early childhood grant pilot cover?")
    assert not answer.abstained
    import re

    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers and markers <= {c.n for c in answer.citations}
    for cit in answer.citations:
        for start, end in cit.highlights:
            assert cit.hit.chunk.text[start:end].strip()
            assert " ".join(cit.hit.chunk.text[start:end].split()) in answer.answer


def test_off_topic_question_abstains_with_related_passages(kb) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask("What is the recipe for sticky rice with mango?")
    assert answer.abstained
    assert answer.answer.startswith(ABSTAIN_MESSAGE)
    assert answer.citations == [] and answer.related


def test_contract_keys_are_exact(kb) -> None:  # type: ignore[no-untyped-def]
    data = kb.ask("What are the three pillars of the strategy?").to_dict()
    assert {"question", "answer", "abstained", "citations"} <= set(data)
    assert isinstance(data["abstained"], bool)
    for c in data["citations"]:
        assert {"n", "document_id", "title", "source", "doc_type", "page", "section", "text", "score"} <= set(c)
        assert isinstance(c["n"], int) and isinstance(c["score"], float)
        assert c["page"] is None or isinstance(c["page"], int)


def test_wrapped_pdf_lines_join_into_sentences() -> None:
    text = (
        "5 Recommendations\nThe review makes eight recommendations. The body and the deadline\n"
        "are given in brackets.\nR1. Close the gaps in health coverage by completing the\n"
        "distribution of cards. (Responsible: MoH.\nDeadline: 2024.)\nR2. Redesign the scheme"
    )
    parts = [" ".join(text[s:e].split()) for s, e in split_sentences(text)]
    assert parts == [
        "5 Recommendations",
        "The review makes eight recommendations.",
        "The body and the deadline are given in brackets.",
        "R1. Close the gaps in health coverage by completing the distribution of cards.",
        "(Responsible: MoH. Deadline: 2024.)",
        "R2. Redesign the scheme",
    ]


def test_headings_and_cut_fragments_are_not_answer_sentences() -> None:
    from kb.answer import is_answer_sentence

    assert not is_answer_sentence("5.3 School meals", section="5.3 School meals", last=False)
    assert not is_answer_sentence("How much is paid and how", section=None, last=False)
    assert not is_answer_sentence("task is to make coverage real for everyone.", section=None, last=False)
    assert not is_answer_sentence("People must know they are entitled, be able to", section=None, last=True)
    assert is_answer_sentence("The grant is worth LAK 150,000 a month.", section=None, last=True)
    assert is_answer_sentence("Coverage | 15% | 30%", section=None, last=False)
    # A record's "Label: value" line is a fact ("Where was the meeting held?"), not a heading.
    assert is_answer_sentence("Venue: Thalat, Vientiane Province", section=None, last=False)
    assert is_answer_sentence("Date: Wednesday 21 February 2024", section="Minutes", last=True)
    assert not is_answer_sentence("Annex: Summary of commitments", section="Annex: Summary of commitments", last=False)
    assert not is_answer_sentence("2. Agenda", section=None, last=False)


def test_a_list_is_quoted_whole_with_its_introduction(kb) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask("What are the three goals the strategy is organised around?")
    assert not answer.abstained
    assert answer.answer.count("Goal") >= 3, answer.answer


def test_quoted_passages_are_cited_first(kb) -> None:  # type: ignore[no-untyped-def]
    import re

    answer = kb.ask("How much is the monthly benefit of the mother and early childhood grant?")
    markers = sorted({int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)})
    assert markers == [c.n for c in answer.citations[: len(markers)]]
    assert all(c.highlights for c in answer.citations[: len(markers)])
    assert all(not c.highlights for c in answer.citations[len(markers) :] + answer.related)


def test_specific_terms_are_names_and_figures() -> None:
    from kb.question import specific_terms

    assert specific_terms("What was the MECG's monthly benefit in Luang Namtha province?") == [
        "MECG", "Luang", "Namtha"
    ]
    assert specific_terms("How many pupils got school meals in 2022?") == ["2022"]
    assert specific_terms("Who chairs the commission?") == []


def test_a_name_no_passage_mentions_makes_it_abstain(kb) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask("What was the monthly benefit of the mother and early childhood grant in Luang Namtha?")
    assert answer.abstained
    assert "Namtha" in answer.answer and answer.related
    assert not kb.ask("What is the monthly benefit of the mother and early childhood grant?").abstained


def test_owner_and_deadline_aside_comes_with_the_recommendation() -> None:
    from kb.answer import _with_asides
    from kb.types import Chunk, Document, Hit

    text = "R1. Issue a card to every citizen. (Responsible: MoH. Deadline: 2024.)\nR2. Merge programmes."
    hit = Hit(Chunk("d", 0, text, 6, "5 Recommendations", 0, len(text)), Document("d", "r.pdf", "Review"), 1.0)
    spans = split_sentences(text)
    first = (0, *spans[0])
    picked = _with_asides([first], [hit], {0: spans})
    assert [text[s:e] for _, s, e in picked] == [
        "R1. Issue a card to every citizen.",
        "(Responsible: MoH. Deadline: 2024.)",
    ]


def test_wrapped_lao_lines_join_into_one_sentence() -> None:
    text = (
        "2. ວິໄສທັດ ແລະ ເປົ້າໝາຍ\n"
        "ວິໄສທັດຮອດປີ 2030: ປະຊາຊົນລາວທຸກຄົນ ສາມາດເຂົ້າເຖິງ ການປົກປ້ອງສັງຄົມຂັ້ນພື້ນຖານ ຢ່າງທົ່ວເຖິງ ພຽງພໍ\n"
        "ມີປະສິດທິຜົນ ແລະ ຍືນຍົງ."
    )
    parts = [" ".join(text[s:e].split()) for s, e in split_sentences(text)]
    assert parts[0] == "2. ວິໄສທັດ ແລະ ເປົ້າໝາຍ"
    assert parts[1].endswith("ພຽງພໍ ມີປະສິດທິຜົນ ແລະ ຍືນຍົງ.") and len(parts) == 2


def test_an_abbreviation_does_not_end_a_sentence() -> None:
    text = "Endorsed by Decree of the Prime Minister No. 224/PM of 1 April 2020. See Art. 5 for details."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Endorsed by Decree of the Prime Minister No. 224/PM of 1 April 2020.",
        "See Art. 5 for details.",
    ]


def test_the_pronoun_i_and_inflected_names_are_not_missing_terms() -> None:
    from kb.question import specific_terms, unmatched_terms
    from kb.types import Chunk, Document, Hit

    assert specific_terms("Am I allowed to drive a pool car?") == []
    text = "The World Food Programme (WFP) began school meals in Lao PDR in 2002."
    hits = [Hit(Chunk("d", 0, text, None, None, 0, len(text)), Document("d", "n.md", "Note"), 1.0)]
    assert unmatched_terms("When did WFP start feeding pupils in Laos?", hits) == []
    assert unmatched_terms("When did WFP start feeding pupils in Cambodia?", hits) == ["Cambodia"]
    # A people's name is answered by its country's: "Chinese" by "China", not "Indian" by "Indicator".
    text = "The Ministry of Human Resources and Social Security of China takes part. Indicator | 2023"
    hits = [Hit(Chunk("d", 0, text, None, None, 0, len(text)), Document("d", "m.pdf", "Minutes"), 1.0)]
    assert unmatched_terms("Which Chinese ministry takes part?", hits) == []
    assert unmatched_terms("Which Indian ministry takes part?", hits) == ["Indian"]
    # An acronym is answered by its words spelled out: "NHIB" by "the National Health Insurance Bureau".
    text = "Ministerial Decree No. 1666/MoH on the National Health Insurance Bureau, pursuant to Decree No. 470/PM."
    hits = [Hit(Chunk("d", 0, text, 1, None, 0, len(text)), Document("d", "s.pdf", "Scanned decree"), 1.0)]
    assert unmatched_terms("Which decree does the NHIB order cite?", hits) == []
    assert unmatched_terms("Which decree does the NHIA order cite?", hits) == ["NHIA"]
    # … and by the parts of hyphenated words: "MTR" by "Mid-Term Review".
    text = "The Mid-Term Review of the strategy finds that transfers arrive late."
    hits = [Hit(Chunk("d", 0, text, 1, None, 0, len(text)), Document("d", "r.pdf", "Review"), 1.0)]
    assert unmatched_terms("Why does the MTR think transfers are late?", hits) == []


def test_questions_that_want_a_figure_or_a_date() -> None:
    from kb.question import expected_answers, gives

    assert expected_answers("What proportion of workers are informal?") == {"percent"}
    assert expected_answers("How many districts does the pilot cover, and by when?") == {"number", "date"}
    assert expected_answers("Who chairs the commission?") == set()
    # What was said about when to do something is what was said, not a date.
    assert expected_answers("What did the members say about when to decide on the grant?") == set()
    assert expected_answers("When to book a car?") == {"date"}
    assert expected_answers("Which standards did the team use when preparing the strategy?") == set()
    assert expected_answers("When during the year is the report due?") == {"date"}
    assert gives("percent", "86.4 per cent of workers") and not gives("percent", "most workers")
    assert gives("date", "by the first quarter of 2025") and not gives("date", "as soon as possible")


def test_a_question_for_a_date_no_passage_gives_abstains() -> None:
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    text = "The commission oversees the national social protection strategy and meets twice a year."
    hits = [Hit(Chunk("d", 0, text, 3, None, 0, len(text)), Document("d", "s.pdf", "Strategy"), 1.0, dense=0.9)]
    refused = fake_answer("When was the national social protection commission set up?", hits)
    assert refused.abstained and "date" in refused.answer
    answered = fake_answer("What does the national social protection commission oversee?", hits)
    assert not answered.abstained and answered.citations[0].hit is hits[0]


def test_a_table_row_is_quoted_with_its_columns() -> None:
    from kb.answer import AnswerParams, build_answer
    from kb.types import Chunk, Document, Hit
    from tests.fakes import FakeEmbedder

    text = "Daily meal in every primary school | MoES | 2025\nIdentity card for every citizen | MoH | 2024"
    chunk = Chunk("d", 0, text, 8, "Annex", 0, len(text), table_header="Commitment | Lead body | Target year")
    hits = [Hit(chunk, Document("d", "s.pdf", "Strategy"), 1.0, dense=0.9)]
    answer = build_answer(
        "Which lead body is named for the daily school meal commitment?", hits,
        embedder=FakeEmbedder(), idf=lambda t: 1.0, params=AnswerParams(threshold=0.1),  # type: ignore[arg-type]
    )
    assert answer.answer.startswith(
        "Daily meal in every primary school | MoES | 2025 (columns: Commitment | Lead body | Target year) [1]"
    )


def test_a_recommendation_is_judged_and_quoted_with_its_aside() -> None:
    from kb.answer import AnswerParams, build_answer
    from kb.types import Chunk, Document, Hit
    from tests.fakes import FakeEmbedder

    text = (
        "R5. Make social protection spending visible in the budget and agree a financing plan.\n"
        "(Responsible: Ministry of Finance. Deadline: October 2024.)\n"
        "R6. Cost the school meals programme."
    )
    hit = Hit(Chunk("d", 0, text, 6, "5 Recommendations", 0, len(text)), Document("d", "r.pdf", "Review"), 1.0, dense=0.9)
    answer = build_answer(
        "What did the review recommend on financing, and who is responsible?", [hit],
        embedder=FakeEmbedder(), idf=lambda t: 1.0, params=AnswerParams(threshold=0.1),  # type: ignore[arg-type]
    )
    # The aside is never the lead on its own; it follows the recommendation it belongs to.
    assert answer.answer.startswith("R5. Make social protection spending visible")
    assert "(Responsible: Ministry of Finance. Deadline: October 2024.) [1]" in answer.answer


def test_a_passage_that_clears_the_bar_but_has_no_close_sentence_is_not_quoted() -> None:
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    text = "Fuel is bought with the fuel card at approved stations only. Receipts are handed in within five days."
    # Dense similarity puts the passage over the evidence bar, but no sentence is near the question.
    hit = Hit(Chunk("d", 0, text, None, "5. Fuel", 0, len(text)), Document("d", "f.md", "Fleet policy"), 1.0, dense=0.9)
    refused = fake_answer("What mileage allowance applies to private cars on duty travel?", [hit])
    assert refused.abstained and refused.related and not refused.citations
    answered = fake_answer("Where is fuel bought with the fuel card?", [hit])
    assert not answered.abstained


def test_a_held_back_passage_is_shown_only_when_quoted() -> None:
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    doc = Document("d", "fleet.md", "Fleet policy")
    pool = "The pool has 24 vehicles for field travel and for travel within the capital."
    booking = "A vehicle is booked through the online form at least two working days before the trip."
    fuel = "Fuel is bought with the fuel card at approved stations only."
    hits = [
        Hit(Chunk("d", 0, pool, None, "2. Pool", 0, len(pool)), doc, 1.0, dense=0.6),
        Hit(Chunk("d", 1, booking, None, "3. Booking", 0, len(booking)), doc, 0.9, dense=0.6, held_back=True),
        Hit(Chunk("d", 2, fuel, None, "5. Fuel", 0, len(fuel)), doc, 0.8, dense=0.6, held_back=True),
    ]
    answer = fake_answer("How many working days before the trip is a vehicle booked?", hits)
    assert answer.answer.startswith("A vehicle is booked") and answer.citations[0].hit is hits[1]
    shown = [c.hit for c in answer.citations + answer.related]
    assert hits[0] in shown and hits[2] not in shown
    refused = fake_answer("What mileage allowance applies to private cars?", hits)
    assert [c.hit for c in refused.citations + refused.related] == hits[:1]


def test_a_question_about_a_year_needs_a_passage_that_speaks_of_it() -> None:
    from kb.question import years_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert years_asked("What share of workers will the fund cover by 2030?") == ["2030"]
    assert years_asked("What does the Vision 2030 strategy say about school meals?") == []
    assert years_asked("Which recommendations are due by the end of 2024?") == ["2024"]
    assert years_asked("What happens in mid-2025 and in the first half of 2026?") == ["2025", "2026"]
    today = date(2026, 11, 28)
    assert years_asked("What is due this year?", today) == ["2026"]
    assert years_asked("What was agreed last year, and what comes next year?", today) == ["2027", "2025"]
    assert years_asked("What should be achieved by the end of this decade?", today) == ["2030"]
    assert years_asked("What should be achieved by the end of the decade?", date(2030, 1, 2)) == ["2040"]
    text = "The share of enterprises that pay contributions on time rises to 85 per cent by 2025."
    doc = Document("d", "s.pdf", "Strategy: Vision 2030 - Goal 2025")  # the title's 2030 does not count
    hits = [passage_hit(text, doc, "4.1 Employees", page=5)]
    refused = fake_answer("What share of enterprises pay contributions on time by 2030?", hits)
    assert refused.abstained and "2030" in refused.answer and refused.related
    answered = fake_answer("What share of enterprises pay contributions on time by 2025?", hits)
    assert not answered.abstained and "85 per cent" in answered.answer
    # Within a passage that speaks of the year, the sentence that names it leads.
    text = "Enterprises pay contributions on time in most provinces. Enterprises pay contributions on time in 2023."
    hits = [passage_hit(text, doc, "4.1 Employees", page=5)]
    dated = fake_answer("Did enterprises pay contributions on time in 2023?", hits)
    assert dated.answer.startswith("Enterprises pay contributions on time in 2023.")


def test_the_document_a_question_names_as_its_source() -> None:
    from kb.question import is_named, named_sources
    from kb.types import Document

    assert named_sources("What does the strategy say about school meals?") == ["strategy"]
    assert named_sources("How many children got meals in 2023 according to the review's table?") == ["review"]
    assert named_sources("What schedule did the working group agree for the mid-term review?") == ["working group"]
    assert named_sources("By what date should the final review report be sent to members?") == []  # a topic
    strategy = Document("s", "s.pdf", "National Social Protection Strategy: Vision 2030", doc_type="strategy")
    review = Document("r", "r.pdf", "Mid-Term Review of the National Social Protection Strategy", doc_type="review")
    minutes = Document("m", "m.pdf", "Minutes: Social Protection Technical Working Group", doc_type="minutes")
    # "the strategy" is the strategy, not every document whose title mentions one.
    assert is_named(strategy, ["strategy"]) and not is_named(review, ["strategy"])
    assert is_named(review, ["mid-term review"]) and not is_named(review, ["end-term review"])
    assert is_named(minutes, ["working group"]) and not is_named(strategy, ["working group"])


def test_a_sentence_from_the_named_source_leads_a_near_tie() -> None:
    from kb.answer import AnswerParams, build_answer
    from kb.types import Chunk, Document, Hit
    from tests.fakes import FakeEmbedder

    note = "The school meals programme reached 200,000 children in 41 districts, the note says."
    plan = "School meals will be extended to every primary school in poor districts."
    hits = [
        Hit(Chunk("n", 0, note, None, "Points", 0, len(note)), Document("n", "n.md", "Note on meals", doc_type="note"),
            1.0, dense=0.6),
        Hit(Chunk("s", 0, plan, 6, "5.3 Meals", 0, len(plan)),
            Document("s", "s.pdf", "Social Protection Strategy", doc_type="strategy"), 0.95, dense=0.6),
    ]
    question = "What does the strategy say about school meals?"
    kwargs = {"embedder": FakeEmbedder(), "idf": lambda t: 1.0}
    plain = build_answer(question, hits, params=AnswerParams(threshold=0.1, source_bonus=0.0), **kwargs)  # type: ignore[arg-type]
    named = build_answer(question, hits, params=AnswerParams(threshold=0.1), **kwargs)  # type: ignore[arg-type]
    assert plain.citations[0].hit is hits[0]
    assert named.citations[0].hit is hits[1] and named.answer.startswith("School meals will be extended")


def test_a_question_for_a_promise_is_answered_by_the_commitment() -> None:
    from kb.answer import AnswerParams, build_answer
    from kb.question import asks_for_commitment, states_commitment
    from kb.types import Chunk, Document, Hit
    from tests.fakes import FakeEmbedder

    assert asks_for_commitment("What did we promise on health insurance coverage, and by when?")
    assert asks_for_commitment("What is the target for school meals?")
    assert not asks_for_commitment("How many people does health insurance cover?")
    assert states_commitment("Card distribution will be completed nationwide by 2025.")
    assert not states_commitment("Coverage rose from 11 per cent in 2008 to 94.5 per cent.")
    fact = "Health insurance coverage rose from 11 per cent of the population in 2008 to 94.5 per cent."
    promise = "Every citizen will hold a health insurance card by 2025."
    doc = Document("d", "s.pdf", "Strategy", doc_type="strategy")
    hits = [
        Hit(Chunk("d", 0, fact, 3, "Coverage", 0, len(fact)), doc, 1.0, dense=0.6),
        Hit(Chunk("d", 1, promise, 4, "Cards", 0, len(promise)), doc, 1.0, dense=0.6),
    ]
    question = "What did we promise on health insurance coverage, and by when?"
    kwargs = {"embedder": FakeEmbedder(), "idf": lambda t: 1.0}
    plain = build_answer(question, hits, params=AnswerParams(threshold=0.1, commitment_bonus=0.0), **kwargs)  # type: ignore[arg-type]
    promised = build_answer(question, hits, params=AnswerParams(threshold=0.1), **kwargs)  # type: ignore[arg-type]
    assert plain.answer.startswith("Health insurance coverage rose")
    assert promised.answer.startswith("Every citizen will hold a health insurance card by 2025.")


def test_a_table_header_carried_into_a_passage_counts_as_a_mention() -> None:
    from kb.question import unmatched_terms
    from kb.types import Chunk, Document, Hit

    text = "Children reached by school meals | 140,000 | 185,000 | 200,000"
    chunk = Chunk("d", 0, text, 4, "3 Selected indicators", 0, len(text), table_header="Indicator | 2020 | 2023 | 2025")
    hits = [Hit(chunk, Document("d", "r.pdf", "Review"), 1.0)]
    assert unmatched_terms("How many children got school meals in 2023?", hits) == []
    assert unmatched_terms("How many children got school meals in 2022?", hits) == ["2022"]


def test_a_question_for_a_span_of_time_leads_with_one() -> None:
    from kb.question import asks_for_span, gives_span
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_span("How far ahead do I have to reserve a car?") and asks_for_span("How long does a review take?")
    assert not asks_for_span("How many cars are in the pool?")
    assert asks_for_span("What is the longest a staff member may keep a pool car?")
    assert asks_for_span("What is the maximum period of a loan?") and not asks_for_span("What is the maximum allowance?")
    assert gives_span("at least two working days before the trip") and gives_span("within 48 hours")
    assert not gives_span("The pool has 24 vehicles.") and not gives_span("by 15:00 on the working day before travel")
    doc = Document("d", "fleet.md", "Fleet policy")
    text = "The pool of cars has 24 vehicles for field travel. Cars are booked at least two working days before the trip."
    hits = [passage_hit(text, doc, "Pool cars")]
    answer = fake_answer("How far ahead must pool cars be reserved?", hits)
    assert answer.answer.startswith("Cars are booked at least two working days")
    refused = fake_answer("What is the longest a staff member may keep a pool car?", [passage_hit(text[:50], doc, "Pool cars")])
    assert refused.abstained and refused.reason == "No passage says how long."
    # "How far in advance" wants a span before something, not any span.
    from kb.question import asks_for_lead_time, gives_lead_time

    assert asks_for_lead_time("How far in advance must I book?") and not asks_for_lead_time("How long is the term?")
    assert gives_lead_time("two working days before the trip") and gives_lead_time("48 hours' notice")
    assert not gives_lead_time("For trips longer than three days, state the route.")
    text = "For trips longer than three days, state the route of the cars. Cars are booked two working days before the trip."
    hits = [passage_hit(text, doc, "Booking cars")]
    answer = fake_answer("How far in advance must cars for long trips be booked?", hits)
    assert answer.answer.startswith("Cars are booked two working days before the trip.")
    # When no sentence gives a span, the figure asked for still answers ("how long" is also "how many").
    text = "The strategy runs from 2021 to 2025 in five pillars."
    hits = [passage_hit(text, doc, page=2)]
    assert not fake_answer("How long does the strategy run?", hits).abstained  # type: ignore[arg-type]



def test_a_question_about_a_document_the_library_lacks_is_refused() -> None:
    from kb.question import sources_not_held
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    review = Document("r", "r.pdf", "Mid-Term Review of the National Social Protection Strategy", doc_type="review")
    minutes = Document("m", "m.docx", "Minutes of the National Social Protection Commission", doc_type="minutes")
    library = [review, minutes]
    assert sources_not_held("What did the end-term review recommend on financing?", library) == ["end-term review"]
    assert sources_not_held("What did the mid-term review recommend on financing?", library) == []
    assert sources_not_held("What did the commission decide on the review?", library) == []  # a body, not a document
    text = "R5. Agree a financing plan for the next strategy. (Responsible: Ministry of Finance.)"
    hits = [passage_hit(text, review, "5 Recommendations", page=6)]
    refused = fake_answer("What did the end-term review recommend on financing?", hits, library=library)
    assert refused.abstained and "(The library holds no end-term review.)" in refused.answer and refused.related
    answered = fake_answer("What did the mid-term review recommend on financing?", hits, library=library)
    assert not answered.abstained and answered.answer.startswith("R5.")
    # A passage that reports what the missing document says answers from it, and only that passage does.
    note = Document("n", "n.md", "Note on school meals", doc_type="note")
    text = "The end-term review of the strategy reports that school meals reached 41 districts."
    hits.append(passage_hit(text, note, "Sources", score=0.9))
    reported = fake_answer("How many districts got school meals according to the end-term review?", hits, library=library)
    assert not reported.abstained and reported.citations[0].hit.document is note and len(reported.citations) == 1
    assert fake_answer("What did the end-term review recommend on financing?", hits[:1], library=library).abstained  # type: ignore[arg-type]


def test_a_question_about_a_meetings_chair_or_venue_is_answered_by_its_record() -> None:
    from kb.question import answers_meeting_field
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer, passage_hit

    assert answers_meeting_field("Who presided over the commission meeting?", "Chair: Minister of Labour")
    assert answers_meeting_field("Where was the meeting held?", "Venue: Thalat, Vientiane Province")
    assert not answers_meeting_field("Who chairs the commission?", "Venue: Thalat")
    # A standing role is not a meeting's chair: "Chair: …" in a record does not say who chairs a committee.
    assert not answers_meeting_field("Who chairs the committee in each province?", "Chair: Minister of Labour")
    assert answers_meeting_field("Who chaired the working group in March 2024?", "Chair: Director General")
    assert answers_meeting_field("Which partners sat in as observers at the meeting?", "Observers: ILO, UNICEF and WFP.")
    assert answers_meeting_field("Who attended the commission's meeting?", "Present: members of the commission")
    assert not answers_meeting_field("Who attended the training?", "Observers: ILO")  # no meeting asked about
    assert not answers_meeting_field("When was the commission set up?", "Date: Wednesday 21 February 2024")
    doc = Document("m", "m.docx", "Minutes of the high-level commission meeting", doc_type="minutes")
    head = "Date: Wednesday 21 February 2024\nVenue: Thalat, Vientiane Province\nChair: Minister of Labour and Social Welfare."
    later = "The next high-level meeting will be held in the second half of 2024, on a date the Secretariat sets."
    hits = [
        passage_hit(later, doc, "6. Next meeting", ordinal=1),
        Hit(Chunk("m", 0, head, None, "1. Attendance", 0, len(head)), doc, 0.9, dense=0.5),
    ]
    chair = fake_answer("Who presided over the high-level meeting?", hits)
    assert chair.answer.startswith("Chair: Minister of Labour and Social Welfare.")
    venue = fake_answer("Where was the high-level meeting held?", hits)
    assert venue.answer.startswith("Venue: Thalat, Vientiane Province")
    # Without the record's passage no sentence names who presided: refused, not "The next meeting will be held …".
    assert fake_answer("Who presided over the high-level meeting?", hits[:1]).reason == "No passage names who did it."


def test_a_question_for_an_owner_leads_with_a_sentence_that_names_one() -> None:
    from kb.question import asks_for_owner, names_owner
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_owner("Which agency has to rework the voluntary scheme, and by when?")
    assert asks_for_owner("Who is responsible for the grant's expansion?")
    assert not asks_for_owner("Which body was meant to steer the strategy?")  # answered in prose, not in a field
    assert not asks_for_owner("Which provinces had vice-governors at the meeting?")
    assert names_owner("(Responsible: LSSO. Deadline: June 2025.)") and names_owner("Action | Responsible | Due date")
    assert not names_owner("The LSSO runs the voluntary scheme.")
    strategy = Document("s", "s.pdf", "Strategy", doc_type="strategy")
    review = Document("r", "r.pdf", "Review", doc_type="review")
    target = "Target: 40,000 members of the voluntary scheme by 2025."
    rec = "R2. Redesign the voluntary scheme for informal workers.\n(Responsible: LSSO. Deadline: June 2025.)"
    hits = [
        passage_hit(target, strategy, "Voluntary scheme", page=5),
        Hit(Chunk("r", 0, rec, 6, "Recommendations", 0, len(rec)), review, 0.9, dense=0.8),
    ]
    answer = fake_answer("Which agency has to rework the voluntary scheme, and by when?", hits)
    assert answer.answer.startswith("R2. Redesign the voluntary scheme") and "(Responsible: LSSO." in answer.answer


def test_a_tables_header_row_is_not_quoted_alone() -> None:
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    text = "5. Action items\nAction | Responsible | Due date\nCirculate the report | Secretariat | 8 March 2024"
    hit = Hit(Chunk("m", 0, text, None, "5. Action items", 0, len(text)), Document("m", "m.docx", "Minutes"), 1.0, dense=0.9)
    answer = fake_answer("Which action is due, and who is responsible?", [hit])
    assert answer.answer.startswith("Circulate the report | Secretariat | 8 March 2024 (columns: Action | Responsible |")
    assert not answer.answer.startswith("Action | Responsible")


def test_record_fields_on_wrapped_lines_are_sentences_of_their_own() -> None:
    text = (
        "Venue: Meeting room 2, Ministry of Labour and Social Welfare, Vientiane Capital\n"
        "Chair: Director-General, Department of Planning and International Cooperation, MoLSW\n"
        "(NSPC Secretariat)\n"
        "R4. Adopt an M&E framework. (Responsible: NSPC Secretariat.\n"
        "Deadline: 30 June 2024.)"
    )
    parts = [" ".join(text[s:e].split()) for s, e in split_sentences(text)]
    assert parts[0].startswith("Venue: Meeting room 2") and parts[0].endswith("Vientiane Capital")
    assert parts[1] == "Chair: Director-General, Department of Planning and International Cooperation, MoLSW (NSPC Secretariat)"
    # A field inside a bracketed aside that wraps is not a new sentence.
    assert parts[-1] == "(Responsible: NSPC Secretariat. Deadline: 30 June 2024.)"


def test_a_question_about_a_meetings_chair_reads_the_record_header(kb) -> None:  # type: ignore[no-untyped-def]
    question = "Who presided over the February 2024 commission meeting?"
    plain = kb.search(question, k=kb.settings.top_k, depth=kb.settings.answer_depth)
    read = kb.reading(question)
    header = [h for h in read if h.chunk.id not in {p.chunk.id for p in plain}]
    # The best document's passage holding its "Chair:" line is read too, scored as that document's best.
    assert header and all(h.document.id == plain[0].document.id and h.held_back for h in header)
    assert any("Chair: Minister of Labour and Social Welfare" in h.chunk.text for h in read)
    assert kb.ask(question).answer.startswith("Chair: Minister of Labour and Social Welfare")
    assert kb.reading("What did the commission decide?") == kb.search(
        "What did the commission decide?", k=kb.settings.top_k, depth=kb.settings.answer_depth
    )


def test_a_how_many_question_is_answered_by_a_count_of_its_thing() -> None:
    from kb.question import counted_things, counts
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert counted_things("How many U-Money agents operate in the district?") == ["agents"]
    assert counted_things("In how many villages were mothers enrolled?") == ["villages"]
    assert counted_things("How many kip a month does the grant pay?") == ["kip"]
    assert counted_things("How many pick-up trucks and saloon cars are there?") == ["trucks", "cars"]
    # People are counted by any noun ("46 interviews", "982 beneficiaries"); hours are a span.
    assert counted_things("How many people did the team talk to?") == []
    assert counted_things("How many farmers and other self-employed people joined?") == []
    assert counted_things("Within how many hours must it be reported?") == []
    assert counts("By then 982 beneficiaries were enrolled in 46 villages.", ["villages"])
    assert counts("The programme was handed over in eight provinces.", ["provinces"])
    assert counts("Most workers (86.4 per cent) are informal.", ["workers"])
    assert counts("The grant is worth LAK 150,000 a month.", ["kip"])
    assert counts("Children reached by school meals | 140,000 | 185,000", ["pupils"])  # a row's label, a kindred word
    assert not counts("The driver completes an accident report within 48 hours.", ["drivers"])
    assert not counts("Trainings were held in several provinces during 2022.", ["provinces"])  # a year counts nothing
    doc = Document("d", "fleet.md", "Fleet policy")
    text = (
        "Only drivers of the Transport Unit may drive pool vehicles. "
        "The driver reports an accident within 48 hours. The pool has 24 vehicles and 4 minibuses."
    )
    hits = [passage_hit(text, doc, "Drivers and vehicles")]
    refused = fake_answer("How many drivers does the Transport Unit have?", hits)
    assert refused.abstained and "(No passage gives a number of drivers.)" in refused.answer
    answered = fake_answer("How many minibuses does the Transport Unit have?", hits)
    assert answered.answer.startswith("The pool has 24 vehicles and 4 minibuses.")
    # Counting people, any figure serves, but not a date, a time or a share of a year.
    assert counts("It held 46 interviews.", []) and not counts("It met in Thalat on 21 February 2024.", [])
    assert not counts("The meeting closed at 12:15.", []) and not counts("It meets in the second half of 2024.", [])
    assert counted_things("Who chaired the meeting?") is None


def test_a_question_about_money_needs_an_amount_of_money() -> None:
    from kb.question import expected_answers, gives
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert expected_answers("How much does a litre of fuel cost?") == {"money"}
    assert expected_answers("How big is the operating budget each committee gets?") == {"money"}
    assert expected_answers("What is the annual operating budget of the bureau?") == {"money"}
    assert expected_answers("How big is the vehicle pool?") == {"number"}
    assert expected_answers("How much fuel may a pick-up use?") == {"number"}
    assert gives("money", "about US$25 million") and gives("money", "LAK 150,000") and not gives("money", "300 litres")
    doc = Document("d", "fleet.md", "Fleet policy")
    text = "The monthly fuel allowance is 300 litres for a pick-up truck. Fuel is bought with the fuel card."
    hits = [passage_hit(text, doc, "Fuel")]
    refused = fake_answer("How much does a litre of fuel cost?", hits)
    assert refused.abstained and "amount of money" in refused.answer
    assert not fake_answer("How much fuel may a pick-up truck use each month?", hits).abstained  # type: ignore[arg-type]


def test_names_and_years_in_one_passage_shown_below_the_best_three_count() -> None:
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    note = Document("n", "note.md", "School meals note")
    review = Document("r", "review.pdf", "Mid-term review")

    def hit(doc: Document, text: str, score: float, held_back: bool = False) -> Hit:
        return Hit(Chunk(doc.id, 0, text, None, None, 0, len(text)), doc, score, dense=0.9, held_back=held_back)

    meals = [hit(note, f"School meals reached many children in poor district {n}.", 1.0 - n / 10) for n in (1, 2, 3)]
    row = "Children reached by school meals | 140,000 | 185,000"
    table = Chunk("r", 0, row, 4, "3 Indicators", 0, len(row), table_header="Indicator | 2020 | 2023")
    question = "How many children got school meals in Savannakhet in 2023?"
    # The fourth passage shown speaks of 2023 but not of Savannakhet; the fifth of Savannakhet only.
    spread = [*meals, Hit(table, review, 0.6, dense=0.9), hit(review, "Savannakhet has a provincial committee.", 0.5)]
    assert fake_answer(question, spread).abstained  # type: ignore[arg-type]
    answered = fake_answer("How many children got school meals in 2023?", spread)
    assert answered.answer.startswith("Children reached by school meals | 140,000 | 185,000")
    # A passage the per-document cap held back is not shown, and does not count.
    held = [*meals, Hit(table, review, 0.6, dense=0.9, held_back=True)]
    assert fake_answer("How many children got school meals in 2023?", held).abstained  # type: ignore[arg-type]


def test_a_question_how_often_leads_with_a_frequency() -> None:
    from kb.question import asks_for_frequency, gives_frequency, gives_span
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_frequency("How often is the grant paid?") and not asks_for_frequency("When is the grant paid?")
    assert gives_frequency("paid every second month") and gives_frequency("publish audited accounts every\nyear")
    assert gives_frequency("meets twice a year") and gives_frequency("six-monthly reporting")
    assert not gives_frequency("every Lao citizen has a card") and not gives_frequency("LAK 150,000 for each month")
    assert gives_span("at least two\nworking days before the trip")  # a PDF line break inside the span
    assert gives_span("the strategy for 2021–2025", loosely=True) and not gives_span("the strategy for 2021–2025")
    text = "The review held 46 interviews with officials of the Lao Social Security Organisation."
    review = Document("r", "review.pdf", "Mid-term review")
    hits = [passage_hit(text, review, "Method")]
    refused = fake_answer("How long does the Lao Social Security Organisation take to pay a claim?", hits)
    assert refused.abstained and refused.reason == "No passage says how long."
    doc = Document("d", "grant.html", "Mother and child grant")
    text = "The grant is worth LAK 150,000 for each month of eligibility. It is paid every second month, in one transfer."
    hits = [passage_hit(text, doc, "Payments")]
    answer = fake_answer("How often is the grant paid each month?", hits)
    assert answer.answer.startswith("It is paid every second month")
    # No sentence says how often, not even loosely ("an annual report", "for each month"): refused.
    text = "The working group met in Vientiane in November 2023. The chair opened the working group meeting."
    hits = [passage_hit(text, doc, "Working group")]
    refused = fake_answer("How often does the working group meet?", hits)
    assert refused.abstained and refused.reason == "No passage says how often."
    assert gives_frequency("an annual progress report", loosely=True) and not gives_frequency("an annual progress report")


def test_a_frequency_answers_only_when_it_is_of_what_is_asked() -> None:
    from kb.question import frequency_of
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    accounts = "The NSSF will commission regular actuarial valuations, publish audited accounts every year, and review policy."
    assert frequency_of("How often will the NSSF publish audited accounts?", accounts)
    assert not frequency_of("How often does the NSSF carry out an actuarial valuation?", accounts)
    # A pronoun speaks of the passage's own subject; a comma inside a figure does not end a clause.
    assert frequency_of("How often does the money reach families?", "To keep costs down it is paid every second month.")
    assert frequency_of("How often is a pool vehicle serviced?", "Each vehicle is serviced every 10,000 km or every six months.")
    assert frequency_of("How often are reports due?", "Report | Due\nProgress report | every six months")
    doc = Document("d", "nssf.pdf", "Social security fund")
    hits = [passage_hit(accounts, doc, "Financing", page=3)]
    refused = fake_answer("How often does the NSSF carry out an actuarial valuation?", hits)
    assert refused.abstained and refused.reason == "No passage says how often."
    answer = fake_answer("How often will the NSSF publish audited accounts?", hits)
    assert not answer.abstained and "every year" in answer.answer


def test_a_question_when_something_takes_effect_wants_that_not_its_signing_date() -> None:
    from kb.question import asks_when_effective, gives_effect_date
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_when_effective("When did Decree 224/PM enter into force?")
    assert asks_when_effective("From when does the ministerial decree apply?")
    assert asks_when_effective("When did the 2018 law take effect?") and not asks_when_effective("When was the decree signed?")
    assert gives_effect_date("This decree takes effect on the date of its signature.")
    assert gives_effect_date("Version: 3, effective 1 January 2023")
    assert not gives_effect_date("Decree No. 224/PM of 1 April 2020 approves the strategy.")
    assert not gives_effect_date("This summary leaves out the decree's article on entry into force.")
    summary = Document("s", "decree-224-summary.txt", "Summary of Decree 224/PM")
    scan = Document("m", "decree-1666.pdf", "Ministerial decree 1666/MoH on the health insurance bureau")
    signed = "The decree, numbered 224/PM and dated 1 April 2020, approves the strategy."
    effect = "This decree takes effect on the date of its signature."
    hits = [
        passage_hit(signed, summary, "The decree"),
        passage_hit(effect, scan, "Article 4. Entry into force", page=2, score=0.9),
    ]
    # The date it was signed is not when it took effect, and the other decree's article says nothing of 224/PM.
    refused = fake_answer("When did Decree 224/PM enter into force?", hits)
    assert refused.abstained and refused.reason == "No passage says when it takes effect."
    answer = fake_answer("From when does ministerial decree 1666/MoH apply?", hits)
    assert answer.answer.startswith("This decree takes effect on the date of its signature")
    assert answer.citations[0].hit.document is scan


def test_a_question_on_when_something_was_set_up_or_ends_wants_that_event() -> None:
    from kb.question import event_asked, event_words, tells_event
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert event_asked("When was the commission set up?") == "set up"
    assert event_asked("On what date is the pilot scheduled to end?") == "end"
    assert event_asked("What date does the order setting up the bureau carry?") is None  # the order's date
    assert event_asked("How was the commission set up?") is None
    assert tells_event("set up", "The commission was established on 9 December 2021.")
    assert tells_event("end", "The strategy covers 2021–2025.") and tells_event("end", "It runs until June 2026.")
    assert not tells_event("set up", "The next meeting will be held on a date to be set.")
    assert event_asked("On what exact date was the health insurance law promulgated?") == "issued"
    assert event_words("When was the commission set up?") == "established created founded"
    assert event_words("Who set up the commission?") == ""
    assert tells_event("issued", "The decree, numbered 224/PM and dated 1 April 2020, approves the strategy.")
    doc = Document("d", "minutes.docx", "Minutes of the commission")
    text = "The commission met on 21 February 2024. The next meeting will be held on a date to be set by the Secretariat."
    hits = [passage_hit(text, doc, "Closing")]
    refused = fake_answer("When was the commission set up?", hits)
    assert refused.abstained and refused.reason == "No passage says when it was set up."
    text += " The commission was established on 9 December 2021."
    hits = [passage_hit(text, doc, "Closing")]
    assert fake_answer("When was the commission set up?", hits).answer.startswith("The commission was established on 9")
    # The event must be told in a passage that names what the question names.
    plan = "R7. Set up social protection committees in every province (Deadline: 31 December 2024)."
    met = "The Savannakhet committee met on 3 May 2024 to review the pilot."
    hits = [
        passage_hit(plan, doc, "Recommendations"),
        passage_hit(met, doc, "Provinces", score=0.9, ordinal=1),
    ]
    refused = fake_answer("When was the Savannakhet committee set up?", hits)
    assert refused.abstained and refused.reason == "No passage says when it was set up."


def test_a_question_about_one_district_is_not_answered_by_a_passage_about_another() -> None:
    from kb.question import places_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert places_asked("How many were enrolled in Nong district?") == [("Nong", "district")]
    assert places_asked("How many live in the province of Savannakhet?") == [("Savannakhet", "province")]
    assert places_asked("Which three provinces did the team visit?") == []
    doc = Document("d", "grant.html", "Mother and child grant")
    text = "The first transfers were made in Sanamxay district. By then 982 beneficiaries were enrolled in 46 villages."
    hits = [passage_hit(text, doc, "First payment")]
    assert fake_answer("How many beneficiaries were enrolled in Nong district?", hits).abstained
    answer = fake_answer("How many beneficiaries were enrolled in Sanamxay district?", hits)
    assert "982 beneficiaries" in answer.answer
    # Nor does a passage that names no district: the NHIB's first office is no answer about Luang Prabang.
    office = "The first provincial NHIB office opened in April 2014, when the scheme was piloted."
    present = "Vice-governors of Attapeu, Savannakhet and Luang Prabang provinces attended."
    hits = [
        passage_hit(office, doc, "Who runs it"),
        passage_hit(present, doc, "Attendance", score=0.9, ordinal=1),
    ]
    refused = fake_answer("When did the NHIB open its office in Luang Prabang province?", hits)
    assert refused.reason == "No passage about Luang Prabang province gives the date asked for."
    # A passage that also speaks of the district asked about may answer.
    text = "In Sanamxay district 529 beneficiaries were enrolled. In Nong district 453 beneficiaries were enrolled."
    hits = [passage_hit(text, doc, "First payment")]
    assert "453 beneficiaries" in fake_answer("How many beneficiaries were enrolled in Nong district?", hits).answer


def test_a_question_which_provinces_wants_them_named() -> None:
    from kb.question import names_places, place_kind_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert place_kind_asked("Which three provinces did the team visit?") == "province"
    assert place_kind_asked("When did WFP begin, and in which provinces?") == "province"
    assert names_places("province", "It fed pupils in three northern provinces: Phongsaly, Oudomxay and Luangnamtha.")
    assert names_places("province", "Vice-governors of Attapeu, Savannakhet and Luang Prabang provinces attended.")
    assert not names_places("province", "Share the list of officials in the provinces | NSPC Secretariat | 5 December")
    doc = Document("d", "review.pdf", "Mid-term review")
    text = "The team held interviews at central level and visits to three provinces. It met 46 officials."
    hits = [passage_hit(text, doc, "1.3 How the review was done", page=2)]
    refused = fake_answer("Which three provinces did the review team visit?", hits)
    assert refused.abstained and refused.reason == "No passage names any province."
    text = text.replace("three provinces", "three provinces, Attapeu, Savannakhet and Oudomxay")
    hits = [passage_hit(text, doc, "1.3 How the review was done", page=2)]
    assert "Attapeu" in fake_answer("Which three provinces did the review team visit?", hits).answer


def test_a_question_asking_a_name_wants_a_person_named() -> None:
    from kb.question import asks_for_person, names_person
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_person("What is the name of the minister who chaired the meeting?")
    assert not asks_for_person("Who chaired the meeting?")
    assert names_person("the Vice Minister of Labour and Social Welfare, Mr Leepao Yang, opened the project")
    assert names_person("spoke with the UN Resident Coordinator, Sara Sekkenes.")
    assert not names_person("Chair: Minister of Labour and Social Welfare, Chair of the National Social Protection Commission.")
    doc = Document("m", "m.docx", "Minutes of the commission meeting", doc_type="minutes")
    text = "Chair: Minister of Labour and Social Welfare, Chair of the National Social Protection Commission."
    hits = [passage_hit(text, doc)]
    refused = fake_answer("What is the name of the minister who chaired the commission meeting?", hits)
    assert refused.abstained and refused.reason == "No passage gives a person's name."


def test_a_question_which_official_did_something_wants_a_person_or_an_office() -> None:
    from kb.question import asks_for_official, names_official
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_official("Which vice minister officiated at the launch ceremony?")
    assert asks_for_official("Who opened the project?") and not asks_for_official("Who can enrol in the grant?")
    assert names_official("The Vice Minister of Labour, Mr Leepao Yang, opened the project.")
    assert names_official("Provincial committees, chaired by a vice-governor, coordinate.")
    assert not names_official("The official launch ceremony took place on 18 June 2021.")
    doc = Document("d", "grant.html", "Mother and child grant")
    text = "The programme started in June 2021; the official launch ceremony took place on 18 June 2021."
    hits = [passage_hit(text, doc, "Where it operates")]
    refused = fake_answer("Which vice minister officiated at the launch ceremony?", hits)
    assert refused.abstained and refused.reason == "No passage names the vice minister."
    # "Whose sign-off …" asks an office too: the signature's sentence, not the fleet's.
    assert asks_for_official("Whose sign-off do I need to take a pool car outside the capital?")
    fleet = Document("f", "fleet.md", "Vehicle fleet policy")
    pool = passage_hit("The pool has 24 vehicles for travel outside the capital.", fleet, "2. The pool")
    booking = passage_hit("- Trips outside the capital need the signature of the department's Director-General.", fleet,
                          "3. Booking", score=0.7, ordinal=1)
    answer = fake_answer("Whose sign-off do I need to take a pool car outside the capital?", [pool, booking])
    assert answer.answer.startswith("- Trips outside the capital need the signature")


def test_a_figure_aimed_at_is_a_target_not_a_count_so_far() -> None:
    from kb.question import asks_for_target, gives_target
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_for_target("How many pregnant women is the pilot aiming to reach?")
    assert asks_for_target("What is the target for health coverage?")
    assert not asks_for_target("How many laws were the members supposed to compare?")  # a task, not an aim
    assert gives_target("The pilot aims to reach at least 1,400 children.") and gives_target("by 2025, 90 per cent")
    doc = Document("d", "grant.html", "Mother and child grant")
    enrolled = "Group | Number enrolled\nPregnant women | 529\nChildren under six months | 453"
    hits = [passage_hit(enrolled, doc, "First payment")]
    refused = fake_answer("How many pregnant women is the pilot aiming to reach?", hits)
    assert refused.abstained and refused.reason == "No passage gives a target for that."
    assert "529" in fake_answer("How many pregnant women were enrolled at the first payment?", hits).answer


def test_a_question_naming_an_article_or_section_is_answered_from_it() -> None:
    from kb.question import parts_named, under_part
    from kb.types import Chunk, Document, Hit
    from tests.fakes import fake_answer

    assert parts_named("What does Article 2 of the decree say?") == ["article 2"]
    assert parts_named("What is in section 4.2, and in § 3?") == ["4.2", "3"]
    doc = Document("d", "decree.pdf", "Ministerial decree on the health insurance bureau")

    def hit(section: str, text: str, score: float) -> Hit:
        return Hit(Chunk("d", 0, text, 1, section, 0, len(text)), doc, score, dense=0.9)

    assert under_part(hit("4.2.1 Farmers", "x", 1.0), ["4.2"]) and not under_part(hit("4.21 Other", "x", 1.0), ["4.2"])
    hits = [
        hit("Preamble", "Pursuant to the decree on health insurance of 2012, the minister decrees the following.", 1.0),
        hit("Article 2. Mandate", "The bureau manages the health insurance fund and registers members.", 0.8),
        hit("Article 20. Final", "The bureau reports on the decree to the minister every year.", 0.7),
    ]
    answer = fake_answer("What does Article 2 of the health insurance decree say?", hits)
    assert answer.answer.startswith("The bureau manages the health insurance fund") and answer.citations[0].hit is hits[1]


def test_a_figure_in_the_question_picks_the_sentences_about_the_same_thing() -> None:
    from kb.question import figures_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert len(figures_asked("When did WFP hand over its remaining 915 schools?")) == 1
    assert len(figures_asked("Which eight provinces did the last schools come from?")) == 1
    # Numbers in names and dates, years, and "one of" name no figure of a thing.
    for question in (
        "How many laws were compared against Convention No. 102?", "Who signed Decree 224/PM?", "What does Article 4 say?",
        "Who came to the workshop on 19 January 2024?", "What is the fuel allowance for one of the minibuses?",
        "What did the strategy say in 2021?",
    ):
        assert figures_asked(question) == [], question
    doc = Document("d", "note.md", "School meals handover")
    text = (
        "In May 2019 WFP handed over more than 500 schools to the Government. "
        "WFP later handed over the remaining 915 schools, spread across eight provinces."
    )
    hits = [passage_hit(text, doc, "Handover")]
    refused = fake_answer("In what year did WFP hand over its remaining 915 schools?", hits)
    assert refused.abstained and refused.reason == "No passage gives the date asked for."
    assert fake_answer("Which eight provinces did the last schools come from?", hits).reason == "No passage names any province."
    assert "May 2019" in fake_answer("In what year did WFP hand over more than 500 schools?", hits).answer
    assert "eight provinces" in fake_answer("Where were the remaining 915 schools?", hits).answer


def test_a_question_naming_an_office_wants_that_office_named() -> None:
    from kb.question import names_role, role_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert role_asked("Who was the UN Resident Coordinator who spoke at the launch?") == "UN Resident Coordinator"
    assert role_asked("Which Minister of Health signed the decree in 2013?") == "Minister of Health"
    assert role_asked("What's the name of the Director of the National Health Insurance Bureau who came?") == (
        "Director of the National Health Insurance Bureau"
    )
    assert role_asked("Which vice minister opened it?") == "vice minister"
    # A possessive names a document, not an office; a ministry is a body.
    assert role_asked("Which earlier Prime Minister's decree does it cite?") is None
    assert role_asked("Which ministry leads school meals?") is None
    assert names_role("the Vice-Minister of Labour", "vice minister")
    assert not names_role("Prime Minister's Decree No. 470/PM on National Health Insurance", "Minister of Health")
    doc = Document("d", "minutes.pdf", "Working group minutes")
    text = "The launch was held on 10 November 2023, where the Vice Minister of Labour, Mr Leepao Yang, opened the project."
    hits = [passage_hit(text, doc, "Item 1. Speakers: the Vice Minister and the UN Resident Coordinator")]
    refused = fake_answer("Who was the UN Resident Coordinator who spoke at the launch?", hits)
    assert refused.abstained and refused.reason == "No passage names the UN Resident Coordinator."
    assert "Leepao Yang" in fake_answer("Which vice minister opened the project at the launch?", hits).answer
    # Nor "which Minister of Health signed": the office is named in full, so only the holder's name answers.
    from kb.question import asks_for_holder

    assert asks_for_holder("Which Minister of Health signed the decree?")
    assert asks_for_holder("Who was the UN Resident Coordinator?")
    assert not asks_for_holder("Which vice minister opened the project?")  # "the Vice Minister of Labour" answers
    signed = passage_hit("The Minister of Health decrees:", doc, "Preamble")
    refused = fake_answer("Which Minister of Health signed the decree?", [signed])
    assert refused.abstained and refused.reason == "No passage gives a person's name."
    # An office named without a person's name does not answer "what is the name of".
    present = "Ministry of Health: Vice Minister; Director of the National Health Insurance Bureau."
    hits = [passage_hit(present, doc, "Present")]
    refused = fake_answer("What's the name of the Director of the National Health Insurance Bureau who was present?", hits)
    assert refused.abstained and refused.reason == "No passage gives a person's name."


def test_a_month_and_year_rule_out_passages_about_other_years() -> None:
    from kb.question import month_years
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert month_years("Who spoke at the launch in November 2023?") == ["2023"] and month_years("Who spoke in 2023?") == []
    summary = Document("s", "decree.txt", "Decree summary", date="2020-04-01")
    minutes = Document("m", "minutes.pdf", "Working group minutes, 28 November 2023", date="2023-11-28")
    launched = "The strategy was launched on 30 September 2020. Speakers included the Vice Minister, Mr Baykham Khattiya."
    item = "Item 1. The Vice Minister of Labour, Mr Leepao Yang, opened the project at its launch."
    hits = [passage_hit(launched, summary, "Launch"), passage_hit(item, minutes, "Item 1", score=0.9)]
    answer = fake_answer("Which vice minister spoke at the launch in November 2023?", hits)
    assert "Leepao Yang" in answer.answer and "Baykham" not in answer.answer
    # A passage of a record dated that year answers though it names another year ("the 2020 strategy").
    item = item.replace("the project", "the project under the 2020 strategy")
    hits = [passage_hit(launched, summary, "Launch"), passage_hit(item, minutes, "Item 1", score=0.9)]
    assert "Leepao Yang" in fake_answer("Which vice minister spoke at the launch in November 2023?", hits).answer


def test_a_province_named_without_the_word_province_is_still_a_place_asked() -> None:
    from kb.question import places_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert places_asked("When did the NHIB open its office in Luang Prabang?") == [("Luang Prabang", "province")]
    assert places_asked("Which two districts of Attapeu take part?") == [("Attapeu", "province")]
    assert places_asked("Who came from Luangnamtha province?") == [("Luangnamtha", "province")]  # named once
    assert places_asked("What was decided in Vientiane?") == []  # the capital, the province or the city
    doc = Document("d", "brief.html", "Health insurance brief")
    office = "The first provincial NHIB office opened in April 2014, when the scheme was piloted in Vang Vieng."
    present = "Vice-governors of Attapeu, Savannakhet and Luang Prabang provinces attended."
    hits = [passage_hit(office, doc, "History"), passage_hit(present, doc, "Present", score=0.9, ordinal=1)]
    refused = fake_answer("When did the NHIB open its provincial office in Luang Prabang?", hits)
    assert refused.reason == "No passage about Luang Prabang province gives the date asked for."
    # Another spelling of the same province answers (a figure of that province alone: see
    # test_one_figure_for_several_places_is_not_the_figure_of_one).
    fed = "In Luangnamtha the first phase fed some 9,000 pupils."
    answer = fake_answer("How many pupils did the first phase feed in Luang Namtha?", [passage_hit(fed, doc, "History")])
    assert "9,000 pupils" in answer.answer


def test_a_review_named_by_its_term_is_a_source_wherever_the_question_names_it() -> None:
    from kb.question import sources_not_held
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    review = Document("r", "mtr.pdf", "Mid-Term Review of the National Social Protection Strategy", doc_type="review")
    assert sources_not_held("How many interviews did the end-term review team carry out?", [review]) == ["end-term review"]
    assert sources_not_held("How many interviews did the mid-term review team carry out?", [review]) == []
    # A year in the name is the year the document is dated: the review of 2024 is held, one of 2023 is not.
    dated = Document("r", "mtr.pdf", "Mid-Term Review of the Strategy 2021–2025", doc_type="review", date="2024-02-28")
    assert sources_not_held("According to the 2024 mid-term review, how many people did the NSSF protect?", [dated]) == []
    assert sources_not_held("According to the 2023 mid-term review, how many?", [dated]) == ["2023 mid-term review"]
    # … and its passages need not repeat that year.
    protected = passage_hit("Around 867,000 people were protected by the NSSF.", dated, "2.2 Social security", page=3)
    asked = "According to the 2024 mid-term review, how many people did the NSSF protect?"
    assert "867,000" in fake_answer(asked, [protected], library=[dated]).answer
    text = "It held 46 interviews with officials of the ministries and visited three provinces."
    hits = [passage_hit(text, review, "1.3 How the review was done", page=2)]
    refused = fake_answer("How many interviews were held for the end-term review?", hits, library=[review])
    assert refused.abstained and refused.reason == "The library holds no end-term review."
    assert "46 interviews" in fake_answer("How many interviews were held for the mid-term review?", hits, library=[review]).answer


def test_the_date_of_a_law_is_not_the_date_of_a_decree() -> None:
    from kb.question import names_instrument
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    decree = "Prime Minister's Decree No. 470/PM on National Health Insurance, dated 17 October 2012, created the scheme."
    assert not names_instrument("When was the Health Insurance Law promulgated?", decree)
    assert names_instrument("When was the ministerial order on the bureau signed?", decree)  # orders and decrees: one kind
    assert names_instrument("When was the law promulgated?", "It was promulgated on 1 May 2018.")
    assert names_instrument("When was the commission set up?", decree)  # no kind of legal text named
    doc = Document("d", "brief.html", "Health insurance brief")
    hits = [passage_hit(f"{decree} The Health Insurance Law followed later.", doc, "Legal basis")]
    refused = fake_answer("On what exact date was the Health Insurance Law promulgated?", hits)
    assert refused.abstained and refused.reason == "No passage says when it was issued."
    assert "17 October 2012" in fake_answer("When was the decree on National Health Insurance signed?", hits).answer


def test_an_amount_of_money_is_of_whoever_the_question_names_and_per_what_it_asks() -> None:
    from kb.question import money_of
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    doc = Document("d", "note.md", "School meals handover")
    government = "From 2019 the Government paid for meals itself, budgeting about LAK 800 per child for each school day."
    usda = "The USDA project is run by WFP. It is worth 232 billion kip and reaches around 63,000 pupils."
    hits = [passage_hit(government, doc, "Handover"), passage_hit(usda, doc, "Projects", score=0.9, ordinal=1)]
    assert money_of("How much does the Government spend per child per school day?", government, hits[0])
    assert not money_of("How much did WFP spend per child per school day?", government, hits[0])  # the Government's
    assert money_of("How much is the USDA project worth?", "It is worth 232 billion kip.", hits[1])  # "it", in its passage
    assert not money_of("How much per pupil per school day does the USDA project spend?", usda, hits[1])  # not per pupil
    refused = fake_answer("How much did WFP spend per child per school day on meals?", hits)
    assert refused.abstained and refused.reason == "No passage gives the amount of money asked for."
    assert "LAK 800" in fake_answer("How much does the Government spend per child per school day on meals?", hits).answer
    # "How large is each payment" asks no amount per something.
    payment = passage_hit("It is paid every second month, as a single transfer of LAK 300,000.", doc, "Payments")
    assert money_of("How much does a family get, and how large is each payment?", payment.chunk.text, payment)
    # "The grant" speaks of the grant a passage is about, as "it" does.
    grant = Document("g", "grant.html", "Mother and Early Childhood Grant (MECG)")
    text = "The grant is worth LAK 150,000 for each month of eligibility."
    assert "LAK 150,000" in fake_answer("How much is the MECG worth per month?", [passage_hit(text, grant, "Benefit")]).answer
    # The unit is the word after "per", not the word after the unit: "per month and how often …" asks per month.
    asked = "How much is the MECG worth per month and how often do families get paid?"
    assert "LAK 150,000" in fake_answer(asked, [passage_hit(text, grant, "Benefit")]).answer


def test_which_districts_wants_districts_named_and_all_of_them() -> None:
    from kb.question import names_places, places_named
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    # A province next to "districts" names none of them.
    assert not names_places("district", "The grant, piloted in three districts of Attapeu and Savannakhet provinces.")
    assert names_places("province", "The grant, piloted in three districts of Attapeu and Savannakhet provinces.")
    covers = "The pilot covers three districts: Sanamxay and Phouvong in Attapeu province, and Nong in Savannakhet province."
    assert {"Sanamxay", "Phouvong"} <= places_named("district", covers)  # within three words of "districts"
    doc = Document("d", "grant.html", "Mother and child grant")
    hits = [
        passage_hit("The first transfers of the pilot were made on 12 August 2021 in Sanamxay district.", doc, "First payment"),
        passage_hit(covers, doc, "Where it operates", score=0.8, ordinal=1),
    ]
    assert fake_answer("Which districts are part of the pilot?", hits).answer.startswith("The pilot covers three districts")


def test_a_share_is_of_what_the_question_says() -> None:
    from kb.question import share_of
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert share_of("What percentage of GDP is spending expected to reach?") == ["GDP"]
    assert share_of("What proportion of Lao workers are informal?") == ["workers"]
    assert share_of("How many workers are informal?") == []
    doc = Document("d", "strategy.pdf", "Lao social protection strategy")
    text = (
        "The share of registered enterprises that pay contributions on time rises to 85 per cent by 2025. "
        "The large majority of workers (86.4 per cent) are in informal employment."
    )
    hits = [passage_hit(text, doc, "Social security", page=5)]
    refused = fake_answer("What percentage of salary do employees contribute to the fund?", hits)
    assert refused.abstained and refused.reason == "No passage gives the share asked for."
    assert "86.4 per cent" in fake_answer("What share of Lao workers are in informal employment?", hits).answer


def test_a_meeting_in_a_period_is_not_answered_by_the_record_of_another() -> None:
    from kb.question import periods_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert periods_asked("When was the meeting in the second half of 2024?") == [("second half of 2024", "2024-07", "2024-12")]
    assert periods_asked("Who chaired in November 2023?") == [("November 2023", "2023-11", "2023-11")]
    assert periods_asked("What happened in 2024?") == []  # a year is the year rule's
    record = Document("m", "minutes.docx", "Minutes of the high-level meeting, 21 February 2024", "minutes", date="2024-02-21")
    header = passage_hit("Date: Wednesday 21 February 2024\nVenue: Thalat", record, "Minutes of the high-level meeting")
    closing = passage_hit(
        "The next high-level meeting will be held in the second half of 2024, on a date to be set.", record, "6. Closing",
        score=0.8, ordinal=1,
    )
    answer = fake_answer("On what date was the high-level meeting in the second half of 2024 held?", [header, closing])
    assert answer.answer.startswith("The next high-level meeting will be held in the second half of 2024")
    refused = fake_answer("On what date was the high-level meeting in the second half of 2024 held?", [header])
    assert refused.abstained
    assert "21 February 2024" in fake_answer("On what date was the high-level meeting in February 2024 held?", [header]).answer


def test_a_meeting_only_announced_does_not_tell_what_it_decided() -> None:
    from kb.question import announces_meeting, asks_meeting_outcome
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_meeting_outcome("What decisions were taken at the meeting in January 2024?")
    assert asks_meeting_outcome("Which action items were agreed at the working group's session?")
    assert not asks_meeting_outcome("When is the next meeting?") and not asks_meeting_outcome("What did the review decide?")
    assert announces_meeting("Next meeting: end of January 2024, at the Ministry.")
    assert announces_meeting("The next high-level meeting will be held in the second half of 2024.")
    assert not announces_meeting("The meeting was held on 28 November 2023.")
    record = Document("t", "twg.pdf", "Minutes of the working group, 28 November 2023", "minutes", date="2023-11-28")
    items = passage_hit(
        "A6 | Book the venue for the validation workshop | Secretariat | 8 January 2024\n\n"
        "Next meeting: end of January 2024, after the validation workshop, at the Ministry.",
        record, "Action items",
    )
    decisions = passage_hit("D1. The working group endorses the timetable for the review.", record, "Decisions", ordinal=1)
    refused = fake_answer("Which action items were agreed at the working group meeting at the end of January 2024?", [items])
    assert refused.abstained and refused.reason == "No passage records what that meeting did; it is only announced."
    # The announcement still says when the meeting is to be, and the record's own decisions answer for its own meeting.
    when = fake_answer("When is the working group meeting in January 2024 to be held?", [items])
    assert when.answer.startswith("Next meeting: end of January 2024")
    assert "endorses the timetable" in fake_answer("What decisions did the working group meeting take?", [decisions]).answer


def test_a_question_naming_the_lao_version_is_answered_from_it() -> None:
    from kb.question import language_named, tells_event
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert language_named("What rate is reported in the Lao-language summary?") == "lo"
    assert language_named("What does the summary in Lao say?") == "lo" and language_named("in the Lao version") == "lo"
    assert language_named("How many workers in Lao PDR are informal?") is None
    assert language_named("What share of Lao workers are informal?") is None
    # The English words of an event cannot read a Lao sentence, which is given the benefit of the doubt.
    assert tells_event("issued", "ໄດ້ຮັບການຮັບຮອງ ວັນທີ 21 ກຸມພາ 2024.") and not tells_event("issued", "It met on 21 February 2024.")
    english = Document("e", "review.pdf", "Mid-term review")
    lao = Document("l", "summary-lao.pdf", "Summary of the strategy in Lao", language="lo")
    hits = [
        passage_hit("About 94 per cent of the population was covered by health insurance in 2023.", english, "2.1 Health"),
        passage_hit("ໃນປີ 2023 ການປະກັນສຸຂະພາບ ປົກຄຸມປະຊາກອນ ປະມານ 94%.", lao, "6", score=0.6, ordinal=1),
    ]
    answer = fake_answer("What health insurance coverage for 2023 is reported in the Lao-language summary?", hits)
    assert answer.citations[0].hit.document is lao
    review = fake_answer("What health insurance coverage for 2023 does the review report?", hits)
    assert review.citations[0].hit.document is english
    # … and its names, written in Lao, are taken on trust: the date the Commission was set up.
    lao_text = "ຄະນະກຳມະການ ປົກປ້ອງສັງຄົມແຫ່ງຊາດ ໄດ້ສ້າງຕັ້ງຂຶ້ນ ໃນວັນທີ 9 ທັນວາ 2021."
    created = passage_hit(lao_text, lao, "Social Protection Commission", ordinal=2)
    asked = "What does the Lao-language summary say about when the National Social Protection Commission was created?"
    commission = passage_hit("The National Social Protection Commission meets twice a year.", english, "2.4 Governance")
    assert "9 ທັນວາ 2021" in fake_answer(asked, [commission, created]).answer


def test_a_missing_name_of_several_words_is_told_as_one() -> None:
    from kb.question import as_named
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert as_named("Did the UN Peace and Development Fund pay?", ["UN", "Peace", "Development", "Fund"]) == [
        "UN Peace and Development Fund"
    ]
    assert as_named("What did Australia give to Japan?", ["Australia", "Japan"]) == ["Australia", "Japan"]
    doc = Document("d", "brief.html", "Health insurance brief")
    hits = [passage_hit("The first provincial office opened in April 2014, when the scheme was piloted.", doc, "History")]
    refused = fake_answer("When did the office open in Luang Prabang?", hits)
    assert refused.reason == "No passage mentions Luang Prabang."


def test_an_allowance_is_answered_for_the_kind_of_thing_asked() -> None:
    from kb.question import for_kinds_named, gives_measure, measure_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    fuel = "The monthly fuel allowance is 300 litres for a pick-up truck and 180 litres for a saloon car."
    pool = "The pool has 24 vehicles: 14 pick-up trucks, 6 saloon cars and 4 minibuses for groups."
    assert measure_asked("What daily per diem does the policy set?") == "per diem" and measure_asked("Who drives?") is None
    assert gives_measure("allowance", fuel) and not gives_measure("allowance", pool) and not gives_measure("per diem", fuel)
    assert not for_kinds_named("What is the fuel allowance for one of the ministry's minibuses?", fuel)
    assert for_kinds_named("What is the fuel allowance for pick-up trucks?", fuel)
    assert for_kinds_named("What is the monthly fuel allowance?", fuel)  # asked for no kind: both figures answer
    assert not for_kinds_named("What is the fuel allowance for a minibus in the vehicle pool?", fuel)  # "vehicle" is no kind
    doc = Document("f", "fleet.md", "Office vehicle fleet policy")
    hits = [passage_hit(fuel, doc, "5. Fuel"), passage_hit(pool, doc, "2. The vehicle pool", ordinal=1)]
    refused = fake_answer("What is the monthly fuel allowance for one of the ministry's minibuses?", hits)
    # The refusal says for what the library does give it.
    assert refused.abstained and refused.reason == (
        "The allowance is given for a pick-up truck and a saloon car, not for one of the ministry's minibuses."
    )
    assert "180 litres for a saloon car" in fake_answer("What is the monthly fuel allowance for a saloon car?", hits).answer
    per_diem = fake_answer("What daily per diem does the policy set for drivers?", hits)
    assert per_diem.abstained and per_diem.reason == "No passage gives the per diem asked for."
    # An allowance spoken of without a figure gives none.
    review = passage_hit("The per-child allowance should be reviewed against food prices.", doc, "Points", ordinal=2)
    assert fake_answer("What is the daily meal allowance per pupil?", [review]).abstained


def test_more_ways_of_asking_a_date_of_effect_an_event_or_an_amount() -> None:
    from kb.question import asks_when_effective, event_asked, expected_answers
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_when_effective("What does Decree No. 224/PM say about the date it enters into force?")
    assert event_asked("In which year did the Lao PDR ratify ILO Convention No. 102?") == "issued"
    assert event_asked("When did the ministry sign the decree?") == "issued"
    assert event_asked("When did the team visit the provinces?") is None
    assert expected_answers("What total amount, in kip, was budgeted in the costed plan?") == {"money"}
    assert expected_answers("What amount of rice was handed over?") != {"money"}
    doc = Document("t", "twg.pdf", "Minutes of the working group")
    row = passage_hit("A4 | Compare the Lao PDR laws with ILO Convention No. 102 | ILO | 20 December 2023", doc)
    refused = fake_answer("In which year did the Lao PDR ratify ILO Convention No. 102?", [row])
    assert refused.abstained and refused.reason == "No passage says when it was issued."
    plan = passage_hit("The costed implementation plan was prepared by the NSPC Secretariat in 2021.", doc, ordinal=1)
    assert fake_answer("What total amount, in kip, was budgeted in the costed implementation plan?", [plan]).abstained


def test_a_span_of_years_is_answered_by_what_speaks_of_it() -> None:
    from kb.question import ranges_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert ranges_asked("What are the goals of the Strategy 2026–2030?") == ["2026"]
    assert ranges_asked("Who sends the 2020-2023 budget data?") == ["2020"] and ranges_asked("In 2023?") == []
    assert ranges_asked("What was coverage in fiscal year 2014–15?") == ["2014"]
    strategy = Document("s", "nsps-2021-2025.pdf", "National Social Protection Strategy: Vision 2030")
    goals = passage_hit("The strategy is organised around three goals, one for each pillar.", strategy, "3 Goals")
    refused = fake_answer("What are the three goals of the National Social Protection Strategy 2026-2030?", [goals])
    assert refused.abstained
    # The strategy's file name says which span it covers.
    review = Document("r", "review.pdf", "Mid-term review")
    span = passage_hit("The review looks at the first half of 2021–2025.", review, "1 Scope", score=0.9, ordinal=1)
    asked = "What are the goals of the National Social Protection Strategy 2021-2025?"
    assert "three goals" in fake_answer(asked, [goals, span]).answer


def test_a_legal_text_asked_by_its_number_is_named_by_its_number() -> None:
    from kb.question import asks_instrument_number, gives_instrument_number
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    asked = "What's the number of the decree that set up the National Social Protection Commission?"
    assert asks_instrument_number(asked) and asks_instrument_number("Which decree approved the strategy?")
    assert not asks_instrument_number("When was the decree signed?")
    assert gives_instrument_number("Which decree approved it?", "Decree No. 224/PM approves the strategy.")
    assert not gives_instrument_number(asked, "Decree No. 224/PM approves the strategy.")  # it set nothing up
    assert gives_instrument_number(asked, "Decree No. 12/PM establishes the Commission.")
    review = Document("r", "review.pdf", "Mid-term review")
    decree = Document("d", "decree.txt", "Summary of the decree")
    hits = [
        passage_hit("The National Social Protection Commission was established on 9 December 2021.", review, "2.4"),
        passage_hit("Decree No. 224/PM approves the National Social Protection Strategy.", decree, ordinal=1),
    ]
    refused = fake_answer(asked, hits)
    assert refused.abstained and refused.reason == "No passage gives the number of the legal text asked for."
    assert "224/PM" in fake_answer("Which decree approved the National Social Protection Strategy?", hits).answer


def test_two_how_many_questions_in_one_want_the_sentence_that_gives_both() -> None:
    from kb.question import counted_things
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    asked = "In the last round, how many schools did WFP hand over and in how many provinces?"
    assert counted_things(asked) == ["schools", "provinces"]
    doc = Document("n", "note.md", "School meals handover")
    hits = [
        passage_hit("Over the years WFP handed over schools in rounds, reaching about 1,430 schools in total.", doc, "History"),
        passage_hit("In the last round WFP handed over the remaining 915 schools, spread across eight provinces.", doc,
                    "Handover", score=0.9, ordinal=1),
    ]
    assert fake_answer(asked, hits).answer.startswith("In the last round WFP handed over the remaining 915 schools")


def test_a_body_tasked_with_something_is_its_owner_and_the_tasking_document_its_source() -> None:
    from kb.question import asks_for_owner, named_sources
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    asked = "Which ministry did the mid-term review task with costing the school meals programme, and by what date?"
    assert named_sources(asked) == ["mid-term review"] and asks_for_owner(asked)
    assert asks_for_owner("Who was tasked at the Commission meeting with working out the cost?")
    assert not asks_for_owner("Who chaired the meeting?")
    review = Document("r", "review.pdf", "Mid-term review", "review")
    note = Document("n", "note.md", "School meals note", "note")
    hits = [
        passage_hit("A separate school meals project financed by USDA runs from 2020 to 2025.", note, "Other funding"),
        passage_hit("R6. Cost the national school meals programme.\n(Responsible: MoES. Deadline: 31 December 2024.)",
                    review, "5 Recommendations", score=0.6, ordinal=1),
    ]
    assert fake_answer(asked, hits).answer.startswith("R6. Cost the national school meals programme.")


def test_which_ministry_is_answered_by_a_sentence_naming_a_ministry() -> None:
    from kb.question import body_kind_asked, names_body
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert body_kind_asked("Which Chinese ministry is a technical partner?") == "ministry"
    assert body_kind_asked("In which department of MoLSW is the secretariat?") == "department"
    assert body_kind_asked("Which International Labour Organization standards did the drafters use?") is None
    assert names_body("ministry", "MoES leads.") and names_body("ministry", "the Ministry of Health")
    assert not names_body("ministry", "the ILO and UNDESA") and names_body("fund", "the UN Peace and Development Fund")
    doc = Document("t", "twg.pdf", "Minutes of the working group")
    review = Document("r", "review.pdf", "Mid-term review")
    hits = [
        passage_hit("The ILO supported the review through its joint project with UNDESA, a technical partner.", review, "1.3"),
        passage_hit("It is financed by a UN fund, and the Ministry of Human Resources of China takes part as a partner.",
                    doc, "1. Launch of the ILO–UNDESA project", score=0.7, ordinal=1),
    ]
    answer = fake_answer("Which Chinese ministry is a technical partner in the ILO–UNDESA project?", hits)
    assert answer.answer.startswith("It is financed by a UN fund, and the Ministry of Human Resources of China")


def test_the_date_of_a_launch_is_told_by_a_sentence_about_the_launch() -> None:
    from kb.question import event_asked
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    asked = "Where and on what date was the strategy formally launched after the Prime Minister approved it?"
    assert event_asked(asked) == "launched" and event_asked("Who opened the project at its launch?") is None
    doc = Document("d", "decree.txt", "Summary of the Prime Minister's Decree 224/PM")
    hits = [
        passage_hit("The decree of the Prime Minister, dated 1 April 2020, approves the strategy.", doc, "1"),
        passage_hit("After the decree, the strategy was formally inaugurated in Vientiane on 30 September 2020.", doc, "4",
                    score=0.8, ordinal=1),
    ]
    assert fake_answer(asked, hits).answer.startswith("After the decree, the strategy was formally inaugurated")
    refused = fake_answer("When was the strategy launched?", hits[:1])
    assert refused.abstained and refused.reason == "No passage says when it was launched."


def test_one_figure_for_several_places_is_not_the_figure_of_one() -> None:
    from kb.question import figure_of_place
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    asked = "How many children did the school meals reach in Phongsaly province alone?"
    group = "The first phase fed some 30,000 pupils in three northern provinces: Phongsaly, Oudomxay and Luangnamtha."
    later = "Over the following years the programme reached roughly 140,000 children."
    place = ("Phongsaly", "province")
    assert not figure_of_place(group, group, place, asked)
    assert not figure_of_place(later, f"{group} {later}", place, asked)  # in a passage about three provinces
    assert figure_of_place("In Phongsaly 12,000 pupils were fed, in Oudomxay 9,000.", group, place, asked)
    assert figure_of_place("About 12,000 pupils were fed.", "Phongsaly province. About 12,000 pupils were fed.", place, asked)
    doc = Document("n", "note.md", "School meals handover")
    refused = fake_answer(asked, [passage_hit(f"{group}\n\n{later}", doc, "How the programme grew")])
    assert refused.abstained and refused.reason == "No passage about Phongsaly province gives a number of children."


def test_the_next_meeting_is_told_by_its_announcement_not_by_the_records_date() -> None:
    from kb.question import asks_meeting_field, asks_next_meeting
    from kb.types import Document
    from tests.fakes import fake_answer, passage_hit

    assert asks_next_meeting("When is the next NSPC high-level meeting?") and not asks_next_meeting("When did it meet?")
    assert not asks_meeting_field("When is the next meeting held?") and asks_meeting_field("When was the meeting held?")
    record = Document("m", "minutes.docx", "Minutes of the high-level meeting", "minutes", date="2024-02-21")
    header = passage_hit("Date: Wednesday 21 February 2024\nVenue: Thalat", record, "Minutes of the high-level meeting")
    closing = passage_hit("The next high-level meeting will be held in the second half of 2024.", record, "6. Closing",
                          score=0.8, ordinal=1)
    answer = fake_answer("When is the next high-level meeting?", [header, closing])
    assert answer.answer.startswith("The next high-level meeting will be held in the second half of 2024")
    assert "21 February 2024" in fake_answer("When was the high-level meeting held?", [header, closing]).answer
