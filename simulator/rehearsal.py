"""Playing a session from a list of replies: `rehearse` and sample scripts."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.desk import is_lookup
from simulator.grading.base import Grader
from simulator.scenario import SampleReply, Scenario, in_band
from simulator.session import Session
from simulator.voice.base import NO_MODEL, SERVER_FAILED, SERVER_UNREACHABLE, TOO_SLOW, VOICE_FAILED
from simulator.voice.scripted import ScriptedVoice

# The training room's limit (tui/widgets/reply_input.py): a long paragraph. Grading
# time grows with the length, so a pasted file is cut, not graded for minutes.
MAX_REPLY_CHARS = 2000

# What a trainee can do about each reason the script spoke (voice.base).
_REMEDY = {
    NO_MODEL: "run `simulator models install` to get the model",
    TOO_SLOW: "the machine was too busy to voice them in time; close other programs or use --voice-server",
    SERVER_UNREACHABLE: "the voice server did not answer; check that it is running and its address",
    SERVER_FAILED: "the voice server gave no usable answer; check its address and that a model is loaded",
    VOICE_FAILED: "the voice stopped with an error; run `simulator models install` to repair the model",
}
# Too slow through a voice server: the server, not this machine, is what to look at.
_SERVER_TOO_SLOW = "the voice server did not answer in time; give it fewer trainees or a faster machine"


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


def fallback_sentence(session: Session) -> str | None:
    """One sentence when the script spoke lines because the model could not, with the
    commonest reason; None when the model (or the verifier's choice) said them all."""
    reasons = [t.fallback for t in session.turns if t.fallback]
    if not reasons:
        return None
    reason = max(set(reasons), key=reasons.count)
    remedy = _REMEDY.get(reason, "see the `voice` notes in --json")
    backend = getattr(session.voice, "backend", None)
    if reason == TOO_SLOW and str(getattr(backend, "name", "")).startswith("server"):
        remedy = _SERVER_TOO_SLOW
    return (
        f"The customer read {len(reasons)} of {len(session.turns)} lines from the script "
        f"({reason}): {remedy}."
    )


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
