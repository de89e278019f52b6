"""Parsers on small files made here: PDF, DOCX, HTML, Markdown, text, images, and content sniffing."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.parse.detect import detect_type
from ingest.parse.pdf import pdf_date, text_problem
from ingest.parse.text import find_line_headings
from kb.errors import ParseError
from kb.types import Page

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract binary is not installed")


def make_pdf(pages: list[list[str]], *, title: str | None = None) -> bytes:
    """Return a minimal valid PDF whose pages hold the given lines in Helvetica."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for lines in pages:
        ops = [b"BT /F1 12 Tf 14 TL 72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + escaped.encode("cp1252") + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info_id = None
    if title:
        objects.append(b"<< /Title (%s) /CreationDate (D:20240315120000Z) >>" % title.encode())
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = (
        b"<< /Size %d /Root 1 0 R" % (len(objects) + 1) + (b" /Info %d 0 R" % info_id if info_id else b"") + b" >>"
    )
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def check_offsets(page: Page) -> None:
    """Assert every heading's offset points at its title in the page text."""
    for heading in page.headings:
        assert page.text[heading.offset :].startswith(heading.title), heading


# --- PDF -------------------------------------------------------------------------------------------


def test_pdf_pages_headings_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "policy.pdf"
    path.write_bytes(
        make_pdf(
            [
                ["1. Introduction", "The national strategy covers all provinces of the country."],
                [],
                ["3.2 School meals", "Every pupil in a public primary school receives a free lunch."],
            ],
            title="National Social Protection Strategy",
        )
    )
    doc = parse_file(path, source="policy.pdf", ocr=False)
    assert [p.number for p in doc.pages] == [1, 2, 3]  # the empty page keeps the numbering true
    assert doc.title == "National Social Protection Strategy"
    assert doc.date == "2024-03-15"
    first, empty, third = doc.pages
    assert "national strategy covers" in first.text and empty.text == ""
    assert [(h.title, h.level) for h in first.headings] == [("1. Introduction", 1)]
    assert [(h.title, h.level) for h in third.headings] == [("3.2 School meals", 2)]
    for page in doc.pages:
        check_offsets(page)
        assert not page.ocr
    assert any("page 2" in w for w in doc.warnings)


def test_pdf_title_falls_back_to_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "untitled.pdf"
    path.write_bytes(make_pdf([["SCHOOL FEEDING PROGRAMME", "Lunches are served in all public schools daily."]]))
    assert parse_file(path, source="untitled.pdf", ocr=False).title == "SCHOOL FEEDING PROGRAMME"


def test_truncated_pdf_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(make_pdf([["Some text on a page that will be cut off."]])[:60])
    with pytest.raises(ParseError) as info:
        parse_file(path, source="cut.pdf", ocr=False)
    assert info.value.reason
    assert "Traceback" not in info.value.reason


def test_html_posing_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "download.pdf"
    path.write_text("<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>")
    with pytest.raises(ParseError, match="not a PDF: the file is HTML"):
        parse_file(path, source="download.pdf")


def test_garbage_text_layers_are_detected() -> None:
    assert text_problem("") == "no text layer"
    assert text_problem("12") == "almost no text layer"
    assert text_problem("\ue000\ue001\ue002 \ue003\ue004 " * 10 + "abc") is not None
    broken_lao = " ".join(["\u0ec8\u0e81\u0eb2\u0e99"] * 20)  # tone mark before its consonant
    assert "Lao" in (text_problem(broken_lao) or "")
    good_lao = " ".join(["\u0e81\u0eb2\u0e99\u0e9b\u0ebb\u0e81\u0e9b\u0ec9\u0ead\u0e87"] * 10)
    assert text_problem(good_lao) is None
    assert text_problem("Social protection covers every child in the country. " * 3) is None


def test_pdf_dates() -> None:
    assert pdf_date("D:20230928145139-04'00'") == "2023-09-28"
    assert pdf_date("D:2021") == "2021"
    assert pdf_date("garbage") is None


@needs_tesseract
def test_image_only_pdf_page_is_read_by_ocr(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 48) if _has_font("DejaVuSans.ttf") else ImageFont.load_default(48)
    draw.text((60, 80), "Household Survey Results", fill=0, font=font)
    draw.text((60, 200), "Pensions reached older persons", fill=0, font=font)
    path = tmp_path / "scan.pdf"
    image.save(path, "PDF", resolution=150)
    doc = parse_file(path, source="scan.pdf", ocr_languages="eng")
    (page,) = doc.pages
    assert page.number == 1 and page.ocr
    assert "Household Survey" in page.text and "Pensions" in page.text
    check_offsets(page)


@needs_tesseract
def test_image_file_is_ocrd_as_one_unnumbered_page(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1000, 300), "white")
    font = ImageFont.truetype("DejaVuSans.ttf", 44) if _has_font("DejaVuSans.ttf") else ImageFont.load_default(44)
    ImageDraw.Draw(image).text((40, 100), "Child benefit reform", fill="black", font=font)
    path = tmp_path / "photo.png"
    image.save(path)
    doc = parse_file(path, source="photo.png", ocr_languages="eng+xyz")  # unknown packs are ignored
    (page,) = doc.pages
    assert page.number is None and page.ocr and "Child benefit" in page.text


