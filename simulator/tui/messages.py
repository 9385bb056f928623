"""Messages the training room posts, named for what has happened.

Workers only post these; handlers on the UI thread change the screen.
"""

from __future__ import annotations

from textual.message import Message

from simulator.session import Plan, Turn
from simulator.turn import TurnInFlight
from simulator.voice.base import Voice


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

    `turn` is the turn in flight, so a late message from a turn the trainee
    abandoned is recognised and ignored.
    """

    def __init__(self, plan: Plan, turn: TurnInFlight) -> None:
        super().__init__()
        self.plan = plan
        self.turn = turn


class ReplyFailed(Message):
    """The grader failed on a reply; the trainee gets it back to send again."""

    def __init__(self, text: str, problem: str, turn: TurnInFlight) -> None:
        super().__init__()
        self.text = text
        self.problem = problem
        self.turn = turn


class CustomerTyped(Message):
    """A piece of the customer's line arrived from the voice."""

    def __init__(self, token: str, turn: TurnInFlight) -> None:
        super().__init__()
        self.token = token
        self.turn = turn


class CustomerReplied(Message):
    """The customer's line is said and the whole turn is recorded in the session."""

    def __init__(self, committed: Turn, turn: TurnInFlight) -> None:
        super().__init__()
        self.committed = committed
        self.turn = turn
