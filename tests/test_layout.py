"""Layout-true PDF text on the real shared PDFs: reading order across columns, table rows under headers."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from ingest.parse.layout import Block, reading_order
from ingest.parse.pdf import parse_pdf
from kb.tables import header_above
from kb.types import ParsedDocument

PDFS = Path(__file__).resolve().parents[2] / "shared" / "pdfs"
POLICY = PDFS / "policy"
pytestmark = pytest.mark.skipif(not POLICY.is_dir(), reason=f"shared PDFs not found at {POLICY}")


@functools.cache
def parsed(path: Path) -> ParsedDocument:
    return parse_pdf(path, source=path.name, ocr=False)


def page(name: str, number: int, folder: Path = POLICY) -> str:
    """Return one page's text, whitespace made single spaces (sentences wrap over lines)."""
    return " ".join(parsed(folder / name).pages[number - 1].text.split())


def assert_in_order(text: str, *passages: str) -> None:
    """Assert each passage is in the text, whole and contiguous, and they come in the given order."""
    positions = []
    for passage in passages:
        squashed = " ".join(passage.split())
        assert squashed in text, squashed
        positions.append(text.index(squashed))
    assert positions == sorted(positions)


def rows_under(name: str, number: int, row: str) -> tuple[str, str | None]:
    """Return the table row starting with `row` on a page and the header row of its table."""
    lines = parsed(POLICY / name).pages[number - 1].text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(row))
    header, _ = header_above(lines[:index])
    return lines[index], header


def test_two_column_factsheet_reads_each_column_whole() -> None:
    giz = "GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf"
    assert_in_order(
        page(giz, 1),
        "Uzbekistan benefits from a relatively comprehensive social protection system inherited from the Soviet era, "
        "which includes social assistance, labour market interventions, pensions and social care services.",
        "Furthermore, like many countries, Uzbekistan is suffering from the adverse effects of the COVID",
        "The lack of comprehensive data on poverty and vulnerability, as well as a need for greater transparency "
        "and public access to information further compound these challenges.",
        "The overall objective is to support the Government of Uzbekistan to build sustainable and adaptive social "
        "protection systems.",
    )
    assert_in_order(
        page(giz, 2),
        "The World Bank and UNICEF are supporting the harmonisation of benefits, and the development and "
        "introduction of a single national registry of beneficiaries",
        "GIZ will also explore the potential to harness adaptive social protection systems to address the risks "
        "related to natural hazards and climate change as part of a One Health approach.",
        "The World Bank has been providing support to the establishment and roll-out of the national single "
        "beneficiary registry.",
    )
    # The project table beside the text: label and value in one row.
    assert "Main partner | Ministry of Finance, Government of the Republic of Uzbekistan" in page(giz, 1)


def test_one_pager_sentence_runs_on_from_left_column_to_right() -> None:
    ipc = "IPCIG_Universal_Health_Insurance_Uzbekistan_2023.pdf"
    assert_in_order(
        page(ipc, 1),
        "This One Pager argues that to strengthen its overall social protection system, Uzbekistan must aggressively "
        "prioritise establishing a comprehensive health care system—starting, at least, with extensive and effective "
        "primary care facilities.",
        # The last line of the left column and the first of the right one: the footer block in the
        # bottom-left corner is not read between them.
        "The country’s public health interventions against the epidemic began in February 2020.",
        "However, the pandemic has confirmed that Uzbekistan’s public health system needs to be substantially "
        "strengthened.",
    )


def test_three_column_federal_register_page() -> None:
    fr = "us-federal-register-2020-17221.pdf"
    assert_in_order(
        page(fr, 2),
        "Following the Lion Air Flight 610 accident on October 29, 2018, data from the flight data recorder, which is "
        "contained in the Indonesian accident report",
        "On November 7, 2018, the FAA issued Emergency AD 2018–23–51 as an interim corrective action.",
        "To address the unsafe condition, the FAA proposes to require four design changes:",
    )
    assert_in_order(
        page(fr, 1),
        "SUMMARY: The FAA proposes to supersede Airworthiness Directive (AD) 2018–23–51, which applies to all The "
        "Boeing Company Model 737–8 and 737–9 (737 MAX) airplanes.",
        "You may examine the AD docket on the internet at",
        "CBI is commercial or financial information that is both customarily and actually treated as private by its owner.",
    )


