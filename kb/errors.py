"""Typed errors raised by the core; the CLI and web app translate them at the edge."""

from __future__ import annotations


class KBError(Exception):
    """Base class: the message names the file, page or setting at fault."""


class ConfigError(KBError):
    """A setting is missing or invalid."""


class ParseError(KBError):
    """A file could not be read; the message says which file and why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IndexMismatchError(KBError):
    """The index was built with another model or chunking than the one configured."""


class DocumentNotFound(KBError):
    """No document with that id is in the library."""


class QueryError(KBError):
    """A question or search request is invalid (empty, too long, bad filter)."""


class IngestBusy(KBError):
    """Another ingest holds the data directory's lock and did not let go within the wait."""

    def __init__(self, data_dir: object, holder: str, waited_s: float) -> None:
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"another ingest is writing the data directory {data_dir}{who}; it was still running after "
            f"{waited_s:g} s of waiting: try again when it has finished"
        )
        self.data_dir = data_dir
        self.holder = holder
        self.waited_s = waited_s
