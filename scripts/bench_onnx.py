"""Benchmark: all-MiniLM-L6-v2 on torch against its local ONNX exports (fp32 and int8).

    .venv/bin/python scripts/bench_onnx.py [--passages 512] [--queries 100] [--rounds 2] [--out reports/bench-onnx.md]

Builds SciFact passages as the pipeline does (chunked, title prefixed), then for each backend, in a
fresh process so peak memory is its own: encodes the passages in batches of 32, embeds the queries one
at a time, and compares every vector with torch's. The export (and int8 quantisation) is timed in its
own process against an empty cache. A "## SciFact" section already in the report is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"
BACKENDS = ("torch", "onnx", "onnx-int8")
BATCH = 32
MODEL = "all-MiniLM-L6-v2"


def build_inputs(n_passages: int, n_queries: int) -> tuple[list[str], list[str], int]:
    """Return the first `n_passages` SciFact passages (as embedded), `n_queries` test queries, docs read."""
    from ingest.chunk import chunk_pages, embedding_text
    from kb.config import Settings
    from kb.embed import build_embedder
    from kb.types import Page

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    # The ONNX embedder counts tokens with the same tokenizer as torch, without loading torch.
    counter = build_embedder(MODEL, backend="onnx", cache_dir=Path(tempfile.gettempdir()))
    passages: list[str] = []
    docs = 0
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            docs += 1
            chunks = chunk_pages(
                [Page(None, row["text"])], document_id=row["_id"], count_tokens=counter.count_tokens,
                size=settings.chunk_tokens, overlap=settings.chunk_overlap,
            )
            passages += [embedding_text(row["title"], c) for c in chunks]
            if len(passages) >= n_passages:
                break
    judged = {line.split("\t")[0] for line in (SCIFACT / "qrels-test.tsv").read_text().splitlines()[1:]}
    queries = []
    with open(SCIFACT / "queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if str(row["_id"]) in judged:
                queries.append(row["text"])
    return passages[:n_passages], queries[:n_queries], docs


def run_export(backend: str, cache: Path) -> dict[str, float]:
    """Export (and quantise) into an empty cache; return the manifest's timings plus the wall time."""
    from kb.embed import resolve_model_path
    from kb.embed_onnx import ensure_onnx_model, export_folder

    path = resolve_model_path(MODEL)
    started = time.perf_counter()
    onnx = ensure_onnx_model(path, cache, backend)
    wall = time.perf_counter() - started
    manifest = json.loads((export_folder(path, cache) / "manifest.json").read_text())
    return {"wall_s": wall, "mib": onnx.stat().st_size / 2**20, **{k: v for k, v in manifest.items() if k.endswith("_s")}}