def test_missing_tesseract_skips_page_with_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.parse import ocr

    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    path = tmp_path / "blank.pdf"
    path.write_bytes(make_pdf([["1. Scope", "This decree applies to every ministry and province."], []]))
    doc = parse_file(path, source="blank.pdf")
    assert len(doc.pages) == 2 and doc.pages[1].text == ""
    assert "page 2: no text layer and Tesseract is not installed; page skipped" in doc.warnings


def _has_font(name: str) -> bool:
    from PIL import ImageFont

    try:
        ImageFont.truetype(name, 10)
    except OSError:
        return False
    return True


# --- DOCX --------------------------------------------------------------------------------------------


def test_docx_headings_tables_in_body_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Decree on Pensions"
    document.add_heading("Decree on Pensions", level=0)
    document.add_paragraph("This decree sets the minimum pension.")
    document.add_heading("Article 1 Benefit levels", level=1)
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("Group", "Amount", "Currency"), ("Elderly", "500000", "LAK")], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_heading("Eligibility", level=2)
    document.add_paragraph("Citizens aged 60 and over.")
    path = tmp_path / "decree.docx"
    document.save(str(path))
    doc = parse_file(path, source="decree.docx")
    (page,) = doc.pages
    assert page.number is None
    assert doc.title == "Decree on Pensions"
    assert [(h.title, h.level) for h in page.headings] == [
        ("Decree on Pensions", 1),
        ("Article 1 Benefit levels", 1),
        ("Eligibility", 2),
    ]
    check_offsets(page)
    assert "Group | Amount | Currency\nElderly | 500000 | LAK" in page.text
    assert page.text.index("Benefit levels") < page.text.index("Elderly") < page.text.index("Eligibility")


def test_broken_docx_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    with pytest.raises(ParseError, match="damaged DOCX"):
        parse_file(path, source="broken.docx")


