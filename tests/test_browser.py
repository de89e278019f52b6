"""One end-to-end test: real uvicorn, Debian's Chromium driven by Playwright, the htmx-swapped answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from serving import serve_app

from kb.knowledge_base import KnowledgeBase
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "What are the three pillars of the National Social Protection Strategy?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def server(kb: KnowledgeBase) -> Iterator[str]:
    """Serve the app over the sample library on a free loopback port; yield its base URL."""
    with serve_app(create_app(kb.settings, kb=kb)) as url:
        yield url


def test_question_gets_an_htmx_answer_with_citations(server: str, kb: KnowledgeBase) -> None:
    from playwright.sync_api import expect, sync_playwright

    expected = kb.ask(QUESTION)
    assert not expected.abstained
    first = expected.citations[0]
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(server + "/")
            expect(page.get_by_role("heading", name="Ask the policy library")).to_be_visible()
            page.wait_for_function("() => window.htmx !== undefined")
            # A marker on window survives an htmx swap but not a full page load.
            page.evaluate("() => { window.__same_page = true; }")

            page.fill("#q", QUESTION)
            page.press("#q", "Enter")

            citation = page.locator("#answer #cite-1")
            expect(citation).to_be_visible(timeout=15_000)
            expect(citation).to_contain_text(first.hit.document.title)
            expect(citation).to_contain_text(f"page {first.hit.chunk.page}")
            expect(page.locator("#answer mark").first).to_be_visible()
            assert page.evaluate("() => window.__same_page === true"), "the answer came by a full page load"
            url = urlsplit(page.url)  # hx-push-url put the question in the address bar
            assert url.path == "/ask" and parse_qs(url.query)["q"] == [QUESTION]
            assert QUESTION in page.title()
        finally:
            browser.close()
    assert requested and all(url.startswith(server) for url in requested), requested
