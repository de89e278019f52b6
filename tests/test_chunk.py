"""Chunking keeps sizes, overlap and provenance (page, section, offsets)."""

from __future__ import annotations

from ingest.chunk import chunk_pages, embedding_text, row_texts, segment_pages
from kb.tables import cells, header_above, is_data_row
from kb.types import Heading, Page


def _count(text: str) -> int:
    return len(text.split())


def test_chunks_respect_size_and_point_back_into_the_page() -> None:
    body = " ".join(f"word{i}." for i in range(500))
    page = Page(3, "1. Introduction\n" + body, (Heading(0, "1. Introduction"),))
    chunks = chunk_pages([page], document_id="d", count_tokens=_count, size=50, overlap=10)
    assert len(chunks) >= 10
    for c in chunks:
        assert _count(c.text) <= 50 + 3  # the heading line rides on the first piece
        assert page.text[c.char_start : c.char_end] == c.text
        assert c.page == 3 and c.section == "1. Introduction"
    assert chunks[0].text.startswith("1. Introduction\nword0.")
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    # consecutive chunks overlap
    assert chunks[1].char_start < chunks[0].char_end


def test_a_narrow_columns_paragraph_is_cut_between_sentences_not_at_its_line_breaks() -> None:
    names = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    sentences = [
        f"Sentence {n} tells the reader about topic {n} and then it wraps onto the next line before it ends." for n in names
    ]
    column = " ".join(sentences)
    lines, line = [], ""
    for word in column.split():  # a narrow column: a line break every six words, wherever the sentence is
        line = f"{line} {word}".strip()
        if len(line.split()) == 6:
            lines.append(line)
            line = ""
    text = "\n".join([*lines, line])
    chunks = chunk_pages([Page(1, text)], document_id="d", count_tokens=_count, size=60, overlap=10)
    assert len(chunks) >= 3
    for c in chunks:
        assert c.text.startswith("Sentence") and c.text.endswith("ends."), c.text[-40:]


def test_a_figure_that_a_wrapped_sentence_puts_at_a_lines_start_opens_no_item() -> None:
    filler = [f"Line {n} of the column says a little more about the labour market here." for n in range(8)]
    text = "\n".join([*filler, "The rate of unemployment among women was", "50 per cent higher than among men.", *filler])
    chunks = chunk_pages([Page(1, text)], document_id="d", count_tokens=_count, size=60, overlap=10)
    assert len(chunks) >= 2
    assert not any(c.text.startswith("50 per cent") for c in chunks)
    assert any("women was\n50 per cent higher" in c.text for c in chunks)
    # a numbered item still opens a piece: after a full stop, or before a capital
    items = "\n".join(f"{n}. Item {n} asks the ministry to publish what it spent on the programme." for n in range(1, 9))
    assert all(
        c.text[0].isdigit() for c in chunk_pages([Page(1, items)], document_id="d", count_tokens=_count, size=40, overlap=0)
    )


def test_sections_carry_over_page_breaks_and_never_mix() -> None:
    p1 = Page(1, "Preamble text.\n2.1 School meals\nMeals in schools.", (Heading(15, "2.1 School meals"),))
    p2 = Page(2, "More on meals.\n2.2 Nutrition\nChildren under three.", (Heading(15, "2.2 Nutrition"),))
    chunks = chunk_pages([p1, p2], document_id="d", count_tokens=_count, size=100, overlap=0)
    got = [(c.page, c.section, c.text) for c in chunks]
    assert got == [
        (1, None, "Preamble text."),
        (1, "2.1 School meals", "2.1 School meals\nMeals in schools."),
        (2, "2.1 School meals", "More on meals."),
        (2, "2.2 Nutrition", "2.2 Nutrition\nChildren under three."),
    ]


def test_empty_pages_give_no_chunks_and_keep_numbering() -> None:
    pages = [Page(1, "   "), Page(2, "Real text here.")]
    assert [s.page.number for s in segment_pages(pages)] == [2]
    chunks = chunk_pages(pages, document_id="d", count_tokens=_count, size=20, overlap=0)
    assert [c.page for c in chunks] == [2]