# --- HTML --------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><title>Cash Transfers Brief</title>
<meta name="date" content="2022-05-01"><style>body{color:red}</style><script>var secret = 1;</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<header><img src="logo.png"><span>Ministry portal menu</span></header>
<main><h1>Cash Transfers</h1><p>The programme   pays <b>monthly</b> benefits.</p>
<h2>Coverage</h2><table><tr><th>Province</th><th>Households</th></tr><tr><td>Vientiane</td><td>1,200</td></tr></table>
<p hidden>invisible text</p><aside>Related links</aside><form><input name=q>Search box</form></main>
<footer>Copyright 2022 footer text</footer><noscript>Enable JavaScript</noscript></body></html>"""


def test_html_visible_text_headings_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "brief.html"
    path.write_text(HTML)
    doc = parse_file(path, source="brief.html")
    (page,) = doc.pages
    assert doc.title == "Cash Transfers Brief" and doc.date == "2022-05-01"
    assert [(h.title, h.level) for h in page.headings] == [("Cash Transfers", 1), ("Coverage", 2)]
    check_offsets(page)
    assert "The programme pays monthly benefits." in page.text
    assert "Province | Households\nVientiane | 1,200" in page.text
    for dropped in ("secret", "color:red", "About us", "Ministry portal menu", "invisible", "Related links",
                    "Search box", "footer text", "Enable JavaScript"):  # fmt: skip
        assert dropped not in page.text


def test_xhtml_page_is_read_as_html_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "faq.html"
    body = "<p>Mirrors are synced daily.</p>" + "<p>Each mirror keeps the whole archive.</p>" * 20
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
                    f"<head><title>Archive FAQ</title></head><body>{body}</body></html>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an XML declaration before <html> made BeautifulSoup warn on every such page
        doc = parse_file(path, source="faq.html")
    assert doc.title == "Archive FAQ"
    assert "Mirrors are synced daily." in doc.pages[0].text


# --- Markdown and text -------------------------------------------------------------------------------


def test_markdown_headings_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "# Meeting notes\n\nAttendees met in [Vientiane](https://x.la).\n\n## Decisions ##\n\n"
        "| Item | Owner |\n|---|---|\n| Budget | MoF |\n\nSetext heading\n--------------\nDone.\n"
    )
    doc = parse_file(path, source="notes.md")
    (page,) = doc.pages
    assert [(h.title, h.level) for h in page.headings] == [
        ("Meeting notes", 1),
        ("Decisions", 2),
        ("Setext heading", 2),
    ]
    check_offsets(page)
    assert "#" not in page.text and "Item | Owner\nBudget | MoF" in page.text and "---" not in page.text
    assert "met in Vientiane." in page.text
    assert doc.title == "Meeting notes"


def test_text_headings_encodings_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "decree.txt"
    path.write_bytes(
        "\ufeffDECREE ON SOCIAL WELFARE\n\nArticle 3\nThe  state   pays.\n\n\n\n2. SCOPE\nAll citizens.\r\n".encode()
    )
    doc = parse_file(path, source="decree.txt")
    (page,) = doc.pages
    assert [h.title for h in page.headings] == ["DECREE ON SOCIAL WELFARE", "Article 3", "2. SCOPE"]
    check_offsets(page)
    assert "The state pays.\n\n2. SCOPE" in page.text and not doc.warnings

    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Caf\xe9 cr\xe8me \x93quoted\x94".encode("latin-1"))
    doc = parse_file(legacy, source="legacy.txt")
    assert doc.pages[0].text == "Café crème “quoted”" and "cp1252" in doc.warnings[0]


def test_text_headings_underlined_in_restructuredtext_style(tmp_path: Path) -> None:
    path = tmp_path / "changes.txt"
    path.write_text(
        "Release notes\n*************\n\n2.4. Version 1.8.0\n==================\n\nReleased in May.\n\n"
        "=====\nUsage\n=====\n\nRun it.\nA note that ends here.\n" + "-" * 70 + "\nMore text.\n",
        encoding="utf-8",
    )
    (page,) = parse_file(path, source="changes.txt").pages
    check_offsets(page)
    assert [(h.title, h.level) for h in page.headings] == [
        ("Release notes", 1), ("2.4. Version 1.8.0", 2), ("Usage", 2)]
    assert "****" not in page.text and "====" not in page.text
    assert "A note that ends here.\n" + "-" * 70 in page.text  # a long rule under a sentence is a separator


def test_utf16_surrogate_halves_are_joined_or_replaced() -> None:
    from ingest.parse.text import normalize_text

    text = normalize_text("Conductivity \ud835\udc58 of the wall \udc00.")
    assert text == "Conductivity \U0001d458 of the wall \ufffd." and text.encode("utf-8")


def test_nfc_normalisation(tmp_path: Path) -> None:
    path = tmp_path / "nfc.txt"
    path.write_text("Cafe\u0301 and \u0ec0\u0e81\u0eb5\u0e94")
    assert parse_file(path, source="nfc.txt").pages[0].text.startswith("Caf\u00e9 and")


def test_find_line_headings_rejects_footnotes_and_toc() -> None:
    text = "1 Introduction\nbody text.\n12 Reuters (2020)\n3.1 Legislative frameworks 5\nIn the CONTEXT of"
    assert [h.title for h in find_line_headings(text)] == ["1 Introduction"]
    # A comma alone does not make a footnote; a comma with a year or page number does.
    text = "2 Vision, goal and guiding principles\n2.1 Vision to 2030\nBy 2030 all.\n3 Smith, J., 2019\nmore text."
    assert [h.title for h in find_line_headings(text)] == ["2 Vision, goal and guiding principles", "2.1 Vision to 2030"]


# --- detection ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", b"%PDF-1.7\n...", "pdf"),
        ("a.bin", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image"),
        ("a.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image"),
        ("a.tif", b"II*\x00" + b"\x00" * 20, "image"),
        ("a.txt", b"<html><body>hi</body></html>", "html"),
        ("a.md", b"# Title\n", "markdown"),
        ("a", b"plain words\n", "text"),
    ],
)
def test_detect_by_content(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert detect_type(path, source=name) == kind


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", b"", "empty file (0 bytes)"),
        ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "unsupported file type"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Microsoft Office"),
        ("a.docx", b"plain text pretending", "not a DOCX: the file is plain text"),
    ],
)
def test_detect_rejects(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        detect_type(path, source=name)
    assert reason in info.value.reason


def test_detect_zip_that_is_not_docx(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ParseError, match="Excel workbook"):
        detect_type(path, source="book.xlsx")


def test_binary_posing_as_text(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(1, 32)) * 50 + b"\xff\xfe\x00abc" * 10)
    with pytest.raises(ParseError):
        parse_file(path, source="data.txt")


def test_control_characters_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(1, 32)) * 50)
    with pytest.raises(ParseError, match="binary data"):
        parse_file(path, source="data.txt")


def test_a_formatted_manual_page_is_read_without_its_terminal_formatting(tmp_path: Path) -> None:
    # Bold and underline as escape sequences (groff's SGR output) and as overstrikes (nroff's older output).
    bold = "".join(f"{c}\b{c}" for c in "SYNOPSIS")
    under = "".join(f"_\b{c}" for c in "pager")
    text = (f"\x1b[1mNAME\x1b[0m\n    tide - show the tide \x1b[4mtables\x1b[24m\n\n{bold}\n    tide [{under}]\n" * 40)
    path = tmp_path / "tide.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path, source="tide.txt")
    body = " ".join(p.text for p in parsed.pages)
    assert "show the tide tables" in body and "SYNOPSIS" in body and "tide [pager]" in body
    assert "\x1b" not in body and "\b" not in body


def test_running_headers_and_page_labels_are_dropped() -> None:
    from ingest.parse.pdf import strip_running_lines
    from kb.types import Page

    topics = {1: ("Coverage", "Most workers are informal."), 2: ("Financing", "Budgets grew slowly."),
              3: ("Outlook", "A new strategy is due.")}
    pages = [
        Page(n, f"Annual Report – INTERNAL\n{n} {title}\n{body}\nSee annex {title}.\nPage {n} of 3")
        for n, (title, body) in topics.items()
    ]
    out = strip_running_lines(pages)
    assert [p.text for p in out] == [
        f"{n} {title}\n{body}\nSee annex {title}." for n, (title, body) in topics.items()
    ]
    assert out[1].headings[0].title == "2 Financing" and out[1].headings[0].offset == 0


def test_sample_minutes_action_table_joins_wrapped_cells() -> None:
    from ingest.parse.pdf import parse_pdf

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    doc = parse_pdf(corpus / "minutes-technical-working-group-2023-11.pdf", source="minutes.pdf", ocr=False)
    lines = [line for page in doc.pages for line in page.text.split("\n")]
    header = lines.index("No. | Action | Responsible | Due date")
    # The action cell wraps over three lines in the PDF; the row holds it whole, under the header.
    row = "A1 | Send the terms of reference of the mid-term review to members for comment | NSPC Secretariat | 1 December 2023"
    assert lines.index(row) == header + 1
    assert lines[header + 2].startswith("A2 | Share the list of officials to be interviewed in the provinces |")


def test_sample_review_table_is_extracted_as_rows() -> None:
    from ingest.parse.pdf import parse_pdf

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    doc = parse_pdf(corpus / "nsps-mid-term-review-2024.pdf", source="review.pdf", ocr=False)
    page = doc.pages[3]
    assert "Self-employed members of the voluntary scheme | 15,200 | 26,800 | 40,000" in page.text
    assert "Indicator | Baseline 2020 | 2023 | 2025 target" in page.text


def test_an_unnumbered_annex_starts_a_section() -> None:
    from ingest.parse.text import find_line_headings

    text = (
        "8 Monitoring and evaluation\nMinistries report every six months.\n\n"
        "Annex: Summary of commitments\n\nCommitment | Lead body"
    )
    assert [h.title for h in find_line_headings(text)] == ["8 Monitoring and evaluation", "Annex: Summary of commitments"]
    assert not find_line_headings("Annexed to this report are the minutes of the meeting.\nMore text.")


def test_a_noisy_page_is_read_again_denoised_and_the_surer_reading_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    from ingest.parse import ocr

    calls: list[str] = []

    def reader(confidences: dict[str, float]):  # type: ignore[no-untyped-def]
        def read(image: Image.Image, languages: str, *, timeout_s: float) -> ocr.Reading:
            kind = "plain" if not calls else "denoised"
            calls.append(kind)
            return ocr.Reading(f"{kind} text", confidences[kind])

        return read

    page = Image.new("L", (40, 40), 255)
    monkeypatch.setattr(ocr, "_tesseract", reader({"plain": 81.0, "denoised": 95.0}))
    assert ocr.ocr_image(page, "eng") == "denoised text" and calls == ["plain", "denoised"]
    calls.clear()
    monkeypatch.setattr(ocr, "_tesseract", reader({"plain": 70.0, "denoised": 60.0}))
    assert ocr.ocr_image(page, "eng") == "plain text"  # the filter made it worse: keep the first reading
    calls.clear()
    monkeypatch.setattr(ocr, "_tesseract", reader({"plain": 95.0, "denoised": 99.0}))
    assert ocr.ocr_image(page, "eng") == "plain text" and calls == ["plain"]  # a clean page is read once

    def lao_reader(confidence: float):  # type: ignore[no-untyped-def]
        def read(image: Image.Image, languages: str, *, timeout_s: float) -> ocr.Reading:
            calls.append(languages)
            return ocr.Reading("ຍຸດທະສາດການປົກປ້ອງສັງຄົມ", confidence)

        return read

    calls.clear()
    monkeypatch.setattr(ocr, "_tesseract", lao_reader(85.0))
    ocr.ocr_image(page, "lao")
    assert calls == ["lao"]  # Tesseract is less sure of Lao: 85 is a clean Lao page
    calls.clear()
    monkeypatch.setattr(ocr, "_tesseract", lao_reader(70.0))
    ocr.ocr_image(page, "lao")
    assert calls == ["lao", "lao"]


def test_mean_confidence_counts_words_only() -> None:
    from ingest.parse.ocr import _mean_confidence

    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t10\t30\t12\t96.5\tJuly\n"
        "5\t1\t1\t1\t1\t2\t50\t10\t30\t12\t71.5\t2013.\n"
        "5\t1\t1\t1\t1\t3\t90\t10\t5\t12\t95\t \n"
    )
    assert _mean_confidence(tsv) == pytest.approx(84.0)
    assert _mean_confidence("level\tconf\ttext\n") == 0.0


@needs_tesseract
def test_the_sample_librarys_noisy_scan_reads_cleanly() -> None:
    from ingest.parse.ocr import PdfRenderer, ocr_image

    scan = Path(__file__).resolve().parents[1] / "corpus" / "decree-scan-moh-1666-2013.pdf"
    text = ocr_image(PdfRenderer(scan).render(0), "eng+lao")
    # Read plainly, the page gave "22 Ful 2013" and "National Health mietraves Bureau".
    assert "22 July 2013" in text and "National Health Insurance Bureau" in text


WORDS = "zero first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()


def _pages(texts: list[str]) -> list:
    from kb.types import Page

    return [Page(n, text) for n, text in enumerate(texts, start=1)]


def test_alternating_and_chapter_running_heads_are_dropped_but_a_heading_in_other_case_stays() -> None:
    from ingest.parse.running import strip_running_lines

    texts = []
    for n in range(1, 13):
        head = "A REVIEW OF BENEFITS" if n % 2 == 0 else ("EARLY YEARS" if n <= 6 else "LATER YEARS")
        body = f"In the {WORDS[n]} month the fund paid what was due.\nIt goes on over a second line."
        if n == 7:
            body = "Later Years\n" + body
        texts.append(f"{head}\n{body}\n{n}")
    out = strip_running_lines(_pages(texts))
    joined = "\n".join(p.text for p in out)
    for head in ("A REVIEW OF BENEFITS", "EARLY YEARS", "LATER YEARS"):
        assert head not in joined
    assert all(f"In the {WORDS[n]} month the fund paid what was due." in joined for n in range(1, 13))
    assert [h.title for h in out[6].headings] == ["Later Years"]  # the chapter's own heading, not its running head


def test_a_stamp_set_as_a_line_per_field_is_peeled_off_every_page() -> None:
    from ingest.parse.running import strip_running_lines

    texts = [
        f"On the {WORDS[n]} day the committee met.\nIt agreed the {WORDS[n]} part of the plan.\n\n"
        f"Stamp 2014\n\n16:21 Aug 05\n\nJkt {250000 + n}\n\nFrm 000{n}\n\nFmt 4702"
        for n in range(1, 7)
    ]
    out = strip_running_lines(_pages(texts))
    for n, page in enumerate(out, start=1):
        assert page.text == f"On the {WORDS[n]} day the committee met.\nIt agreed the {WORDS[n]} part of the plan."


def test_prose_a_template_repeats_on_every_page_is_kept_inside_the_page() -> None:
    from ingest.parse.running import strip_running_lines

    filler = ["The meeting welcomes you to the city.", "The city welcomes the meeting, we simply love it."]
    texts = ["\n".join(filler * 4 + [f"Page {n} of 5"]) for n in range(1, 6)]
    out = strip_running_lines(_pages(texts))
    assert all(p.text.count(filler[0]) >= 3 for p in out)


def test_captions_chart_labels_and_footnotes_head_no_section_and_a_label_takes_its_title() -> None:
    from ingest.parse.text import find_line_headings

    text = (
        "2 Results\nCoverage rose over the period for every group of households.\n\n"
        "FIGURE 3\nCoverage by year\n\nQuintile 1\nQuintile 2\n2020\n\n"
        "Source: the household survey of all provinces, carried out in 2020.\n\n"
        "26 See the decree of July 2020\n27 Benefit amounts are estimated from the survey.\n\n"
        "FOUR\nConclusions and\nLessons Learned\n\nThe review closes with lessons.\n\n"
        "Section 5\n\nRecommendations\nThe ministry should publish the register."
    )
    titles = [h.title for h in find_line_headings(text)]
    assert titles == ["2 Results", "FOUR Conclusions and Lessons Learned", "Section 5 Recommendations"]
    assert [h.title for h in find_line_headings("as shown in\nTable 3.2.\n3.1 Data\nThe data came late.")] == ["3.1 Data"]


def test_a_title_broken_over_lines_is_one_heading_and_a_wrapped_sentence_is_none() -> None:
    from ingest.parse.text import find_line_headings

    cover = "TECHNICAL REPORT\nWATER TARIFFS AND\nTHE POOR\n\nIN FIVE CITIES\nA Review\nJane Roe and Ann Poe"
    assert [h.title for h in find_line_headings(cover)] == ["TECHNICAL REPORT WATER TARIFFS AND THE POOR", "IN FIVE CITIES"]
    # across a blank line only a title that breaks on a small word goes on
    cover = "TECHNICAL REPORT\nWATER TARIFFS FOR\n\nFIVE CITIES\nA Review"
    assert [h.title for h in find_line_headings(cover)] == ["TECHNICAL REPORT WATER TARIFFS FOR FIVE CITIES"]
    # numbered headings stay apart
    assert [h.title for h in find_line_headings("Intro.\n\n2 PROGRESS\n2.1 HEALTH\nText here.")] == [
        "2 PROGRESS", "2.1 HEALTH"]
    text = "The alert shows above a threshold.\n13 More than 10 degrees difference for more than\n10 seconds."
    assert find_line_headings(text) == ()
    text = "Text.\n3.2 Spending on Fuel Subsidies as\na Share of GDP\nSpending fell in every year after the reform."
    assert [h.title for h in find_line_headings(text)] == ["3.2 Spending on Fuel Subsidies as a Share of GDP"]
    text = "Text.\n1.3 What the fund is for\nThe fund pays for the goals of the sector."
    assert [h.title for h in find_line_headings(text)] == ["1.3 What the fund is for"]
    text = "Text.\n3.1 Analysis of Direct Effects:\n\n2018–19 Water Tariff Reforms in Town A\nThe town raised tariffs."
    assert [h.title for h in find_line_headings(text)] == [
        "3.1 Analysis of Direct Effects: 2018–19 Water Tariff Reforms in Town A"]
