"""Playing a session from a list of replies: `rehearse` and sample scripts."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.desk import is_lookup
from simulator.grading.base import Grader
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.scripted import ScriptedVoice


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

    @property
    def passed(self) -> bool:
        return self.expected == self.outcome


def run_samples(scenario: Scenario, grader: Grader) -> list[SampleResult]:
    results = []
    for sample in scenario.samples:
        session = Session(scenario, ScriptedVoice(), grader)
        rehearse(session, list(sample.replies))
        results.append(SampleResult(sample.name, sample.outcome, session.outcome or "unresolved"))
    return results
