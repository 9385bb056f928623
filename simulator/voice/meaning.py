"""Whether a model's line keeps the meaning of the beat, not only the role.

The verifier's form rules (verifier.py) catch agent-speak, AI talk and loops; a
line can pass them all and still make the customer worse than the script: thank
a trainee who was just rude, agree with the policy the customer should object to,
promise what only the agent can do, repeat the trainee's own words back, or say
something that has nothing to do with what the beat means.

Everything here is read from the scenario and the request (the beat's intent
and authored lines, the customer's persona, the mood change), never from one
scenario's wording, so a trainer's new scenario is checked the same way. The
rules and their limits were chosen on the labelled set in tests/data/voice_lines
(its README has the figures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
BUT = re.compile(r"\b(but|though|still|yet)\b", re.IGNORECASE)
# The customer promising what the agent does: "I'll find you somewhere", "I'll send them".
SERVES = re.compile(
    r"\b(i|we)(?:'ll| will| can| could|'d| would| am going to|'m going to)\s+(?:also |just |now |gladly )?"
    r"(find|book|send|arrange|bring|give|get|offer|organise|organize|sort|call|ring|text|email|refund|"
    r"upgrade|replace|fix|check|look|put|take|transfer|move|cover|pay|waive|credit|help)\b"
    r"[^.?!]{0,25}\b(you|your|for you|them|him|her)\b",
    re.IGNORECASE,
)
# Doing something "for you": "How about I do that for you?", "I'll have it ready for you".
SERVES_YOU = re.compile(r"\b(i|we)\b[^.?!]{0,25}\bfor you\b", re.IGNORECASE)
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
    strays: tuple[str, ...]  # the line's own words that nothing in the beat or the persona says
    point: float  # how close the line is to the beat's meaning; passing lines are ranked by it


STRAY_LIMIT = 1  # a word from outside the beat and the persona: the line has gone astray (see the README)


class MeaningCheck:
    """The meaning rules for one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        c = scenario.customer
        # Who the customer is, how they talk and what they know: words a line may use on any beat.
        facts = [part for f in c.facts for part in (f.text, *f.lines)]
        self._persona = content(" ".join([c.name, c.background, c.personality, c.speech, *facts]))

    def check(self, text: str, request: LineRequest, lead: str = "") -> Sense:
        reasons: list[str] = []
        if beat_polarity(request) == "down":
            if _gives_in(THANKS, text) and not any(_gives_in(THANKS, a) for a in request.authored):
                reasons.append("thanks after a reply that made things worse")
            if _gives_in(AGREES, text) and not any(_gives_in(AGREES, a) for a in request.authored):
                reasons.append("agrees where the customer objects")
        serves = (SERVES, SERVES_YOU)
        if any(p.search(text) for p in serves) and not any(
            p.search(a) for p in serves for a in request.authored
        ):
            reasons.append("promises what the agent does")
        if self._echoes(text, request):
            reasons.append("echoes the trainee")
        if _turns_self_on_other(text, request.authored):
            reasons.append("says of someone else what the customer says of herself")
        strays = self.strays(text, request, lead)
        # Only a line started on the authored opening (a tiny model) is held to the beat's
        # words: a larger model given the persona and intent phrases freely, and the
        # labelled set (all tiny-model lines) says nothing about its new words.
        if lead and len(strays) >= STRAY_LIMIT:
            reasons.append(f"strays from the beat ({', '.join(strays[:3])})")
        point = lexical_best(text, request.authored) - 0.25 * len(strays)
        return Sense(tuple(reasons), tuple(strays), point)

    def strays(self, text: str, request: LineRequest, lead: str = "") -> list[str]:
        """The words of what the model added (after the authored opening it was started on)
        that neither the beat (intent, authored lines, facts told) nor the persona uses.

        A 135M model that leaves the beat's words mostly wanders ("does anyone care about
        this guy's bike?"); on the labelled set few good lines added two such words.
        """
        added = text[len(lead) :] if lead and text.startswith(lead) else text
        own = content(" ".join([request.intent, *request.authored, *request.facts_known])) | self._persona
        return sorted(content(added) - own)

    def _echoes(self, text: str, request: LineRequest) -> bool:
        said = content_words(text)
        trainee = content_words(last_trainee_line(request))
        own = content_words(" ".join([request.intent, *request.authored, *request.facts_known]))
        borrowed = (said & trainee) - own
        return len(borrowed) >= ECHO_MIN_WORDS and len(borrowed) >= ECHO_SHARE * len(said)


def content(text: str) -> set[str]:
    """Content words, stemmed as the verifier stems them."""
    from simulator.voice.verifier import content as stemmed

    return stemmed(text)


def lexical_best(text: str, references: tuple[str, ...]) -> float:
    from simulator.voice.verifier import lexical_best as best

    return best(text, references)


# What the customer says of herself ("I'm not very good with these things"), and
# another subject put in front of the same words ("You're not very good...").
_SELF = re.compile(r"\b(?:i'm|i am)\s+((?:\w+\s+){1,3}\w+)", re.IGNORECASE)
_OTHER = r"\b(?:you'?re|you are|it'?s|it is|he'?s|he is|she'?s|she is|they'?re|they are|that'?s|that is)\s+"


def _turns_self_on_other(text: str, authored: tuple[str, ...]) -> bool:
    """The customer's own words about herself said of the agent or of a thing: the
    model has lost who is speaking."""
    said = text.lower().replace("\u2019", "'")
    for line in authored:
        for m in _SELF.finditer(line.lower().replace("\u2019", "'")):
            words = m.group(1).split()[:3]
            if len(words) >= 2 and re.search(_OTHER + re.escape(" ".join(words)) + r"\b", said):
                return True
    return False


def _gives_in(pattern: re.Pattern[str], text: str) -> bool:
    """Thanks or agreement that the words after it do not take back ("I understand, but ...").

    The authored lines are the author's word on the beat: "Thank you for nothing" on a
    walk-out is theirs to write, so a line is only faulted for what none of them says.
    """
    return any(not BUT.search(text[m.end() :]) for m in pattern.finditer(text))
