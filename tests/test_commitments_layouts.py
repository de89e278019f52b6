"""Commitments in layouts the sample library lacks, scored like the sealed check: a PDF table of recommendations,
action items in prose among discussion in Word minutes, a Word numbered list after a lead-in line, an HTML list."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from kb.commitments.cli import extract_folder
from kb.commitments.evaluate import load_labels, score
from kb.config import Settings

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

LABELS = Path(__file__).parent / "data" / "commitments_layouts.yaml"

# Action items in prose among discussion, and recommendations whose points are lettered under a numbered item.
COMMITTEE_MINUTES = """\
# Minutes of the Technical Committee, 3 June 2025

## 1. Opening

The Chair welcomed participants.

## 2. Action items

The Ministry of Health will finalise the costing of the benefit package by 15 July 2025. This was discussed at length,
and several members expressed concern about the timeline. The Department of Finance is to submit the revised budget
ceiling to the Secretariat before the end of August 2025. Participants also reviewed the results of the pilot, which
were generally positive.

UNICEF will support the drafting of the communication strategy, with a first draft expected in Q4 2025.

Members noted that the Ministry will need more staff next year.

## 3. Recommendations of the working group

1. Strengthen the social registry:
   a) digitise the paper records;
   b) train district staff.
   Lead: MoLSW. Timeline: mid-2026.
2. Review the benefit levels every two years (Lead: MoF; by December 2025).

The next meeting will be held on 10 September 2025.
"""


def _pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Evaluation of the Rural Water Programme")
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    pdf.multi_cell(0, 9, "Evaluation of the Rural Water Programme", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)
    pdf.multi_cell(0, 5, "The evaluation visited 40 villages in 2025. Water points work in most of them, but "
                   "maintenance is rarely funded and operators leave. The programme will continue until 2028.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for title, rows in (
        ("Table 2. Coverage by district", [["District", "Villages", "Working points"], ["North", "12", "10"],
                                           ["South", "28", "19"]]),
        ("Table 3. Recommendations", [
            ["Ref.", "Recommendation", "Lead agency", "By when"],
            ["1", "Publish the list of villages whose water points have failed, and update it every quarter",
             "Department of Water Supply", "June 2026"],
            ["2", "Train one operator per scheme and pay a monthly allowance", "Provincial Health Office", "end of 2026"],
            ["3", "Set aside a maintenance budget line in each district plan", "Ministry of Finance", "Q1 2027"],
            ["4", "Repeat the household survey to measure use", "Statistics Bureau", "2027"],
        ]),
    ):
        pdf.set_font("body", "B", 11)
        pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 9)
        with pdf.table(line_height=4.6, padding=1.2, text_align="LEFT", first_row_as_headings=False) as table:
            for cells in rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        pdf.ln(3)
    pdf.output(str(path))


def _minutes(path: Path) -> None:
    d = docx.Document()
    d.add_heading("Minutes of the coordination meeting, 12 March 2026", 0)
    d.add_heading("1. Update on the registry", 1)
    d.add_paragraph("The Planning Department presented the registry figures. Members noted that enrolment is slower "
                    "in the north and will probably not reach the target this year.")
    d.add_paragraph("Ms Vong (Planning Department) will send the updated caseload figures to all members by "
                    "20 March 2026. The group welcomed the new dashboard.")
    d.add_heading("2. Communication", 1)
    d.add_paragraph("Several partners said that the forms are too long. UNICEF agreed to fund the printing of the "
                    "registration forms before the end of April 2026.")
    d.add_paragraph("The Chair reminded members that the leaflets were distributed last year.")
    d.add_heading("3. Budget", 1)
    d.add_paragraph("It was agreed that the Finance Office would prepare a costing note by 30 June 2026. "
                    "The World Bank asked whether the note would cover staff costs.")
    d.add_paragraph("The Provincial Labour Office will organise training for district staff in May 2026.")
    d.add_paragraph("The next meeting will be held on 14 May 2026.")
    d.save(str(path))


def _decisions(path: Path) -> None:
    d = docx.Document()
    d.add_heading("Board meeting of 2 February 2026", 0)
    d.add_paragraph("The Board reviewed the annual report and heard the auditor.")
    d.add_paragraph("The Board agreed on the following:")
    d.add_paragraph("Approve the revised budget for 2026 as presented by the Secretary.", style="List Number")
    d.add_paragraph("Extend the pilot to two more districts in the south.", style="List Number")
    d.add_paragraph("Responsible: Social Welfare Department. Deadline: 30 September 2026.")
    d.add_paragraph("Commission an independent audit of the payment system (Owner: Board Secretary; Due: Q4 2026).",
                    style="List Number")
    d.add_paragraph("The meeting closed at 16:00.")
    d.save(str(path))


def _html(path: Path) -> None:
    path.write_text(
        "<html><head><title>Action plan</title></head><body><h1>Registry action plan</h1>"
        "<h2>Background</h2><ul><li>The registry holds 120,000 households.</li>"
        "<li>It was built in 2019 with partner funding.</li></ul>"
        "<h2>Priority actions</h2><ol>"
        "<li>Digitise the beneficiary registry in every district (Lead: ICT Unit; by Q3 2026).</li>"
        "<li>Open a grievance hotline with a free number (Lead: Call Centre; by December 2026).</li>"
        "</ol></body></html>"
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layouts")
    _pdf(root / "evaluation.pdf")
    _minutes(root / "coordination-minutes.docx")
    _decisions(root / "board-decisions.docx")
    _html(root / "plan.html")
    (root / "committee-minutes.md").write_text(COMMITTEE_MINUTES)
    return root


@pytest.mark.skipif(not DEJAVU.is_dir(), reason="the DejaVu fonts are not installed")
def test_layouts_the_extractor_was_not_tuned_on_are_read_as_labelled(folder: Path) -> None:
    settings = Settings(ocr=False, _env_file=None)  # type: ignore[call-arg]
    labels = load_labels(LABELS)
    assert {label.document for label in labels} == {p.name for p in folder.iterdir()}
    result = score(labels, extract_folder(folder, settings)).to_dict()
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result
    assert result["owner_accuracy"] >= 0.9 and result["due_accuracy"] >= 0.9, result
