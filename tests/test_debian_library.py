"""The out-of-domain libraries of the opened sealed sets are rebuilt from Debian packages by their SOURCES lists."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("debian_library", ROOT / "scripts" / "debian_library.py")
assert _spec and _spec.loader
debian_library = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(debian_library)


def test_every_sources_list_names_file_package_and_absolute_path() -> None:
    lists = sorted((ROOT / "tests" / "data" / "sealed").glob("outside*-SOURCES.md"))
    assert lists
    for table in lists:
        rows = debian_library.sources(table)
        assert len(rows) >= 8, table.name
        for name, package, original in rows:
            assert "/" not in name and package and " " not in package
            assert original.startswith("/usr/")


def test_a_compressed_system_file_is_copied_gunzipped(tmp_path: Path) -> None:
    original = tmp_path / "doc.txt.gz"
    with gzip.open(original, "wt", encoding="utf-8") as out:
        out.write("Plain words.\n")
    target = tmp_path / "library" / "doc.txt"
    target.parent.mkdir()
    debian_library.place(str(original), target, "no-such-package", tmp_path)
    assert target.read_text(encoding="utf-8") == "Plain words.\n"
