"""Uploading in Chromium: two files at once, one a truncated PDF; one added, one failed with its reason. Without
JavaScript the form posts both and the page lists the results; with it, dropped files go one by one, a progress bar
each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from a11y_pages import AXE, axe_violations
from fakes import FakeEmbedder
from serving import serve_app
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_viewer_browser import SCREENSHOTS

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from web.app import create_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def upload_server(tmp_path: Path) -> Iterator[str]:
    """Serve a one-document library of its own (the upload changes it) on a free loopback port."""
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    ingest_paths([CORPUS / "note-school-meals-handover.md"], settings=settings, embedder=FakeEmbedder())
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    with serve_app(create_app(settings, kb=kb), lifespan="off") as url:
        yield url


def test_upload_two_files_one_broken_then_the_library_lists_the_good_one(upload_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    good = tmp_path / "pension-indexation.md"
    good.write_text("# Pension indexation note\n\nPensions are indexed to prices each January.\n", encoding="utf-8")
    broken = tmp_path / "minutes-cut.pdf"
    broken.write_bytes((CORPUS / "minutes-technical-working-group-2023-11.pdf").read_bytes()[:1500])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()  # the plain form
            page.goto(upload_server + "/")
            page.get_by_role("link", name="Upload").click()
            expect(page.get_by_role("heading", name="Upload", exact=True)).to_be_visible()
            page.get_by_label("Files (choose several, or drop them on the field)").set_input_files([good, broken])
            page.get_by_label("public: partners and visitors too").check()
            page.get_by_role("button", name="Upload and add to the library").click()
            rows = page.locator("table.upload-results tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.nth(0)).to_contain_text("pension-indexation.md")
            expect(rows.nth(0).locator(".badge.outcome")).to_have_text("added")
            expect(rows.nth(1)).to_contain_text("minutes-cut.pdf")
            expect(rows.nth(1).locator(".badge.outcome")).to_have_text("failed")
            expect(rows.nth(1)).to_contain_text("damaged PDF")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # docs/screenshots with KB_SCREENSHOTS=1
            page.screenshot(path=str(SCREENSHOTS / "upload-results.png"), full_page=True)

            page.get_by_role("link", name="Browse the library").click()
            library = page.locator("table.library tbody")
            expect(library).to_contain_text("Pension indexation note")
            expect(library).not_to_contain_text("minutes-cut")
        finally:
            browser.close()


DROP = """([files]) => {
  const data = new DataTransfer();
  for (const [name, type, bytes] of files) data.items.add(new File([new Uint8Array(bytes)], name, {type}));
  const area = document.querySelector('.drop-area');
  area.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
  area.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
}"""


def test_files_dropped_on_the_form_upload_one_by_one_with_a_progress_bar_each(upload_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    good = b"# Pension indexation note\n\nPensions are indexed to prices each January.\n"
    broken = (CORPUS / "minutes-technical-working-group-2023-11.pdf").read_bytes()[:1500]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            posts: list[str] = []
            page.on("request", lambda r: posts.append(r.headers.get("accept", "")) if r.method == "POST" else None)
            page.goto(upload_server + "/upload")
            page.evaluate(DROP, [[["pension-indexation.md", "text/markdown", list(good)],
                                  ["minutes-cut.pdf", "application/pdf", list(broken)],
                                  ["pension-indexation.md", "text/markdown", list(b"# Another\n\nText.\n")]]])
            assert page.evaluate("() => [...document.getElementById('upload-files').files].map(f => f.name)") == [
                "pension-indexation.md", "minutes-cut.pdf", "pension-indexation.md"]
            page.get_by_role("button", name="Upload and add to the library").click()
            items = page.locator("ul.upload-queue li.upload-item")
            expect(items).to_have_count(3)
            # The third shares the first's name: refused before sending, as the form's one request would refuse it.
            expect(items.nth(2).locator(".badge.outcome")).to_have_text("failed")
            expect(items.nth(2)).to_contain_text("another file of this upload has the same name")
            for i in range(2):
                expect(items.nth(i)).to_have_attribute("data-state", "done", timeout=30_000)
                assert items.nth(i).locator("progress").evaluate("p => p.value === p.max")
            expect(items.nth(0).locator(".badge.outcome")).to_have_text("added")
            expect(items.nth(0).get_by_role("link", name="open the document")).to_be_visible()
            expect(items.nth(1).locator(".badge.outcome")).to_have_text("failed")
            expect(items.nth(1)).to_contain_text("damaged PDF")
            assert len(posts) == 2 and all("application/json" in a for a in posts)  # one request a file
            page.screenshot(path=str(SCREENSHOTS / "upload-progress.png"), full_page=True)
            if AXE.exists():  # the rows the script adds hold to the same accessibility checks as the pages
                assert not axe_violations(page), axe_violations(page)
            page.get_by_role("link", name="Browse the library").click()
            expect(page.locator("table.library tbody")).to_contain_text("Pension indexation note")
            assert not errors, errors
        finally:
            browser.close()


# Another process holding the data directory's ingest lock, as a running `kb ingest` does, until its stdin closes.
HOLDER = """
import sys
from pathlib import Path
from ingest.lock import acquire_data_dir
hold = acquire_data_dir(Path(sys.argv[1]), wait_s=10, command="kb ingest corpus")
print("held", flush=True)
sys.stdin.read()
"""


def test_an_upload_while_another_ingest_runs_says_the_library_is_busy(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "data"
    settings = Settings(data_dir=data, upload_wait_s=0.5, _env_file=None)  # type: ignore[call-arg]
    ingest_paths([CORPUS / "note-school-meals-handover.md"], settings=settings, embedder=FakeEmbedder())
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    note = tmp_path / "pension-indexation.md"
    note.write_text("# Pension indexation note\n\nPensions are indexed to prices each January.\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data)], cwd=root, text=True,
                              env=os.environ | {"PYTHONPATH": str(root)},
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    busy = "Another upload or ingest is adding documents to the library right now"
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with serve_app(create_app(settings, kb=kb), lifespan="off") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                plain = browser.new_context(java_script_enabled=False).new_page()
                plain.goto(url + "/upload")
                plain.get_by_label("Files (choose several, or drop them on the field)").set_input_files([note])
                with plain.expect_response(url + "/upload") as answer:
                    plain.get_by_role("button", name="Upload and add to the library").click()
                assert answer.value.status == 503
                expect(plain.get_by_role("alert")).to_contain_text(busy)
                expect(plain.locator("table.upload-results")).to_have_count(0)
                plain.screenshot(path=str(SCREENSHOTS / "upload-busy.png"), full_page=True)

                page = browser.new_page()  # with JavaScript: the file's row says why it failed
                page.goto(url + "/upload")
                page.get_by_label("Files (choose several, or drop them on the field)").set_input_files([note])
                page.get_by_role("button", name="Upload and add to the library").click()
                item = page.locator("ul.upload-queue li.upload-item")
                expect(item).to_have_attribute("data-state", "done", timeout=30_000)
                expect(item.locator(".badge.outcome")).to_have_text("failed")
                expect(item).to_contain_text(busy)
                page.screenshot(path=str(SCREENSHOTS / "upload-busy-script.png"), full_page=True)

                holder.communicate("", timeout=10)  # the other ingest ends
                page.goto(url + "/upload")
                page.get_by_label("Files (choose several, or drop them on the field)").set_input_files([note])
                page.get_by_role("button", name="Upload and add to the library").click()
                expect(item.locator(".badge.outcome")).to_have_text("added", timeout=30_000)
            finally:
                browser.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
    assert "Pension indexation note" in {d.title for d in kb.documents()}
