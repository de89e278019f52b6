"""Screenshots of the commitments tracker as an official preparing a meeting uses it, and the briefing's text.

Run from the repository root (after `kb ingest` has filled the data directory)::

    .venv/bin/python scripts/screenshot_commitments.py --data-dir data --owner "Ministry of Finance"

Writes docs/screenshots/commitments-*.png: the overdue items of one owner, a row's evidence opened, the cited
passage in its document; saves the Word briefing next to them and prints its paragraphs (read with python-docx).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from screenshot import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

from kb.config import Settings  # noqa: E402


def walk(base: str, owner: str, out: Path, briefing: Path) -> None:
    """Filter to the owner's overdue items, open evidence and a source, export the briefing; screenshot each."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
            page.goto(f"{base}/commitments")
            page.wait_for_function("() => window.htmx !== undefined")
            page.screenshot(path=str(out / "commitments-all.png"))
            page.select_option("select[name=status]", "overdue")
            page.wait_for_selector("#commitments .summary:has-text('status overdue')")
            page.fill("input[name=owner]", owner)
            page.press("input[name=owner]", "Enter")
            page.wait_for_selector(f"#commitments .summary:has-text('{owner}')")
            page.screenshot(path=str(out / "commitments-overdue-owner.png"))
            with page.expect_download() as download:
                page.get_by_role("link", name="Briefing (Word)").click()
            download.value.save_as(briefing)
            page.goto(f"{base}/commitments?q=established")
            page.locator("details.evidence summary").first.click()
            page.screenshot(path=str(out / "commitments-evidence.png"))
            page.goto(f"{base}/commitments?status=overdue&owner={owner}")
            page.locator("a.source").first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(out / "commitments-source.png"))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, take the screenshots, print the briefing and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the ingested library (default: KB_DATA_DIR)")
    parser.add_argument("--owner", default="Ministry of Finance")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)

    import docx

    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()  # type: ignore[call-arg]
    server, thread, base = serve(settings)
    briefing = args.out / "commitments-briefing.docx"
    try:
        walk(base, args.owner, args.out, briefing)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    for paragraph in docx.Document(str(briefing)).paragraphs:
        print(paragraph.text)
    print(f"wrote {args.out}/commitments-*.png and {briefing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
