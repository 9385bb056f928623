"""Playing a session from a list of replies: `rehearse` and sample scripts."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.desk import is_lookup
from simulator.grading.base import Grader
from simulator.scenario import SampleReply, Scenario, in_band
from simulator.session import Session
from simulator.voice.scripted import ScriptedVoice

# The training room's limit (tui/widgets/reply_input.py): a long paragraph. Grading
# time grows with the length, so a pasted file is cut, not graded for minutes.
MAX_REPLY_CHARS = 2000


def read_replies(text: str) -> list[str]:
    """One reply per line; blank lines are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def rehearse(session: Session, replies: list[str]) -> list[str]:
    """Play replies until they run out or the customer ends it; return the unused ones.

    A line starting with `/` is a desk lookup (`/rooms`), as typed in the reply box.
    """
    for index, reply in enumerate(replies):
        if session.finished:
            return replies[index:]
        if is_lookup(reply):
            session.lookup(reply)
            continue
        session.reply(reply)
    session.end()
    return []


@dataclass(frozen=True)
class SampleResult:
    name: str
    expected: str
    outcome: str
    # One sentence per sample reply graded outside the band its `expect:` gives.
    band_misses: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.expected == self.outcome


def run_samples(scenario: Scenario, grader: Grader) -> list[SampleResult]:
    results = []
    for sample in scenario.samples:
        session = Session(scenario, ScriptedVoice(), grader)
        rehearse(session, sample.texts)
        misses: list[str] = []
        turn_index = -1  # the turn a reply became; desk lookups are not turns
        for number, reply in enumerate(sample.replies, start=1):
            if is_lookup(reply if isinstance(reply, str) else reply.text):
                continue
            turn_index += 1
            if not isinstance(reply, SampleReply):
                continue
            if turn_index >= len(session.turns):
                misses.append(f"reply {number} was never graded: the conversation ended before it")
                continue
            grade = session.turns[turn_index].grade
            for dimension in ("courtesy", "flexibility"):
                band = getattr(reply.expect, dimension)
                score = int(getattr(grade, dimension))
                if band is not None and not in_band(band, score):
                    misses.append(f"reply {number} got {dimension} {score}, expected {band}")
        results.append(
            SampleResult(sample.name, sample.outcome, session.outcome or "unresolved", tuple(misses))
        )
    return results
