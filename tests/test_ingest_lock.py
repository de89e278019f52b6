"""One ingest at a time per data directory, across processes: a second `kb ingest` waits, or fails naming the data
directory when its wait is short; a killed holder leaves no lock behind; an upload meanwhile is refused with a clear
message and loses nothing; readers never wait."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeEmbedder
from fastapi.testclient import TestClient

from ingest.lock import Holder, acquire_data_dir, read_holder
from ingest.pipeline import ingest_paths
from ingest.upload import uploads_dir
from kb.cli import main
from kb.config import Settings
from kb.errors import IngestBusy
from kb.knowledge_base import KnowledgeBase
from web.app import create_app
from web.i18n import COOKIE

ROOT = Path(__file__).resolve().parents[1]

# The real `kb ingest` in its own process (real parser workers, SQLite, FAISS) with the fake embedder. With GATE set,
# the first embedding batch waits until that file exists: the run holds the lock, mid-ingest, for as long as a test needs.
DRIVER = """
import os, sys, time
from pathlib import Path
from fakes import FakeEmbedder
import kb.knowledge_base

class GatedEmbedder(FakeEmbedder):
    def embed(self, texts, kind="passage"):
        gate = os.environ.get("GATE")
        deadline = time.monotonic() + 60
        while gate and not Path(gate).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return super().embed(texts, kind)

kb.knowledge_base.load_embedders = lambda settings: (GatedEmbedder(), None)
from kb.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _library(folder: Path, word: str, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"{word}-{i}.md").write_text(f"# {word} note {i}\n\nThe {word} programme line {i} is funded.\n")
    return folder


def _kb_ingest(data: Path, folder: Path, *more: str, gate: Path | None = None) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"}
    env.pop("GATE", None)
    if gate is not None:
        env["GATE"] = str(gate)
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, "ingest", str(folder), "--data-dir", str(data), *more],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _holding(data: Path, run: subprocess.Popen[str]) -> Holder:
    """Wait until `run` holds the data directory's lock (its record is written once it does); return the record."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        holder = read_holder(data)
        if holder is not None and holder.pid == run.pid:
            return holder
        assert run.poll() is None, run.communicate()
        time.sleep(0.02)
    raise AssertionError("the first ingest never took the lock")


def _sources(data: Path) -> set[str]:
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    return {d.source for d in KnowledgeBase(settings, embedder=FakeEmbedder()).documents()}


@pytest.fixture
def first(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str], Path]]:
    """A `kb ingest` of three files that holds the data directory's lock mid-run until the gate file is made."""
    data, gate = tmp_path / "data", tmp_path / "gate"
    run = _kb_ingest(data, _library(tmp_path / "alpha", "alpha"), gate=gate)
    _holding(data, run)
    yield data, run, gate
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(10)


