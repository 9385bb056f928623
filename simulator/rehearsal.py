"""Playing a session from a list of replies: `rehearse` and sample scripts."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.grading.base import Grader
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.scripted import ScriptedVoice

# The training room's limit (tui/widgets/reply_input.py): a long paragraph. Grading
# time grows with the length, so a pasted file is cut, not graded for minutes.
MAX_REPLY_CHARS = 2000


def read_replies(text: str) -> list[str]:
    """One reply per line; blank lines are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def rehearse(session: Session, replies: list[str]) -> list[str]:
    """Play replies until they run out or the customer ends it; return the unused ones."""
    for index, reply in enumerate(replies):
        if session.finished:
            return replies[index:]
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
