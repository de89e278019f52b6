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
            rounds: list[list[float]] = []
            with httpx.Client(base_url=url, timeout=60) as client:
                client.post("/api/ask", json={"question": "warm up the models"})
                for _ in range(args.rounds):
                    rounds.append([])
                    for q in questions:
                        t = time.perf_counter()
                        client.post("/api/ask", json={"question": q}).raise_for_status()
                        rounds[-1].append(time.perf_counter() - t)
        finally:
            server.terminate()
            server.wait(timeout=30)

    def figures(label: str, seconds: list[float]) -> list[str]:
        ms = sorted(x * 1000 for x in seconds)
        p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
        return [f"| POST /api/ask, {label}: median / p90 / max | {statistics.median(ms):.0f} / {p90:.0f} / "
                f"{ms[-1]:.0f} ms |"]

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
        # The server keeps the sentence vectors of the passages it has read: the first round asks each
        # question for the first time (later questions reuse what earlier ones embedded), later rounds repeat.
        *figures("first round (new questions)", rounds[0]),
        *(figures("later rounds (repeated questions)", [x for r in rounds[1:] for x in r]) if rounds[1:] else []),
        *figures("all rounds", [x for r in rounds for x in r]),
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
