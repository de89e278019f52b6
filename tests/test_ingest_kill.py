"""Ingest that cannot lose or leak: every file in the summary under its own name; kill -9 at any moment of a real
ingest process leaves the previous index serving with nothing lost, no parser left behind, and the next run completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]

# The real pipeline in its own process (real parser workers, SQLite and FAISS), with the fake embedder.
DRIVER = """
import sys
from pathlib import Path
from fakes import FakeEmbedder
from kb.config import Settings
from ingest.pipeline import Ingestor
Ingestor.flush_passages = 4  # store every few files, so commits are spread over the run a kill cuts
settings = Settings(data_dir=Path(sys.argv[1]), _env_file=None)
report = Ingestor(settings, FakeEmbedder()).run([Path(sys.argv[2])])
print("done", len(report.added), len(report.failed), flush=True)
"""


def test_every_file_is_in_the_summary_under_its_name(settings: Settings, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    names = ["..%2F..%2Fetc%2Fpasswd.md", "new\nline.md", "tab\tname.md", "plain.md"]
    for name in names:
        (lib / name).write_text(f"# A note\n\nThe text of {name!r}.\n")
    undecodable = os.fsdecode(b"bad\xff.md")
    (lib / undecodable).write_text("# Bad name\n\ntext\n")
    (lib / "_drafts").mkdir()
    (lib / "_drafts" / "draft.md").write_text("# Draft\n")
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nkept outside the library\n")
    (lib / "link.md").symlink_to(outside)
    report = ingest_paths([lib], settings=settings, embedder=FakeEmbedder()).to_dict()
    outcomes = {item if isinstance(item, str) else item["source"]: kind for kind in ("added", "failed", "skipped")
                for item in report[kind]}
    assert outcomes == {
        "..%2F..%2Fetc%2Fpasswd.md": "skipped", "new\nline.md": "added", "tab\tname.md": "added", "plain.md": "added",
        undecodable: "failed", "_drafts/": "skipped", "link.md": "skipped",
    }
    assert {"source": "link.md", "reason": "a link to a file outside the folder"} in report["skipped"]
    assert os.fsencode(next(f["source"] for f in report["failed"])) == b"bad\xff.md"


def _library(folder: Path, prefix: str, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"{prefix}-{i:03d}.md").write_text(f"# {prefix} note {i}\n\nThe {prefix} budget line {i} funds item {i}.\n")
    return folder


def _run(data: Path, folder: Path) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"}
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(data), str(folder)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _documents(data: Path) -> int:
    try:
        with sqlite3.connect(data / "kb.sqlite3", timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return -1


def _processes_of(session: int) -> list[int]:
    """Return the live processes of a session (the killed run started its own), zombies aside."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.parametrize("moment", [0.0, 1, 15])
def test_kill_9_mid_ingest_loses_nothing_and_the_next_run_completes(settings: Settings, tmp_path: Path, moment: float) -> None:
    data = settings.data_dir
    first = _library(tmp_path / "lib", "alpha", 5)
    assert ingest_paths([first], settings=settings, embedder=FakeEmbedder()).ok
    before = {d.source for d in KnowledgeBase(settings, embedder=FakeEmbedder()).documents()}
    _library(first, "beta", 40)  # the same folder grows: the next run adds 40 files

    run = _run(data, first)
    # Kill at start-up (0), after the first new file is committed, or with the run well under way.
    deadline = time.monotonic() + 60
    while moment and _documents(data) < len(before) + moment and time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(10)
    time.sleep(0.5)
    assert _processes_of(run.pid) == [], "a process of the killed run is still alive"

    with sqlite3.connect(data / "kb.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    now = {d.source for d in kb.documents()}
    assert before <= now, "a document that was in before the run is gone"
    assert len(now) < 45, "the run finished before it was killed"
    hits = kb.search("alpha budget line 3", k=3)
    assert hits and hits[0].document.source == "alpha-003.md"  # the previous index still answers

    again = _run(data, first)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0 and out.startswith("done"), err
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    assert len(kb.documents()) == 45
    assert kb.search("beta budget line 39", k=1)[0].document.source == "beta-039.md"
    assert json.dumps(kb.stats().documents) == "45"
