"""The `kb` command: exit codes, JSON shapes, and the real model on a small folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_is_instant() -> None:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "kb.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "ingest" in out.stdout and "ask" in out.stdout
    # --help must not import torch or the model (heavy imports live inside commands).
    probe = "import sys, kb.cli; kb.cli.build_parser(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout.strip() == "False"
    assert time.perf_counter() - started < 30


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert main(["ingest", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["ask", "x", "--type", "poem", "--data-dir", str(tmp_path / "d")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["ask", "x", "--language", "Lao language", "--data-dir", str(tmp_path / "d")])
    assert exc.value.code == 2


def test_filters_from_the_command_line() -> None:
    from kb.cli import _filters, build_parser

    args = build_parser().parse_args(["search", "x", "--type", "minutes", "--language", "LO", "--language", "en"])
    filters = _filters(args)
    assert filters.doc_types == ("minutes",) and filters.languages == ("lo", "en")


@pytest.mark.model
def test_ingest_ask_search_documents_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "meals.md").write_text(
        "# School meals\n\nThe national programme gives a hot lunch to every pupil in poor districts.\n"
    )
    (lib / "fleet.txt").write_text("VEHICLE POLICY\n\nOffice cars are serviced every 10,000 kilometres.\n")
    (lib / "empty.pdf").write_bytes(b"")
    data = ["--data-dir", str(tmp_path / "data")]

    assert main(["ingest", str(lib), "--json", *data]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {"added", "updated", "unchanged", "removed", "failed"} <= set(report)
    assert sorted(report["added"]) == ["fleet.txt", "meals.md"]
    assert [f["source"] for f in report["failed"]] == ["empty.pdf"] and report["failed"][0]["reason"]

    (lib / "empty.pdf").unlink()
    assert main(["ingest", str(lib), "--json", *data]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["unchanged"]) == ["fleet.txt", "meals.md"]

    assert main(["ask", "Who gets lunch at school?", "--json", *data]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["abstained"] is False
    assert answer["citations"][0]["source"] == "meals.md" and answer["citations"][0]["page"] is None

    assert main(["search", "car maintenance", "--json", "--k", "1", *data]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["source"] == "fleet.txt"

    assert main(["documents", "--json", *data]) == 0
    assert len(json.loads(capsys.readouterr().out)["documents"]) == 2
    assert main(["documents", *data]) == 0
    assert str((lib / "meals.md").resolve()) in capsys.readouterr().out  # the path `kb remove` takes

    assert main(["ask", "Who gets lunch at school?", *data]) == 0
    text = capsys.readouterr().out
    assert "[1]" in text and "meals.md" in text

    # A file taken out is gone from the list and the search; taking it out again fails and says why.
    assert main(["remove", str(lib / "fleet.txt"), "--json", *data]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == [str((lib / "fleet.txt").resolve())]
    assert main(["search", "car maintenance", "--json", "--k", "3", *data]) == 0
    assert all(r["source"] != "fleet.txt" for r in json.loads(capsys.readouterr().out)["results"])
    assert main(["remove", str(lib / "fleet.txt"), *data]) == 1
    assert "holds no document" in capsys.readouterr().out


def test_a_reader_that_goes_away_stops_the_output_without_a_traceback(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import ingest_paths

    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(40):
        (lib / f"note-{i:02}.md").write_text(f"# Note {i}\n\nThe office opens at {i % 12 + 1} o'clock.\n")
    ingest_paths([lib], settings=settings, embedder=fake_embedder)
    # `kb documents | head -1`: the reading end is closed before the listing is written.
    read, write = os.pipe()
    os.close(read)
    out = subprocess.run([sys.executable, "-m", "kb.cli", "documents", "--data-dir", str(settings.data_dir)],
                         stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    os.close(write)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert out.returncode == 1

