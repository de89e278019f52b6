"""The reader's model: a probability that a unit answers the question, from its features.

A logistic regression trained by `scripts/train_reader.py` with cross-validation grouped by document; its
weights, the features they belong to and the abstention threshold chosen on held-out folds are one JSON file
committed beside this module. Each unit is scored on its own as a yes/no classification; the question's
"no answer" probability is the product of the best units' "no" (STYLE.md, habit 15), so a threshold means the
same on every question.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kb.errors import ConfigError
from kb.read.features import FEATURES

WEIGHTS_FILE = Path(__file__).with_name("reader_weights.json")
# The "no answer" probability multiplies the "no" of this many best units.
NO_ANSWER_UNITS = 3


class Reader(Protocol):
    """Scores candidate units: features in, probabilities out."""

    threshold: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return the probability that each unit (a row of FEATURES) answers the question."""
        ...


def answer_probability(probabilities: np.ndarray, units: int = NO_ANSWER_UNITS) -> float:
    """Return 1 − the probability that none of the best units answers."""
    if probabilities.size == 0:
        return 0.0
    best = np.sort(probabilities)[::-1][:units]
    return float(1.0 - np.prod(1.0 - best))


def read_model_file(path: Path, features: Sequence[str], what: str, script: str) -> dict[str, Any]:
    """Return a trained model's JSON, refused with the way out when unreadable or trained on other features."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc}); run {script}") from exc
    if list(data.get("features", [])) != list(features):
        raise ConfigError(f"{path}: {what} were trained on other features than the code computes; run {script}")
    return data


@dataclass
class LinearReader:
    """A logistic regression over FEATURES, with its calibrated abstention threshold."""

    weights: np.ndarray
    threshold: float
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return sigmoid(features · weights) for each row."""
        if features.size == 0:
            return np.zeros(0, dtype=np.float64)
        z = features.astype(np.float64) @ self.weights
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> LinearReader:
        """Return the reader saved at `path`; its features must be this code's FEATURES, in order."""
        data = read_model_file(path, FEATURES, "the reader's weights", "scripts/train_reader.py")
        weights = np.array([data["weights"][name] for name in FEATURES], dtype=np.float64)
        return cls(weights=weights, threshold=float(data["threshold"]), info=data.get("info", {}))

    def save(self, path: Path = WEIGHTS_FILE) -> None:
        """Write the weights, their features and the threshold as JSON."""
        data = {
            "features": list(FEATURES),
            "weights": {name: round(float(w), 6) for name, w in zip(FEATURES, self.weights, strict=True)},
            "threshold": round(self.threshold, 4),
            "info": self.info,
        }
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
