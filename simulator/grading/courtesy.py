"""Courtesy: how the reply treats the customer, scored 0-100 with its evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.grading import lexicon as lx
from simulator.grading.base import Evidence
from simulator.grading.text import Span, normalise, sentences

BASE = 55  # a plain, correct sentence with no warmth and no edge: "neutral" (3 of 5)
MAX_BONUS = 40  # warmth adds up, but five "please" do not make a rude reply kind

# Signs in the customer's line that they are upset or worn out.
UPSET = re.compile(
    r"\b(?:please|midnight|late|tired|exhausted|stuck|stranded|nothing you can do|really|can't believe|"
    r"ridiculous|unacceptable|angry|upset|worried|scared|cold|children|kids|again|still|hours?|"
    r"nobody|no one|help)\b|!"
)
_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|dr|sir|madam)\.?$", re.IGNORECASE)
_FRAGMENT_OK = re.compile(
    r"^(?:who|what|where|when|why|how|which|is|are|do|does|did|can|could|would|will|may|shall|have|has|"
    r"sorry|pardon|really|okay|ok|yes|no)\b"
)


@dataclass
class CourtesyResult:
    score: int
    evidence: list[Evidence] = field(default_factory=list)
    acts: set[str] = field(default_factory=set)
    warmth: int = 0  # positive points before the cap, for the tip
    empathy_points: int = 0


def _phrase(span: Span, match: re.Match[str]) -> str:
    return span.text[match.start() : match.end()].strip(" ,.")


def name_parts(full_name: str | None) -> list[str]:
    """The words of a customer's name a trainee might use ("Levi", "Dana")."""
    if not full_name:
        return []
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", full_name) if not _TITLE.match(w) and len(w) > 1]


def shouting(reply: str) -> str | None:
    tokens = re.findall(r"[A-Za-z]{2,}", reply)
    loud = [t for t in tokens if t.isupper() and t.lower() not in lx.ACRONYMS]
    if len(loud) >= 2 or (tokens and len(loud) >= 1 and len(loud) / len(tokens) > 0.5 and len(loud[0]) > 3):
        return " ".join(loud[:4])
    return None


def assess(
    reply: str,
    *,
    customer_name: str | None,
    customer_line: str | None,
    customer_upset: bool,
    helpful: bool,
    offers_grant: bool,
) -> CourtesyResult:
    result = CourtesyResult(score=BASE)
    evidence = result.evidence
    bonus = 0
    penalty = 0
    seen: set[str] = set()

    def add(span: Span, match: re.Match[str], points: int, reason: str, act: str | None) -> None:
        nonlocal bonus, penalty
        if reason in seen:  # each kind counts once; the phrase is shown once
            return
        seen.add(reason)
        evidence.append(Evidence("courtesy", _phrase(span, match), points, reason))
        if act:
            result.acts.add(act)
        if points > 0:
            bonus += points
        else:
            penalty += points

    spans = sentences(reply)
    for index, span in enumerate(spans):
        low = span.low
        if index <= 1 and (m := lx.GREETING.pattern.search(low)):
            add(span, m, lx.GREETING.points, lx.GREETING.reason, lx.GREETING.act)
        polite_command = lx.POLITE_COMMAND.pattern.search(low)
        for r in lx.COURTESY_POSITIVE:
            if r.reason == "please" and polite_command:
                continue
            if m := r.pattern.search(low):
                add(span, m, r.points, r.reason, r.act)
                if r.act == "empathises" or r.reason == "care for the person":
                    result.empathy_points += r.points
        for r in (
            lx.POLITE_COMMAND,
            lx.BLAME,
            lx.DISMISSAL,
            lx.INSULT,
            lx.SARCASM,
            lx.OBLIGATION,
            lx.EMPHATIC_PRESSURE,
        ):
            if m := r.pattern.search(low):
                add(span, m, r.points, r.reason, r.act)
        if index == 0 and (m := lx.GRUDGING.pattern.search(low)):
            add(span, m, lx.GRUDGING.points, lx.GRUDGING.reason, None)
        # A bare imperative: the seed's agent who "issues commands".
        if not span.is_question and not lx.CARE_IMPERATIVE.match(low) and not lx.SOFTENER.search(low):
            grant = lx.GRANT.match(low) is not None
            if (m := lx.COMMAND.match(low)) and not grant:
                add(span, m, -16, "command without a softener", "commands")
        # "Membership number?": a question cut down to a demand.
        if span.is_question and len(low.split()) <= 3 and not _FRAGMENT_OK.match(low):
            m = re.match(r".+", low)
            assert m is not None
            add(span, m, -10, "curt demand", None)

    if (loud := shouting(reply)) is not None:
        evidence.append(Evidence("courtesy", loud, -20, "shouting (capitals)"))
        penalty -= 20
        result.acts.add("rude")
    if (bangs := re.search(r"[!?]*![!?]*!+", reply)) and (penalty < 0 or bonus == 0):
        evidence.append(Evidence("courtesy", bangs.group(0), -15, "shouting (!!)"))
        penalty -= 15
        result.acts.add("rude")

    for part in name_parts(customer_name):
        if m := re.search(rf"\b{re.escape(part)}\b", reply):
            evidence.append(Evidence("courtesy", m.group(0), 8, "uses the customer's name"))
            bonus += 8
            break

    if helpful and penalty == 0:
        # Willingness is courteous: "Let me ask the night porter" reads kinder than a bare fact.
        evidence.append(Evidence("courtesy", "", 6, "helpful, willing answer"))
        bonus += 6

    warm_acts = {"apologises", "empathises", "thanks"} & result.acts or result.empathy_points
    upset = customer_upset or bool(customer_line and UPSET.search(normalise(customer_line)))
    if upset and not warm_acts:
        result.acts.add("ignores_feelings")
        if not helpful:
            evidence.append(Evidence("courtesy", "", -6, "the customer is upset and the reply ignores it"))
            penalty -= 6

    if not helpful and not offers_grant and bonus == 0 and penalty == 0:
        cold = re.search(r"\S.*", reply)
        if cold and len(reply.split()) <= 8 and not reply.rstrip().endswith("?"):
            # Short and bare, at a customer with a problem: curt, not neutral.
            evidence.append(Evidence("courtesy", cold.group(0).strip()[:60], -6, "curt, no courtesy words"))
            penalty -= 6

    result.warmth = bonus
    score = BASE + min(bonus, MAX_BONUS) + penalty
    if "rude" in result.acts:
        score = min(score, 30 if not any(e.reason == "insult" for e in evidence) else 15)
    if "commands" in result.acts or "blames" in result.acts:
        score = min(score, 45 + min(bonus, 10))
    result.score = max(0, min(100, round(score)))
    return result
