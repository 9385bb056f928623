"""One turn as the core runs it: the same operation for the training room and `rehearse`."""

from __future__ import annotations

import threading

import pytest

from simulator.grading.base import Grade, GradeContext
from simulator.session import Session
from simulator.turn import CANCELLED_NOTE, GradingFailed, TurnInFlight
from simulator.voice.base import TOO_SLOW, VOICE_FAILED, CustomerLine, LineRequest, TokenCallback
from tests.fakes import BrokenVoice, TableGrader

HMM = Grade(courtesy=55, flexibility=50)


class HalfwayVoice:
    """Types two words, then waits until the turn is cancelled."""

    name = "halfway"

    def __init__(self) -> None:
        self.typing = threading.Event()

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        assert on_token is not None and cancel is not None
        on_token("Well, ")
        on_token("I ")
        self.typing.set()
        cancel.wait(10)
        return CustomerLine("Well, I never said that.", "model")


class FailingGrader:
    def grade(self, reply: str, context: GradeContext) -> Grade:
        raise ValueError("no")


def test_a_turn_is_graded_then_voiced_then_committed(hotel) -> None:
    session = Session(hotel, BrokenVoice(), TableGrader({"hmm": HMM}))
    seen: list[str] = []
    turn = TurnInFlight(session, "hmm").run(on_graded=lambda plan: seen.append(plan.beat))
    assert turn is not None and session.turns == [turn]
    assert seen == [turn.beat]
    # The voice broke: the one fallback said an authored line instead.
    assert turn.customer_source == "script" and turn.customer in hotel.need(hotel.needs[0].id).nudge_lines


def test_cancelling_while_the_customer_types_keeps_what_was_typed(hotel) -> None:
    voice = HalfwayVoice()
    session = Session(hotel, voice, TableGrader({"hmm": HMM}))
    in_flight = TurnInFlight(session, "hmm")
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(in_flight.run()))
    worker.start()
    assert voice.typing.wait(10)
    kept = in_flight.cancel()
    worker.join(10)
    assert kept is not None and kept.customer == "Well, I"
    assert kept.voice_notes == (CANCELLED_NOTE,)
    assert results == [kept]  # the voice's late line does not commit a second time
    assert session.turns == [kept]


def test_cancelling_before_the_grade_commits_nothing(hotel) -> None:
    session = Session(hotel, BrokenVoice(), TableGrader({"hmm": HMM}))
    in_flight = TurnInFlight(session, "hmm")
    assert in_flight.cancel() is None
    assert in_flight.run() is None
    assert session.turns == []


def test_a_grader_failure_is_reported_and_nothing_is_committed(hotel) -> None:
    session = Session(hotel, BrokenVoice(), FailingGrader())
    with pytest.raises(GradingFailed):
        TurnInFlight(session, "hmm").run()
    assert session.turns == []


class TooSlowVoice:
    """Says nothing, as the model voice does when the machine gave it no time."""

    name = "slow"

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        return CustomerLine("", "script", ("no line within the time",), fallback=TOO_SLOW)


def test_a_voice_with_no_line_gets_the_authored_line_and_keeps_its_reason(hotel) -> None:
    session = Session(hotel, TooSlowVoice(), TableGrader({"hmm": HMM}))
    turn = TurnInFlight(session, "hmm").run()
    assert turn is not None and turn.customer in hotel.need(hotel.needs[0].id).nudge_lines
    assert turn.customer_source == "script" and turn.fallback == TOO_SLOW
    assert turn.to_dict()["fallback"] == TOO_SLOW


def test_a_broken_voice_is_marked_as_such(hotel) -> None:
    session = Session(hotel, BrokenVoice(), TableGrader({"hmm": HMM}))
    turn = session.reply("hmm")
    assert turn.fallback == VOICE_FAILED
