"""Acronyms the library defines, and the questions searched with their long forms."""

from kb.acronyms import defined_acronyms, with_other_forms


def test_an_acronym_is_defined_by_the_capitalised_words_before_it() -> None:
    texts = [
        "The National Social Protection Commission (NSPC) was set up in 2021.",
        "It is run by the Mother and Early Childhood Grant (MECG) team and the Ministry of Health (MoH).",
        "A note (see below) and a pilot (PILOT) in three districts (ABC).",
    ]
    assert defined_acronyms(texts) == {
        "NSPC": "National Social Protection Commission", "MECG": "Mother and Early Childhood Grant",
    }


def test_an_acronym_is_defined_by_words_in_lower_case_whose_first_letters_spell_it() -> None:
    texts = [
        "the flight control computer (FCC) and the\nmaneuvering characteristics augmentation system (MCAS) 8 can",
        "an angle of attack (AOA) sensor; the ministry of health (MH) said; and the (AB) or a test (XY).",
    ]
    assert defined_acronyms(texts) == {
        "FCC": "flight control computer", "MCAS": "maneuvering characteristics augmentation system",
        "AOA": "angle of attack", "MH": "ministry of health",
    }


def test_a_question_is_searched_with_the_long_form_of_its_acronyms() -> None:
    acronyms = {"NSPC": "National Social Protection Commission", "ILO": "International Labour Organization",
                "UNDESA": "United Nations Department of Economic and Social Affairs"}
    assert with_other_forms("When was the NSPC created?", acronyms) == (
        "When was the NSPC created? National Social Protection Commission"
    )
    # Spelled out already, or part of a project's name: nothing added.
    question = "When was the National Social Protection Commission (NSPC) created?"
    assert with_other_forms(question, acronyms) == question
    assert with_other_forms("Who opened the ILO–UNDESA project?", acronyms) == "Who opened the ILO–UNDESA project?"
