"""Benchmark: ingest the sample library, serve it with uvicorn, and time POST /api/ask on the warm server.

    .venv/bin/python scripts/bench_api.py [--corpus corpus] [--rounds 3] [--out reports/bench-api.md]

Writes a report with the machine, the inputs and the figures (ingest seconds, ask latency percentiles).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """Return a one-line description of this machine."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")))
    return f"{os.cpu_count()} cores, {cpu}, {mem / 2**20:.0f} GiB RAM, Python {platform.python_version()}"


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    """Run the benchmark and write the report."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--questions", default=str(ROOT / "tests" / "data" / "questions.yaml"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "reports" / "bench-api.md"))
    args = ap.parse_args()
    kb = str(Path(sys.executable).with_name("kb"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KB_DATA_DIR": tmp}
        started = time.perf_counter()
        ingest = subprocess.run([kb, "ingest", args.corpus, "--json"], env=env, capture_output=True, text=True)
        ingest_s = time.perf_counter() - started
        report = json.loads(ingest.stdout)
        port = free_port()
        server = subprocess.Popen([kb, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            questions = [q["question"] for q in yaml.safe_load(Path(args.questions).read_text())]
            latencies = []
            with httpx.Client(base_url=url, timeout=60) as client:
                client.post("/api/ask", json={"question": questions[0]})  # warm-up
                for _ in range(args.rounds):
                    for q in questions:
                        t = time.perf_counter()
                        client.post("/api/ask", json={"question": q}).raise_for_status()
                        latencies.append(time.perf_counter() - t)
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    lines = [
        "# Benchmark: ingest and POST /api/ask",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {machine()}; load average at the end: {os.getloadavg()[0]:.1f}",
        f"- inputs: {args.corpus} ({len(report['added'])} files added, {len(report['failed'])} failed, "
        f"{report['chunks_embedded']} passages embedded); {len(questions)} questions × {args.rounds} rounds",
        "",
        "| figure | value |",
        "|---|---|",
        f"| `kb ingest` wall time (including model load) | {ingest_s:.1f} s |",
        f"| ingest time reported by the pipeline | {report['seconds']:.1f} s |",
        f"| POST /api/ask median | {statistics.median(latencies) * 1000:.0f} ms |",
        f"| POST /api/ask p90 | {pct(0.9):.0f} ms |",
        f"| POST /api/ask max | {latencies[-1] * 1000:.0f} ms |",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