def test_a_second_ingest_waits_for_the_first_then_adds_its_files(
    first: tuple[Path, subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    data, run, gate = first
    second = _kb_ingest(data, _library(tmp_path / "beta", "beta"), "--wait", "60")
    assert second.stderr is not None
    waiting = second.stderr.readline()  # said once, as soon as it finds the lock taken
    assert f"another ingest is writing {data} (pid {run.pid}, " in waiting and "waiting up to 60 s" in waiting
    assert second.poll() is None, "the second ingest did not wait"
    assert _sources(data) == set(), "the first run is still held at its first batch"
    gate.touch()
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0 and out.startswith("added 3 ·"), err
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.startswith("added 3 ·"), err
    assert "another ingest" not in err, "the wait is told once"
    assert _sources(data) == {f"{w}-{i}.md" for w in ("alpha", "beta") for i in range(3)}
    assert read_holder(data) is None, "the record goes with the lock"


def test_a_short_wait_fails_with_an_error_naming_the_data_dir_and_the_first_run_completes(
    first: tuple[Path, subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    data, run, gate = first
    started = time.monotonic()
    second = _kb_ingest(data, _library(tmp_path / "beta", "beta"), "--wait", "0.5")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 1, (out, err)
    assert f"kb: error: another ingest is writing the data directory {data} (pid {run.pid}, " in err
    assert "still running after 0.5 s of waiting" in err
    assert time.monotonic() - started < 30
    gate.touch()
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert _sources(data) == {f"alpha-{i}.md" for i in range(3)}, "the refused run wrote nothing"


def test_a_killed_holder_leaves_no_lock_behind(first: tuple[Path, subprocess.Popen[str], Path], tmp_path: Path) -> None:
    data, run, _ = first
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(10)
    stale = read_holder(data)
    assert stale is not None and stale.pid == run.pid, "the dead run's record is still in the file"
    second = _kb_ingest(data, _library(tmp_path / "beta", "beta"), "--wait", "5")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.startswith("added 3 ·"), err
    assert "another ingest" not in err, "the record of a dead process does not hold anyone back"
    assert _sources(data) == {f"beta-{i}.md" for i in range(3)}


NOTE = b"# Pension indexation note\n\nThe pension is indexed to prices each January, the note says.\n"


def _post(client: TestClient, files: list[tuple[str, bytes]], **headers: str):  # type: ignore[no-untyped-def]
    from test_upload import csrf_of

    token = csrf_of(client.get("/login").text)
    return client.post("/upload", data={"csrf_token": token, "visibility": "public"},
                       files=[("files", f) for f in files], headers=headers, follow_redirects=False)


def test_an_upload_while_an_ingest_runs_is_refused_clearly_and_loses_nothing(tmp_path: Path) -> None:
    data, gate = tmp_path / "data", tmp_path / "gate"
    settings = Settings(data_dir=data, upload_wait_s=0.3, _env_file=None)  # type: ignore[call-arg]
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    with TestClient(create_app(settings, kb=kb)) as client:
        r = _post(client, [("pension-note.md", NOTE)])
        assert r.status_code == 200 and 'class="outcome-added"' in r.text, r.text
        run = _kb_ingest(data, _library(tmp_path / "alpha", "alpha"), gate=gate)
        try:
            _holding(data, run)
            started = time.monotonic()
            changed = NOTE + b"\nA later paragraph.\n"
            busy = _post(client, [("pension-note.md", changed), ("second.md", b"# Second\n\nMore text.\n")])
            assert busy.status_code == 503 and busy.headers["retry-after"] == "30"
            assert time.monotonic() - started < 10, "the upload did not hang on the lock"
            assert '<p class="error" role="alert">Another upload or ingest is adding documents' in busy.text
            assert 'class="outcome-' not in busy.text, "no file is said to be added"
            as_json = _post(client, [("second.md", b"# Second\n")], accept="application/json")
            assert as_json.status_code == 503 and as_json.json()["detail"].startswith("Another upload or ingest")
            client.cookies.set(COOKIE, "lo")
            in_lao = _post(client, [("second.md", b"# Second\n")])
            assert in_lao.status_code == 503 and "ກຳລັງເພີ່ມເອກະສານ" in in_lao.text
            client.cookies.delete(COOKIE)

            folder = uploads_dir(settings)
            assert sorted(p.name for p in folder.iterdir()) == ["pension-note.md"], "nothing staged or moved"
            assert (folder / "pension-note.md").read_bytes() == NOTE, "the earlier upload is as it was"
            assert {d.source for d in kb.documents()} == {"pension-note.md"}
            # Readers do not take the lock: the library answers while the ingest holds it.
            assert kb.search("pension indexed January", k=1)[0].document.source == "pension-note.md"
            assert client.get("/ask", params={"q": "When is the pension indexed?"}).status_code == 200
            assert time.monotonic() - started < 20
        finally:
            gate.touch()
            run.communicate(timeout=60)
        assert run.returncode == 0
        again = _post(client, [("pension-note.md", NOTE + b"\nA later paragraph.\n")])
        assert again.status_code == 200 and 'class="outcome-replaced"' in again.text, again.text
    assert _sources(data) == {"pension-note.md"} | {f"alpha-{i}.md" for i in range(3)}


def test_the_lock_is_reentrant_for_its_thread_and_another_thread_waits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    told: list[Holder | None] = []
    outcome: list[str] = []

    def other(wait_s: float) -> None:
        try:
            with acquire_data_dir(data, wait_s=wait_s, on_wait=told.append):
                outcome.append("held")
        except IngestBusy as exc:
            outcome.append(str(exc))

    with acquire_data_dir(data, wait_s=0, command="the test's own hold"):
        with acquire_data_dir(data, wait_s=0):  # an upload's ingest run inside the upload's hold
            pass
        holder = read_holder(data)
        assert holder is not None and holder.pid == os.getpid() and holder.command == "the test's own hold"
        thread = threading.Thread(target=other, args=(0.3,))
        thread.start()
        thread.join()
        assert told == [holder], "told once, with the holder"
        assert outcome[0].startswith(f"another ingest is writing the data directory {data} (pid {os.getpid()}, ")
    other(0)
    assert outcome[1] == "held"


def test_an_ingest_in_this_process_holds_the_lock_only_while_it_runs(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    assert ingest_paths([_library(tmp_path / "alpha", "alpha")], settings=settings, embedder=FakeEmbedder()).ok
    assert read_holder(settings.data_dir) is None
    taken: list[bool] = []

    def take() -> None:  # from another thread: this one's own hold, had it been left, would let it in again
        with acquire_data_dir(settings.data_dir, wait_s=0):
            taken.append(True)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    assert taken == [True], "the run let go of the lock when it ended"


def test_a_negative_wait_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(_library(tmp_path / "a", "a")), "--data-dir", str(tmp_path / "d"), "--wait", "-1"]) == 2
    assert "--wait -1: give a number of seconds" in capsys.readouterr().err
    # Removing waits for an ingest the same way, and refuses a negative wait before it touches anything.
    assert main(["remove", str(tmp_path / "a"), "--data-dir", str(tmp_path / "e"), "--wait", "-1"]) == 2
    assert "kb remove: error: --wait -1: give a number of seconds" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()
