"""Run a parser in a child process with a wall-time and address-space limit."""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kb.errors import ParseError
from kb.types import ParsedDocument

from . import parse_file

log = logging.getLogger(__name__)

Target = Callable[..., ParsedDocument]
# The forkserver imports these once; each file then costs a fork of that small, clean process
# instead of a fork of a parent that may hold torch/FAISS threads, or a fresh interpreter.
PRELOAD = ["ingest.parse", "ingest.parse.pdf", "ingest.parse.docx", "ingest.parse.html", "pypdf", "PIL.Image"]
OCR_SHARE = 0.7  # share of the time limit OCR may use, so a long scan returns partial text, not a timeout

_context_lock = threading.Lock()
_context: Any = None


def _get_context() -> Any:
    """Return the forkserver context, configured to preload the parse modules."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def _child(conn: Connection, target: Target, path: Path, kwargs: dict[str, Any], memory_mb: int) -> None:
    """Child process body: set the memory limit, run the target, send back ("ok", doc) or ("error", reason)."""
    # Its own process group: whatever the parser starts (Tesseract, say) is killed with it (see `_end`).
    os.setpgid(0, 0)
    _die_with_parent()
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        result: tuple[str, Any] = ("ok", target(path, **kwargs))
    except ParseError as exc:
        result = ("error", exc.reason)
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # a parser bug must not become a raw traceback for the user
        log.exception("parser failed on %s", kwargs.get("source"))
        result = ("error", f"unexpected {type(exc).__name__}: {exc}")
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent (the forkserver) dies.

    The forkserver exits when the ingest that started it does, even by `kill -9`; without this a parser stuck on
    a file would outlive the run that can no longer time it out.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the time limit is the only guard
        pass


def _crash_reason(exitcode: int | None, memory_mb: int) -> str:
    """Return a human reason for a child that died without sending a result."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"parser was killed ({name}); it may have used more than {memory_mb} MiB"
        return f"parser crashed (exit code {exitcode}, {name})"
    return f"parser crashed (exit code {exitcode})"


def parse_isolated(
    path: Path,
    *,
    source: str,
    password: str | None = None,
    ocr: bool = True,
    ocr_languages: str = "eng+lao",
    timeout_s: float = 60.0,
    memory_mb: int = 1024,
    target: Target = parse_file,
) -> ParsedDocument:
    """Return parse_file's result computed in a child process; raise ParseError on timeout, memory or crash."""
    kwargs: dict[str, Any] = {"source": source, "password": password, "ocr": ocr, "ocr_languages": ocr_languages}
    if target is parse_file:
        kwargs["ocr_budget_s"] = timeout_s * OCR_SHARE
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, target, Path(path), kwargs, memory_mb), daemon=True)
    started = time.monotonic()
    process.start()
    sender.close()
    try:
        message = _receive(receiver, process, timeout_s)
    finally:
        receiver.close()
        _end(process)
        log.debug("parsed %s in a child process in %.3f s", source, time.monotonic() - started)
    status, value = message
    if status == "timeout":
        raise ParseError(source, f"timed out after {timeout_s:g} s")
    if status == "died":
        raise ParseError(source, _crash_reason(process.exitcode, memory_mb))
    if status == "ok":
        return value  # type: ignore[no-any-return]
    if status == "memory":
        raise ParseError(source, f"used more than {memory_mb} MiB")
    raise ParseError(source, str(value))


def _end(process: Any) -> None:
    """Kill the child and everything it started, then reap it: no parser process outlives its file.

    The group is killed before the child is reaped, so its id cannot yet belong to another process.
    """
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is empty: the child and its children are gone
        pass
    if process.is_alive():
        process.kill()
    process.join(5)


def _receive(receiver: Connection, process: Any, timeout_s: float) -> tuple[str, Any]:
    """Return the child's message, ("timeout", None) after killing a slow child, or ("died", None)."""
    if receiver.poll(timeout_s):
        try:
            return receiver.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            return ("died", None)
    process.kill()
    return ("timeout", None)
