"""End to end on the real model: the sample library, ingested once per session, asked real questions.

The question set (tests/data/questions.yaml) is paraphrased the way staff ask, never in the documents'
own words. Two kinds of checks:
- per question, for the questions whose answer passage ranked first or second when these tests were
  written (a margin of one place, so float noise cannot flip them): a regression on any of them fails;
- floors on the whole set (both halves), so a change that trades many questions for a few fails too.
The full figures are in docs/benchmarks.md (`kb eval questions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.model

QUESTIONS = {q["id"]: q for q in yaml.safe_load((Path(__file__).parent / "data" / "questions.yaml").read_text())}

ANSWERED = """q001 q002 q003 q006 q007 q008 q009 q010 q011 q012 q013 q014 q016 q017 q018 q020 q021 q022 q023 q024 q025 q026
q027 q028 q031 q032 q034 q035 q036 q037 q038 q040 q041 q042 q043 q044 q045 q046 q047 q048 q050 q051 q052 q053 q054
q055 q056 q057 q058 q059 q060 q061 q062 q063 q065 q066 q067 q068 q069 q070 q071 q073 q074 q075 q076
q077 q078 q079 q080 q081 q082 q084 q085 q101 q102 q103 q104 q105 q106 q107 q108 q114 q115 q116 q117 q118 q119 q120
q121 q122 q123 q124 q125 q126 q127 q128 q129 q130 q131 q132 q133 q134 q135 q136 q138 q139 q140 q141 q154 q155 q156
q158 q159""".split()
ABSTAINED = """q086 q087 q088 q089 q090 q091 q092 q093 q094 q097 q098 q099 q100 q109 q110 q111 q112 q113 q143 q145 q146 q147
q148 q149 q150 q151 q152 q162 q163 q095 q160""".split()


def _matches(citation: dict[str, Any], q: dict[str, Any]) -> bool:
    text = " ".join(citation["text"].split()).lower()
    places = [(q["document"], q.get("page"))] + [(a["document"], a.get("page")) for a in q.get("also", [])]
    return (citation["source"], citation["page"]) in places and any(
        " ".join(a.split()).lower() in text for a in q["answers"]
    )


def _top3(answer: dict[str, Any]) -> list[dict[str, Any]]:
    passages = answer["citations"] + answer["related"]
    return sorted(passages, key=lambda c: -c["score"])[:3]


@pytest.mark.parametrize("qid", ANSWERED)
def test_expected_document_and_page_in_top_3(real_kb, qid: str) -> None:  # type: ignore[no-untyped-def]
    q = QUESTIONS[qid]
    answer = real_kb.ask(q["question"]).to_dict()
    assert not answer["abstained"], answer["answer"]
    assert any(_matches(c, q) for c in _top3(answer)), [(c["source"], c["page"]) for c in _top3(answer)]
    assert answer["citations"] and "[1]" in answer["answer"]


@pytest.mark.parametrize("qid", ABSTAINED)
def test_unanswerable_question_abstains(real_kb, qid: str) -> None:  # type: ignore[no-untyped-def]
    answer = real_kb.ask(QUESTIONS[qid]["question"]).to_dict()
    assert answer["abstained"] and answer["citations"] == [] and answer["related"]


def test_floors_on_the_whole_question_set(real_kb) -> None:  # type: ignore[no-untyped-def]
    answerable = [q for q in QUESTIONS.values() if q.get("answerable", True) and q["kind"] != "lao"]
    unanswerable = [q for q in QUESTIONS.values() if not q.get("answerable", True)]
    hits = wrong_abstentions = 0
    for q in answerable:
        answer = real_kb.ask(q["question"]).to_dict()
        hits += any(_matches(c, q) for c in _top3(answer))
        wrong_abstentions += answer["abstained"]
    abstentions = sum(real_kb.ask(q["question"]).abstained for q in unanswerable)
    assert hits / len(answerable) >= 0.80  # 0.89 when last measured
    assert wrong_abstentions / len(answerable) <= 0.05  # 0.017 when last measured
    assert abstentions / len(unanswerable) >= 0.7  # 0.81 when last measured


def test_real_model_json_contract(real_kb) -> None:  # type: ignore[no-untyped-def]
    data = real_kb.ask("What is the monthly benefit of the mother and early childhood grant?").to_dict()
    assert list(data)[:4] == ["question", "answer", "abstained", "citations"]
    first = data["citations"][0]
    assert list(first)[:9] == ["n", "document_id", "title", "source", "doc_type", "page", "section", "text", "score"]
    assert first["source"] == "brief-mother-early-childhood-grant.html" and first["page"] is None


def test_scanned_page_is_cited_as_ocr(real_kb) -> None:  # type: ignore[no-untyped-def]
    q = QUESTIONS["q082"]
    answer = real_kb.ask(q["question"]).to_dict()
    scanned = [c for c in _top3(answer) if c["source"] == q["document"]]
    assert scanned and all(c["ocr"] is True and c["page"] == 1 for c in scanned)


def test_lao_question_is_answered_in_lao(real_kb) -> None:  # type: ignore[no-untyped-def]
    q = QUESTIONS["q077"]
    answer = real_kb.ask(q["question"]).to_dict()
    assert not answer["abstained"]
    assert answer["citations"][0]["source"] == "nsps-summary-lao.pdf"
    assert any("\u0e80" <= ch <= "\u0eff" for ch in answer["answer"])


def test_a_meetings_chair_and_venue_come_from_its_record(real_kb) -> None:  # type: ignore[no-untyped-def]
    chair = real_kb.ask("Who presided over the high-level commission meeting in February 2024?")
    assert chair.answer.startswith("Chair: Minister of Labour and Social Welfare")
    assert chair.citations[0].hit.document.source == "minutes-nspc-2024-02-21.docx"
    venue = real_kb.ask("Where did the commission meet in February 2024?")
    assert venue.answer.startswith("Venue: Thalat, Vientiane Province")


def test_when_a_decree_takes_effect_comes_from_its_article_on_entry_into_force(real_kb) -> None:  # type: ignore[no-untyped-def]
    effect = real_kb.ask("From when does the ministerial decree on the National Health Insurance Bureau apply?")
    assert effect.answer.startswith("This decree takes effect on the date of its signature")
    assert effect.citations[0].hit.document.source == "decree-scan-moh-1666-2013.pdf"
    # The strategy's decree is summarised without that article: its date of signature is no answer.
    refused = real_kb.ask("When did the Prime Minister's decree endorsing the strategy enter into force?")
    assert refused.abstained and refused.reason == "No passage says when it takes effect."


def test_the_date_of_another_event_is_no_answer(real_kb) -> None:  # type: ignore[no-untyped-def]
    # The brief says when the pilot started and was launched, never when it ends; nor does the review say when
    # the Lao Social Security Organisation was set up (it dates an instruction the organisation issued).
    assert real_kb.ask("On what date is the MECG pilot scheduled to end?").abstained
    assert real_kb.ask("When was the Lao Social Security Organisation set up?").abstained
    # "Set up" is searched for as "established" too: the review's governance passage answers.
    commission = real_kb.ask("When was the commission set up?")
    assert commission.answer.startswith("The National Social Protection Commission was established on 9 December 2021")
    started = real_kb.ask("When did the MECG pilot start?")
    assert not started.abstained and "June 2021" in started.answer


def test_a_figure_for_another_district_is_no_answer(real_kb) -> None:  # type: ignore[no-untyped-def]
    # The brief counts the first payment's beneficiaries in Sanamxay district only.
    nong = real_kb.ask("How many beneficiaries were enrolled in Nong district when the first MECG payments were made?")
    assert nong.abstained and nong.reason == "No passage about Nong district gives a number of beneficiaries."
    sanamxay = real_kb.ask("How many beneficiaries were enrolled in Sanamxay district at the first payment?")
    assert "982 beneficiaries" in sanamxay.answer


def test_which_provinces_wants_them_named(real_kb) -> None:  # type: ignore[no-untyped-def]
    # The review visited "three provinces (illustrative)" without naming them; the note names WFP's first three.
    visited = real_kb.ask("Which three provinces did the mid-term review team visit?")
    assert visited.abstained and visited.reason == "No passage names any province."
    first = real_kb.ask("In which provinces did WFP's school meals start out?")
    assert "Phongsaly" in first.answer


def test_a_name_asked_for_is_a_persons(real_kb) -> None:  # type: ignore[no-untyped-def]
    # The commission's minutes give the chair's office, not the minister's name; the decree's summary names the
    # UN Resident Coordinator.
    minister = real_kb.ask("What is the name of the Minister of Labour who chaired the Commission meeting in Thalat?")
    assert minister.abstained and minister.reason == "No passage gives a person's name."
    coordinator = real_kb.ask("What was the name of the UN Resident Coordinator who spoke at the launch of the strategy?")
    assert "Sara Sekkenes" in coordinator.answer


def test_a_target_is_not_the_number_enrolled(real_kb) -> None:  # type: ignore[no-untyped-def]
    # The brief gives the pilot's aim in children and the pregnant women enrolled at the first payment only.
    assert real_kb.ask("How many pregnant women is the MECG pilot aiming to reach?").abstained
    assert "1,400 children" in real_kb.ask("How many children is the MECG pilot meant to reach?").answer


def test_a_meetings_observers_come_from_its_record(real_kb) -> None:  # type: ignore[no-untyped-def]
    answer = real_kb.ask("Which development partners sat in as observers at the Commission's meeting in February 2024?")
    assert answer.answer.startswith("Observers: ILO, UNICEF, WFP, UNCDF and the Australian Embassy")


def test_floors_on_the_independent_question_sets(real_kb) -> None:  # type: ignore[no-untyped-def]
    # dev6 to dev11 were written by helpers who never saw questions.yaml; dev6 and dev7 were developed on in the
    # sixth session, dev8 to dev10 in the seventh, dev11 in the eighth (each measured fresh first, see
    # docs/benchmarks.md). A new set for a fresh measure stays out of the tests until it has been measured.
    from kb.eval_questions import first_hit_rank, load_questions

    data = Path(__file__).parent / "data"
    questions = [q for name in ("dev6", "dev7", "dev8", "dev9", "dev10", "dev11") for q in load_questions(data / f"{name}.yaml")]
    answerable = [q for q in questions if q.answerable]
    answers = {q.id: real_kb.ask(q.question) for q in questions}
    hits = sum(1 for q in answerable if (r := first_hit_rank(q, [c.hit for c in answers[q.id].citations])) and r <= 3)
    wrong_abstentions = sum(answers[q.id].abstained for q in answerable)
    abstentions = sum(answers[q.id].abstained for q in questions if not q.answerable)
    assert hits / len(answerable) >= 0.9  # 0.977 when last measured
    assert wrong_abstentions / len(answerable) <= 0.05  # 0.018 when last measured
    assert abstentions / (len(questions) - len(answerable)) >= 0.85  # 0.914 when last measured


def test_an_acronym_is_searched_by_the_long_form_the_library_defines(real_kb) -> None:  # type: ignore[no-untyped-def]
    assert real_kb.acronyms()["NSPC"] == "National Social Protection Commission"
    # The review says "The National Social Protection Commission was established on 9 December 2021", never "NSPC".
    answer = real_kb.ask("According to the mid-term review, on what date was the NSPC actually created?")
    assert "9 December 2021" in answer.answer and answer.citations[0].hit.document.source.endswith("review-2024.pdf")


def test_a_question_naming_the_lao_summary_is_answered_from_it(real_kb) -> None:  # type: ignore[no-untyped-def]
    answer = real_kb.ask("What health insurance coverage rate for 2023 is reported in the Lao-language summary of the strategy?")
    assert answer.citations[0].hit.document.source.endswith("nsps-summary-lao.pdf") and "94%" in answer.answer


def test_an_allowance_for_another_kind_and_a_meeting_only_announced_are_refused(real_kb) -> None:  # type: ignore[no-untyped-def]
    minibus = real_kb.ask("What is the monthly fuel allowance for one of the ministry's minibuses?")
    assert minibus.abstained and minibus.reason == (
        "The allowance is given for a pick-up truck and a saloon car, not for one of the ministry's minibuses."
    )
    saloon = real_kb.ask("What is the monthly fuel allowance for a saloon car?")
    assert "180 litres for a saloon car" in saloon.answer
    later = real_kb.ask("What decisions were taken at the NSPC high-level meeting held in the second half of 2024?")
    assert later.abstained and later.reason == "No passage records what that meeting did; it is only announced."
