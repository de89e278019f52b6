"""Settings come from KB_ variables, and every one of them is documented in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_env_example() -> None:
    listed = set(re.findall(r"^KB_([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_every_setting_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [f"KB_{n.upper()}" for n in Settings.model_fields if f"KB_{n.upper()}" not in readme]
    assert not missing, f"README does not document {missing}"


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("KB_TOP_K", "7")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.data_dir == tmp_path / "elsewhere"
    assert s.top_k == 7
    assert s.db_path.parent == tmp_path / "elsewhere"


def test_invalid_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_PORT", "99999")
    with pytest.raises(ValueError, match="port"):
        Settings(_env_file=None)  # type: ignore[call-arg]
