"""Reading commitments (recommendations, decisions, actions, targets) from parsed documents at ingest."""

from .extract import EXTRACTOR_VERSION, attach_passages, extract_commitments

__all__ = ["EXTRACTOR_VERSION", "attach_passages", "extract_commitments"]
