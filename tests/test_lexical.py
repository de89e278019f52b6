"""The keyword leg's tokens: stemmed English, segmented Lao."""

from __future__ import annotations

from kb.lexical import detect_language, tokenize


def test_english_is_lowercased_stemmed_and_stopworded() -> None:
    assert tokenize("The Schools and school meals") == ["school", "school", "meal"]


def test_lao_is_segmented_into_words() -> None:
    tokens = tokenize("ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ")
    assert len(tokens) >= 3
    assert "ສັງຄົມ" in tokens
    assert "".join(tokens) == "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ"


def test_mixed_text_keeps_both_scripts() -> None:
    tokens = tokenize("NSPS ສັງຄົມ 2025")
    assert "nsps" in tokens and "2025" in tokens and "ສັງຄົມ" in tokens


def test_language_detection() -> None:
    assert detect_language("ການປົກປ້ອງສັງຄົມ") == "lo"
    assert detect_language("Social protection strategy") == "en"
    assert detect_language("12345") == "en"


def test_lao_question_words_are_dropped() -> None:
    tokens = tokenize("ກະຊວງໃດ ຮັບຜິດຊອບຕົ້ນຕໍ ຕໍ່ຍຸດທະສາດນີ້?")
    assert "ໃດ" not in tokens and "ນີ້" not in tokens and "ຕໍ່" not in tokens
    assert "ຮັບຜິດຊອບ" in tokens and "ຍຸດທະສາດ" in tokens
