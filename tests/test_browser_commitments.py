"""An official preparing a meeting, in Chromium: overdue items of one owner, a source opened, the briefing exported."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import docx
import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, server  # noqa: F401 - the fixture serves the sample library

from kb.knowledge_base import KnowledgeBase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
OWNER = "Ministry of Finance"


def test_filter_overdue_items_of_one_owner_open_a_source_and_export_the_briefing(
    server: str, kb: KnowledgeBase, tmp_path: Path  # noqa: F811
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expected = [r for r in kb.commitments() if r.status == "overdue" and OWNER.lower() in (r.owner or "").lower()]
    assert len(expected) >= 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(server + "/")
            page.get_by_role("link", name="Commitments").click()
            expect(page.get_by_role("heading", name="Commitments", exact=True)).to_be_visible()
            page.wait_for_function("() => window.htmx !== undefined")
            page.evaluate("() => { window.__same_page = true; }")

            page.select_option("select[name=status]", "overdue")
            expect(page.locator("#commitments .summary")).to_contain_text("status overdue")
            page.fill("input[name=owner]", OWNER)
            page.press("input[name=owner]", "Enter")
            rows = page.locator("table.commitments tbody tr")
            expect(rows).to_have_count(len(expected))
            assert page.evaluate("() => window.__same_page") is True, "filtered in place by htmx, not a page load"
            query = parse_qs(urlsplit(page.url).query)
            assert query["status"] == ["overdue"] and query["owner"] == [OWNER], "the URL keeps the filters"
            for i in range(len(expected)):
                expect(rows.nth(i).locator(".badge.status")).to_have_text("overdue")
                expect(rows.nth(i).locator("td").nth(1)).to_contain_text(OWNER)

            first = expected[0]
            with page.expect_download() as download:
                page.get_by_role("link", name="Briefing (Word)").click()
            path = tmp_path / "briefing.docx"
            download.value.save_as(path)
            briefing = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
            assert "Commitments briefing" in briefing and f"owner “{OWNER}”" in briefing
            assert all(" ".join(r.text.split()) in briefing for r in expected)

            rows.first.locator("a.source").click()
            page.wait_for_url(f"**/documents/{first.document_id}#chunk-{first.chunk_id}")
            passage = page.locator(f"#chunk-{first.chunk_id}")
            expect(passage).to_be_visible()
            assert " ".join(first.text.split())[:40] in " ".join(passage.inner_text().split())
        finally:
            browser.close()


def test_the_filters_work_without_javascript(server: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(server + "/commitments")
            page.select_option("select[name=kind]", "recommendation")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url("**/commitments?*kind=recommendation*")
            expect(page.locator("table.commitments tbody tr")).to_have_count(8)
            page.get_by_role("link", name="Due in the next 30 days or overdue").click()
            expect(page.locator("#commitments .summary")).to_contain_text("due in the next 30 days or overdue")
        finally:
            browser.close()
