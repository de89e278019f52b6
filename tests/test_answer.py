"""The answer layer's general mechanisms: the question's frame, answer units, what a text gives, the general
refusal check, the reader's model file, and how an answer is put together from the reader's probabilities.

Answer quality itself is asserted as floors on question sets (tests/test_e2e.py), never here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import reading_of

from kb.answer import ABSTAIN_MESSAGE, AnswerParams, build_answer
from kb.lexical import tokenize
from kb.read.abstain import counted_unmentioned, is_written, missing_specifics, unmentioned_words, year_unspoken
from kb.read.evidence import gives
from kb.read.features import FEATURES
from kb.read.frame import read_question, unnamed
from kb.read.kinds import answer_types
from kb.read.scorer import LinearReader, answer_probability
from kb.read.sources import sources_not_held
from kb.read.units import passage_units
from kb.types import Chunk, Document, Hit

DOC = Document("d", "review.pdf", "Review of the Programme", doc_type="review", date="2024-02-28")


def _hit(text: str, *, ordinal: int = 0, score: float = 1.0, section: str | None = None, doc: Document = DOC) -> Hit:
    return Hit(Chunk(doc.id, ordinal, text, 3, section, 0, len(text)), doc, score, dense=0.5)


# -- the frame -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many districts does the pilot cover?", {"number"}),
        ("What share of workers are informal?", {"percent"}),
        ("What percentage of the population had insurance in 2023?", {"percent"}),
        ("How much did the government spend on the grant?", {"amount"}),
        ("When was the commission set up?", {"date"}),
        ("By when must the report be delivered?", {"date"}),
        ("How often does the working group meet?", {"frequency"}),
        ("How long does the pilot last?", {"duration"}),
        ("Which ministry leads on school meals?", {"organisation"}),
        ("Who chairs the commission?", {"person", "organisation"}),
        ("In which provinces did the programme start?", {"place"}),
        ("Why is the fund at risk?", {"reason"}),
        ("What does the strategy say about school meals?", set()),
        # A measure noun a few words after "what" asks for its measure where its noun phrase ends, not as a modifier.
        ("What is the total budget, in euros, of the project?", {"amount"}),
        ("What contribution rate will employers pay?", {"percent", "rate"}),
        ("What are the three benefit packages?", set()),
        # A limit or a target is a figure or a date; "the target group" is neither.
        ("What is the 2030 target for pension coverage?", {"number", "date"}),
        ("What is the maximum length of a title?", {"number", "date"}),
        ("What is the target group of the grant?", set()),
        ("What is the maximum share of the budget spent on salaries?", {"percent"}),
        # How much something changed, or how much of a whole: an amount or a share.
        ("By how much did water tariffs rise in 2018?", {"amount", "percent"}),
        ("How much of the budget went to salaries?", {"amount", "percent"}),
        # A name's possessive, or a verb "to be" and three words, before the measure noun.
        ("What was the pension's average replacement rate in 2020?", {"percent", "rate"}),
        ("What was the monthly electricity tariff per household?", {"amount"}),
        ("Which pupils get the daily meal benefit under the pilot?", set()),
    ],
)
def test_the_expected_answer_type_comes_from_the_wh_phrase(question: str, expected: set[str]) -> None:
    assert answer_types(question) == expected


def test_a_percent_sign_asks_a_share_only_standing_as_one() -> None:
    assert answer_types("What % of households are poor?") == {"percent"}
    assert "percent" in answer_types("Which districts are above 50%?")
    assert "percent" in answer_types("How large are energy subsidies (% of GDP)?")
    for question in ("What goes in a %top block, compared with %{ %}?", "Why does it keep the %-style format?",
                     "What is the difference between %s and %x?"):
        assert "percent" not in answer_types(question), question


def test_a_rate_is_a_share_or_so_much_per_unit() -> None:
    assert {"percent", "rate"} <= answer_types("What was the fertility rate in 1990?")
    for text in ("It fell to 3.1 births per woman.", "Labour is costed at $70 per hour.", "about 12:1", "7 per cent"):
        assert gives("rate", text), text
    assert not gives("rate", "The rate fell sharply in 1995.")
    assert not gives("percent", "It fell to 3.1 births per woman.")


def test_a_version_asked_for_is_a_release_number_a_year_or_a_named_release() -> None:
    for question in ("Which release of the tool first shipped the converter?", "In which Zeta.js version was .trim() added?",
                     "What minimum Python version does the installer need?"):
        assert answer_types(question) == {"version"}, question
    assert "version" not in answer_types("Which press release announced the grant?")
    assert "version" not in answer_types("What do the release notes of 2.0 say about plugins?")
    assert "version" not in answer_types("Which version control systems does the tool read?")
    assert "version" not in answer_types("How can I find out which version of the tool I run?")
    for text in ("added in zeta-2.31", "software P4.1.2 must be installed", "Version: 3, in force from May",
                 "since v12", "the 2019 revision", "up to the Tern release"):
        assert gives("version", text), text
    for text in ("A converter is shipped with the package.", "It supports 64 bit integers.", "the release of funds"):
        assert not gives("version", text), text


def test_an_identifier_is_one_name_and_a_date_written_year_first_gives_its_year() -> None:
    frame = read_question("Who reported CVE-2019-10101 against the Zeta library?")
    assert "CVE-2019-10101" in frame.names and frame.years == () and frame.figures == ()
    assert is_written("CVE-2019-10101", "fixed CVE‑2019‑10101, a race") and is_written("2019-22-07", "AD 2019–22–07")
    dated = read_question("What does the parser return for 2017-04-09T10:11:12Z?")
    assert dated.years == ("2017",) and dated.figures == ()


def test_a_reference_to_a_part_of_the_document_is_no_name_and_its_number_no_figure() -> None:
    frame = read_question("How many clinics opened in 2022, according to Table 4?")
    assert frame.names == () and frame.figures == () and frame.years == ("2022",)
    assert read_question("What does Annex 2 of the Harbour Act require?").names == ("Harbour Act",)


def test_names_are_what_the_question_writes_as_names_not_its_first_word() -> None:
    frame = read_question("What did the Ministry of Finance promise in Punjab in 2024?")
    assert "What" not in frame.names and frame.years == ("2024",)
    assert any("Punjab" in n for n in frame.names)
    assert read_question("Did coverage reach its target in 2014-15?").figures == ()  # "15" belongs to the year
    assert read_question("How many of the remaining 915 schools were handed over?").figures == ("915",)
    assert "ID" in read_question("What kind of ID do members need?").names  # an acronym is a name too …
    # An amount with its currency code glued on asks for the amount, never for the tail of its digits.
    coded = read_question("How many children received the UZS500,000 payment?")
    assert coded.figures == ("500,000",) and coded.names == ()
    # A span the small model takes for an entity is no name unless it is written as one.
    assert not any(n.islower() for n in read_question("How big was the fund, in so'm and dollars?").names)
    # Quotation marks around a name are not part of it.
    assert "Field Notes" in read_question("What opens the 'Field Notes' chapter?").names
    # A word capitalised only because it opens the question is no name.
    assert "Worldwide" not in read_question("Worldwide, how many more hours do women spend on care?").names


@pytest.mark.parametrize(
    "question",
    [
        "What does Recommendation R3 ask the Treasury to do with small programmes?",
        "When was the Women's Committee of the Region first set up, and how is it funded?",
        "By what year were the Ministries of Health and Finance supposed to agree on funding?",
        "When was the first payment made in Tana district?",
    ],
)
def test_a_name_holds_no_lower_case_word_but_a_noun_or_a_joining_word(question: str) -> None:
    names = read_question(question).names
    assert names
    allowed = {"of", "and", "the", "for", "on", "in", "to", "district"}
    assert all(w in allowed for n in names for w in n.split() if w[:1].islower()), names


def test_a_longer_names_capitalised_words_are_written_in_either_number_its_others_as_written() -> None:
    assert is_written("Ministries of Health and Finance", "the Ministry of Health and the Ministry of Finance")
    assert is_written("Recommendation R1", "Recommendations. R1: cards for all by 2025.")
    assert not is_written("Recommendation R1", "Recommendations. R2: cards for all by 2025.")
    assert not is_written("Tana district", "Tana province and its districts")


def test_a_name_misspelt_by_one_letter_or_a_longer_word_it_begins_is_written() -> None:
    assert is_written("Kyrgyzstan", "the Kyrgystan census")  # one letter left out
    assert is_written("Article 12 of the Constitution of Ruritania", "Constitutional rights of Ruritania: Article 12")
    assert not is_written("Ruritania", "the Ruritian border")  # two letters off
    assert not is_written("Tana", "Tena district")  # too short to call a slip


def test_the_unnamed_question_keeps_what_is_asked_and_drops_who_and_when() -> None:
    frame = read_question("How many staff did the Water Board of Punjab employ in 2024?")
    left = unnamed(frame)
    assert "2024" not in left and "Punjab" not in left and "Water Board" not in left
    assert all(word in left for word in ("How many", "staff", "employ"))
    # A figure is taken out as well, and a question with no name is left as it is.
    assert "915" not in unnamed(read_question("When were the remaining 915 schools handed over?"))
    plain = "What does the strategy say about school meals?"
    assert unnamed(read_question(plain)) == plain


def test_a_lao_question_and_a_language_named_as_source() -> None:
    lao = read_question("ຍຸດທະສາດນີ້ມີຈັກເສົາຄ້ຳ?")
    assert lao.language == "lo" and lao.answer_types == frozenset() and lao.names == ()
    assert read_question("What rate is given in the Lao-language summary?").language_named == "lo"
    assert read_question("What rate is given in the summary?").language_named is None


# -- answer units ----------------------------------------------------------------------------------------


def test_an_item_is_quoted_with_its_lead_and_deadline_lines() -> None:
    text = (
        "5 Recommendations\n"
        "R3. Bring the technology ministry into the design of the registry.\n"
        "Lead: Ministry of Technology and Communications\n"
        "Deadline: 31 December 2025\n"
        "R4. Publish an annual report.\n"
        "Deadline: 30 June 2024"
    )
    units = passage_units(Chunk("d", 0, text, 1, "5 Recommendations", 0, len(text)))
    quotes = [u.quote(Chunk("d", 0, text, 1, None, 0, len(text))) for u in units]
    assert quotes[0].startswith("R3. Bring the technology ministry") and "Deadline: 31 December 2025" in quotes[0]
    assert "Lead: Ministry of Technology" in quotes[0]
    assert quotes[1] == "R4. Publish an annual report. Deadline: 30 June 2024"
    assert not any(q.startswith(("Deadline", "Lead")) for q in quotes)  # never a bare field line


def test_a_paragraph_with_field_lines_is_one_record_and_a_bare_field_at_a_passage_start_is_none() -> None:
    text = "Strengthen the registry so that every household is counted.\nResponsible: Statistics Office\nDue: Q3 2024"
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    (unit,) = passage_units(chunk)
    assert unit.kind == "record" and unit.quote(chunk).endswith("Due: Q3 2024")
    cut = "Deadline: 30 June 2025.\n\nThe next section reviews the financing of the scheme in detail."
    units = passage_units(Chunk("d", 4, cut, 1, None, 0, len(cut)))
    assert [u.kind for u in units] == ["sentence"]


def test_the_paragraph_after_a_list_is_not_part_of_its_last_item() -> None:
    text = (
        "The goals are:\n• Health insurance is extended\nto every district.\n• Welfare is improved.\n"
        "The first goal is led by MoH."
    )
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    quotes = [u.quote(chunk) for u in passage_units(chunk)]
    assert quotes[1] == "• Health insurance is extended to every district."  # a wrapped item stays whole
    assert quotes[2] == "• Welfare is improved." and quotes[3] == "The first goal is led by MoH."


def test_a_sentence_the_passage_cuts_off_is_not_a_unit() -> None:
    text = "The plan covers everyone. The project will work with the Ministry of"
    chunk = Chunk("d", 1, text, 1, None, 0, len(text))
    assert [u.text(chunk) for u in passage_units(chunk)] == ["The plan covers everyone."]
    # Nor is the tail of a bracket the passage's start cut into, wherever the passage starts.
    tail = "High event), the software limits each activation. The crew keeps (always) control."
    chunk = Chunk("d", 0, tail, 1, None, 0, len(tail))
    assert [u.text(chunk) for u in passage_units(chunk)] == ["The crew keeps (always) control."]


def test_a_run_of_the_same_few_words_is_not_a_unit() -> None:
    text = "weight weight weight weight slant slant width width width\n\nThe bold weight is 200."
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    assert [u.text(chunk) for u in passage_units(chunk)] == ["The bold weight is 200."]


def test_a_line_ending_in_a_dot_leader_is_not_a_unit() -> None:
    text = "Cost of the inspection .......................\n\nThe inspection takes one work-hour at $85 an hour."
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    assert [u.text(chunk) for u in passage_units(chunk)] == ["The inspection takes one work-hour at $85 an hour."]


def test_a_group_label_row_is_not_a_unit() -> None:
    text = "Scheme | Value | Cost\nScenario 1 | | \nChild benefit | 200 | 0.5%"
    chunk = Chunk("d", 0, text, 2, None, 0, len(text), table_header="Scheme | Value | Cost")
    assert [u.text(chunk) for u in passage_units(chunk)] == ["Child benefit | 200 | 0.5%"]


def test_an_aside_that_wraps_stays_with_its_item() -> None:
    text = "R1. Close the gaps in coverage first. (Responsible: Ministry of Health.\nDeadline: 31 December 2024.)\nR2. Next."
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    assert passage_units(chunk)[0].quote(chunk).endswith("(Responsible: Ministry of Health. Deadline: 31 December 2024.)")


def test_a_narrow_columns_short_lines_are_one_sentence_not_headings() -> None:
    text = "The Labour Code further provides for parental\nleave of up to three years, along with reduced\nworking hours."
    (unit,) = passage_units(Chunk("d", 0, text, 1, None, 0, len(text)))
    assert unit.text(Chunk("d", 0, text, 1, None, 0, len(text))).startswith("The Labour Code further provides")


def test_a_column_line_with_a_sentence_end_inside_is_prose_not_a_heading() -> None:
    text = (
        "Employers may not refuse work to women with\nmany children. The Labour\nCode further provides for parental leave."
    )
    chunk = Chunk("d", 0, text, 1, None, 0, len(text))
    quotes = [u.text(chunk) for u in passage_units(chunk)]
    assert quotes == [
        "Employers may not refuse work to women with many children.",
        "The Labour Code further provides for parental leave.",
    ]
    wrapped = "The software would limit the number\nof activations to one per high\nAOA event, and limit each one."
    chunk = Chunk("d", 0, wrapped, 1, None, 0, len(wrapped))
    assert [u.text(chunk) for u in passage_units(chunk)] == [" ".join(wrapped.split())]
    heading = "Section 2. Scope\nThe plan covers everyone."
    chunk = Chunk("d", 0, heading, 1, None, 0, len(heading))
    assert [u.text(chunk) for u in passage_units(chunk)] == ["The plan covers everyone."]
    # A line that ends on "was" goes on, though a figure starts the next: no heading over "50 per cent".
    figure = "(ibid). The rate of unemployment among women was\n50 per cent higher than among men.\nPrices rose."
    chunk = Chunk("d", 0, figure, 1, None, 0, len(figure))
    assert [u.text(chunk) for u in passage_units(chunk)] == [
        "The rate of unemployment among women was 50 per cent higher than among men.", "Prices rose."]


def test_header_fields_of_a_record_are_units_of_their_own() -> None:
    text = "Date: 21 February 2024\nVenue: Meeting room 2\n\nThe meeting opened at nine with a review of actions."
    units = passage_units(Chunk("d", 0, text, None, None, 0, len(text)))
    assert [u.kind for u in units] == ["field", "field", "sentence"]


def test_a_title_in_capitals_is_no_answer_unit_though_no_heading_marks_it() -> None:
    # A box's label took the title under it as a caption, so the title is in no heading list; it still answers nothing.
    text = "BOX 3.1\nHOUSING AND UTILITY SUBSIDY PROGRAM\nThe subsidy covered 44 percent of households by 2016."
    chunk = Chunk("d", 0, text, 54, "3.3 Background", 0, len(text))
    assert [u.quote(chunk) for u in passage_units(chunk)] == ["The subsidy covered 44 percent of households by 2016."]


def test_a_table_row_is_a_unit_under_its_header_and_the_header_alone_is_none() -> None:
    text = "Table 2. Actions agreed.\nAction | Responsible | Due date\nShare the data | Budget Department | 15 December 2023"
    chunk = Chunk("d", 0, text, 2, None, 0, len(text))
    units = passage_units(chunk)
    rows = [u for u in units if u.kind == "row"]
    assert len(rows) == 1 and rows[0].context(chunk).startswith("Action | Responsible | Due date\n")
    assert rows[0].quote(chunk).endswith("(columns: Action | Responsible | Due date)")


def test_sentences_split_but_an_aside_rides_with_its_sentence_and_headings_are_dropped() -> None:
    text = (
        "2 Coverage\nHealth insurance covers 94% of people. Decree No. 470/PM set the premium. Close the gaps first. "
        "(Responsible: MoH. Deadline: 2024.)"
    )
    chunk = Chunk("d", 0, text, 2, "2 Coverage", 0, len(text))
    quotes = [u.quote(chunk) for u in passage_units(chunk)]
    assert quotes == [
        "Health insurance covers 94% of people.",
        "Decree No. 470/PM set the premium.",
        "Close the gaps first. (Responsible: MoH. Deadline: 2024.)",
    ]


def test_the_passages_own_heading_ends_its_line_though_it_ends_on_a_small_word() -> None:
    text = "2.3 Where the fund comes from\nMost of the fund is paid by employers. The rest comes from the state budget."
    chunk = Chunk("d", 0, text, 1, "2.3 Where the fund comes from", 0, len(text))
    assert [u.text(chunk) for u in passage_units(chunk)] == [
        "Most of the fund is paid by employers.", "The rest comes from the state budget."]


def test_a_version_or_volume_abbreviation_does_not_end_a_sentence() -> None:
    text = "Copies fall under the Licence, v. 2 or later, and the guide, vol. 3 of the series. Both are free."
    chunk = Chunk("d", 0, text, 2, None, 0, len(text))
    assert [u.quote(chunk) for u in passage_units(chunk)] == [
        "Copies fall under the Licence, v. 2 or later, and the guide, vol. 3 of the series.", "Both are free."]


def test_a_caption_is_no_unit_but_a_sentence_about_a_table_is() -> None:
    text = ("Table A1. Budget, owners and years of each task.\nFIGURE 3.3 Incidence of subsidies by decile, 2012\n"
            "Table 2 shows that coverage rose to 40 per cent by 2023.")
    chunk = Chunk("d", 0, text, 2, None, 0, len(text))
    assert [u.quote(chunk) for u in passage_units(chunk)] == ["Table 2 shows that coverage rose to 40 per cent by 2023."]


# -- what a text gives ------------------------------------------------------------------------------------


def test_answer_type_evidence_in_text() -> None:
    assert gives("percent", "Coverage rose to 94 per cent.") and not gives("percent", "Coverage rose sharply.")
    assert gives("amount", "The grant pays KES 1,500 a month.") and gives("amount", "It costs $2.5 million.")
    assert gives("date", "It was signed on 1 April 2020.") and not gives("date", "It was signed by the minister.")
    assert gives("frequency", "The group meets every three months.") and gives("frequency", "Reports are quarterly.")
    assert gives("duration", "The pilot runs for 24 months.")
    assert gives("number", "It reached 1,400 children.") and not gives("number", "See R5 and Article 3 of 2020.")
    assert gives("number", "The wage gap was 37.5 per cent.") and gives("number", "Prices rose 4.5% in 2020.")
    assert not gives("number", "See sections 2.1 and 3.4.2 of the 2020 report.")
    assert gives("reason", "Payments fell because transfers arrived late.")


# -- the general refusal check ----------------------------------------------------------------------------


def test_a_question_none_of_whose_words_a_passage_holds_is_refused_unless_the_languages_differ() -> None:
    from dataclasses import replace

    hits = [_hit("The Ministry of Health distributed identity cards to 12,000 households.")]
    nonsense = read_question("zebra xylophone quasar marmalade")
    assert unmentioned_words(nonsense, hits) == ["zebra", "xylophone", "quasar", "marmalade"]
    assert unmentioned_words(read_question("Who handed out the cards?"), hits) == []  # "cards" is read
    scored = [replace(hits[0], keyword=1.2)]  # the keyword leg found one of its words: nothing to check
    assert unmentioned_words(nonsense, scored) == []
    lao = [replace(hits[0], chunk=replace(hits[0].chunk, language="lo"))]
    assert unmentioned_words(nonsense, lao) == []


def test_a_name_year_or_figure_no_passage_holds_is_missing_but_an_acronym_never_is() -> None:
    hits = [_hit("The Ministry of Health distributed identity cards to 12,000 households in Kerala province.")]
    assert missing_specifics(read_question("How many cards went to households in Punjab province?"), hits) == ["Punjab"]
    assert missing_specifics(read_question("How many cards were given out in 2019?"), hits) == ["2019"]
    assert missing_specifics(read_question("Which ID card did the 12000 households get?"), hits) == []
    assert missing_specifics(read_question("What kind of ID do households need?"), hits) == []
    # The year of the document itself, and a long name whose words are all in the passage, count as held.
    assert missing_specifics(read_question("What did the 2024 review say about cards in Kerala?"), hits) == []
    assert missing_specifics(read_question("What did the Health Ministry distribute?"), hits) == []
    # A name is written several ways: an apostrophe's form, a demonym that begins the country's name.
    held = [_hit("The Women’s Committee of Tajikistan met in Dushanbe.")]
    assert missing_specifics(read_question("What did the Women's Committee ask of Tajik families?"), held) == []
    # A name is written by the acronym the library defines for it, and by no other acronym.
    later = [_hit("In 2018 the WRB opened a hotline for farmers.")]
    question = read_question("What hotline did the Water Resources Board open in 2018?")
    assert missing_specifics(question, later) == ["Water Resources Board"]
    assert missing_specifics(question, later, acronyms={"WRB": "Water Resources Board"}) == []
    assert missing_specifics(question, later, acronyms={"WRB": "World Rice Bank"}) == ["Water Resources Board"]
    # A passage holds what the numbered headings above its section say: a case study's "3.1.1 Background" is
    # about the town its "3.1" names.
    from dataclasses import replace

    background = _hit("In May 2018 tariffs rose by 10 percent.", section="3.1.1 Background")
    question = read_question("By how much did Riverton raise tariffs in May 2018?")
    assert missing_specifics(question, [background]) == ["Riverton"]
    under = replace(background, chunk=replace(background.chunk, parent="3.1 Water Tariff Reforms in Riverton"))
    assert missing_specifics(question, [under]) == []


# A name written another common way, a question the passage holds that way, and one naming another the passage does
# not hold (with what is missing, when it is asserted exactly): a month as a numeric date's month, a hyphenated
# modifier left off, an acronym spelled out beside the name's other words, a code spelled out before its number, two
# names a hyphen joins, a logo whose letters the PDF set apart, a version number.
_WRITTEN_ANOTHER_WAY = [
    ("Acme Corp | Palo Alto | 1/26/2016 | 170 | Permanent Layoff",
     "Which firm laid off 170 in Palo Alto in January 2016?", "Which firm laid off 170 in Palo Alto in March 2016?",
     ["March"]),
    ("The proposed AD would affect 74 airplanes of U.S. registry.",
     "How many U.S.-registered airplanes does it affect?", "How many Canada-registered airplanes does it affect?", None),
    ("The Technical Working Group on Social Protection met in November 2023.",
     "When did the Social Protection TWG meet in November 2023?", "When did the Social Health TWG meet?",
     ["Social Health TWG"]),
    ("The ILO is comparing both laws with Convention No. 102.",
     "Who compares the laws with C102?", "Who compares the laws with C118?", ["C118"]),
    ("Jobs were found with the Ministry of Employment for 400 women.",
     "How many jobs came through the XYZ-Ministry of Employment scheme?",
     "How many jobs came through the XYZ-Ministry of Health scheme?", None),
    ("The X Y T EX2 Project was founded by the Zeta Group in 1995.",
     "When was the XyTeX2 project founded?", "When was the XyTeX3 project founded?", None),
    ("Licensed under the Zeta Licence, Version 2.0, you may not use this file except in compliance.",
     "Under Zeta 2.0, may I use this file?", "Under Zeta 3.1, may I use this file?", None),
]


@pytest.mark.parametrize(("passage", "held", "other", "missing"), _WRITTEN_ANOTHER_WAY)
def test_a_name_is_held_when_the_passage_writes_it_another_common_way(
    passage: str, held: str, other: str, missing: list[str] | None
) -> None:
    hits = [_hit(passage)]
    assert missing_specifics(read_question(held), hits) == []
    found = missing_specifics(read_question(other), hits)
    assert found == missing if missing is not None else found != []


def test_a_kind_word_that_qualifies_another_noun_names_no_source() -> None:
    assert sources_not_held("How large was the fund in the box on family-friendly policy responses?", ["Zeta 2023"], []) == []
    passages = ["The Zeta Fund was set up in March 2020."]
    assert sources_not_held("What did the 2019 annual policy say?", ["Zeta 2023"], passages) != []


def test_a_fiscal_year_written_as_a_short_span_is_a_span_of_its_two_years() -> None:
    fiscal = [_hit("After the 2014–15 reforms the subsidy bill fell to 1.2 per cent of GDP.")]
    both = [_hit("Tariffs rose in 2014 and again in 2015.")]
    assert read_question("What did the 2014-15 reforms do?").years == ("2014–2015",)
    assert missing_specifics(read_question("What happened to the bill after the 2014-15 reforms?"), fiscal) == []
    assert missing_specifics(read_question("What happened to tariffs in 2014/15?"), both) == []
    assert missing_specifics(read_question("What did the bill reach in 2014?"), fiscal) == []
    assert missing_specifics(read_question("What did the bill reach in 2016?"), fiscal) == ["2016"]


def test_a_date_is_not_a_name_or_a_figure_the_question_insists_on() -> None:
    # "Nov", "28" and "7/1/2015" are a date's parts, written many ways ("28 November 2023"); the year stays.
    frame = read_question("Who chaired the working group of the SP Board on 28 Nov 2023?")
    assert frame.years == ("2023",) and frame.figures == () and "November" in frame.names
    held = [_hit("The SP Board's working group met on 28 November 2023, chaired by its deputy.")]
    assert missing_specifics(frame, held) == []
    assert missing_specifics(read_question("What did the SP Board decide in April 2023?"), held) == ["April"]
    assert missing_specifics(read_question("What may the SP Board decide in May 2023?"), held) == ["May"]
    frame = read_question("How many notices were filed from 7/1/2015 to 3/25/2016 in Fresno?")
    assert frame.names == ("Fresno",) and frame.figures == () and set(frame.years) == {"2015", "2016"}
    assert read_question("What did the November TWG decide for 25 districts?").figures == ("25",)


def test_a_source_the_library_lacks_is_named_unless_a_passage_speaks_of_it() -> None:
    titles = ["Energy Subsidy Reform: Case Studies"]
    question = "Were households in the 2015 study willing to pay more?"
    assert sources_not_held(question, titles) == ["2015 study"]
    assert sources_not_held(question, titles, ["The 2015 qualitative study revealed concerns about quality."]) == []
    assert sources_not_held(question, titles, ["Preparing the 2026-2030 strategy starts after the 2015 study."]) == []
    # Its distinguishing words far from its kind word speak of something else.
    far = "A study of tariffs is planned. " + "Prices rose sharply over the winter months in most regions. " * 2 + "In 2015 …"
    assert sources_not_held(question, titles, [far]) == ["2015 study"]
    # A hyphenated distinguishing word is reported in other words too.
    survey = "What share goes to the poor, according to the 32-country review?"
    assert sources_not_held(survey, titles, ["A review of 32 countries found that a fifth goes to the poor."]) == []


# -- the model file ---------------------------------------------------------------------------------------


def test_the_reader_round_trips_and_refuses_weights_for_other_features(tmp_path: Path) -> None:
    from kb.errors import ConfigError

    reader = LinearReader(weights=np.arange(len(FEATURES), dtype=float) / 10, threshold=0.42, info={"k": 1})
    path = tmp_path / "w.json"
    reader.save(path)
    loaded = LinearReader.load(path)
    assert loaded.threshold == 0.42 and np.allclose(loaded.weights, reader.weights)
    path.write_text(path.read_text().replace('"cosine"', '"something_else"', 1))
    with pytest.raises(ConfigError, match="other features"):
        LinearReader.load(path)
    assert LinearReader.load().threshold > 0  # the committed weights load


def test_no_answer_is_the_product_of_the_best_units_no() -> None:
    assert answer_probability(np.array([0.5, 0.5, 0.0, 0.9])) == pytest.approx(1 - 0.1 * 0.5 * 0.5)
    assert answer_probability(np.array([])) == 0.0


# -- putting the answer together --------------------------------------------------------------------------




def test_the_answer_quotes_the_likeliest_unit_and_cites_its_passage_first() -> None:
    hits = [
        _hit("Coverage grew steadily. The scheme covers 94% of people.", ordinal=0, score=1.0),
        _hit("R2. Extend the scheme to informal workers.\nDeadline: 30 June 2025", ordinal=5, score=0.9),
        _hit("An unrelated passage about vehicles and fuel use.", ordinal=9, score=0.8),
        _hit("Another unrelated passage about office supplies.", ordinal=12, score=0.7),
    ]
    reading = reading_of("By when should the scheme reach informal workers?", hits, {"R2.": 0.9, "The scheme": 0.3})
    answer = build_answer(reading, AnswerParams(threshold=0.5))
    assert not answer.abstained
    assert answer.answer == "R2. Extend the scheme to informal workers. Deadline: 30 June 2025 [1]"
    # Quoted first, then the search's best up to three sources; the rest under the bar is related reading.
    assert [c.hit for c in answer.citations] == [hits[1], hits[0], hits[2]]
    assert [c.hit for c in answer.related] == [hits[3]]
    text = hits[1].chunk.text
    assert [text[s:e] for s, e in answer.citations[0].highlights] == ["R2. Extend the scheme to informal workers.",
                                                                     "Deadline: 30 June 2025"]


def test_a_close_second_unit_is_quoted_and_a_list_is_quoted_whole() -> None:
    hits = [_hit("The strategy has three pillars:\n• Health insurance.\n• Social security.\n• Social welfare.")]
    answer = build_answer(reading_of("What are the pillars?", hits, {"The strategy": 0.8}), AnswerParams(threshold=0.5))
    assert answer.answer.count("[1]") == 4 and "• Social welfare. [1]" in answer.answer
    two = [_hit("Premiums are paid monthly. Members pay 5.5% of salary.")]
    both = build_answer(reading_of("How much do members pay?", two, {"Members": 0.9, "Premiums": 0.7}),
                        AnswerParams(threshold=0.5))
    # Two neighbouring sentences are one excerpt, quoted in the order they are written; sentences apart keep the
    # reader's order, the likeliest first.
    assert both.answer == "Premiums are paid monthly. [1] Members pay 5.5% of salary. [1]"
    apart = [_hit("Premiums are paid monthly. The office opens at eight. Members pay 5.5% of salary.")]
    ranked = build_answer(reading_of("How much do members pay?", apart, {"Members": 0.9, "Premiums": 0.7}),
                          AnswerParams(threshold=0.5))
    assert ranked.answer == "Members pay 5.5% of salary. [1] Premiums are paid monthly. [1]"


def test_a_unit_giving_the_date_asked_for_is_quoted_when_the_lead_gives_none() -> None:
    hits = [_hit("The fund will help farmers in every district. It opens to applicants in March 2026.")]
    question = "When does the fund open to applicants?"
    likely = build_answer(reading_of(question, hits, {"The fund": 0.9, "It opens": 0.4}), AnswerParams(threshold=0.3))
    assert likely.answer == "The fund will help farmers in every district. [1] It opens to applicants in March 2026. [1]"
    # Too unlikely beside the lead, it is not quoted; nor is one when the lead gives a date itself.
    unlikely = build_answer(reading_of(question, hits, {"The fund": 0.9, "It opens": 0.2}), AnswerParams(threshold=0.1))
    assert "March 2026" not in unlikely.answer
    dated = [_hit("The fund opens in May 2026. It was announced in March 2025.")]
    lead = build_answer(reading_of(question, dated, {"The fund": 0.9, "It was": 0.4}), AnswerParams(threshold=0.3))
    assert lead.answer == "The fund opens in May 2026. [1]"


def test_a_refusal_says_why() -> None:
    hits = [_hit("The scheme covers 94% of people in Kerala province.")]
    weak = build_answer(reading_of("What share of people does the scheme cover?", hits, {"The": 0.2}),
                        AnswerParams(threshold=0.5))
    assert weak.abstained and weak.citations == [] and [c.hit for c in weak.related] == hits
    assert weak.answer == f"{ABSTAIN_MESSAGE} ({weak.reason})" and weak.reason
    place = build_answer(reading_of("What share of people does it cover in Punjab?", hits, {"The": 0.99}),
                         AnswerParams(threshold=0.5))
    assert place.abstained and place.reason == "No passage mentions Punjab."
    year = build_answer(reading_of("What share did it cover in 2019?", hits, {"The": 0.99}), AnswerParams(threshold=0.5))
    assert year.abstained and year.reason == "No passage speaks of 2019."
    when = build_answer(reading_of("When was the scheme set up?", hits, {"The": 0.1}), AnswerParams(threshold=0.5))
    assert when.abstained and when.reason == "No passage close to the question gives a date."


def test_a_figure_the_question_writes_itself_does_not_answer_it() -> None:
    question = "How many people attended the workshop on the 40 pilot villages?"
    held = [_hit("A workshop on the 40 pilot villages was held in Tarn with the line ministries.")]
    asked = build_answer(reading_of(question, held, {"A": 0.99}), AnswerParams(threshold=0.5))
    assert asked.abstained and asked.reason == "No passage close to the question gives a figure."
    counted = [_hit("A workshop on the 40 pilot villages brought together 45 officials.")]
    answered = build_answer(reading_of(question, counted, {"A": 0.99}), AnswerParams(threshold=0.5))
    assert not answered.abstained


def test_a_version_asked_for_is_refused_when_no_likely_unit_gives_one() -> None:
    shipped = [_hit("A converter program is shipped with the package.")]
    question = "Which release of the package first shipped the converter?"
    refused = build_answer(reading_of(question, shipped, {"A": 0.99}), AnswerParams(threshold=0.5))
    assert refused.abstained and refused.reason == "No passage close to the question gives a version."
    since = [_hit("A converter program is shipped with the package since release 2.4.")]
    assert not build_answer(reading_of(question, since, {"A": 0.99}), AnswerParams(threshold=0.5)).abstained


def test_a_default_asked_for_is_refused_when_no_likely_passage_states_one() -> None:
    def read(question: str, hits: list[Hit]):  # type: ignore[no-untyped-def]
        reading = reading_of(question, hits, {"The": 0.99})
        library = {t for h in hits for t in tokenize(h.chunk.text)}  # the library is these passages
        reading.idf = lambda t: 1.0 if t in library else 9.0
        return build_answer(reading, AnswerParams(threshold=0.5))

    meaning = [_hit("The timeout setting is the number of seconds the server waits for a reply. The server then closes."),
               _hit("By default the server logs every request.", ordinal=5)]
    refused = read("What is the default timeout of the server?", meaning)
    assert refused.abstained and "default" in (refused.reason or "")
    stated = [_hit("The timeout setting is the number of seconds the server waits; it defaults to 30."), meaning[1]]
    assert not read("What is the default timeout of the server?", stated).abstained
    assert not read("Why does the server use a short timeout by default?", meaning).abstained
    # A library that never speaks of defaults: the asker's "default" means the usual one, and the reader decides.
    usual = [_hit("The monthly travel allowance is $300 for a driver.")]
    assert not read("What is the default travel allowance for a driver?", usual).abstained


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many staff does the project employ?", ["staff"]),
        ("What share of GDP goes to health?", ["GDP"]),
        # A measure that is an adjective, or a noun a figure gives unnamed ("US$ 2 million"), is no count to look for.
        ("How large is the printing area?", []),
        ("How much money did the partnerships raise?", []),
        ("Who chairs the commission?", []),
    ],
)
def test_what_a_figure_is_asked_of_is_the_wh_phrases_noun(question: str, counted: list[str]) -> None:
    assert list(read_question(question).counted) == counted


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("What is the name of the minister who chaired the meeting?", True),
        ("What are the names of its authors?", True),
        ("Whose name is on the decree?", True),
        # The name of a thing is that thing's name: the kind of answer is not a person.
        ("What is the name of the state-owned water company?", False),
        ("What is the name of the partnership that funds the pilot?", False),
    ],
)
def test_a_name_asked_for_is_a_persons_only_when_a_role_is_named(question: str, person: bool) -> None:
    assert read_question(question).asks_name is person


def test_a_count_none_of_the_likeliest_passages_speaks_of_is_refused_but_a_table_row_is_left_to_the_reader() -> None:
    project = _hit("The project opened an office in the capital in 2022. It trains 40 social workers a year.")
    asked = "How many staff does the project employ in its office?"
    refused = build_answer(reading_of(asked, [project], {"The": 0.9, "It": 0.9}), AnswerParams(threshold=0.5))
    assert refused.abstained and refused.reason == "No passage close to the question speaks of staff."
    staffed = _hit("The project office in the capital has 12 staff. It trains 40 social workers a year.")
    assert counted_unmentioned(reading_of(asked, [staffed], {"The": 0.9})) == []
    # A slip of the keyboard is the same word ("workres"), a word one letter off is not ("staff", "stuff").
    assert counted_unmentioned(reading_of("How many social workres does it train?", [project], {"The": 0.9})) == []
    stuffed = _hit("The project office in the capital has 12 stuff members.")
    assert counted_unmentioned(reading_of(asked, [stuffed], {"The": 0.9})) == ["staff"]
    # A people is spoken of by its country's name, a word by one made from it.
    country = _hit("Poverty in Ruritania fell to 9 per cent in 2020.")
    assert counted_unmentioned(reading_of("How many Ruritans are poor?", [country], {"Poverty": 0.9})) == []
    # A row's header may name its column shortly ("No. of"): the row is judged by the reader, not by the words.
    row = Hit(Chunk(DOC.id, 0, "Office | No. of\nCapital | 12", 3, None, 0, 26, table_header="Office | No. of"), DOC, 1.0,
              dense=0.5)
    assert counted_unmentioned(reading_of(asked, [row], {"Capital": 0.9})) == []


def test_a_figure_asked_for_a_year_is_refused_when_the_closest_passage_does_not_speak_of_it() -> None:
    figure = _hit("The allowance reached 52,000 households in 2020.")
    other = _hit("A new registry was opened in 2022 for the allowance.", ordinal=1)
    probability = {"The": 0.9, "A new": 0.2}
    asked = reading_of("How many households received the allowance in 2022?", [figure, other], probability)
    assert missing_specifics(asked.frame, asked.hits) == []  # 2022 is read, only not where the figure is
    assert year_unspoken(asked) == "2022"
    refused = build_answer(asked, AnswerParams(threshold=0.5))
    assert refused.reason == "The passage closest to the question does not speak of 2022."
    asked_2020 = reading_of("How many households received the allowance in 2020?", [figure, other], probability)
    assert year_unspoken(asked_2020) is None
    # A question whose wh-phrase names no kind of answer asks for the year's too; one asking a date is told otherwise.
    assert year_unspoken(reading_of("What did the allowance reach in 2022?", [figure, other], probability)) == "2022"
    assert year_unspoken(reading_of("When did the allowance open in 2022?", [figure, other], probability)) is None
    # A year naming a source, or two years asking for a change, are not the time of the figure.
    assert year_unspoken(reading_of("How many households did the 2022 registry count?", [figure, other], probability)) is None
    assert year_unspoken(reading_of("How many more households were reached in 2022 than in 2020?", [figure, other],
                                    probability)) is None


def test_features_are_one_row_per_unit_with_the_bias_set() -> None:
    hits = [_hit("The scheme covers 94% of people. It started in 2019."), _hit("R1. Do more.\nDeadline: 2025", ordinal=2)]
    reading = reading_of("What share of people does the scheme cover?", hits, {})
    assert reading.features.shape == (len(reading.units), len(FEATURES))
    col = {name: i for i, name in enumerate(FEATURES)}
    assert (reading.features[:, col["bias"]] == 1).all()
    first = reading.features[0]
    assert first[col["type_given"]] == 1 and first[col["coverage"]] > reading.features[1][col["coverage"]]
    assert reading.features[-1][col["is_item"]] == 1 and reading.features[-1][col["passage_rank"]] == 0.5


def test_the_unnamed_cosine_is_the_units_cosine_with_the_question_less_its_names() -> None:
    from fakes import FakeEmbedder

    from kb.read.reading import unit_cosines

    hits = [_hit("Ten officers staff the office."), _hit("Punjab is a province of the country.", ordinal=2)]
    units = [u for i, h in enumerate(hits) for u in passage_units(h.chunk, i)]
    frame = read_question("How many officers staff the office in Punjab?")
    cosines, unnamed_cosines = unit_cosines(frame, hits, units, embedder=FakeEmbedder(), multilingual=None)
    # Without the name, the sentence about the name alone loses what it shared with the question.
    assert unnamed_cosines[1] < cosines[1] and unnamed_cosines[0] > cosines[0]


def test_searching_needs_no_reader_and_answering_loads_it_once(fake_library, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kb.knowledge_base import KnowledgeBase
    from tests.fakes import FakeEmbedder

    loads = []
    original = LinearReader.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(LinearReader, "load", classmethod(lambda cls, *a: loads.append(1) or original(cls, *a)))
    kb = KnowledgeBase(fake_library, embedder=FakeEmbedder())
    assert kb.search("school meals", k=2) and loads == []
    kb.ask("What does the strategy say about school meals?")
    kb.ask("Who leads on school meals?")
    assert loads == [1]