def test_federal_register_running_headers_are_dropped() -> None:
    doc = parsed(POLICY / "us-federal-register-2020-17221.pdf")
    for p in doc.pages[1:]:
        assert "Federal Register / Vol. 85" not in p.text
        first = p.text.split("\n", 1)[0]
        assert not re.fullmatch(r"\d{5}", first), first  # the page number 47699 ...


def test_nics_state_row_stands_under_the_header() -> None:
    row, header = rows_under("us-fbi-nics-background-checks-2015-11.pdf", 1, "Alabama |")
    assert row.startswith("Alabama | 18,870 | 23,022 | 22,650 | 859 | 1,178 | 0 |")
    assert row.endswith("| 71,137")
    assert header is not None and header.startswith("State / Territory | Permit | Handgun | Long Gun |")
    assert header.count("|") == row.count("|")  # the empty Rentals cells keep their place
    # Headers under a group label name the group: the fourteenth column is a redemption count.
    assert header.split(" | ")[10] == "Redemption Handgun" and row.split(" | ")[10] == "2,179"


def test_warn_row_keeps_company_and_dates_apart() -> None:
    row, header = rows_under("WARN-Report-for-7-1-2015-to-03-25-2016.pdf", 1, "06/30/2015 | 08/29/2015")
    assert row == "06/30/2015 | 08/29/2015 | 07/01/2015 | McGraw-Hill Education | Monterey | 137 | Layoff Unknown at this time"
    assert header == "Notice Date | Effective | Received | Company | City | No. Of | Layoff/Closure"


def test_unicef_transfer_table_rows_with_wrapped_cells() -> None:
    unicef = "UNICEF_Road_to_Recovery_Uzbekistan_COVID_2021.pdf"
    row, header = rows_under(unicef, 27, "Old age allowance")
    assert row == "Old age allowance for all uncovered people above retirement age | UZS315,030 | $31 | 0.05%"
    assert header is not None and header.startswith("Scheme | Transfer value (LCU) | Transfer value (US$)")
    assert_in_order(
        page(unicef, 7),
        "Between April and October 2020, children’s average family incomes were 23 per cent lower than they would "
        "have been without the pandemic.",
        "Under this scenario, welfare loss for households with children would be 10.3 per cent, around 12 percentage "
        "points lower than under the Government’s response.",
    )


def test_escap_columns_and_measures_table() -> None:
    escap = "ESCAP_Unpaid_Care_Work_Uzbekistan_2023.pdf"
    assert_in_order(
        page(escap, 10),
        "Progress towards gender equality in Uzbekistan can be assessed within the broader institutional context",
        # The sentence runs from the foot of the left column to the top of the right one; the page's
        # footnotes under the left column are read after both.
        "With the introduction of a 30 per cent quota system for women candidates in political parties in 2003, "
        "female representation in parliament has increased significantly.",
        "According to the Ministry of Employment and Labor Relations of the Republic of Uzbekistan",
        "6 See Ways to ensure gender equality.",
    )
    lines = [line for p in parsed(POLICY / escap).pages for line in p.text.split("\n")]
    index = next(i for i, line in enumerate(lines) if line.startswith("Employment-related care policies | Working parents"))
    header, _ = header_above(lines[:index])
    assert header == "Policy category | Care-sensitive policy measure | Gender differentiated"
    assert lines[index].endswith("| Y")


def test_latex_two_columns_left_before_right_and_words_rejoined() -> None:
    text = page("two-column-latex-lorem.pdf", 1, PDFS / "nasty")
    assert_in_order(
        text,
        "This is a sample document with two columns filled with Lorem Ipsum text.",
        "Lorem ipsum dolor sit amet, consectetuer adipiscing elit.",  # "adip-" / "iscing" in the PDF
        "Vivamus viverra fermentum felis. Donec nonummy pellentesque ante. Phasellus adipiscing semper elit.",
        "Quisque ullamcorper placerat ipsum. Cras nibh.",
    )


