"""Title, type and date are read from a document when no manifest gives them; the manifest wins field by field."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.metadata import infer_metadata
from ingest.metadata.dates import infer_date
from ingest.metadata.kind import head_kind, infer_kind
from ingest.metadata.title import cover_title, is_placeholder, readable_case
from ingest.parse import parse_file
from kb.config import Settings
from kb.types import CoverLine, Page, ParsedDocument

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
POLICY = ROOT.parent / "shared" / "pdfs" / "policy"
needs_policy = pytest.mark.skipif(not POLICY.is_dir(), reason="the shared policy PDFs are not on this machine")
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract binary is not installed")


def _doc(text: str, *, title: str | None = None, date: str | None = None, number: int | None = 1) -> ParsedDocument:
    """A one-page parsed document, its headings found as the text parser finds them (UPPERCASE, Title Case)."""
    from ingest.parse.text import find_line_headings

    return ParsedDocument(pages=[Page(number, text, find_line_headings(text))], title=title, date=date)


# -- type -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Mid-Term Review of the National Health Strategy", "review"),
        ("Pension Strategy Review", "review"),
        ("Evaluation of the Cash Transfer Pilot", "review"),
        ("Summary of the Decree on Pensions", "decree"),
        ("Law on Social Security", "decree"),
        ("Proposed rule: disability benefits", "decree"),
        ("Minutes of the Board Meeting, 3 May 2021", "minutes"),
        ("Record of the meeting of the steering committee", "minutes"),
        ("National Action Plan on Nutrition 2021-2025", "strategy"),
        ("Policy brief: cash transfers for children", "brief"),
        ("Pensions at a glance", "brief"),
        ("Concept note on school meals", "note"),
        ("ການທົບທວນ ຍຸດທະສາດ ການປົກປ້ອງສັງຄົມ", "review"),  # Lao names the kind first: review of the strategy
        ("ດຳລັດ ວ່າດ້ວຍ ການປະກັນສັງຄົມ", "decree"),
        ("ບົດບັນທຶກກອງປະຊຸມ ຄະນະກຳມະການ", "minutes"),
        ("Annual report 2023", None),
        ("The meeting lasted 30 minutes", None),
    ],
)
def test_a_title_names_its_kind_by_its_head_noun(title: str, kind: str | None) -> None:
    assert head_kind(title) == kind


def test_the_title_page_names_the_kind_when_the_title_does_not() -> None:
    parsed = _doc("SOCIAL ASSISTANCE WORKING GROUP\nRecord of the meeting\n\nThe group met to discuss targeting.\n")
    assert infer_metadata(parsed, source="x.pdf").doc_type == "minutes"


def test_a_kind_named_deep_in_the_body_does_not_count() -> None:
    body = "\n".join(["Cash transfers reach poor households in the districts of the north."] * 15)
    parsed = _doc(f"Household Survey Results\n\n{body}\nThe decree of 2012 set up the fund that pays for it.\n")
    assert infer_metadata(parsed, source="x.pdf").doc_type == "other"


def test_the_title_outweighs_the_title_page() -> None:
    top = ["Approved by Decree No. 5", "Decision No. 7 of the Minister"]
    assert infer_kind("National Health Strategy 2030", top) == "strategy"
    assert infer_kind(None, top) == "decree"


def test_the_file_name_is_the_last_resort() -> None:
    assert infer_kind(None, ["Household Survey Results"], file_name="board minutes 2021") == "minutes"
    assert infer_kind("Strategy for pensions", [], file_name="board minutes 2021") == "strategy"
    assert infer_kind(None, [], file_name="report final v2") == "other"


# -- title ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Untitled", "Microsoft Word - report.docx", "report-final", "report_final.pdf", "Document1", "  ", "2023",
              "AnnualReviewofPensionFunds"]
)
def test_placeholder_titles_never_win(title: str) -> None:
    assert is_placeholder(title, "report_final.pdf")
    parsed = _doc("ANNUAL REVIEW OF PENSIONS\n\nThe pension fund grew in 2023.\n", title=title)
    assert infer_metadata(parsed, source="report_final.pdf").title == "Annual Review of Pensions"


def test_a_real_metadata_title_wins_over_the_page() -> None:
    parsed = _doc("ANNUAL REVIEW\n\nText.\n", title="Pension Fund Annual Review 2023 | Ministry site")
    assert infer_metadata(parsed, source="x.html").title == "Pension Fund Annual Review 2023"


def test_without_any_title_the_file_name_is_made_readable() -> None:
    parsed = _doc("the fund grew in 2023 and paid all pensions on time, as it had in every year before.\n")
    assert infer_metadata(parsed, source="pension_fund-report.txt").title == "Pension fund report"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # The opening line standing alone is the title, not the first numbered section or a heading that names a kind.
        ("\t\tA Quick Start for the Tool\n\n1.  Introduction\n================\nThe tool lists files.\n",
         "A Quick Start for the Tool"),
        ("Reviewing Patches in the Project\n================================\n\nIntroduction\n------------\nWords.\n\n"
         "Selecting patches to review\n---------------------------\nMore words.\n", "Reviewing Patches in the Project"),
        # A first line that is a sentence is no title.
        ("The tool lists the files a process holds open.\n\nIt runs anywhere.\n", "Tool guide"),
    ],
)
def test_a_plain_text_files_opening_line_standing_alone_is_its_title(tmp_path: Path, text: str, title: str) -> None:
    path = tmp_path / "tool-guide.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path, source=path.name)
    assert infer_metadata(parsed, source=path.name).title in (title, title.upper())


def test_the_largest_type_on_the_title_page_is_the_title() -> None:
    cover = (
        CoverLine("Ministry of Labour", 11, 780),
        CoverLine("SOCIAL PROTECTION", 36, 600),
        CoverLine("IN RURAL AREAS", 36, 560),
        CoverLine("Review of Recent Approaches", 14, 520),
        CoverLine("Jane Smith", 11, 480),
        *[CoverLine(f"Body text line {i} about the programme and its many results.", 10, 400 - 12 * i) for i in range(8)],
    )
    assert cover_title(cover) == "SOCIAL PROTECTION\nIN RURAL AREAS:\nReview of Recent Approaches"
    parsed = replace(_doc("Ministry of Labour\nSOCIAL PROTECTION\nIN RURAL AREAS\n"), cover=cover)
    meta = infer_metadata(parsed, source="x.pdf")
    assert meta.title == "Social Protection in Rural Areas: Review of Recent Approaches"
    assert meta.doc_type == "review"


def test_a_footnote_mark_between_a_titles_lines_does_not_cut_it() -> None:
    cover = (
        CoverLine("Style for Technical Reports of", 17.2, 615),
        CoverLine("∗", 12, 600),  # the mark of a footnote on the title, set between its lines
        CoverLine("the Harbour Research Centre", 17.2, 593),
        CoverLine("Jane Smith", 12, 565),
        CoverLine("Abstract", 9, 495),
    )
    assert cover_title(cover) == "Style for Technical Reports of\nthe Harbour Research Centre"
    subtitle = (cover[0], CoverLine("Harbour Review", 12, 600), cover[2])  # a line of words does cut it
    assert cover_title(subtitle) == "Style for Technical Reports of"


def test_a_title_page_without_prominent_type_gives_no_title() -> None:
    cover = tuple(CoverLine(f"Line {i} of plain body text about pensions.", 10, 700 - 12 * i) for i in range(10))
    assert cover_title(cover) is None


def test_a_heading_naming_the_kind_wins_over_the_letterhead() -> None:
    text = (
        "LAO PEOPLE'S DEMOCRATIC REPUBLIC\nMINISTRY OF HEALTH\n\nMINISTERIAL DECREE\n\n"
        "on the Organisation of the Health Fund\n\nArticle 1. The fund is set up.\n"
    )
    assert infer_metadata(_doc(text), source="scan.pdf").title == "Ministerial Decree on the Organisation of the Health Fund"


def test_all_caps_titles_keep_the_acronyms_the_text_uses() -> None:
    assert readable_case("THE ROAD TO RECOVERY: HOW NSPC CAN ACT", {"NSPC"}) == "The Road to Recovery: How NSPC Can Act"


# -- date -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "iso"),
    [
        (["Ministry of Health", "Vientiane Capital, 12 March 2021"], "2021-03-12"),
        (["Proposed Rules", "Thursday, August 6, 2020"], "2020-08-06"),
        (["Country Brief", "November 2022"], "2022-11"),
        (["Health Strategy", "Vientiane Capital, 2020"], "2020"),
        (["Minutes of the Board", "Date: 21/02/2024", "Venue: Room 2"], "2024-02-21"),
        (["Programme brief", "Department of Welfare · Updated March 2022 · Sample text"], "2022-03"),
        (["ຍຸດທະສາດ", "ນະຄອນຫຼວງວຽງຈັນ, 9 ທັນວາ 2021"], "2021-12-09"),
        # Years in a name or a period, and a date in a sentence about something else, are not the document's.
        (["Vision 2030 – Goal 2025", "Implementation period 2021–2025"], "2019-05-01"),
        (["Validated at the technical workshop of 19 January 2024 (Vientiane) by all members"], "2019-05-01"),
    ],
)
def test_the_date_near_the_top_of_the_first_page(lines: list[str], iso: str) -> None:
    assert infer_date(None, lines, file_date="2019-05-01") == iso


def test_the_date_in_the_title_then_the_imprint_then_the_file() -> None:
    assert infer_date("Minutes: Board meeting, 28 November 2023", [], file_date="2023-12-04") == "2023-11-28"
    imprint = ["Acknowledgements", "© United Nations Children's Fund (UNICEF) November 2021", "Photo: © Someone"]
    assert infer_date(None, ["THE ROAD TO RECOVERY"], imprint, file_date="2022-01-27") == "2021-11"
    assert infer_date(None, [], ["Copyright © The Commission for the Region 2022"], file_date=None) == "2022"
    assert infer_date(None, ["Household Survey"], [], file_date="2016-03-25") == "2016-03-25"


def test_a_date_given_as_a_year_or_month_passes_the_filters_it_may_meet() -> None:
    from kb.types import Document, Filters

    doc = Document(id="d", source="d.pdf", title="Strategy", date="2020")
    assert Filters(date_from="2020-03-01").allows(doc) and Filters(date_to="2020-02").allows(doc)
    assert not Filters(date_from="2021-01-01").allows(doc) and not Filters(date_to="2019").allows(doc)


# -- the manifest wins ------------------------------------------------------------------------------------


def test_the_manifest_wins_field_by_field(settings: Settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import ingest_paths
    from kb.knowledge_base import KnowledgeBase

    lib = tmp_path / "lib"
    lib.mkdir()
    text = "# Mid-Term Review of the School Meals Programme\n\nVientiane Capital, 3 May 2023\n\nMeals reach 1,400 schools.\n"
    (lib / "report-final.md").write_text(text)
    (lib / "typed.md").write_text(text)
    (lib / "manifest.yaml").write_text("documents:\n  - {file: typed.md, type: note, date: 2023-06-01}\n")
    report = ingest_paths([lib], settings=settings, embedder=fake_embedder)
    assert report.ok, report.to_dict()
    docs = {d["source"]: d for d in (doc.to_dict() for doc in KnowledgeBase(settings, embedder=fake_embedder).documents())}
    inferred, typed = docs["report-final.md"], docs["typed.md"]
    assert (inferred["title"], inferred["doc_type"], inferred["date"]) == (
        "Mid-Term Review of the School Meals Programme", "review", "2023-05-03",
    )  # fmt: skip
    assert (typed["title"], typed["doc_type"], typed["date"]) == (inferred["title"], "note", "2023-06-01")


# -- real files ---------------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


# What page 1 (rendered) shows as each document's title, the kind it is, and the date it gives for itself.
POLICY_EXPECTED = {
    "WorldBank_Energy_Subsidy_Reform_Uzbekistan_2023.pdf": (
        "Distributional Analysis for Informing Energy Subsidy Reforms: Review of Recent Approaches", "review", "2023-09",
    ),  # "© 2023 September" on its imprint page
    "ESCAP_Unpaid_Care_Work_Uzbekistan_2023.pdf": (
        "Valuing and Investing in Unpaid Care and Domestic Work", "other", "2022",
    ),  # a country case study; "Copyright © … 2022"
    "UNICEF_Road_to_Recovery_Uzbekistan_COVID_2021.pdf": (
        "The road to recovery: How social protection can address the impacts of the COVID-19 pandemic in Uzbekistan",
        "other", "2021-11",
    ),  # the cover is a picture; the title page after it has the text; "© UNICEF November 2021"
    "GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf": (
        "The “Social Protection Innovation and Learning” project in Uzbekistan", "brief", "2022-11",
    ),  # "As at November 2022"
    "IPCIG_Universal_Health_Insurance_Uzbekistan_2023.pdf": (
        "Prioritising universal health insurance in Uzbekistan", "brief", "2022-04",
    ),  # "ONE PAGER 502", "April 2022"
    "us-federal-register-2020-17221.pdf": ("Proposed Rules", "decree", "2020-08-06"),
    "us-fbi-nics-background-checks-2015-11.pdf": ("NICS Firearm Background Checks", "other", "2015-11"),
    "WARN-Report-for-7-1-2015-to-03-25-2016.pdf": ("WARN Report", "other", "2016-03-25"),
}  # fmt: skip
# The factsheet never calls itself one (no "factsheet", "brief" or "at a glance" on either page).
KIND_NOT_IN_TEXT = {"GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf"}


@pytest.fixture(scope="module")
def policy_docs() -> dict[str, ParsedDocument]:
    """Each shared policy PDF through the parser, without OCR (their titles and dates have a text layer)."""
    return {name: parse_file(POLICY / name, source=name, ocr=False) for name in POLICY_EXPECTED}


@needs_policy
@pytest.mark.parametrize("name", sorted(POLICY_EXPECTED))
def test_policy_pdfs_title_and_date(policy_docs: dict[str, ParsedDocument], name: str) -> None:
    title, _kind, date = POLICY_EXPECTED[name]
    meta = infer_metadata(policy_docs[name], source=name)
    assert _squash(title) in _squash(meta.title) and len(meta.title) <= len(title) + 40, meta.title
    # The GIZ imprint is an unruled two-column table: read in layout order, its "As at" label stands apart from
    # "November 2022", and the file's own date of that month is taken. The month is what the page says.
    assert meta.date == date or (name in IMPRINT_IN_COLUMNS and meta.date and meta.date.startswith(date)), meta.date


IMPRINT_IN_COLUMNS = {"GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf"}


@needs_policy
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="it never names its kind")) if n in KIND_NOT_IN_TEXT else n
        for n in sorted(POLICY_EXPECTED)
    ],
)
def test_policy_pdfs_type(policy_docs: dict[str, ParsedDocument], name: str) -> None:
    assert infer_metadata(policy_docs[name], source=name).doc_type == POLICY_EXPECTED[name][1]


def _corpus_types() -> dict[str, str]:
    import yaml

    manifest = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
    return {d["file"]: d["type"] for d in manifest["documents"]}


# "Summary of the strategy" reads as the strategy, by the rule that reads "Summary of … Decree" as a decree;
# the manifest calls this summary a brief and the decree's summary a decree.
CORPUS_NOT_GENERAL = {"nsps-summary-lao.pdf"}
CORPUS_PARAMS = [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason="a summary is typed by what it summarises"))
    if f in CORPUS_NOT_GENERAL
    else f
    for f in sorted(_corpus_types())
]


@pytest.fixture(scope="module")
def corpus_without_manifest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, dict[str, object]]]:
    """The sample corpus copied without its manifest, ingested with the fake embedder; its documents by source."""
    from fakes import FakeEmbedder

    from ingest.pipeline import ingest_paths
    from kb.knowledge_base import KnowledgeBase

    lib = tmp_path_factory.mktemp("corpus-no-manifest")
    for name in _corpus_types():
        shutil.copy2(CORPUS / name, lib / name)
    s = Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=lib, _env_file=None)  # type: ignore[call-arg]
    report = ingest_paths([lib], settings=s, embedder=FakeEmbedder())
    assert report.ok, report.to_dict()
    return s, {d.source: d.to_dict() for d in KnowledgeBase(s, embedder=FakeEmbedder()).documents()}


@needs_tesseract
@pytest.mark.parametrize("name", CORPUS_PARAMS)
def test_corpus_types_without_the_manifest(corpus_without_manifest, name: str) -> None:  # type: ignore[no-untyped-def]
    _settings, docs = corpus_without_manifest
    assert docs[name]["doc_type"] == _corpus_types()[name]


@needs_tesseract
@pytest.mark.parametrize("name", CORPUS_PARAMS)
def test_corpus_types_from_content_alone(name: str) -> None:
    """Without the file's own title metadata and under a neutral file name, the page alone tells the kind."""
    parsed = parse_file(CORPUS / name, source=name)
    anonymous = replace(parsed, title=None, date=None)
    assert infer_metadata(anonymous, source=f"document{Path(name).suffix}").doc_type == _corpus_types()[name]
