"""The ONNX backend of the sentence-transformers embedder: a local export, run with onnxruntime.

The model is exported once from the packaged weights (torch.onnx, mean pooling and L2 normalisation
inside the graph) into a cache folder and reused after; nothing is downloaded. sentence-transformers'
own `backend="onnx"` needs optimum, whose releases pin an older transformers, so it is not used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import ConfigError

log = logging.getLogger(__name__)

ONNX_BACKENDS = ("onnx", "onnx-int8")
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
OPSET = 17


def export_folder(model_path: Path, cache_dir: Path) -> Path:
    """Return the cache folder of one model's exports: its name plus a hash of where it lives."""
    digest = hashlib.sha256(str(model_path.resolve()).encode()).hexdigest()[:12]
    return cache_dir / f"{model_path.resolve().name}-{digest}"


def _source_stamp(model_path: Path) -> dict[str, int | str]:
    """Return what identifies the weights an export came from (file, size, mtime)."""
    for name in WEIGHT_FILES:
        weights = model_path / name
        if weights.is_file():
            stat = weights.stat()
            return {"weights": name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "opset": OPSET}
    raise ConfigError(f"{model_path}: no {' or '.join(WEIGHT_FILES)} to export to ONNX")


def ensure_onnx_model(model_path: Path, cache_dir: Path, backend: str) -> Path:
    """Return the .onnx file for `backend` ("onnx" or "onnx-int8"), exporting (and quantising) it on first use only."""
    folder = export_folder(model_path, cache_dir)
    stamp = _source_stamp(model_path)
    manifest = folder / "manifest.json"
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    if manifest.is_file() and json.loads(manifest.read_text()).get("source") != stamp:
        log.info("%s changed since its ONNX export; exporting again", model_path)
        for stale in (fp32, int8, manifest):
            stale.unlink(missing_ok=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"KB_MODEL_CACHE_DIR: cannot create {folder} for the ONNX export ({exc})") from exc
    timings: dict[str, float] = {}
    if not fp32.is_file():
        started = time.perf_counter()
        _atomic_write(fp32, lambda tmp: export_onnx(model_path, tmp))
        timings["export_s"] = time.perf_counter() - started
        log.info("exported %s to %s in %.1f s", model_path.name, fp32, timings["export_s"])
    if backend == "onnx-int8" and not int8.is_file():
        started = time.perf_counter()
        _atomic_write(int8, lambda tmp: quantize_onnx(fp32, tmp))
        timings["quantize_s"] = time.perf_counter() - started
        log.info("quantised %s to int8 in %.1f s", fp32, timings["quantize_s"])
    if timings or not manifest.is_file():
        old = json.loads(manifest.read_text()) if manifest.is_file() else {}
        manifest.write_text(json.dumps({**old, "source": stamp, **timings}, indent=2))
    return int8 if backend == "onnx-int8" else fp32


def _atomic_write(target: Path, write) -> None:  # type: ignore[no-untyped-def]
    # Another process may export at the same time: each writes its own file, the last rename wins.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=target.stem, suffix=".tmp.onnx")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the export is no secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def export_onnx(model_path: Path, target: Path) -> None:
    """Write the transformer plus mean pooling and normalisation as one ONNX graph (fp32)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import warnings

    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    encoder = AutoModel.from_pretrained(str(model_path)).eval()
    dummy = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks that hold for any input
        # The TorchScript exporter (dynamo=False): the dynamo one needs onnxscript, one more dependency.
        torch.onnx.export(
            Pooled(encoder), (dummy, dummy, torch.zeros_like(dummy)), str(target), dynamo=False,
            input_names=list(INPUT_NAMES), output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}}, opset_version=OPSET,
        )


def quantize_onnx(source: Path, target: Path) -> None:
    """Write a dynamically quantised int8 copy of an fp32 ONNX model."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights: per-tensor scales measured cosine 0.90-0.96 to fp32 on SciFact passages,
    # per-channel 0.99. reduce_range (7-bit weights) avoids the u8*s8 overflow of AVX2 without VNNI.
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (or a local sentence-transformers folder) through onnxruntime, fp32 or int8."""

    def __init__(
        self, name: str, model_path: Path, *, backend: str, cache_dir: Path, batch_size: int = 32
    ) -> None:
        if backend not in ONNX_BACKENDS:
            raise ConfigError(f"KB_EMBED_BACKEND={backend!r}: expected one of torch, {', '.join(ONNX_BACKENDS)}")
        # fp32 reproduces torch's vectors (cosine 1.0000 on SciFact), so it shares torch's name: an index
        # and an embedding cache built on either serve the other. int8 vectors differ and are kept apart.
        self.name = name if backend == "onnx" else f"{name}+{backend}"
        self.backend = backend
        self.batch_size = batch_size
        self._path = model_path
        self._cache_dir = cache_dir
        self._session: Any = None
        self._tokenizer: Any = None
        self._counter: Any = None
        self._lock = threading.Lock()
        missing = [f for f in ("config.json", "tokenizer.json") if not (model_path / f).is_file()]
        if missing:
            raise ConfigError(
                f"KB_EMBED_BACKEND={backend!r}: {model_path} has no {' or '.join(missing)}; the ONNX backend "
                "needs a Hugging Face layout (the transformer at the top of the folder, a fast tokenizer)"
            )
        config = json.loads((model_path / "config.json").read_text())
        self.dim = int(config["hidden_size"])
        st_config = model_path / "sentence_bert_config.json"
        self.max_tokens = int(json.loads(st_config.read_text())["max_seq_length"]) if st_config.is_file() else 512
        self.onnx_path: Path | None = None

    def _load_tokenizers(self) -> None:
        if self._counter is not None:
            return
        from tokenizers import Tokenizer

        # tokenizer.json ships fixed padding and truncation at 128: match sentence-transformers instead
        # (pad to the longest in the batch, cut at max_seq_length); the counter neither pads nor cuts.
        tokenizer = Tokenizer.from_file(str(self._path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        counter = Tokenizer.from_file(str(self._path / "tokenizer.json"))
        counter.no_truncation()
        counter.no_padding()
        self._tokenizer, self._counter = tokenizer, counter

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort

            self._load_tokenizers()
            self.onnx_path = ensure_onnx_model(self._path, self._cache_dir, self.backend)
            options = ort.SessionOptions()
            # Busy-waiting threads lose when other processes hold the cores (measured int8, load ~5:
            # 6.7-7.4 passages/s without spinning, 5.7-6.0 with). The memory arena stays on: without it
            # every batch allocates afresh (5-10x the system time, 15-25 % slower) to save ~90 MiB.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        """Return normalised embeddings; queries and passages share one space for this model."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        assert self._session is not None and self._tokenizer is not None
        # Batches of similar length pad least (as sentence-transformers does): sort, embed, put back.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            feed = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            out[rows] = self._session.run(None, feed)[0]
        return out

    def count_tokens(self, text: str) -> int:
        """Return the number of word pieces, without special tokens."""
        if self._counter is None:
            with self._lock:
                self._load_tokenizers()
        assert self._counter is not None
        return len(self._counter.encode(text, add_special_tokens=False).ids)