def test_a_piece_with_almost_no_words_is_no_passage() -> None:
    # An index page: its sections are runs of page numbers; a passage with words and a short Lao one stay.
    index = "A\n71 69 70\n\nB\n. . . 35 U\n\nUsing it\nSee above."
    headings = (Heading(0, "A"), Heading(12, "B"), Heading(26, "Using it"))
    pages = [Page(9, index, headings), Page(10, "ປົກປ້ອງສັງຄົມແຫ່ງຊາດ")]
    chunks = chunk_pages(pages, document_id="d", count_tokens=_count, size=20, overlap=0)
    assert [c.text for c in chunks] == ["Using it\nSee above.", "ປົກປ້ອງສັງຄົມແຫ່ງຊາດ"]
    assert [c.ordinal for c in chunks] == [0, 1]


def test_lao_chunks_are_tagged_lao() -> None:
    page = Page(None, "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ ແມ່ນແຜນງານຂອງລັດຖະບານ")
    (chunk,) = chunk_pages([page], document_id="d", count_tokens=len, size=200, overlap=0)
    assert chunk.language == "lo"


def test_embedding_text_leads_with_title_and_section() -> None:
    page = Page(1, "2.1 School meals\nMeals.", (Heading(0, "2.1 School meals"),))
    (chunk,) = chunk_pages([page], document_id="d", count_tokens=_count, size=50, overlap=0)
    assert embedding_text("The Strategy", chunk).startswith("The Strategy — 2.1 School meals\n")


def test_a_numbered_section_carries_the_numbered_headings_above_it() -> None:
    def page(number: int, titles: list[str]) -> Page:
        text, headings = "", []
        for title in titles:
            headings.append(Heading(len(text), title))
            text += f"{title}\nThe survey was run in every district of the country that year.\n"
        return Page(number, text, tuple(headings))

    pages = [
        page(1, ["3 Case Studies", "3.1 Water Tariffs in Town A", "3.1.1 Background"]),
        page(2, ["3.1.2 Findings", "3.2 Water Tariffs in Town B", "3.2.1 Background", "Box 1 Notes", "4 Lessons"]),
    ]
    chunks = chunk_pages(pages, document_id="d", count_tokens=_count, size=50, overlap=0)
    parents = {c.section: c.parent for c in chunks}
    assert parents == {
        "3 Case Studies": None,
        "3.1 Water Tariffs in Town A": "3 Case Studies",
        "3.1.1 Background": "3 Case Studies › 3.1 Water Tariffs in Town A",
        "3.1.2 Findings": "3 Case Studies › 3.1 Water Tariffs in Town A",
        "3.2.1 Background": "3 Case Studies › 3.2 Water Tariffs in Town B",
        "3.2 Water Tariffs in Town B": "3 Case Studies",
        "Box 1 Notes": None,  # what an unnumbered heading is under is not known
        "4 Lessons": None,
    }


def test_a_heading_without_body_joins_the_next_section() -> None:
    text = "2 Progress\n2.1 Health\nCoverage rose."
    page = Page(1, text, (Heading(0, "2 Progress"), Heading(11, "2.1 Health")))
    (chunk,) = chunk_pages([page], document_id="d", count_tokens=_count, size=50, overlap=0)
    assert chunk.text == text and chunk.section == "2.1 Health"


def test_a_table_cut_across_chunks_carries_its_header_row() -> None:
    rows = "\n".join(f"Indicator number {i} for the districts | {i * 10} | {i * 20}" for i in range(30))
    page = Page(4, f"3 Selected indicators\n\nIndicator | Baseline 2020 | 2023\n{rows}\n")
    chunks = chunk_pages([page], document_id="d", count_tokens=lambda t: len(t.split()), size=60, overlap=0)
    assert len(chunks) > 2
    assert chunks[0].table_header is None  # the header is in the passage itself
    assert all(c.table_header == "Indicator | Baseline 2020 | 2023" for c in chunks[1:])
    assert embedding_text("Review", chunks[1]).split("\n")[1] == "Indicator | Baseline 2020 | 2023"


def _notices(first: int, count: int) -> list[str]:
    return [
        f"0{1 + i % 9}/1{i % 9}/2015 | Harbour Works, Inc. | Port Town | {40 + i} | Layoff Permanent"
        for i in range(first, first + count)
    ]


def test_a_table_row_is_never_cut_at_a_full_stop_inside_it() -> None:
    header = "Notice Date | Company | City | Employees | Kind"
    page = Page(1, "Notices received\n\n" + "\n".join([header, *_notices(0, 40)]))
    chunks = chunk_pages([page], document_id="d", count_tokens=_count, size=60, overlap=0)
    assert len(chunks) > 3
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            if "|" in line:
                assert len(cells(line)) == 5, line  # "… Harbour Works, Inc." here, "| Port Town | …" in the next


