"""Building the voice a command or the UI asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulator.errors import UserError
from simulator.model_catalogue import StageProgress
from simulator.voice.base import LOAD_FAILED, NO_MODEL, Voice
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
    server: str | None = None,
    server_model: str | None = None,
) -> Voice:
    """The scripted voice, or the model voice (local, or through `server`).

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
    if server:
        return _server_voice(server, server_model, seed, on_notice, load)
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
                return ScriptedVoice(seed=seed, fallback=NO_MODEL)
        directory = entry.directory()
    voice = ModelVoice(directory, seed=seed, prompt_style=style, on_progress=progress)  # type: ignore[arg-type]
    if load:
        try:
            voice.load()
        except UserError as exc:
            if model_path is not None or on_notice is None:
                raise  # a --model the user chose that does not load is theirs to fix
            on_notice(f"{str(exc).rstrip('.')}; the customer speaks with the scripted lines this time.")
            return ScriptedVoice(seed=seed, fallback=LOAD_FAILED)
    return voice


def _server_voice(url: str, model: str | None, seed: int, on_notice: Notice | None, load: bool) -> Voice:
    """The model voice through an inference server. A server that is down is one notice,
    not an error: the customer says the authored lines until it answers."""
    from simulator.voice.engine import VoiceUnavailable
    from simulator.voice.model_voice import ModelVoice
    from simulator.voice.server_engine import ServerEngine

    voice = ModelVoice(seed=seed, backend=ServerEngine(url, model))
    if load:
        try:
            voice.load()
        except VoiceUnavailable as exc:
            if on_notice is not None:
                on_notice(
                    f"{exc.detail.rstrip('.')}; until it does, the customer speaks with the scripted lines."
                )
    return voice
