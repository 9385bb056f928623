"""Whether a model's line keeps the meaning of the beat, not only the role.

The verifier's form rules (verifier.py) catch agent-speak, AI talk and loops; a
line can pass them all and still make the customer worse than the script: thank
a trainee who was just rude, agree with the policy the customer should object to,
promise what only the agent can do, repeat the trainee's own words back, or say
something that has nothing to do with what the beat means.

Everything here is read from the scenario and the request (the beat's intent
and authored lines, the scenario's own agent-side lines, the mood change), never
from one scenario's wording, so a trainer's new scenario is checked the same way.
MiniLM sentence embeddings (the grader's encoder) judge meaning where they are
installed; without them the lexical rules still run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.scenario import Scenario
from simulator.voice.base import LineRequest

# Thanks and praise: what a customer says when things got better.
THANKS = re.compile(
    r"\b(thank|thanks|thankful|grateful|appreciate|brilliant|wonderful|perfect|fantastic|amazing|"
    r"excellent|lovely|that'?s (very |so |really )?(kind|nice|good|great|helpful)|"
    r"you'?re (very |so |really )?(kind|nice|helpful)|(i'?m|we'?re) (so )?(glad|relieved|happy)|"
    r"great|good news)\b",
    re.IGNORECASE,
)
# Giving in: what a customer says when an objection has been answered.
AGREES = re.compile(
    r"\b(i (understand|see|get it|get that|know)|understood|fair enough|makes sense|"
    r"(that|it)'?s (fine|ok|okay|alright|all right|reasonable|fair|understandable|no problem)|"
    r"(that|it) (is|was) (fine|ok|okay|alright|reasonable|fair)|"
    r"no problem|no worries|rules are rules|of course|ok(ay)?,? then|all right,? then|very well|"
    r"i'?ll (wait|do that|take it|try that|call (them|the|back))|good idea|sounds good|"
    r"don'?t need (it|that|them) anymore|never ?mind)\b",
    re.IGNORECASE,
)
# A turn that takes back what went before: "I understand, but..." still objects.
BUT = re.compile(r"\b(but|though|still|yet|how|why)\b|\?", re.IGNORECASE)
# The customer promising what the agent does: "I'll find you somewhere", "I'll send them".
SERVES = re.compile(
    r"\b(i|we)(?:'ll| will| can| could|'d| would| am going to|'m going to)\s+(?:also |just |now |gladly )?"
    r"(find|book|send|arrange|bring|give|get|offer|organise|organize|sort|call|ring|text|email|refund|"
    r"upgrade|replace|fix|check|look|put|take|transfer|move|cover|pay|waive|credit|help)\b"
    r"[^.?!]{0,25}\b(you|your|for you|them|him|her)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9']+")
_STOP = set(
    """a an the and or but if so to of in on at for with from by as is are was were be been am i me my
    we us our you your he she it they them this that these those there here do does did not no yes can
    could would should will shall may might must just very really please what which who when where why
    how all any some it's i'm we're you're that's there's don't can't i'll i've i'd have has had get got
    let's let up out about into than then too also only even still now oh ok okay well sorry""".split()
)

ECHO_MIN_WORDS = 3  # shared content words before a line can be an echo of the trainee
ECHO_SHARE = 0.5  # share of the line's content words taken from the trainee and nowhere else


def content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def last_trainee_line(request: LineRequest) -> str:
    return next((t for s, t in reversed(request.history) if s == "trainee"), "")


def beat_polarity(request: LineRequest) -> str:
    """'up' when the beat is relief or thanks, 'down' when it objects or gives up,
    'level' otherwise (a fact, a nudge after a neutral reply)."""
    beat, scenario = request.beat, request.scenario
    if beat.endswith(":met") or beat == "end:resolved":
        return "up"
    if beat in ("end:walked_out", "end:turn_limit"):
        return "down"
    if beat.startswith("trigger:"):
        trigger = next((t for t in scenario.triggers if t.id == beat.split(":", 1)[1]), None)
        if trigger is not None:
            return "up" if trigger.mood > 0 else "down" if trigger.mood < 0 else "level"
    if request.mood_before is not None and request.mood < request.mood_before - WORSE_BY:
        return "down"
    return "level"


