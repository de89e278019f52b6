"""Benchmark: ingestion throughput against the bare encoders on the same passages.

    .venv/bin/python scripts/bench_ingest.py [--docs 300] [--out reports/bench-ingest.md]

Takes the first N SciFact abstracts, runs them through the production path (chunk, embed with every
configured model, store, FAISS), then times the bare encoders alone on exactly the passages the pipeline
made. The pipeline's own overhead is (pipeline - encoders) / encoders.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact" / "corpus.jsonl"


def main() -> int:
    """Run both timings and write the report."""
    from ingest.discover import Entry
    from ingest.pipeline import Ingestor, IngestReport
    from kb.config import Settings
    from kb.knowledge_base import load_embedders
    from kb.types import Page, ParsedDocument

    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--out", default=str(ROOT / "reports" / "bench-ingest.md"))
    args = ap.parse_args()
    docs = []
    with open(SCIFACT, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            docs.append((row["_id"], ParsedDocument(pages=[Page(None, row["text"])], title=row["title"])))
            if len(docs) == args.docs:
                break
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))  # type: ignore[call-arg]
        embedder, multilingual = load_embedders(settings)
        embedder.embed(["warm up"])  # load the models outside the timings
        if multilingual is not None:
            multilingual.embed(["warm up"])
        ingestor = Ingestor(settings, embedder, multilingual=multilingual, parser=lambda *a, **k: None)
        texts = _passages(ingestor, docs, settings)
        # The bare encoders run before and after the pipeline, so a change in the load on the shared
        # cores during the run weighs on both sides alike.
        bare_before = _bare(ingestor.embedders, texts, settings.embed_batch_size)
        ingestor = Ingestor(settings.model_copy(update={"data_dir": Path(tmp) / "run"}), embedder,
                            multilingual=multilingual, parser=lambda *a, **k: None)
        report = IngestReport()
        started = time.perf_counter()
        for source, parsed in docs:
            ingestor.stage(parsed, root="bench", source=source, entry=Entry(), sha=source, report=report)
        ingestor.finish(report)
        pipeline_s = time.perf_counter() - started
        bare_after = _bare(ingestor.embedders, texts, settings.embed_batch_size)
        bare_s = (bare_before + bare_after) / 2
        # The encoders' best case: every passage in one call, which each encoder sorts by length.
        one_call_s = _bare(ingestor.embedders, texts, len(texts))
    n = len(texts)
    lines = [
        "# Benchmark: ingestion throughput vs the bare encoders",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; "
        f"load average at the end {os.getloadavg()[0]:.1f}",
        f"- inputs: the first {len(docs)} SciFact abstracts → {n} passages; models: "
        + ", ".join(m.name for m in ingestor.embedders)
        + f" (MiniLM backend: {settings.embed_backend})",
        "",
        "| path | seconds | passages/s |",
        "|---|---|---|",
        f"| `Ingestor.stage` + `finish` (chunk, batch-embed, store, FAISS) | {pipeline_s:.1f} | {n / pipeline_s:.2f} |",
        f"| bare encoders on the same passages (mean of before {bare_before:.1f} s and after {bare_after:.1f} s) "
        f"| {bare_s:.1f} | {n / bare_s:.2f} |",
        f"| bare encoders, all passages in one call per model | {one_call_s:.1f} | {n / one_call_s:.2f} |",
        f"| pipeline overhead against batches of {settings.embed_batch_size} | {(pipeline_s - bare_s) / bare_s * 100:+.1f} % | |",
        f"| pipeline overhead against one call | {(pipeline_s - one_call_s) / one_call_s * 100:+.1f} % | |",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def _passages(ingestor, docs, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the texts the pipeline will embed for these documents (chunked exactly as it does)."""
    from ingest.chunk import chunk_pages, embedding_text
    from ingest.discover import document_id

    texts = []
    for source, parsed in docs:
        chunks = chunk_pages(parsed.pages, document_id=document_id("bench", source), count_tokens=ingestor.count_tokens,
                             size=settings.chunk_tokens, overlap=settings.chunk_overlap)
        texts += [embedding_text(parsed.title, c) for c in chunks]
    return texts


def _bare(models, texts: list[str], batch: int) -> float:  # type: ignore[no-untyped-def]
    """Return the seconds the encoders alone take on the texts, in batches of the configured size."""
    started = time.perf_counter()
    for model in models:
        for i in range(0, len(texts), batch):
            model.embed(texts[i : i + batch], kind="passage")
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
