"""Files sent from the web: checked, saved under DATA_DIR/uploads with a safe name, then ingested like `kb ingest`.

Each file is saved whole before anything is parsed; the pipeline parses each in its own worker process, and a
file that fails is taken back out (a replaced file gets its earlier bytes back), so one bad file neither stops
the others nor leaves a broken copy behind.
"""

from __future__ import annotations

import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ingest.discover import MANIFEST_NAMES, document_id
from ingest.lock import acquire_data_dir
from ingest.pipeline import Ingestor, Parser
from kb.config import Settings
from kb.embed import Embedder

UPLOADS = "uploads"
_STAGING = ".incoming"  # hidden: a folder ingest of the uploads folder skips it
_NAME_BYTES = 180  # well under the 255 bytes most file systems allow, room for the staging suffix
_KEEP = "._-() "

# Why a file was refused before parsing: msgids the web page translates (web/routes/upload.py marks them).
TOO_LARGE = "the file is larger than %(limit)s bytes"
EMPTY = "the file is empty"
WRONG_TYPE = "files ending in %(suffix)s are not accepted; accepted: %(accepted)s"
NO_NAME = "the file has no name"
RESERVED = "%(name)s is the name of a folder's manifest, not a document"
REPEATED = "another file of this upload has the same name"
TOO_MANY = "more than %(limit)s files in one upload"
REFUSALS = (TOO_LARGE, EMPTY, WRONG_TYPE, NO_NAME, RESERVED, REPEATED, TOO_MANY)


@dataclass
class UploadResult:
    """What became of one uploaded file: added, replaced, unchanged or failed (with the reason)."""

    sent_as: str
    outcome: str = "failed"
    saved_as: str = ""
    reason: str = ""  # a msgid of REFUSALS, or the parser's reason (English)
    params: dict[str, str] = field(default_factory=dict)
    document_id: str = ""

    @property
    def message(self) -> str:
        """Return the reason in English, its values filled in."""
        return self.reason % self.params if self.params else self.reason


def uploads_dir(settings: Settings) -> Path:
    """Return the folder uploaded files are kept in."""
    return Path(settings.data_dir) / UPLOADS


def safe_name(sent: str) -> str:
    """Return a file name that stays inside one folder: no path, no control or odd characters, not hidden, bounded."""
    base = sent.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c if unicodedata.category(c)[0] in "LMN" or c in _KEEP else "_" for c in base)
    base = " ".join(base.split()).lstrip("._- ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:16]
    stem = stem.rstrip("._- ") or "upload"
    while len(f"{stem}.{suffix}".encode()) > _NAME_BYTES:
        stem = stem[:-1]
    return f"{stem}.{suffix}" if suffix else stem


def _refuse(result: UploadResult, reason: str, **params: str) -> UploadResult:
    result.reason, result.params = reason, params
    return result


def _save(source: BinaryIO, target: Path, limit: int) -> bool:
    """Copy the upload to `target`; return False (and remove it) when it is over `limit` bytes."""
    written = 0
    with open(target, "wb") as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > limit:
                break
            out.write(block)
    if written > limit:
        target.unlink()
        return False
    return True


def upload_files(
    files: Iterable[tuple[str, BinaryIO]],
    *,
    settings: Settings,
    embedder: Embedder,
    multilingual: Embedder | None = None,
    visibility: str | None = None,
    parser: Parser | None = None,
) -> list[UploadResult]:
    """Save each (name, content) under DATA_DIR/uploads and ingest them; return one result per file, in order.

    The whole upload holds the data directory's ingest lock (ingest/lock.py), so another upload or a `kb ingest`
    never writes the store or the uploads folder at the same time; when another holds it past
    KB_UPLOAD_WAIT_S, IngestBusy is raised before any file is touched.
    """
    folder = uploads_dir(settings)
    staging = folder / _STAGING
    accepted = settings.upload_suffixes
    with acquire_data_dir(settings.data_dir, wait_s=settings.upload_wait_s, command="an upload from the web page"):
        staging.mkdir(parents=True, exist_ok=True)
        results: list[UploadResult] = []
        staged: dict[str, tuple[UploadResult, Path]] = {}
        for count, (sent, content) in enumerate(files, start=1):
            result = UploadResult(sent_as=sent)
            results.append(result)
            name = safe_name(sent) if sent.strip() else ""
            result.saved_as = name
            suffix = Path(name).suffix.lower()
            if count > settings.upload_max_files:
                _refuse(result, TOO_MANY, limit=str(settings.upload_max_files))
            elif not name:
                _refuse(result, NO_NAME)
            elif name.lower() in MANIFEST_NAMES:
                _refuse(result, RESERVED, name=name)
            elif suffix not in accepted:
                _refuse(result, WRONG_TYPE, suffix=suffix or "(none)", accepted=" ".join(accepted))
            elif name in staged:
                _refuse(result, REPEATED)
            else:
                temp = staging / f"{secrets.token_hex(8)}.part"
                if not _save(content, temp, settings.upload_max_bytes):
                    _refuse(result, TOO_LARGE, limit=str(settings.upload_max_bytes))
                elif temp.stat().st_size == 0:
                    temp.unlink()
                    _refuse(result, EMPTY)
                else:
                    staged[name] = (result, temp)
        if staged:
            _ingest(staged, folder, staging, settings, embedder, multilingual, visibility, parser)
    return results


def _ingest(
    staged: dict[str, tuple[UploadResult, Path]],
    folder: Path,
    staging: Path,
    settings: Settings,
    embedder: Embedder,
    multilingual: Embedder | None,
    visibility: str | None,
    parser: Parser | None,
) -> None:
    """Move the staged files into place (keeping any file they replace), ingest them, and undo each failure."""
    kept: dict[str, Path] = {}
    paths = []
    for name, (_, temp) in staged.items():
        target = folder / name
        # safe_name keeps every name one plain entry of this folder; checked again before anything is moved.
        if target.resolve().parent != folder.resolve():
            raise ValueError(f"upload name {name!r} leaves the uploads folder")
        if target.exists():
            kept[name] = staging / f"{secrets.token_hex(8)}.old"
            target.replace(kept[name])
        temp.replace(target)
        paths.append(target)
    try:
        with Ingestor(settings, embedder, multilingual=multilingual, parser=parser, visibility=visibility) as ingestor:
            report = ingestor.run(paths)
    except BaseException:
        # Not one file's failure (those are in the report) but the run's: put the folder back as it was.
        for name in staged:
            (folder / name).unlink(missing_ok=True)
            if name in kept:
                kept[name].replace(folder / name)
        raise
    failed = {f["source"]: f["reason"] for f in report.failed}
    root = str(folder.resolve())
    for name, (result, _) in staged.items():
        target = folder / name
        old = kept.get(name)
        if name in failed:
            result.outcome, result.reason = "failed", failed[name]
            target.unlink(missing_ok=True)
            if old is not None:
                old.replace(target)  # the earlier file, still the one in the library
            continue
        result.outcome = "added" if name in report.added else "replaced" if name in report.updated else "unchanged"
        result.document_id = document_id(root, name)
        if old is not None:
            old.unlink()
    shutil.rmtree(staging, ignore_errors=True)
