"""The one small protocol every engine behind the model voice speaks.

The model voice (model_voice.py) plans nothing: the session has chosen the beat.
It asks an engine for a few candidate phrasings, checks them with the verifier and
falls back to the authored line; the engine only turns a prompt into text. Three
engines implement this, interchangeably (house style: simonw/llm's `Model`):

- `FastLlamaEngine`: our own decoder (native kernels, or fbgemm int8 without them);
- `TransformersEngine`: transformers' model, for checkpoints our decoder does not run;
- `ServerEngine`: an OpenAI-compatible inference server (llama.cpp, vLLM, Ollama...).

Nothing here imports torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from simulator.voice.base import LineRequest
from simulator.voice.prompt import Prompt

# The verifier, as an engine may call it while sampling: (line, lead) -> passes.
Passes = Callable[[str, str], bool]


class LineStream(Protocol):
    """Where an engine sends the first candidate's text as it grows (model_voice._Stream)."""

    def update(self, raw: str, done: bool) -> None: ...


class VoiceUnavailable(Exception):
    """The engine cannot say anything now (a server down, a load that failed).

    `reason` is one of the fallback reasons in base.py; `detail` is one sentence.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Engine(Protocol):
    """Turns a prompt into candidate lines. Implementations: see the module docstring."""

    @property
    def name(self) -> str:
        """What decodes, for people: "native (avx512-vnni)", "transformers", "server ..."."""
        ...

    @property
    def loaded(self) -> bool: ...

    def load(self) -> None:
        """Get ready (weights, or the server's model name); raises UserError with one sentence."""
        ...

    def line_deadline_s(self) -> float | None:
        """Seconds the trainee may wait for this line, from the start of speaking."""
        ...

    def build_prompt(self, request: LineRequest, seed: int) -> Prompt: ...

    def generate(
        self,
        prompt: Prompt,
        seed: int,
        stream: LineStream | None = None,
        cancel: threading.Event | None = None,
        n: int | None = None,
        labels: tuple[str, ...] = (),
        passes: Passes | None = None,
        deadline: float | None = None,
    ) -> list[str]:
        """Raw candidates ("" for one cut off unfinished). `deadline` is a time.perf_counter()
        value past which nothing more is waited for; `passes` lets the engine stop at the
        first candidate the verifier accepts."""
        ...
