"""Building the voice a command or the UI asked for."""

from __future__ import annotations

from pathlib import Path

from simulator.voice.base import Voice
from simulator.voice.scripted import ScriptedVoice


def make_voice(kind: str, model_path: Path | None = None, seed: int = 0) -> Voice:
    if kind == "scripted":
        return ScriptedVoice(seed=seed)
    from simulator.errors import UserError

    raise UserError("The model voice is not available yet; use --voice scripted.")
