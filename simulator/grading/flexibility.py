"""Flexibility: does the reply move the customer's problem forward, and how far.

Rules find the shape of each clause (a commitment, an option, a grant, a
refusal, a rule cited, a sending away) and where a negation governs it; the
scenario's own solutions and rigid responses are matched by meaning on top,
so a paraphrase counts and "we can't give you a mattress" does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.grading import lexicon as lx
from simulator.grading.base import Evidence
from simulator.grading.content import conjuncts, content_of, content_stems
from simulator.grading.scenario_index import Entry, ScenarioIndex, content_words, overlap
from simulator.grading.text import NEGATION, Span, has_negation, negated_before, normalise

NOTHING = 40  # a reply that neither helps nor refuses
ASKING = 50  # gathering information or promising to look (3 of 5)
LOOKING_AT = 60  # promising to look at something concrete: "let me check for a free room"
OFFER = 72  # one concrete, workable solution (4 of 5)
THIRD_PARTY = 68  # someone else will do it: a solution, with less ownership

# Cosine thresholds for all-MiniLM-L6-v2, read off the scenario phrases and
# hand-written paraphrases: same solution in other words scores 0.55-0.85,
# a related but different one 0.3-0.5.
SOLUTION_WITH_RULE = 0.45  # a clause the rules already call an offer: which need it meets
SOLUTION_BY_MEANING = 0.66  # no offer shape, but plainly says one of the solutions
RIGID_BY_MEANING = 0.68
REJECTED_BY_MEANING = 0.62


@dataclass
class Offer:
    kind: str  # act, look, file, grant, permission, option, nominal, third, accept, meaning
    phrase: str
    clause: int
    strength: int
    owner: bool = False


@dataclass
class FlexResult:
    score: int
    evidence: list[Evidence] = field(default_factory=list)
    acts: set[str] = field(default_factory=set)
    offers: list[Offer] = field(default_factory=list)
    needs_met: list[str] = field(default_factory=list)
    rigid: list[str] = field(default_factory=list)
    beyond: list[str] = field(default_factory=list)
    ownership_points: int = 0
    only_asks: bool = False
    flags: set[str] = field(default_factory=set)  # refusal, policy, sends_away, defers, ...


def _cut(span: Span, m: re.Match[str]) -> str:
    return span.text[m.start() : m.end()].strip(" ,.;")


def _negated(span: Span, m: re.Match[str]) -> bool:
    return negated_before(span.low, m.start()) is not None


def _raw_negated(span: Span, m: re.Match[str]) -> bool:
    """Any negation word before the match, even in phrases like "won't send you"."""
    return NEGATION.search(span.low, 0, m.start()) is not None


# "ask our storage team to prepare it" hands the job on with an instruction:
# a commitment. "ask the porter whether a cot is free" only finds out.
_DELEGATES = re.compile(
    r"\s+(?:the |our |a |my |your |someone|somebody|them|him|her)[a-z' ]{0,30}?\bto\s+(?!see\b|check\b)[a-z]+"
)


def _clause_offers(i: int, span: Span, first: bool, customer_proposed: bool) -> list[Offer]:
    low = span.low
    found: list[Offer] = []
    question = span.is_question and not lx.OPTIONS.search(low)
    m: re.Match[str] | None
    for m in lx.COMMITMENT.finditer(low):
        if _negated(span, m):
            continue
        if question and m.group("verb") not in lx.LOOK_VERBS:
            continue  # "Is there anything else I can help you with?" commits to nothing
        verb = m.group("verb")
        who = m.group("who") or m.group("who2")
        owner = who in {"i", "i'll", "i'm", "let me", "i'd"}
        if verb in lx.FILE_VERBS:
            found.append(Offer("file", _cut(span, m), i, NOTHING - 5, owner))
        elif verb == "ask" and _DELEGATES.match(low[m.end() :]):
            found.append(Offer("act", _cut(span, m), i, OFFER, owner))
        elif verb in lx.LOOK_VERBS:
            rest = low[m.end() :]
            # "let me look through the bookings for a spare suite" names what it looks for.
            concrete = len(re.findall(r"[a-z]+", rest)) >= 3 and not re.search(
                r"\b(?:polic|rule|protocol|procedure|system)", rest
            )
            found.append(Offer("look", _cut(span, m), i, LOOKING_AT if concrete else ASKING, owner))
        else:
            found.append(Offer("act", _cut(span, m), i, OFFER, owner))
    if (
        (m := lx.GUIDE.search(low))
        and not _negated(span, m)
        and m.group("verb") not in {"be", "have", "want", "like", "need", "see"}
    ):
        if not (
            lx.DEFERS.search(low)
            or lx.SENDS_AWAY.search(low)
            or lx.POLICY.search(low)
            or lx.INFO_REQUEST.search(low)
        ):
            found.append(Offer("guide", _cut(span, m), i, OFFER - 4))
    for m in lx.PROGRESSIVE.finditer(low):
        if not _negated(span, m):
            owner = m.group("who") in {"i'm", "i am"}
            look = m.group("verb") in {"check", "look"} or (
                m.group("verb") == "ask" and not _DELEGATES.match(low[m.end() :])
            )
            found.append(
                Offer("look" if look else "act", _cut(span, m), i, LOOKING_AT if look else OFFER, owner)
            )
    for m in lx.PERFECT.finditer(low):
        if not _negated(span, m):
            owner = m.group("who") in {"i've", "i have"}
            verb = m.group("verb")
            if verb in {"escalated", "logged", "noted", "passed", "raised", "flagged"}:
                found.append(Offer("file", _cut(span, m), i, NOTHING - 5, owner))
            else:
                found.append(Offer("act", _cut(span, m), i, OFFER, owner))
    for m in lx.THIRD_PARTY.finditer(low):
        if not _negated(span, m) and not lx.DEFERS.search(low):
            found.append(Offer("third", _cut(span, m), i, THIRD_PARTY))
    for m in lx.PERMISSION.finditer(low):
        if not _negated(span, m) and not lx.SENDS_AWAY.search(low):
            found.append(Offer("permission", _cut(span, m), i, OFFER))
    dismissive = lx.DISMISSAL.pattern.search(low) is not None
    if span.is_question and (m := lx.OPTIONS.search(low)) and not _negated(span, m) and not dismissive:
        found.append(Offer("option", span.text.strip(), i, OFFER))
    elif (m := lx.OPTIONS.search(low)) and m.group(0) in {"either", "or would you", "how about"}:
        found.append(Offer("option", _cut(span, m), i, OFFER))
    if (m := lx.NOMINAL_OFFER.search(low)) and not lx.REFUSAL.search(low):
        found.append(Offer("nominal", span.text.strip(" ."), i, OFFER))
    if (m := lx.GRANT.match(low)) and not lx.SENDS_AWAY.search(low):
        found.append(Offer("grant", _cut(span, m) + low[m.end() :].split(",")[0], i, OFFER))
    if first and customer_proposed and (m := lx.ACCEPTANCE.match(low)) and not has_negation(low):
        found.append(Offer("accept", _cut(span, m), i, OFFER))
    if (m := lx.VAGUE_LOOK.search(low)) and not found:
        found.append(Offer("look", _cut(span, m), i, ASKING, owner=m.group(0).startswith(("i", "let me"))))
    return found


def assess(
    reply: str,
    spans: list[Span],
    *,
    vectors: Any | None,
    index: ScenarioIndex | None,
    customer_line: str | None,
    turn: int,
    rejected: tuple[str, ...],
    rejected_vectors: Any | None,
    unmet_needs: tuple[str, ...] | None,
    encode: Callable[[list[str]], Any] | None = None,
) -> FlexResult:
    result = FlexResult(score=NOTHING)
    ev = result.evidence
    customer_low = normalise(customer_line or "")
    customer_proposed = bool(customer_line and lx.CUSTOMER_PROPOSAL.search(customer_low))
    asks = False
    info = False
    negatives: dict[str, tuple[str, int]] = {}  # reason -> (phrase, points without an offer)
    extras: list[str] = []
    owner_phrases: list[str] = []
    immediacy: str | None = None

    def negative(key: str, phrase: str, points: int) -> None:
        if key not in negatives:
            negatives[key] = (phrase, points)

    for i, span in enumerate(spans):
        low = span.low
        offers = _clause_offers(i, span, i == 0, customer_proposed)
        rule_offer = [o for o in offers if o.kind not in {"look", "file"}]
        # -- what the scenario says, by meaning --------------------------------
        vector = vectors[i] if vectors is not None else None
        rigid_hit: tuple[float, str, str] | None = None
        if index is not None:
            clause_negated = has_negation(low)
            rigid_sim = 0.0
            if vector is not None:
                sim, entry = index.best("rigid", vector)
                rigid_sim = sim
                # A bare question ("Membership number?") gathers facts; it is not a rigid "no".
                if entry is not None and sim >= RIGID_BY_MEANING and not rule_offer and not span.is_question:
                    rigid_hit = (sim, entry.key, entry.text)
                per_need = index.best_per_key("solutions", vector)
            else:
                per_need = {}
                for entry in index.solutions:
                    lexical = _lexical_score(low, entry.text)
                    if entry.key not in per_need or lexical > per_need[entry.key][0]:
                        per_need[entry.key] = (lexical, entry)
                for entry in index.rigid:
                    if overlap(low, entry.text) >= 0.75 and not rule_offer and not span.is_question:
                        rigid_hit = (1.0, entry.key, entry.text)
            blocked = clause_negated or bool(
                lx.REFUSAL.search(low) or lx.SENDS_AWAY.search(low) or lx.POLICY.search(low)
            )
            blocked = blocked or rigid_hit is not None
            conditional = low.startswith(("if ", "in case ", "unless ", "should it ", "should that "))
            if clause_negated and not rule_offer and per_need and not conditional:
                # "We can't give you a mattress": a solution named only to be denied.
                sim, entry = max(per_need.values(), key=lambda x: x[0])
                if sim >= SOLUTION_WITH_RULE and not lx.REFUSAL.search(low):
                    negative("refusal", span.text.strip(" ."), -28)
                    result.acts.add("refuses")
            polite_request = any(o.kind == "guide" for o in offers)
            if not blocked and (not span.is_question or lx.OPTIONS.search(low) or polite_request):
                looking = [o for o in offers if o.kind == "look"]
                ranked = sorted(per_need.items(), key=lambda kv: -kv[1][0])
                top_sim, top_entry = ranked[0][1] if ranked else (0.0, None)
                # Closer to a rigid response than to the solution: not an offer by meaning.
                strong = top_sim >= SOLUTION_BY_MEANING and top_sim > rigid_sim + 0.05
                if looking and not rule_offer:
                    # "Let me ask the porter whether a cot is free" looks at a real
                    # solution, but has not committed to it: no need is met yet.
                    if top_entry is not None and top_sim >= SOLUTION_WITH_RULE:
                        looking[0].strength = max(looking[0].strength, LOOKING_AT + 5)
                        ev.append(
                            Evidence(
                                "flexibility",
                                span.text.strip(" ."),
                                0,
                                f'looks into a solution the scenario lists: "{top_entry.text}"',
                            )
                        )
                elif top_entry is not None and ((rule_offer and top_sim >= SOLUTION_WITH_RULE) or strong):
                    if not rule_offer:
                        offers.append(Offer("meaning", span.text.strip(" ."), i, OFFER))
                        rule_offer = offers[-1:]
                    # Which need(s): by what the offer is about, not by how it is phrased.
                    # The cosine above says "this is offered like a solution"; whether it
                    # is the beds' or the linen's solution is the content's to say.
                    hits = (
                        _needs_by_content(span, index, encode, CONTENT_MIN, CONTENT_MARGIN, lenient=True)
                        if encode is not None
                        else []
                    )
                    if not hits and (encode is None or top_sim >= SOLUTION_BY_MEANING):
                        hits = [(span.text.strip(" ."), top_entry)]
                    for piece, entry in hits:
                        _meet(result, ev, piece, entry)
                        if entry.beyond:
                            extras.append(span.text.strip(" ."))
                elif encode is not None and rule_offer and not looking:
                    # The clause as a whole is shaped like none of the solutions, but what
                    # it offers may plainly be one: "I'll arrange for an engineer to visit".
                    for piece, entry in _needs_by_content(span, index, encode, CONTENT_ALONE, ALONE_MARGIN):
                        _meet(result, ev, piece, entry)
            if rigid_hit is not None:
                result.rigid.append(rigid_hit[1])
                negative("rigid", span.text.strip(" ."), -25)
                ev.append(
                    Evidence(
                        "flexibility", span.text.strip(" ."), 0, f'like the rigid response "{rigid_hit[2]}"'
                    )
                )
        # -- repeats what the customer turned down ------------------------------
        if rule_offer and rejected:
            hit = None
            for j, text in enumerate(rejected):
                sim = (
                    float(rejected_vectors[j] @ vector)
                    if (rejected_vectors is not None and vector is not None)
                    else overlap(low, text)
                )
                if sim >= REJECTED_BY_MEANING:
                    hit = text
                    break
            if hit is not None:
                result.acts.add("repeats_rejected")
                negative("repeats_rejected", span.text.strip(" ."), -25)
                offers = [o for o in offers if o.clause != i]
                result.needs_met = [n for n in result.needs_met if n not in _needs_of(index, hit)]
        result.offers.extend(offers)
        # -- shapes that hold the customer back ---------------------------------
        if (m := lx.REFUSAL.search(low)) and not lx.EXCEPTION.search(low):
            negative("refusal", _cut(span, m), -28)
            result.acts.add("refuses")
        if (m := lx.POLICY.search(low)) and not lx.EXCEPTION.search(low) and not _raw_negated(span, m):
            is_looking = any(o.kind == "look" for o in offers)
            negative("policy", _cut(span, m), -6 if is_looking else -22)
            result.acts.add("cites_policy")
        if (m := lx.SENDS_AWAY.search(low)) and not _raw_negated(span, m):
            negative("sends_away", _cut(span, m), -32)
            result.acts.add("sends_away")
        if m := lx.DEFERS.search(low):
            negative("defers", _cut(span, m), -15)
        if m := lx.BURDEN_BACK.search(low):
            negative("burden", _cut(span, m), -5)
        if m := lx.DISMISSAL.pattern.search(low):
            negative("dismissal", _cut(span, m), -20)
        if m := lx.BLAME.pattern.search(low):
            negative("blame", _cut(span, m), -6)
        if any(o.kind == "file" for o in offers):
            negative("defers", next(o.phrase for o in offers if o.kind == "file"), -15)
        # -- what lifts an offer -----------------------------------------------
        if m := lx.OWNERSHIP.search(low):
            owner_phrases.append(_cut(span, m))
        for m in (lx.EXTRA.search(low), lx.FOLLOW_UP.search(low), lx.EXCEPTION.search(low)):
            if m and not _negated(span, m):
                extras.append(_cut(span, m))
        if (m := lx.IMMEDIACY.search(low)) and immediacy is None:
            immediacy = _cut(span, m)
        if span.is_question and not any(o.kind == "option" for o in offers):
            asks = True
        if lx.INFO_REQUEST.search(low) and (span.is_question or lx.REQUEST_START.match(low)):
            info = True

    if asks or info:
        result.acts.add("asks")
    real = [o for o in result.offers if o.kind not in {"look", "file"}]
    looks = [o for o in result.offers if o.kind == "look"]
    if real:
        result.acts.add("offers")
    if any(o.owner for o in real) or (owner_phrases and (real or looks)):
        result.acts.add("owns")

    # -- the score ---------------------------------------------------------------
    score: float
    if real:
        best = max(real, key=lambda o: o.strength)
        score = best.strength
        ev.append(Evidence("flexibility", best.phrase, best.strength - NOTHING, _offer_reason(best)))
        distinct = {o.clause for o in real}
        if len(distinct) >= 2 or any(o.kind == "option" and " or " in o.phrase.lower() for o in real):
            score += 8
            ev.append(Evidence("flexibility", real[-1].phrase, 8, "more than one solution, or a choice"))
        owner = next((o.phrase for o in real if o.owner), None) or (
            owner_phrases[0] if owner_phrases else None
        )
        if owner:
            score += 5
            result.ownership_points += 5
            ev.append(Evidence("flexibility", owner, 5, "takes ownership"))
        if immediacy:
            score += 4
            ev.append(Evidence("flexibility", immediacy, 4, "says when: now"))
        if result.needs_met:
            score += 4
    elif looks:
        best = max(looks, key=lambda o: o.strength)
        score = best.strength
        reason = (
            "promises to look into something concrete"
            if best.strength > ASKING
            else "promises to look, no commitment"
        )
        ev.append(Evidence("flexibility", best.phrase, best.strength - NOTHING, reason))
    elif asks or info:
        score = ASKING
        phrase = next((s.text for s in spans if s.is_question or lx.INFO_REQUEST.search(s.low)), reply)
        late = max(0, turn - 2)
        if late:
            score -= min(20, 7 * late)
            ev.append(
                Evidence(
                    "flexibility",
                    phrase,
                    round(score - NOTHING),
                    f"still only asking questions at reply {turn}",
                )
            )
        else:
            ev.append(Evidence("flexibility", phrase, ASKING - NOTHING, "gathers information first"))
        result.only_asks = True
    else:
        score = NOTHING

    if (real or looks) and extras:
        # The unrequested extra: it only counts when it is not what the customer asked for.
        extra = next((x for x in extras if not _asked_for(x, customer_low)), None)
        if extra is not None:
            score += 10
            result.beyond.append(extra)
            result.acts.add("goes_beyond")
            ev.append(Evidence("flexibility", extra, 10, "goes beyond: an extra or a small exception"))

    for key, (phrase, points) in negatives.items():
        # After a real solution a "no" to something else, or a rule named, costs little:
        # "I can't change the booking, but I'll bring a mattress" is flexible.
        applied = points if not real else round(points * 0.3)
        if key == "repeats_rejected":
            applied = points
        if key == "defers" and real:
            continue
        if key == "burden" and not real:
            applied = 0  # an alternative, however weak, beats a flat no; the floor below
        score += applied
        result.flags.add(key)
        ev.append(Evidence("flexibility", phrase, applied, _NEGATIVE_REASONS[key]))
    hard = {"refusal", "policy", "sends_away", "rigid", "dismissal"} & result.flags
    if looks and negatives.get("policy", ("", 0))[1] > -10:
        hard.discard("policy")  # "let me see what the policy says" is looking, not hiding
    if "defers" in result.flags and not real:
        result.acts.add("defers")
        hard |= {"defers"} if not looks else set()
    if hard and not real:
        score = min(score, 30 if len(hard) == 1 else 18)
        if "burden" in result.flags:
            score = max(score, 25)
    # Keep 0 for the rude; a polite "no" is bad, not the worst (label 1 is 5-20).
    floor = 0 if "dismissal" in result.flags else 5
    result.score = max(floor, min(100, round(score)))
    return result


_NEGATIVE_REASONS = {
    "refusal": "refusal",
    "policy": "hides behind policy or the system",
    "sends_away": "sends the customer away",
    "defers": "defers with no action now",
    "burden": "hands the problem back to the customer",
    "dismissal": "dismisses the problem",
    "blame": "blames instead of solving",
    "rigid": "the scenario's rigid response, in other words",
    "repeats_rejected": "offers again what the customer turned down",
}


# Content scores are the cosine of the frame-less texts plus up to 0.15 for shared
# content words (scenario_index.py). Read off the scenarios' solutions and
# hand-written offers: the right need scores 0.5-1.0, another need's solution
# 0.1-0.45, and an offer of something no need lists ("a cup of tea") under 0.45.
CONTENT_MIN = 0.5  # a piece's content plainly says one need's solution ...
CONTENT_MARGIN = 0.05  # ... more than any other need's (for each further piece)
CONTENT_ALONE = 0.5  # not shaped like any solution: the content alone must say one,
ALONE_MARGIN = 0.2  # and leave no doubt which


def _needs_by_content(
    span: Span,
    index: ScenarioIndex,
    encode: Callable[[list[str]], Any],
    threshold: float,
    margin: float,
    *,
    lenient: bool = False,
) -> list[tuple[str, Entry]]:
    """The needs an offering clause meets, judged on content (see content.py).

    Each conjunct ("I'll bring some blankets", "a folding bed") is matched on
    its own, so one offer can meet several needs; a conjunct that blames,
    refuses or is negated meets none ("... and you should have booked better").
    With `lenient`, when no piece is clearly one need's, the best-matching
    piece still names its need: the clause is already known to be an offer.
    """
    pieces = _offer_pieces(span)
    if not pieces:
        return []
    texts = [content_of(p) for p in pieces]
    vectors = encode(texts)
    hits: list[tuple[str, Entry]] = []
    best: tuple[float, str, Entry] | None = None
    for piece, text, vector in zip(pieces, texts, vectors, strict=True):
        ranked = sorted(index.content_per_need(vector, content_stems(text)).values(), key=lambda x: -x[0])
        if not ranked:
            break
        score, entry = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if best is None or score > best[0]:
            best = (score, piece, entry)
        if score >= threshold and score - runner_up >= margin and all(e.key != entry.key for _, e in hits):
            hits.append((piece, entry))
    if not hits and lenient and best is not None and best[0] >= threshold:
        hits.append((best[1], best[2]))
    return hits


def _offer_pieces(span: Span) -> list[str]:
    """The conjuncts of an offering clause that can meet a need (see _needs_by_content)."""
    return [
        p
        for p in conjuncts(span.text)
        if not has_negation(normalise(p))
        and not any(
            pattern.search(normalise(p))
            for pattern in (lx.BLAME.pattern, lx.DISMISSAL.pattern, lx.REFUSAL, lx.SENDS_AWAY, lx.POLICY)
        )
    ]


@dataclass(frozen=True)
class Foresight:
    """What the rules alone tell of a reply before anything is embedded."""

    contents: list[str]  # offer contents `assess` will embed (see _needs_by_content)
    offers: bool  # a clause shaped like an offer that nothing blocks
    accepts: bool  # the first clause accepts the customer's own proposal


def foresee(spans: list[Span], customer_line: str | None) -> Foresight:
    """So the grader can put everything the grade will embed in the reply's one batch.

    The contents are the pieces of every clause shaped like an offer that
    nothing blocks: the clauses `assess` matches to needs by content. A clause
    that offers only by meaning (no offer shape) is left out: it is rare, and
    its pieces are then encoded when asked for. The checks below mirror those
    in `assess`; should they drift apart, grades stay the same and only a
    second encoder call is made (tests/test_grading_batch.py counts the calls).
    """
    customer_proposed = bool(customer_line and lx.CUSTOMER_PROPOSAL.search(normalise(customer_line)))
    texts: list[str] = []
    accepts = False
    for i, span in enumerate(spans):
        low = span.low
        offers = _clause_offers(i, span, i == 0, customer_proposed)
        accepts = accepts or any(o.kind == "accept" for o in offers)
        if not any(o.kind not in {"look", "file"} for o in offers):
            continue
        if has_negation(low) or lx.REFUSAL.search(low) or lx.SENDS_AWAY.search(low) or lx.POLICY.search(low):
            continue
        if span.is_question and not (lx.OPTIONS.search(low) or any(o.kind == "guide" for o in offers)):
            continue
        texts.extend(content_of(p) for p in _offer_pieces(span))
    return Foresight(texts, bool(texts), accepts)


def _meet(result: FlexResult, ev: list[Evidence], phrase: str, entry: Entry) -> None:
    if entry.key in result.needs_met:
        return
    result.needs_met.append(entry.key)
    first = len(result.needs_met) == 1
    ev.append(
        Evidence(
            "flexibility",
            phrase,
            4 if first else 0,  # the +4 for meeting a need is counted once, below
            f'{"offers" if first else "also offers"} a solution the scenario lists: "{entry.text}"',
        )
    )


def _offer_reason(offer: Offer) -> str:
    return {
        "act": "concrete offer",
        "grant": "grants what the customer needs",
        "permission": "lets the customer have it",
        "option": "offers a choice",
        "nominal": "concrete offer",
        "third": "arranges a solution",
        "accept": "accepts the customer's proposal",
        "meaning": "offers a solution (by meaning)",
        "guide": "guides the customer through a step, kindly",
    }.get(offer.kind, "offer")


def _asked_for(extra: str, customer_low: str) -> bool:
    """Whether an "extra" is what the customer's line asked for (then it is not extra)."""
    if not customer_low:
        return False
    keys = {w for w in re.findall(r"[a-z]{4,}", extra.lower())} - {
        "with",
        "your",
        "will",
        "take",
        "that",
        "this",
        "right",
        "call",
    }
    return bool(keys) and len([k for k in keys if k in customer_low]) >= max(1, len(keys) // 2)


def _lexical_score(low: str, phrase: str) -> float:
    """Rules-only stand-in for cosine: two shared content words are about 0.45."""
    theirs = content_words(phrase)
    shared = len(content_words(low) & theirs)
    return 0.9 * min(1.0, shared / max(2, min(4, len(theirs))))


def _needs_of(index: ScenarioIndex | None, text: str) -> set[str]:
    if index is None:
        return set()
    return {e.key for e in index.solutions if overlap(text, e.text) >= 0.5}
