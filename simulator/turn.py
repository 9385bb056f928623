"""One turn of a session, played headless: grade and plan, voice, commit; or cancel.

The training room runs `TurnInFlight.run` in a worker and follows it through
callbacks; `rehearse` and the bench call the same operation (via
`Session.reply`). Whoever settles the turn first wins: the voice finishing
commits the whole line, the trainee ending the conversation meanwhile
(`cancel`, from any thread) commits what the customer had typed so far.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from simulator.voice.base import CustomerLine, TokenCallback

if TYPE_CHECKING:
    from simulator.session import Plan, Session, Turn

CANCELLED_NOTE = "the trainee ended the conversation while the customer was typing"


class GradingFailed(Exception):
    """The grader raised on the reply; nothing of the turn reached the session."""


class TurnInFlight:
    """A trainee reply on its way through the session."""

    def __init__(self, session: Session, reply: str) -> None:
        self.session = session
        self.reply = reply
        self.cancelled = threading.Event()  # passed to the voice so it stops early
        self.plan: Plan | None = None  # set once the reply is graded
        self.turn: Turn | None = None  # set once the turn is committed
        self._settle = threading.Lock()
        self._settled = False
        self._typed: list[str] = []
        self._voice_started: float | None = None

    def run(
        self,
        *,
        on_graded: Callable[[Plan], None] | None = None,
        on_token: TokenCallback | None = None,
        grading_guard: AbstractContextManager[object] | None = None,
    ) -> Turn | None:
        """Grade, plan, voice and commit; the committed turn, or None if cancelled before it was graded.

        `grading_guard` is held while grading (the app serialises model loads with
        it). A grader failure raises `GradingFailed`; a voice failure cannot
        stop the turn (`Session.voice_line` falls back to the authored line).
        """
        if self.session.finished:
            raise RuntimeError("the conversation has ended")  # a caller's mistake, not the grader's
        try:
            with grading_guard if grading_guard is not None else nullcontext():
                plan = self.session.plan(self.reply)
        except Exception as exc:
            raise GradingFailed(f"{type(exc).__name__}: {exc}") from exc
        with self._settle:
            if self._settled:
                return self.turn
            self.plan = plan
            self._voice_started = time.perf_counter()
        if on_graded is not None:
            on_graded(plan)

        def typed(token: str) -> None:
            self._typed.append(token)
            if on_token is not None:
                on_token(token)

        line = self.session.voice_line(plan, on_token=typed, cancel=self.cancelled)
        return self._commit(plan, line)

    def cancel(self) -> Turn | None:
        """Stop the turn (any thread); the turn as committed, or None if it never was.

        A reply already graded is kept, with the customer's line as far as it
        was typed, so the graded reply is not lost.
        """
        self.cancelled.set()
        with self._settle:
            if self._settled:
                return self.turn
            if self.plan is None:
                self._settled = True
                return None
        partial = "".join(self._typed).strip()
        return self._commit(self.plan, CustomerLine(partial or "…", "script", (CANCELLED_NOTE,)))

    def _commit(self, plan: Plan, line: CustomerLine) -> Turn | None:
        with self._settle:
            if self._settled:
                return self.turn
            self._settled = True
            started = self._voice_started if self._voice_started is not None else time.perf_counter()
            self.turn = self.session.commit(plan, line, time.perf_counter() - started)
            return self.turn
