"""One ingest at a time per data directory, across processes: an exclusive flock on DATA_DIR/ingest.lock.

The lock belongs to an open file, so the kernel lets go of it when the process holding it ends, however it ends
(kill -9 included): a lock is never stale and nothing has to clean it up. The file itself is never removed (removing
it while another process waits on it would let two ingests in at once); while held it records who holds it (pid,
command, start time) for the message a waiting ingest gives. Readers (search, ask, the web pages) never take it.

Within one process the lock is re-entrant for the thread that holds it (an upload holds it around its own file
moves and the ingest run inside); another thread of the same process waits like another process would.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kb.errors import IngestBusy, KBError
from kb.store import utc_now

LOCK_NAME = "ingest.lock"
_POLL_S = 0.1


@dataclass(frozen=True)
class Holder:
    """Who holds a data directory's ingest lock, as its lock file records it."""

    pid: int
    command: str
    started: str

    def describe(self) -> str:
        """Return 'pid N, COMMAND, since TIME' for a message."""
        return f"pid {self.pid}, {self.command}, since {self.started}"


@dataclass
class _Hold:
    thread: int
    file: IO[str]
    depth: int


_held: dict[str, _Hold] = {}  # resolved data dir → this process's hold on it
_guard = threading.Lock()


def lock_path(data_dir: Path) -> Path:
    """Return the lock file of a data directory."""
    return Path(data_dir) / LOCK_NAME


def read_holder(data_dir: Path) -> Holder | None:
    """Return who holds the data directory's ingest lock as recorded, or None when nothing (readable) is recorded."""
    try:
        record = json.loads(lock_path(data_dir).read_text(encoding="utf-8") or "null")
        return Holder(int(record["pid"]), str(record["command"]), str(record["started"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


class DataDirLock:
    """A hold on a data directory's ingest lock; `release` (or leaving the `with` block, or dropping it) lets go."""

    def __init__(self, key: str) -> None:
        self.key = key
        # Dropped without release (an Ingestor nobody closed): let go when it is collected, not at process exit.
        self._finalizer = weakref.finalize(self, _release, key)

    def release(self) -> None:
        """Let go of this hold (once; later calls do nothing)."""
        self._finalizer()

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()


def acquire_data_dir(
    data_dir: Path,
    *,
    wait_s: float,
    command: str | None = None,
    on_wait: Callable[[Holder | None], None] | None = None,
) -> DataDirLock:
    """Return a hold on the data directory's ingest lock, waiting up to `wait_s` seconds for another ingest to end.

    `on_wait` is called once, with the holder as recorded, when the lock is taken by someone else; after `wait_s`
    IngestBusy is raised naming the data directory and the holder. `command` is what the record says this run is
    (default: this process's command line).
    """
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    key = str(folder.resolve())
    me = threading.get_ident()
    with _guard:
        hold = _held.get(key)
        if hold is not None and hold.thread == me:
            hold.depth += 1
            return DataDirLock(key)
    path = lock_path(folder)
    try:
        # Opened without truncating: the holder's record stays readable until this run holds the lock itself.
        file = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644), "r+", encoding="utf-8")
    except OSError as exc:
        raise KBError(f"{path}: the ingest lock file cannot be opened: {exc.strerror}") from exc
    try:
        _wait_for(file, path, folder, wait_s, on_wait)
        record = {"pid": os.getpid(), "command": command or _command_line(), "started": utc_now()}
        file.seek(0)
        file.truncate()
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        file.flush()
    except BaseException:
        file.close()  # closing lets go of the lock too, if it was taken
        raise
    with _guard:
        _held[key] = _Hold(me, file, 1)
    return DataDirLock(key)


def _wait_for(
    file: IO[str], path: Path, folder: Path, wait_s: float, on_wait: Callable[[Holder | None], None] | None
) -> None:
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise KBError(f"{path}: the ingest lock cannot be taken: {exc.strerror}") from exc
        holder = read_holder(folder)
        left = deadline - time.monotonic()
        if left <= 0:
            raise IngestBusy(folder, holder.describe() if holder else "", wait_s)
        if not told and on_wait is not None:
            on_wait(holder)
            told = True
        time.sleep(min(_POLL_S, left))


def _release(key: str) -> None:
    with _guard:
        hold = _held.get(key)
        if hold is None:
            return
        hold.depth -= 1
        if hold.depth:
            return
        del _held[key]
    try:
        hold.file.seek(0)
        hold.file.truncate()  # the record goes with the lock
    except OSError:
        pass  # a full or read-only disk: the lock is let go all the same
    finally:
        hold.file.close()  # closing the file lets go of the flock


def _command_line() -> str:
    argv = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return " ".join(argv)[:300]
