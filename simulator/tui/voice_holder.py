"""A voice that may still be loading.

A model takes seconds to load, but the trainee can read the opening line and
reply at once: grading needs no voice. The session is given a `PendingVoice`;
its `speak` (run in a worker thread) waits until the app's loader has put the
real voice in the `VoiceHolder`, or until the turn is cancelled.
"""

from __future__ import annotations

import threading

from simulator.voice.base import CustomerLine, LineRequest, TokenCallback, Voice


class VoiceHolder:
    """Filled once, from the loading worker; read from voicing workers."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._voice: Voice | None = None
        self.problem: str | None = None  # why the requested voice could not be used

    def set(self, voice: Voice, problem: str | None = None) -> None:
        self._voice = voice
        self.problem = problem
        self._ready.set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def voice(self) -> Voice | None:
        return self._voice

    def wait(self, cancel: threading.Event | None = None) -> Voice | None:
        """The voice once loaded, or None if `cancel` was set first."""
        while not self._ready.wait(0.05):
            if cancel is not None and cancel.is_set():
                return None
        return self._voice


class PendingVoice:
    """A Voice whose speaking waits for the holder to be filled."""

    def __init__(self, holder: VoiceHolder, requested: str) -> None:
        self.holder = holder
        self.requested = requested

    @property
    def name(self) -> str:
        voice = self.holder.voice
        return voice.name if voice is not None else self.requested

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        voice = self.holder.wait(cancel)
        if voice is None:
            # Empty text makes the session fall back to the authored line.
            return CustomerLine("", "script", ("cancelled while the voice was loading",))
        return voice.speak(request, on_token=on_token, cancel=cancel)
