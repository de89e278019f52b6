"""Measure how well the PDF viewer finds passages on their pages: for each PDF passage (a sample per document),
open its lasting link in Chromium and read the share of the passage's letters marked on the page's text layer.

    python scripts/bench_viewer.py FOLDER [FOLDER ...] [--per-document 40]

The folders are ingested with a bag-of-words stand-in for the embedding model into a temporary data directory
(finding a passage on its page does not depend on the model), then served on a free port.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes import FakeEmbedder  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_viewer_browser import serving  # noqa: E402

from ingest.pipeline import ingest_paths  # noqa: E402
from kb.config import Settings  # noqa: E402
from kb.knowledge_base import KnowledgeBase  # noqa: E402
from kb.passage_keys import passage_key, passage_path  # noqa: E402


def main() -> int:
    """Print, per PDF, the passages tried and the share of their letters the viewer marked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--per-document", type=int, default=40)
    parser.add_argument("--show-misses", action="store_true", help="print each passage marked under 0.9")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-viewer-") as data:
        settings = Settings(data_dir=Path(data), _env_file=None)  # type: ignore[call-arg]
        report = ingest_paths(args.folders, settings=settings, embedder=FakeEmbedder())
        print(f"ingested {len(report.added)} files, {len(report.failed)} failed", file=sys.stderr)
        kb = KnowledgeBase(settings, embedder=FakeEmbedder())
        rows = []
        with serving(kb) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            for doc in kb.documents():
                if doc.media_type != "application/pdf":
                    continue
                chunks = [c for c in kb.chunks(doc.id) if c.page is not None]
                step = max(1, len(chunks) // args.per_document)
                coverages, seconds = [], []
                for chunk in chunks[::step][: args.per_document]:
                    started = time.perf_counter()
                    page.goto("about:blank")
                    page.goto(server + passage_path(doc.id, passage_key(chunk.text)))
                    page.wait_for_selector("#pdf-view[data-state=rendered], #pdf-view[data-state=failed]", timeout=60_000)
                    seconds.append(time.perf_counter() - started)
                    coverages.append(float(page.get_attribute("#pdf-view", "data-coverage") or 0))
                    if args.show_misses and coverages[-1] < 0.9:
                        state = page.get_attribute("#pdf-view", "data-state")
                        print(f"miss {coverages[-1]:.3f} {doc.source} p.{chunk.page} {state} ocr={chunk.ocr}"
                              f" {chunk.text[:100]!r}", file=sys.stderr)
                rows.append((doc.source, len(coverages), coverages, seconds))
            browser.close()
    print("| PDF | passages | median marked | ≥ 0.9 | min | median time |")
    print("|---|---|---|---|---|---|")
    everything = [c for _, _, cov, _ in rows for c in cov]
    for source, n, cov, sec in rows:
        share = sum(c >= 0.9 for c in cov) / n if n else 0
        median = statistics.median(cov)
        print(f"| {source} | {n} | {median:.3f} | {share:.0%} | {min(cov):.3f} | {statistics.median(sec):.2f} s |")
    share = sum(c >= 0.9 for c in everything) / len(everything)
    print(f"| all | {len(everything)} | {statistics.median(everything):.3f} | {share:.0%} | {min(everything):.3f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
