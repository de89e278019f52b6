"""KB_EMBED_BACKEND: torch, or a local ONNX export (fp32 or int8) that agrees with it and is made once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.config import Settings
from kb.embed import build_embedder
from kb.errors import ConfigError
from kb.knowledge_base import index_identity, load_embedders

# Measured against torch: fp32 cosine 1.0000; int8 (per-channel, reduce_range) 0.988-0.996 on SciFact
# passages and queries (mean 0.993), 0.979 on the one-letter text below. The bounds leave a little room
# for other CPUs' int8 kernels (reports/bench-onnx.md has the distribution).
MIN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.97}
MIN_MEAN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.985}

TEXTS = [
    "What does the National Social Protection Strategy promise to poor households by 2030?",
    "Vitamin D deficiency is associated with a higher risk of hip fractures in older women.",
    "x",
    "The strategy has three pillars: social assistance, social security and social welfare. " * 20,
    "Cash transfers to pregnant women and young children in remote districts of Lao PDR.",
    "Microglia are the resident macrophages of the central nervous system.",
]


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, multilingual_model="none", _env_file=None, **kw)  # type: ignore[call-arg]


@pytest.mark.parametrize("backend", ["torch", "onnx", "onnx-int8"])
def test_backends_name_the_vectors_they_make(tmp_path: Path, backend: str) -> None:
    embedder, _ = load_embedders(_settings(tmp_path, embed_backend=backend))
    # fp32 ONNX makes torch's vectors, so an index built by one serves the other; int8 vectors differ.
    expected = {"torch": "all-MiniLM-L6-v2", "onnx": "all-MiniLM-L6-v2", "onnx-int8": "all-MiniLM-L6-v2+onnx-int8"}
    assert embedder.name == expected[backend]
    assert embedder.dim == 384
    # The name is what the index and the embedding cache key on, so an index built on torch refuses int8.
    assert index_identity(_settings(tmp_path), embedder)["embed_model"] == expected[backend]


def test_the_default_backend_is_onnx(tmp_path: Path) -> None:
    from kb.embed_onnx import OnnxEmbedder

    embedder, _ = load_embedders(_settings(tmp_path))
    assert isinstance(embedder, OnnxEmbedder) and embedder.backend == "onnx"


def test_unknown_backend_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KB_EMBED_BACKEND='tensorrt'.*torch, onnx, onnx-int8"):
        load_embedders(_settings(tmp_path, embed_backend="tensorrt"))


def test_exports_go_under_the_data_dir_unless_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings(tmp_path).models_dir == tmp_path / "models"
    monkeypatch.setenv("KB_MODEL_CACHE_DIR", "")
    assert Settings(data_dir=tmp_path, _env_file=None).models_dir == tmp_path / "models"  # type: ignore[call-arg]
    monkeypatch.setenv("KB_MODEL_CACHE_DIR", str(tmp_path / "exports"))
    assert Settings(_env_file=None).models_dir == tmp_path / "exports"  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export folder for the module: the export and quantisation run once."""
    return tmp_path_factory.mktemp("onnx-exports")


@pytest.mark.model
@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_onnx_agrees_with_torch(torch_embedder, export_dir: Path, backend: str) -> None:  # type: ignore[no-untyped-def]
    onnx = build_embedder("all-MiniLM-L6-v2", backend=backend, cache_dir=export_dir, batch_size=4)
    ours, theirs = onnx.embed(TEXTS, kind="passage"), torch_embedder.embed(TEXTS, kind="passage")
    assert ours.shape == theirs.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > MIN_COSINE[backend] and cosines.mean() > MIN_MEAN_COSINE[backend], cosines
    # Every text ranks the same nearest neighbour under both.
    np.testing.assert_array_equal(np.argsort(-(ours @ ours.T), axis=1)[:, 1], np.argsort(-(theirs @ theirs.T), axis=1)[:, 1])
    assert onnx.count_tokens(TEXTS[3]) == torch_embedder.count_tokens(TEXTS[3]) > onnx.max_tokens == torch_embedder.max_tokens
    assert onnx.embed([]).shape == (0, 384)


@pytest.mark.model
def test_the_export_is_reused(export_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_embedder("all-MiniLM-L6-v2", backend="onnx-int8", cache_dir=export_dir)
    vector = first.embed(["reuse me"])
    files = sorted(export_dir.rglob("*.onnx"))
    assert [f.name for f in files] == ["model-int8.onnx", "model.onnx"]  # no temporary file left behind
    stamps = {f: f.stat().st_mtime_ns for f in files}

    import kb.embed_onnx

    def no_export(*_: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(kb.embed_onnx, "export_onnx", no_export)
    monkeypatch.setattr(kb.embed_onnx, "quantize_onnx", no_export)
    second = build_embedder("all-MiniLM-L6-v2", backend="onnx-int8", cache_dir=export_dir)
    np.testing.assert_allclose(second.embed(["reuse me"]), vector, atol=1e-6)
    assert {f: f.stat().st_mtime_ns for f in files} == stamps


def test_onnx_needs_a_hugging_face_layout(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 8}')
    with pytest.raises(ConfigError, match="has no tokenizer.json"):
        build_embedder(str(folder), backend="onnx", cache_dir=tmp_path / "models")


def test_remembering_embedder_embeds_each_passage_text_once() -> None:
    from kb.embed import RememberingEmbedder
    from tests.fakes import FakeEmbedder

    inner = FakeEmbedder()
    kept = RememberingEmbedder(inner, max_items=3)
    first = kept.embed(["a school meal", "a health card", "a school meal"])
    assert inner.texts_embedded == 2 and np.allclose(first[0], first[2])
    again = kept.embed(["a health card", "a cash grant"])
    assert inner.texts_embedded == 3  # only the new text went to the model
    assert np.allclose(again, inner.embed(["a health card", "a cash grant"]))
    kept.embed(["a pension", "a vehicle pool"])  # holds 3: the least recently used ("a school meal") goes
    before = inner.texts_embedded
    kept.embed(["a school meal"])
    assert inner.texts_embedded == before + 1
    kept.embed(["a question"], kind="query")  # queries are never kept
    kept.embed(["a question"], kind="query")
    assert inner.calls == 7 and kept.embed([]).shape == (0, inner.dim)