def run_backend(backend: str, cache: Path, inputs: Path, vectors: Path) -> dict[str, float]:
    """Encode the passages and queries with one backend; return speeds and this process's peak memory."""
    from kb.embed import build_embedder

    data = json.loads(inputs.read_text())
    passages, queries = data["passages"], data["queries"]
    started = time.perf_counter()
    embedder = build_embedder(MODEL, backend=backend, cache_dir=cache, batch_size=BATCH)
    embedder.embed(["warm up"], kind="query")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    out = [embedder.embed(passages[i : i + BATCH], kind="passage") for i in range(0, len(passages), BATCH)]
    encode_s = time.perf_counter() - started
    seconds, qvecs = [], []
    for q in queries:
        t0 = time.perf_counter()
        qvecs.append(embedder.embed([q], kind="query"))
        seconds.append(time.perf_counter() - t0)
    np.savez(vectors, passages=np.concatenate(out), queries=np.concatenate(qvecs))
    return {
        "load_s": load_s,
        "encode_s": encode_s,
        "passages_per_s": len(passages) / encode_s,
        "query_ms": statistics.median(seconds) * 1000,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(*args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode:
        raise SystemExit(f"{args}: failed\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cosines(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(axis=1)
    return f"{c.min():.4f} / {np.percentile(c, 1):.4f} / {c.mean():.4f}"


def main() -> int:
    """Run every backend in its own process and write the report."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=512)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="passes over the backends; the best pass is reported")
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-onnx.md")
    ap.add_argument("--worker", nargs=4, metavar=("MODE", "BACKEND", "CACHE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        mode, backend, cache, file = args.worker
        if mode == "export":
            result = run_export(backend, Path(cache))
        else:
            result = run_backend(backend, Path(cache), Path(file), Path(file).with_suffix(f".{backend}.npz"))
        print(json.dumps(result))
        return 0

    load_before = os.getloadavg()
    passages, queries, docs = build_inputs(args.passages, args.queries)
    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as tmp:
        inputs = Path(tmp) / "inputs.json"
        inputs.write_text(json.dumps({"passages": passages, "queries": queries}))
        cache = Path(tmp) / "models"
        exports = {b: _child("--worker", "export", b, str(Path(tmp) / f"fresh-{b}"), "-") for b in BACKENDS[1:]}
        _child("--worker", "export", "onnx-int8", str(cache), "-")  # both exports, in the cache the runs share
        runs: dict[str, list[dict[str, float]]] = {b: [] for b in BACKENDS}
        for _ in range(args.rounds):
            for backend in BACKENDS:
                runs[backend].append(_child("--worker", "run", backend, str(cache), str(inputs)))
        vecs = {b: np.load(inputs.with_suffix(f".{b}.npz")) for b in BACKENDS}
    load_after = os.getloadavg()
    best = {b: max(rs, key=lambda r: r["passages_per_s"]) for b, rs in runs.items()}
    words = statistics.mean(len(p.split()) for p in passages)
    lines = [
        "# Benchmark: MiniLM on torch against ONNX fp32 and int8",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, shared with other "
        f"jobs; load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end",
        f"- inputs: the first {docs} SciFact abstracts → {len(passages)} passages (as the pipeline chunks and "
        f"titles them, {words:.0f} words on average), encoded in batches of {BATCH}; {len(queries)} SciFact test "
        "queries embedded one at a time",
        f"- each backend runs in its own process; {args.rounds} rounds, the faster round is shown (every round below)",
        "- command: `PYTHONPATH=. .venv/bin/python scripts/bench_onnx.py`",
        "",
        "| backend | passages/s | median query ms | peak RSS MiB | load s | cosine to torch, passages: min / p1 / mean "
        "| queries: min / p1 / mean |",
        "|---|---|---|---|---|---|---|",
    ]
    for b in BACKENDS:
        r = best[b]
        agree = ("—", "—") if b == "torch" else (
            _cosines(vecs[b]["passages"], vecs["torch"]["passages"]), _cosines(vecs[b]["queries"], vecs["torch"]["queries"]))
        lines.append(
            f"| {b} | {r['passages_per_s']:.1f} | {r['query_ms']:.1f} | {r['peak_rss_mib']:.0f} | {r['load_s']:.1f} "
            f"| {agree[0]} | {agree[1]} |"
        )
    lines += ["", "Every round, passages/s: " + "; ".join(
        f"{b} " + ", ".join(f"{r['passages_per_s']:.1f}" for r in runs[b]) for b in BACKENDS) + ".", ""]
    lines += [
        "## Export (once, into an empty cache)", "",
        "| backend | wall s | torch.onnx export s | int8 quantise s | file MiB |", "|---|---|---|---|---|",
    ]
    for b, e in exports.items():
        lines.append(f"| {b} | {e['wall_s']:.1f} | {e.get('export_s', 0):.1f} | {e.get('quantize_s', 0):.1f} | {e['mib']:.0f} |")
    lines.append("")
    previous = args.out.read_text() if args.out.exists() else ""
    if "\n## SciFact" in previous:
        lines.append(previous[previous.index("\n## SciFact") + 1 :].rstrip() + "\n")
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
