"""A briefing from saved answers, in Chromium: save two answers from their pages, open the list, download the DOCX
and read it with python-docx: both questions and their references are in it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from docx import Document as WordDocument
from fakes import FakeEmbedder
from test_browser import CHROMIUM, QUESTION
from test_viewer_browser import SCREENSHOTS, browser, serving  # noqa: F401  (browser: a fixture)

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
SECOND = "Who is responsible for the school meals programme after the handover?"


def test_save_two_answers_then_download_them_as_one_word_briefing(  # type: ignore[no-untyped-def]
    browser, fake_library: Settings, tmp_path: Path  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    data = tmp_path / "data"
    shutil.copytree(fake_library.data_dir, data)  # the saved lists are written to the library's database
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data}), embedder=FakeEmbedder())
    errors: list[str] = []
    with serving(kb) as server:
        page = browser.new_context(accept_downloads=True).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server + "/")
        page.wait_for_function("() => window.htmx !== undefined")
        for n, question in enumerate((QUESTION, SECOND), start=1):
            page.fill("#q", question)
            page.press("#q", "Enter")
            expect(page.locator("#answer section.answer")).to_contain_text(question, timeout=15_000)
            page.get_by_role("button", name="Save to briefing").click()  # htmx: the page stays, a line says so
            expect(page.locator(".saved-to-briefing")).to_contain_text(f"({n} answer")
        page.get_by_role("link", name="Open the briefing (2 answers)").click()
        expect(page.get_by_role("heading", name="Briefing", exact=True)).to_be_visible()
        expect(page.locator("ol.saved-answers li")).to_have_count(2)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # docs/screenshots with KB_SCREENSHOTS=1
        page.screenshot(path=str(SCREENSHOTS / "briefing-list.png"))
        with page.expect_download() as info:
            page.get_by_role("link", name="Word (.docx)").click()
        path = info.value.path()
        assert info.value.suggested_filename.startswith("briefing-")
        text = "\n".join(p.text for p in WordDocument(io.BytesIO(Path(path).read_bytes())).paragraphs)
    assert QUESTION in text and SECOND in text
    for question in (QUESTION, SECOND):
        for c in kb.ask(question).citations:
            assert str(c.reference) in text
    assert not errors, errors
