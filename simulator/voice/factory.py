"""Building the voice a command or the UI asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulator.errors import UserError
from simulator.model_catalogue import StageProgress
from simulator.voice.base import Voice
from simulator.voice.scripted import ScriptedVoice

Notice = Callable[[str], None]


def _quiet(stage: str, fraction: float) -> None:
    pass


def make_voice(
    kind: str,
    model_path: Path | None = None,
    seed: int = 0,
    on_progress: StageProgress | None = None,
    on_notice: Notice | None = None,
    load: bool = True,
) -> Voice:
    """The scripted voice, or the model voice.

    With no --model, the catalogue's default model is used and installed on first
    run (with progress). If it cannot be installed, `on_notice` gets one sentence
    and the scripted voice plays instead: the session must go on. A bad --model
    path is the user's own choice, so it is an error, not a silent fallback.
    `load=False` leaves loading the weights to the caller (a UI worker).
    """
    if kind == "scripted":
        return ScriptedVoice(seed=seed)
    if kind != "model":
        raise UserError(f"There is no voice called '{kind}'; use --voice scripted or --voice model.")
    from simulator import model_catalogue
    from simulator.voice.model_voice import ModelVoice, resolve_model_path

    progress = on_progress or _quiet
    style = None
    if model_path is not None:
        directory = resolve_model_path(model_path, progress)
    else:
        entry = model_catalogue.load_catalogue().get()
        style = entry.prompt
        if not entry.installed():
            try:
                model_catalogue.install(entry.name, on_progress=progress)
            except UserError as exc:
                if on_notice is not None:
                    reason = str(exc).split(";")[0].rstrip(".")
                    on_notice(
                        f"{reason}, so the customer speaks with the scripted lines this time; "
                        "run `simulator models install` to get the model."
                    )
                return ScriptedVoice(seed=seed)
        directory = entry.directory()
    voice = ModelVoice(directory, seed=seed, prompt_style=style, on_progress=progress)  # type: ignore[arg-type]
    if load:
        voice.load()
    return voice
