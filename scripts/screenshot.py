"""Take the README screenshot: serve a library, ask a question in Chromium, save the answer page as PNG.

Run from the repository root (after `kb ingest` has filled the data directory)::

    .venv/bin/python scripts/screenshot.py "What are the three pillars of the NSPS?" \
        --data-dir data --out docs/screenshot.png

Settings come from the environment (KB_*) like every other entry point; --data-dir overrides
KB_DATA_DIR. Needs Debian's /usr/bin/chromium and `npm ci --prefix web` for the styles.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import uvicorn

from kb.config import Settings
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def serve(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Start the app on a free loopback port in a thread; return the server, its thread and base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # the lifespan loads the model
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("the server did not start; see the log above")
        time.sleep(0.1)
    return server, thread, f"http://127.0.0.1:{port}"


def take_screenshot(base: str, question: str, doc_type: str, out: Path, *, width: int, height: int) -> None:
    """Load the answer page for `question` in Chromium and save a viewport screenshot to `out`."""
    from playwright.sync_api import sync_playwright

    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/ask?{urlencode({'q': question, 'type': doc_type})}")
            page.wait_for_selector("#answer section")
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, take the screenshot, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("question", help="the question to ask")
    parser.add_argument("--data-dir", type=Path, help="the ingested library (default: KB_DATA_DIR)")
    parser.add_argument("--type", default="", help="restrict to one document type")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1100)
    args = parser.parse_args(argv)

    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()  # type: ignore[call-arg]
    server, thread, base = serve(settings)
    try:
        take_screenshot(base, args.question, args.type, args.out, width=args.width, height=args.height)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
