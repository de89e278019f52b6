"""The passage viewer in Chromium: a citation opens its page with the passage lit, links survive re-ingests, the
reference copies. Screenshots of the highlighted PDF page, a scanned page and a text view go to docs/screenshots/
with KB_SCREENSHOTS=1."""

from __future__ import annotations

import difflib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from serving import serve_app
from test_browser import CHROMIUM, CHROMIUM_ARGS, QUESTION
from test_links import SECTIONS, write_note

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.passage_keys import passage_key, passage_path
from kb.types import Chunk, Document
from web.app import create_app

# The screenshots go to docs/screenshots/ only when asked (KB_SCREENSHOTS=1): a test run must not change tracked files.
SCREENSHOTS = (
    Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    if os.environ.get("KB_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "kb-screenshots"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


def letters(text: str) -> str:
    """Return the letters and digits of a text, lower case: what the highlight is compared on."""
    return "".join(c for c in unicodedata.normalize("NFKD", text).lower() if c.isalnum())


def alike(highlighted: str, passage: str) -> float:
    """Return how much of the passage the highlight is, letter for letter (1.0: the same letters in order)."""
    return difflib.SequenceMatcher(None, letters(highlighted), letters(passage), autojunk=False).ratio()


@contextmanager
def serving(kb: KnowledgeBase) -> Iterator[str]:
    """Serve the app over `kb` on a free loopback port; yield its base URL."""
    with serve_app(create_app(kb.settings, kb=kb)) as url:
        yield url


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_rendered(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Wait for the PDF view to draw its page; return its data attributes."""
    page.wait_for_selector("#pdf-view[data-state=rendered], #pdf-view[data-state=failed]", timeout=30_000)
    data: dict[str, str] = page.evaluate("() => ({...document.getElementById('pdf-view').dataset, passage: ''})")
    assert data["state"] == "rendered", page.locator(".pdf-status").text_content()
    return data


def highlighted(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("() => [...document.querySelectorAll('#pdf-view mark.kb-hit')].map(m => m.textContent).join(' ')"))


def in_view(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }",
        selector,
    ))


def test_a_pdf_citation_opens_its_page_with_the_passage_highlighted(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask(QUESTION)
    cited = next(c for c in answer.citations if c.hit.document.media_type == "application/pdf" and not c.hit.chunk.ocr)
    requested: list[str] = []
    errors: list[str] = []
    with serving(kb) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/ask?q={QUESTION}")
        page.locator(f"#cite-{cited.n} a.open").click()
        data = wait_rendered(page)
        assert page.url.split("#")[0] == server + cited.url
        assert data["page"] == str(cited.hit.chunk.page) and int(data["marks"]) > 0
        assert float(data["coverage"]) >= 0.9
        assert alike(highlighted(page), cited.hit.chunk.text) >= 0.9
        assert in_view(page, "#pdf-view mark.kb-hit")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "viewer-pdf.png"), full_page=True)
        # The other pages are a click away; back on the cited page, the passage is lit again.
        step = "1" if cited.hit.chunk.page < cited.hit.document.pages else "-1"
        page.locator(f"#pdf-view button[data-step='{step}']").click()
        page.wait_for_function(f"() => document.getElementById('pdf-view').dataset.page === '{cited.hit.chunk.page + int(step)}'"
                               " && document.getElementById('pdf-view').dataset.state === 'rendered'")
        assert page.locator("#pdf-view mark.kb-hit").count() == 0
        page.locator(f"#pdf-view button[data-step='{-int(step)}']").click()
        page.wait_for_function(f"() => document.getElementById('pdf-view').dataset.page === '{cited.hit.chunk.page}'"
                               " && document.getElementById('pdf-view').dataset.state === 'rendered'")
        assert alike(highlighted(page), cited.hit.chunk.text) >= 0.9
    assert not errors, errors
    assert all(url.startswith(server) for url in requested), [u for u in requested if not u.startswith(server)]
    assert any("/static/vendor/pdfjs/build/pdf.worker.min.mjs" in u for u in requested), "pdf.js's worker not served locally"


def test_a_scanned_page_boxes_the_ocr_passage(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    scan = next(d for d in kb.documents() if d.media_type == "application/pdf" and any(c.ocr for c in kb.chunks(d.id)))
    chunk = max((c for c in kb.chunks(scan.id) if c.ocr), key=lambda c: len(c.text))
    with serving(kb) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(server + passage_path(scan.id, passage_key(chunk.text)) + "#passage")
        data = wait_rendered(page)
        assert data["page"] == str(chunk.page) and float(data["coverage"]) >= 0.9
        assert alike(highlighted(page), chunk.text) >= 0.9
        assert page.locator(".ocr-passage-box").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "viewer-scan.png"))


def _text_citation(kb: KnowledgeBase) -> tuple[Document, Chunk]:
    doc = next(d for d in kb.documents() if d.source.endswith(".html"))
    return doc, max(kb.chunks(doc.id)[1:], key=lambda c: len(c.text))  # not the first: the view must scroll to it


def test_a_text_citation_marks_the_passage_and_scrolls_to_it(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    doc, chunk = _text_citation(kb)
    url = passage_path(doc.id, passage_key(chunk.text))
    with serving(kb) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.goto(server + url + "#passage")
        mark = page.locator("mark#passage")
        assert letters(mark.text_content() or "") == letters(chunk.text)
        page.wait_for_function("() => { const r = document.getElementById('passage').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < innerHeight; }")
        page.wait_for_function("() => { const r = document.getElementById('passage').getBoundingClientRect();"
                               " return Math.abs(r.top + r.height / 2 - innerHeight / 2) < innerHeight / 4; }")
        page.screenshot(path=str(SCREENSHOTS / "viewer-text.png"))

        # Without JavaScript: the text view still marks the passage, and a PDF link falls back to its page's text.
        plain = browser.new_context(java_script_enabled=False).new_page()
        plain.goto(server + url + "#passage")
        assert letters(plain.locator("mark#passage").text_content() or "") == letters(chunk.text)
        pdf_chunk = next(c for d in kb.documents() if d.media_type == "application/pdf" for c in kb.chunks(d.id) if not c.ocr)
        plain.goto(server + passage_path(pdf_chunk.document_id, passage_key(pdf_chunk.text)) + "#passage")
        assert plain.locator("#pdf-view canvas").count() == 0
        assert letters(plain.locator("mark#passage").text_content() or "") == letters(pdf_chunk.text)
        assert not plain.locator("button.copy-reference").first.is_visible()  # a button that needs JS is hidden


def test_a_deep_link_survives_a_reingest_and_says_when_its_passage_changed(  # type: ignore[no-untyped-def]
    browser, settings: Settings, fake_embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "lib"
    write_note(folder, SECTIONS)
    (folder / "other.md").write_text("# Fleet\n\nOffice cars are serviced every 10,000 kilometres.\n")
    ingest_paths([folder], settings=settings, embedder=fake_embedder)
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    doc = next(d for d in kb.documents() if d.source == "grant.md")
    chunk = next(c for c in kb.chunks(doc.id) if "monthly cash transfer" in c.text)
    url = passage_path(doc.id, passage_key(chunk.text)) + "#passage"
    with serving(kb) as server:
        page = browser.new_page()
        page.goto(server + url)
        assert letters(page.locator("mark#passage").text_content() or "") == letters(chunk.text)

        # Re-ingested (a new title makes ingest re-read the file): new row ids, the same link, the same passage.
        (folder / "manifest.yaml").write_text("documents:\n  - file: grant.md\n    title: Cash grant operations note\n")
        assert ingest_paths([folder], settings=settings, embedder=fake_embedder).updated == ["grant.md"]
        assert all(c.id != chunk.id for c in kb.chunks(doc.id))
        page.goto("about:blank")  # the same URL with its #fragment again would only scroll, not load
        page.goto(server + url)
        assert letters(page.locator("mark#passage").text_content() or "") == letters(chunk.text)
        assert page.locator(".notice").count() == 0
        assert "Cash grant operations note" in (page.locator(".reference-text").text_content() or "")

        # The passage changed: the link still opens, says so, and marks the nearest passage of the current text.
        write_note(folder, dict(SECTIONS, Benefits=SECTIONS["Benefits"].replace("monthly", "quarterly")))
        ingest_paths([folder], settings=settings, embedder=fake_embedder)
        page.goto("about:blank")
        page.goto(server + url)
        assert "has changed since the link was made" in (page.locator(".notice").text_content() or "")
        assert "quarterly cash transfer" in (page.locator("mark#passage").text_content() or "")
        page.locator(".notice summary").click()
        assert "monthly cash transfer" in (page.locator(".linked-text").text_content() or "")


def test_the_copy_button_puts_the_reference_on_the_clipboard(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    answer = kb.ask(QUESTION)
    first = answer.citations[0]
    assert first.reference and first.reference.startswith(first.hit.document.title)
    with serving(kb) as server:
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page = context.new_page()
        page.goto(f"{server}/ask?q={QUESTION}")
        button = page.locator("#cite-1 button.copy-reference")
        assert button.is_visible()
        button.click()
        page.wait_for_function("() => document.querySelector('#cite-1 button.copy-reference').textContent === 'Copied'")
        assert page.evaluate("() => navigator.clipboard.readText()") == first.reference
        assert page.locator("#cite-1 .reference-text").text_content() == first.reference

        # The viewer offers the same reference.
        page.goto(server + str(first.url))
        page.locator("header button.copy-reference").click()
        page.wait_for_function("() => document.querySelector('header button.copy-reference').textContent === 'Copied'")
        assert page.evaluate("() => navigator.clipboard.readText()") == first.reference


def test_the_word_briefing_downloads_from_the_answer_page(browser, kb: KnowledgeBase, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document as WordDocument

    answer = kb.ask(QUESTION)
    with serving(kb) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 1500}, accept_downloads=True)
        page.goto(server + "/")
        page.wait_for_function("() => window.htmx !== undefined")
        page.fill("#q", QUESTION)
        page.press("#q", "Enter")
        page.locator("#answer .coverage").wait_for(timeout=15_000)
        assert "Searched" in (page.locator("#answer .coverage").text_content() or "")
        page.screenshot(path=str(SCREENSHOTS / "viewer-answer.png"))
        with page.expect_download() as info:
            page.get_by_role("link", name="Word (.docx)").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
    assert saved.name.startswith("briefing-") and saved.suffix == ".docx"
    text = "\n".join(p.text for p in WordDocument(str(saved)).paragraphs)
    assert QUESTION in text and all(str(c.reference) in text for c in answer.citations)


def test_the_matcher_finds_a_passage_across_hyphens_ligatures_spacing_and_columns(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    cases = {
        # line-end hyphenation, a ligature, runs of spaces, and the page's own header around it
        "hyphens": (["Annual report 2024", "The pro-", "tection of ﬁnancial", "  rights   is   key", "to the plan."],
                    "The protection of financial rights is key to the plan."),
        # two columns that the text layer gives right column first: the passage reads left then right
        "columns": (["Right column: payments are made every quarter by the district office.",
                     "Left column: households register with the village health volunteer first."],
                    "Left column: households register with the village health volunteer first. "
                    "Right column: payments are made every quarter by the district office."),
    }
    with serving(kb) as server:
        page = browser.new_page()
        page.goto(server + "/")
        for name, (spans, passage) in cases.items():
            result = page.evaluate(
                """async ([spans, passage]) => {
                    const { markPassage } = await import('/static/passage-match.js');
                    const box = document.createElement('div');
                    const els = spans.map((t) => {
                        const s = document.createElement('span'); s.textContent = t; box.append(s); return s;
                    });
                    document.body.append(box);
                    const { marks, coverage } = markPassage(els, passage);
                    box.remove();
                    return { coverage, text: marks.map((m) => m.textContent).join(' ') };
                }""",
                [spans, passage],
            )
            assert result["coverage"] >= 0.95, name
            if name == "columns":  # marked in the page's order, so compared word by word, not in sequence
                assert sorted(letters(w) for w in result["text"].split()) == sorted(letters(w) for w in passage.split())
            else:
                assert alike(result["text"], passage) >= 0.9, (name, result["text"])
            assert "annualreport" not in letters(result["text"]), "text around the passage was marked"


def test_the_viewer_works_under_the_apps_policy_without_inline_script(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    """The pages' Content-Security-Policy (no inline script or style): pdf.js, its worker, the copy button and htmx
    run under it with no violation."""
    answer = kb.ask(QUESTION)
    cited = next(c for c in answer.citations if c.hit.document.media_type == "application/pdf" and not c.hit.chunk.ocr)
    with serving(kb) as server:
        page = browser.new_page()
        page.add_init_script(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) =>"
            " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
        )
        response = page.goto(server + str(cited.url))
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy, policy
        data = wait_rendered(page)
        assert float(data["coverage"]) >= 0.9
        page.locator("header button.copy-reference").click()
        page.wait_for_function("() => window.htmx !== undefined")
        assert page.evaluate("() => window.__violations") == []


def test_a_scanned_image_file_shows_the_image_with_the_passage_boxed(  # type: ignore[no-untyped-def]
    browser, settings: Settings, fake_embedder, tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw, ImageFont

    lines = ["NOTICE OF THE DISTRICT OFFICE", "", "Payments of the child grant are made every quarter",
             "at the district office, from the first Monday of the", "month, to the mother or the registered carer.", "",
             "Complaints go to the village chief within thirty days."]
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 34)
    image = Image.new("L", (1400, 520), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 40 + i * 62), line, font=font, fill=0)
    folder = tmp_path / "scans"
    folder.mkdir()
    image.save(folder / "notice.png")
    assert ingest_paths([folder], settings=settings, embedder=fake_embedder).ok
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    doc = kb.documents()[0]
    chunk = max(kb.chunks(doc.id), key=lambda c: len(c.text))
    assert chunk.ocr and "every quarter" in chunk.text
    with serving(kb) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(server + passage_path(doc.id, passage_key(chunk.text)) + "#passage")
        page.wait_for_selector("#image-view[data-state=rendered]", timeout=30_000)
        assert float(page.get_attribute("#image-view", "data-coverage") or 0) >= 0.9
        marked = page.evaluate("() => [...document.querySelectorAll('#image-view mark.kb-hit')]"
                               ".map(m => m.textContent).join(' ')")
        assert alike(marked, chunk.text) >= 0.9
        assert page.locator("#image-view .ocr-passage-box").is_visible()
