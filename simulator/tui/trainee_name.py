"""The remembered trainee name, in the shared config file."""

from __future__ import annotations

import json
from typing import Any

from simulator import locations


def _read() -> dict[str, Any]:
    try:
        data = json.loads(locations.config_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or damaged config only costs the remembered name
    return data if isinstance(data, dict) else {}


def remembered() -> str:
    name = _read().get("trainee")
    return name.strip() if isinstance(name, str) else ""


def remember(name: str) -> str | None:
    """Store the name; returns a one-sentence problem instead of raising."""
    data = _read()
    if data.get("trainee") == name:
        return None
    data["trainee"] = name
    path = locations.config_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        return f"Your name could not be remembered ({exc.strerror or exc}); you can still play."
    return None
