"""The Dockerfile and compose file name paths that exist, and the compose file parses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_parses_and_points_at_the_dockerfile() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["kb"]
    assert service["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert any(p.endswith(":8000") for p in service["ports"])
    for volume in service["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (ROOT / source).exists(), source
    assert service["environment"]["KB_DATA_DIR"] == "/data"


def test_dockerfile_copies_only_existing_paths_and_pins_torch() -> None:
    text = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+)$", text, flags=re.M):
        *sources, _dest = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert 'torch==2.13.0' in text
    assert "tesseract-ocr-lao" in text


def test_entrypoint_uses_real_commands() -> None:
    script = (ROOT / "scripts" / "docker-entrypoint.sh").read_text()
    assert "kb documents --json" in script and "kb ingest" in script and 'exec kb "$@"' in script
