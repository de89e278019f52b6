"""Assemble an out-of-domain library from Debian packages, as its SOURCES file lists them.

    .venv/bin/python scripts/debian_library.py tests/data/sealed/outside11-SOURCES.md /tmp/outside11

The opened sealed sets over libraries outside the domain (tests/data/sealed/outside*.yaml) were written over real
public documents of Debian packages. The documents are not kept in this repository; their SOURCES file names, for
each, the file, the package and the original path. This script copies each from the installed package, or fetches
the package with `apt-get download` and unpacks it with `dpkg -x` (nothing is installed), gunzips what was
compressed, and names it as the set expects. A package updated since the set was written may hold a slightly
different text; the script says which files it could not find.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*[^|]*\|\s*([^|]+?)\s*\|\s*(/[^|]+?)\s*\|\s*$")


def sources(table: Path) -> list[tuple[str, str, str]]:
    """Return (file, package, original path) for each row of a SOURCES table."""
    rows = []
    for line in table.read_text(encoding="utf-8").splitlines():
        if match := _ROW.match(line):
            name, package, original = match.groups()
            rows.append((name, package.split()[0], original.split()[0]))
    return rows


def unpacked(package: str, cache: Path) -> Path:
    """Return a folder holding the package's files, downloaded and unpacked once."""
    root = cache / package
    if not root.exists():
        subprocess.run(["apt-get", "download", package], cwd=cache, check=True, capture_output=True)
        debs = sorted(cache.glob(f"{package}_*.deb"))
        if not debs:
            raise FileNotFoundError(f"apt-get download {package} gave no .deb")
        subprocess.run(["dpkg", "-x", str(debs[-1]), str(root)], check=True)
    return root


def place(original: str, target: Path, package: str, cache: Path) -> None:
    """Copy one document into the library, from the system or its package, gunzipped when compressed."""
    candidates = [Path(original), unpacked_path(original, package, cache)]
    for source in candidates:
        for path in (source, Path(f"{source}.gz")):
            if path.exists():
                if path.suffix == ".gz":
                    with gzip.open(path, "rb") as raw, target.open("wb") as out:
                        shutil.copyfileobj(raw, out)
                else:
                    shutil.copyfile(path, target)
                return
    raise FileNotFoundError(f"{original} is neither on this system nor in package {package}")


def unpacked_path(original: str, package: str, cache: Path) -> Path:
    """Return where the original path lies in the package's unpacked files (fetched only when needed)."""
    plain = original[:-3] if original.endswith(".gz") else original
    if Path(original).exists() or Path(plain).exists():
        return Path(plain)
    return unpacked(package, cache) / plain.lstrip("/")


def main() -> int:
    """Assemble the library; return 1 when a document could not be found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="a SOURCES.md whose table lists file, format, package, path")
    parser.add_argument("folder", type=Path, help="where the library goes")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, package, original in sources(args.sources):
            target = args.folder / name
            if target.exists():
                continue
            try:
                place(original, target, package, Path(tmp))
            except (OSError, subprocess.CalledProcessError) as exc:
                failed += 1
                print(f"{name}: not assembled: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
