"""The voice interface. The script decides what the customer means; a voice says it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from simulator.scenario import Scenario

Source = Literal["model", "script"]
TokenCallback = Callable[[str], None]


@dataclass(frozen=True)
class LineRequest:
    """Everything a voice needs to say the customer's next line."""

    scenario: Scenario
    intent: str  # what the customer means to say now
    authored: tuple[str, ...]  # the authored lines for this beat; the fallback
    beat: str  # e.g. "trigger:refused", "need:beds:nudge", "end:resolved"
    history: tuple[tuple[str, str], ...] = ()  # (speaker, text), speaker "customer"/"trainee"
    facts_known: tuple[str, ...] = ()  # facts the customer has already revealed
    mood: int = 50
    turn: int = 0
    said_before: tuple[str, ...] = ()  # the customer's earlier lines, not to be repeated
    # The mood before the trainee's reply: a line after a reply that made things worse
    # must not thank or praise. None when unknown (then `mood` alone is used).
    mood_before: int | None = None


@dataclass(frozen=True)
class CustomerLine:
    text: str
    source: Source
    # Why a model line was rejected, when the script had to step in.
    notes: tuple[str, ...] = field(default_factory=tuple)
    # True when the text streamed to `on_token` while it was produced is not the
    # line finally said (the verifier rejected it): the UI replaces the preview.
    replaces_preview: bool = False


class Voice(Protocol):
    name: str

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine: ...
