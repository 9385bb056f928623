"""Test doubles that implement the grader and voice protocols."""

from __future__ import annotations

import threading

from simulator.grading.base import Grade, GradeContext
from simulator.voice.base import CustomerLine, LineRequest, TokenCallback


class TableGrader:
    """Grades a reply from a table keyed by the reply text, so engine tests do not
    depend on the real grader's judgement."""

    def __init__(self, table: dict[str, Grade]) -> None:
        self.table = table
        self.contexts: list[GradeContext] = []

    def grade(self, reply: str, context: GradeContext) -> Grade:
        self.contexts.append(context)
        return self.table.get(reply, Grade(courtesy=50, flexibility=50))


class RecordingVoice:
    """Says the first authored line and remembers every request."""

    name = "recording"

    def __init__(self) -> None:
        self.requests: list[LineRequest] = []

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        self.requests.append(request)
        return CustomerLine(request.authored[0], "model")


class BrokenVoice:
    name = "broken"

    def speak(self, request, on_token=None, cancel=None) -> CustomerLine:
        raise RuntimeError("the model fell over")
