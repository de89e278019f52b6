"""Find the files to ingest under a folder and read the folder's manifest."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.access import check_visibility
from kb.errors import KBError
from kb.types import DOC_TYPES

MANIFEST_NAMES = ("manifest.yaml", "manifest.yml")


@dataclass
class Entry:
    """What the manifest says about one file (all optional)."""

    title: str | None = None
    doc_type: str | None = None
    date: str | None = None
    language: str | None = None
    visibility: str | None = None  # public or internal; None: the run's default (`--visibility`, KB_DEFAULT_VISIBILITY)
    supersedes: str | None = None
    password: str | None = None


@dataclass
class Manifest:
    """A folder's manifest: per-file entries and glob patterns of files to leave out."""

    entries: dict[str, Entry] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)


def read_manifest(root: Path) -> Manifest:
    """Return the folder's manifest, or an empty one; a malformed manifest is a KBError naming it."""
    import yaml

    for name in MANIFEST_NAMES:
        path = root / name
        if not path.is_file():
            continue
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise KBError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise KBError(f"{path}: expected a mapping with a 'documents' list")
        manifest = Manifest(exclude=[str(p) for p in data.get("exclude") or []])
        for i, item in enumerate(data.get("documents") or []):
            if not isinstance(item, dict) or "file" not in item:
                raise KBError(f"{path}: documents[{i}] needs a 'file' key")
            doc_type = item.get("type")
            if doc_type is not None and doc_type not in DOC_TYPES:
                raise KBError(f"{path}: {item['file']}: type {doc_type!r} is not one of {', '.join(DOC_TYPES)}")
            visibility = item.get("visibility")
            if visibility is not None:
                check_visibility(visibility, f"{path}: {item['file']}")
            manifest.entries[str(item["file"])] = Entry(
                title=item.get("title"),
                doc_type=doc_type,
                date=None if item.get("date") is None else str(item["date"]),
                language=item.get("language"),
                visibility=visibility,
                supersedes=item.get("supersedes"),
                password=None if item.get("password") is None else str(item["password"]),
            )
        return manifest
    return Manifest()


@dataclass
class Survey:
    """What a folder holds for a run: the files to ingest, and every other entry with why it is left out."""

    sources: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)


def survey_folder(root: Path, manifest: Manifest) -> Survey:
    """Return the sources to ingest (paths relative to root, '/'-separated, sorted) and what is left out, and why.

    Every entry appears under the name it has on disk: a name that is not valid UTF-8 cannot be stored and is a
    failure (with its undecodable bytes as surrogate escapes), a hidden or '_' entry is skipped, not silently lost.
    """
    out = Survey()
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath).relative_to(root)
        for name in sorted(dirnames):
            if name.startswith((".", "_")):
                out.skipped.append({"source": (folder / name).as_posix() + "/", "reason": f"folder name starts with {name[0]!r}"})
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            source = (folder / name).as_posix()
            reason = _left_out(root, source, name, folder == Path("."), manifest)
            if reason == _BAD_NAME:
                out.failed.append({"source": source, "reason": reason})
            elif reason:
                out.skipped.append({"source": source, "reason": reason})
            else:
                out.sources.append(source)
    out.sources.sort(key=lambda s: s.split("/"))
    return out


_BAD_NAME = "the file name is not valid UTF-8: rename the file"


def _left_out(root: Path, source: str, name: str, top: bool, manifest: Manifest) -> str | None:
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return _BAD_NAME
    if name.startswith((".", "_")):
        return f"file name starts with {name[0]!r}"
    if top and name in MANIFEST_NAMES:
        return "the folder's manifest"
    path = root / source
    if not path.is_file():
        return "not a regular file"
    if not path.resolve().is_relative_to(root.resolve()):
        return "a link to a file outside the folder"
    pattern = next((p for p in manifest.exclude if fnmatch.fnmatch(source, p)), None)
    return None if pattern is None else f"excluded by the manifest ({pattern})"


def discover_files(root: Path, manifest: Manifest) -> list[str]:
    """Return the sources (paths relative to root, '/'-separated) of every file to ingest, sorted."""
    return survey_folder(root, manifest).sources


def document_id(root: str, source: str) -> str:
    """Return a stable, readable id: the source's slug plus a short hash of where it came from."""
    slug = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")[:48] or "doc"
    digest = hashlib.sha1(f"{root}\0{source}".encode()).hexdigest()[:8]
    return f"{slug}-{digest}"