WORSE_BY = 2  # a neutral reply costs a point of mood; more than this is a reply that hurt


@dataclass(frozen=True)
class Sense:
    reasons: tuple[str, ...]
    point: float  # how close the line is to the beat's meaning (cosine, or lexical without MiniLM)
    agent_lean: float  # closer to the scenario's agent lines than to its customer lines (>0)


def agent_lines(scenario: Scenario) -> list[str]:
    """What the scenario has the trainee say: solutions, rigid replies, model answers, samples."""
    lines: list[str] = []
    for need in scenario.needs:
        lines += need.rigid_responses
        for s in need.solutions:
            lines += [s.text, *s.examples]
    lines += [a.answer for a in scenario.model_answers]
    for sample in scenario.samples:
        lines += sample.replies
    for trigger in scenario.triggers:
        lines += trigger.says
    return [line for line in lines if line.strip()]


def customer_lines(scenario: Scenario) -> list[str]:
    c = scenario.customer
    lines = [scenario.opening]
    for f in c.facts:
        lines += f.lines
    for n in scenario.needs:
        lines += [*n.met_lines, *n.nudge_lines, *n.customer_proposals]
    for t in scenario.triggers:
        lines += t.lines
    e = scenario.end
    for ending in (e.resolved, e.walked_out, e.turn_limit):
        lines += ending.lines
    return lines


class MeaningCheck:
    """The meaning rules for one scenario; `embedder` is the grader's MiniLM or None."""

    def __init__(self, scenario: Scenario, embedder: Any = None) -> None:
        self.scenario = scenario
        self.embedder = embedder if embedder is not None and embedder.available else None
        self._agent = agent_lines(scenario)
        self._customer = customer_lines(scenario)
        if self.embedder is not None:
            self._agent_vectors = self.embedder.encode(self._agent, keep=True) if self._agent else None
            self._customer_vectors = self.embedder.encode(self._customer, keep=True)

    def check(self, text: str, request: LineRequest) -> Sense:
        reasons: list[str] = []
        polarity = beat_polarity(request)
        if polarity == "down":
            if _gives_in(THANKS, text) and not any(_gives_in(THANKS, a) for a in request.authored):
                reasons.append("thanks after a reply that made things worse")
            if _gives_in(AGREES, text) and not any(_gives_in(AGREES, a) for a in request.authored):
                reasons.append("agrees where the customer objects")
        if SERVES.search(text) and not any(SERVES.search(a) for a in request.authored):
            reasons.append("promises what the agent does")
        if self._echoes(text, request):
            reasons.append("echoes the trainee")
        point, lean = self._scores(text, request)
        return Sense(tuple(reasons), point, lean)

    def _echoes(self, text: str, request: LineRequest) -> bool:
        said = content_words(text)
        trainee = content_words(last_trainee_line(request))
        own = content_words(" ".join([request.intent, *request.authored, *request.facts_known]))
        borrowed = (said & trainee) - own
        return len(borrowed) >= ECHO_MIN_WORDS and len(borrowed) >= ECHO_SHARE * len(said)

    def _scores(self, text: str, request: LineRequest) -> tuple[float, float]:
        if self.embedder is None:
            from simulator.voice.verifier import lexical_best

            return lexical_best(text, [request.intent, *request.authored]), 0.0
        import numpy as np

        refs = [request.intent, *request.authored]
        vectors = self.embedder.encode([text, *refs])
        line, ref = vectors[0], vectors[1:]
        point = float(np.max(ref @ line))
        if self._agent_vectors is None:
            return point, 0.0
        agent = float(np.max(self._agent_vectors @ line))
        customer = float(np.max(self._customer_vectors @ line))
        return point, agent - customer

    def encode_many(self, texts: Sequence[str]) -> None:
        """Warm the cache for a batch of candidates (one MiniLM call instead of several)."""
        if self.embedder is not None and texts:
            self.embedder.encode(list(texts))


def _gives_in(pattern: re.Pattern[str], text: str) -> bool:
    """Thanks or agreement that the words after it do not take back ("I understand, but ...").

    The authored lines are the author's word on the beat: "Thank you for nothing" on a
    walk-out is theirs to write, so a line is only faulted for what none of them says.
    """
    return any(not BUT.search(text[m.end() :]) for m in pattern.finditer(text))
