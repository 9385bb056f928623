"""The scripted voice: says an authored line, chosen reproducibly."""

from __future__ import annotations

import random
import re
import threading

from simulator.voice.base import CustomerLine, LineRequest, TokenCallback


def pick_authored(request: LineRequest, seed: int) -> str:
    """An authored line for the beat, avoiding lines already said when it can."""
    fresh = [line for line in request.authored if line not in request.said_before]
    pool = fresh or list(request.authored)
    rng = random.Random(f"{seed}:{request.turn}:{request.beat}")
    return rng.choice(pool)


class ScriptedVoice:
    name = "scripted"

    def __init__(self, seed: int = 0, fallback: str | None = None) -> None:
        self.seed = seed
        # Set when this voice stands in for a model that could not be used (base.NO_MODEL...).
        self.fallback = fallback

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        text = pick_authored(request, self.seed)
        if on_token is not None:
            # Stream word by word so the UI shows the same "typing" as with a model.
            for piece in re.findall(r"\S+\s*", text):
                if cancel is not None and cancel.is_set():
                    break
                on_token(piece)
        return CustomerLine(text=text, source="script", fallback=self.fallback)
