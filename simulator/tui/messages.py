"""Messages the training room posts, named for what has happened.

Workers only post these; handlers on the UI thread change the screen.
"""

from __future__ import annotations

from textual.message import Message

from simulator.session import Plan, Turn
from simulator.voice.base import CustomerLine, Voice


class VoiceProgressed(Message):
    """The model voice is loading; `fraction` is None when the loader cannot tell."""

    def __init__(self, fraction: float | None, detail: str) -> None:
        super().__init__()
        self.fraction = fraction
        self.detail = detail


class VoiceLoaded(Message):
    """The customer's voice is ready; `problem` says why a fallback is used, if one is."""

    def __init__(self, voice: Voice, problem: str | None = None) -> None:
        super().__init__()
        self.voice = voice
        self.problem = problem


class ReplyGraded(Message):
    """A trainee reply was graded and the customer's next beat decided.

    `ticket` identifies the turn (its cancel event), so a late message from a
    turn the trainee abandoned is recognised and ignored.
    """

    def __init__(self, plan: Plan, ticket: object = None) -> None:
        super().__init__()
        self.plan = plan
        self.ticket = ticket


class ReplyFailed(Message):
    """The grader failed on a reply; the trainee gets it back to send again."""

    def __init__(self, text: str, problem: str, ticket: object = None) -> None:
        super().__init__()
        self.text = text
        self.problem = problem
        self.ticket = ticket


class CustomerTyped(Message):
    """A piece of the customer's line arrived from the voice."""

    def __init__(self, plan: Plan, token: str) -> None:
        super().__init__()
        self.plan = plan
        self.token = token


class CustomerReplied(Message):
    """The voice finished the customer's line for `plan`."""

    def __init__(self, plan: Plan, line: CustomerLine, seconds: float) -> None:
        super().__init__()
        self.plan = plan
        self.line = line
        self.seconds = seconds


class TurnCommitted(Message):
    """A whole turn is recorded in the session (tests and listeners wait for this)."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