_WORD = re.compile(r"[a-z][a-z’'-]*[,.;:]?")


@pytest.mark.parametrize("path", sorted(POLICY.glob("*.pdf")), ids=lambda p: p.name)
def test_no_prose_is_split_into_cells(path: Path) -> None:
    """A line with " | " is a table row: not words of a sentence with bars between them."""
    for p in parsed(path).pages:
        for line in p.text.split("\n"):
            if " | " not in line:
                continue
            cells = [c.strip() for c in line.split(" | ")]
            single_words = sum(1 for c in cells if _WORD.fullmatch(c))
            assert single_words <= len(cells) // 2, (p.number, line)
            # A sentence cut into cells carries on in lower case from one cell to the next.
            carried = sum(1 for a, b in zip(cells, cells[1:], strict=False) if a and b[:1].islower() and a[-1:].isalpha())
            assert carried <= len(cells) // 2, (p.number, line)


def test_reading_order_puts_a_spanning_title_first_and_a_footer_last() -> None:
    def block(name: str, x0: float, top: float, x1: float, bottom: float) -> Block:
        return Block([name], x0, top, x1, bottom)

    title = block("title", 50, 40, 550, 60)
    left = [block("left 1", 50, 80, 290, 300), block("left 2", 50, 310, 290, 700)]
    right = [block("right 1", 310, 80, 550, 500), block("right 2", 310, 510, 550, 690)]
    corner = block("address", 50, 740, 200, 770)  # left of the right column, but below it
    blocks = [right[1], corner, left[1], title, right[0], left[0]]
    order = [b.lines[0] for b in reading_order(blocks)]
    assert order == ["title", "left 1", "left 2", "right 1", "right 2", "address"]


def test_raised_ordinals_join_their_number_and_a_note_number_leaves_its_text() -> None:
    assert "updated on the 10th and 25th of each month" in page("WARN-Report-for-7-1-2015-to-03-25-2016.pdf", 1)
    text = page("us-federal-register-2020-17221.pdf", 3)
    assert "13 More than 10 degrees difference" in text and "13More" not in text


def test_an_accent_drawn_on_its_own_goes_on_its_letter() -> None:
    assert "Agência Nacional de Aviação Civil" in page("us-federal-register-2020-17221.pdf", 5)


def test_a_letter_kerned_back_into_the_word_before_it_joins_it(tmp_path: Path) -> None:
    # The logo as TeX sets it: a small raised "A" under the "L"'s overhang, an "E" dropped below the line.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("serif", "", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    pdf.add_page()
    pdf.set_font("serif", "", 12)
    pdf.text(20, 40, "The")
    pdf.text(30.5, 40, "L")
    pdf.set_font("serif", "", 8.5)
    pdf.text(32.1, 38.8, "A")
    pdf.set_font("serif", "", 12)
    for x, y, letter in ((34.5, 40, "T"), (36.8, 40.9, "E"), (39.1, 40, "X")):
        pdf.text(x, y, letter)
    pdf.text(44.5, 40, "kernel is loaded first.")
    pdf.output(str(tmp_path / "logo.pdf"))
    assert page("logo.pdf", 1, tmp_path) == "The LATEX kernel is loaded first."


def test_running_heads_and_stamps_leave_real_sections() -> None:
    register = parsed(POLICY / "us-federal-register-2020-17221.pdf")
    assert not any("VerDate" in p.text or "Sfmt" in p.text for p in register.pages)
    report = parsed(POLICY / "WorldBank_Energy_Subsidy_Reform_Uzbekistan_2023.pdf")
    heads = [h.title for p in report.pages for h in p.headings]
    # The book's running title and the chapter's running foot are gone; the chapters keep their own titles.
    assert not any(h.startswith("DISTRIBUTIONAL ANALYSIS FOR INFORMING") for h in heads)
    assert "CASE STUDIES" not in heads and "THREE Case Studies" in heads
    assert not any(h.startswith(("TABLE ", "FIGURE ")) for h in heads)
