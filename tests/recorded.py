"""Playing sessions into a store, for the records tests (storage, export, report, history).

The records tests are about storing what happened, not about judging replies,
so sessions are graded by a fixed table (`FixedGrader`): outcomes and scores
stay the same whatever the real grader learns. Only the kill -9 test uses the
default grader, as a real session would.
"""

from __future__ import annotations

from simulator.grading.base import Grade, GradeContext
from simulator.rehearsal import rehearse
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.storage import Store
from simulator.voice.scripted import ScriptedVoice

WARM = [
    "Good evening, and I'm so sorry about that. I'll bring an extra mattress up to your room myself right away.",
]
RUDE = [
    "This is the room on your reservation. Maybe another hotel has space.",
    "Not my problem. Try another hotel.",
    "I said no. Go to another hotel.",
    "Stop making a scene.",
]
# Neither solves nor offends much: the conversation goes on.
MILD = [
    "Hello, thank you for waiting.",
    "I understand, that sounds tiring.",
    "Could you tell me your name please?",
]

GRADES: dict[str, Grade] = {
    WARM[0]: Grade(courtesy=80, flexibility=85, needs_met=("beds", "linen"), tip="Well done."),
    RUDE[0]: Grade(courtesy=30, flexibility=10, tip="Offer something."),
    RUDE[1]: Grade(courtesy=5, flexibility=10),
    RUDE[2]: Grade(courtesy=10, flexibility=5),
    RUDE[3]: Grade(courtesy=0, flexibility=20),
    MILD[0]: Grade(courtesy=70, flexibility=50),
    MILD[1]: Grade(courtesy=75, flexibility=45),
    MILD[2]: Grade(courtesy=65, flexibility=50),
}


class FixedGrader:
    """Grades from GRADES (50/50 for anything else)."""

    def grade(self, reply: str, context: GradeContext) -> Grade:
        return GRADES.get(reply, Grade(courtesy=50, flexibility=50))


def play(
    store: Store,
    scenario: Scenario,
    trainee: str,
    replies: list[str],
    *,
    exam: bool = False,
    finish: bool = True,
    seed: int = 0,
) -> tuple[int, Session]:
    session = Session(scenario, ScriptedVoice(seed=seed), FixedGrader(), seed=seed)
    session_id = store.attach(session, trainee=trainee, exam=exam)
    if finish:
        rehearse(session, replies)
    else:
        for reply in replies:
            session.reply(reply)
    return session_id, session
