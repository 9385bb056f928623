"""The voice interface. The script decides what the customer means; a voice says it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from simulator.scenario import Scenario

Source = Literal["model", "script"]
TokenCallback = Callable[[str], None]

# Why the authored line was said instead of the model's (CustomerLine.fallback). A
# line the verifier turned down has none: that is the voice working as meant.
NO_MODEL = "no model"
LOAD_FAILED = "model failed to load"
TOO_SLOW = "too slow on this machine"
SERVER_UNREACHABLE = "server unreachable"
SERVER_FAILED = "server gave no usable answer"
VOICE_FAILED = "voice failed"


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
    # Why the voice gave no line (cancelled, every model line rejected...), when the script stepped in.
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Set when the script spoke because the model could not (NO_MODEL, TOO_SLOW...).
    fallback: str | None = None


class Voice(Protocol):
    @property
    def name(self) -> str: ...  # shown in records and transcripts

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine: ...
