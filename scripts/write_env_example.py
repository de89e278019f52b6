"""Regenerate .env.example from the Settings class, so every setting is listed with its default."""

from __future__ import annotations

from pathlib import Path

from kb.config import Settings


def main() -> None:
    """Write .env.example at the repository root."""
    lines = ["# Every setting of the NSPS Knowledge Base, with its default. Copy to .env to change one.", ""]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = default.as_posix()
        if default is None:
            default = ""
        if isinstance(default, bool):
            default = str(default).lower()
        if field.description:
            lines.append(f"# {field.description}")
        lines.append(f"KB_{name.upper()}={default}")
    (Path(__file__).resolve().parents[1] / ".env.example").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