def test_a_table_running_on_from_the_page_before_carries_that_pages_header() -> None:
    header = "Notice Date | Company | City | Employees | Kind"
    pages = [
        Page(1, "Notices received\n\n" + "\n".join([header, *_notices(0, 10)])),
        Page(2, "\n".join(_notices(10, 30))),  # the rows run on, under no header of their own
        Page(3, "\n".join(_notices(40, 5)) + "\n\nMonth | Notices | Employees\nJuly 2015 | 71 | 8,574\nAugust 2015 | 69 | 5,890"),
        Page(4, "September 2015 | 76 | 4,864\nOctober 2015 | 71 | 6,102"),
        Page(5, "Region | 2019 | 2020 | 2021 | 2022\nNorth | 12 | 14 | 15 | 17\nSouth | 9 | 8 | 11 | 10"),
    ]
    chunks = chunk_pages(pages, document_id="d", count_tokens=_count, size=60, overlap=0)
    on = {c.page: c for c in reversed(chunks)}  # each page's first passage
    assert all(c.table_header == header for c in chunks if c.page == 2)
    assert on[3].table_header == header
    assert on[4].table_header == "Month | Notices | Employees"  # the second table of page 3, not the first
    assert on[5].table_header is None  # a page that opens with its own header (years over figures) keeps it
    rows = row_texts(on[2])
    assert rows and all(r.startswith(header + "\n") for r in rows)


def test_a_table_of_another_width_after_a_blank_line_is_another_table() -> None:
    lines = ["Name | Town | Staff", "Harbour Works | Port Town | 40", "", "Month | Notices", "July | 71"]
    assert header_above(lines) == ("Month | Notices", True)
    assert header_above(lines[:2]) == ("Name | Town | Staff", False)


def test_a_row_shaped_like_the_rows_under_it_is_data_not_a_header() -> None:
    rows = ["07/02/2015 | Harbour Works, Inc. | 56", "07/06/2015 | Bay Bakery | 7"]
    assert is_data_row("06/30/2015 | Coast Foods | 90", rows)
    assert not is_data_row("Notice Date | Company | Employees", rows)
    assert not is_data_row("Region | 2019 | 2020", ["North | 12 | 14", "South | 9 | 8"])
    assert not is_data_row("Action | Owner", ["Book the venue | Secretariat"])  # words alone tell nothing


def test_contents_lines_are_not_indexed_but_stay_in_the_passage() -> None:
    text = "Contents\n• 3 Pillar 1: Health insurance .......... 4\n• 8 Monitoring and evaluation .......... 8\nAbout this copy."
    chunk = chunk_pages([Page(1, text)], document_id="d", count_tokens=lambda t: len(t.split()), size=200, overlap=0)[0]
    indexed = embedding_text("Strategy", chunk)
    assert "Monitoring" not in indexed and "About this copy." in indexed
    assert "Monitoring and evaluation" in chunk.text


def test_each_table_row_is_embedded_under_its_header_row() -> None:
    rows = "\n".join(f"Indicator number {i} for the districts | {i * 10} | {i * 20}" for i in range(30))
    page = Page(4, f"3 Selected indicators\n\nIndicator | Baseline 2020 | 2023\n{rows}\n\nThe table is illustrative.")
    chunks = chunk_pages([page], document_id="d", count_tokens=lambda t: len(t.split()), size=60, overlap=0)
    assert len(chunks) > 2
    found = [r for c in chunks for r in row_texts(c)]
    # Every row once, in both the passage that holds the header and those that continue the table;
    # the header row is not a row of its own, and prose is not a row.
    assert [r.split("\n") for r in found] == [["Indicator | Baseline 2020 | 2023", row] for row in rows.split("\n")]


def test_prose_and_rule_lines_have_no_rows() -> None:
    page = Page(1, "Requests go through the booking form.\n\n| Vehicle | Litres |\n|---|---|\n| Pick-up | 300 |")
    (chunk,) = chunk_pages([page], document_id="d", count_tokens=lambda t: len(t.split()), size=200, overlap=0)
    assert row_texts(chunk) == ["| Vehicle | Litres |\n| Pick-up | 300 |"]
    (plain,) = chunk_pages([Page(1, "No table here.")], document_id="d", count_tokens=len, size=200, overlap=0)
    assert row_texts(plain) == []
