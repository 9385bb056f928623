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
from simulator.grading.text import (
    NEGATION,
    Span,
    has_negation,
    main_negation,
    mask,
    negated_before,
    normalise,
    sentences,
)

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
    part: int = 0  # which of a clause's coordinated pieces ("fee waived, slot booked")


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
    if _COUNTERFACTUAL.search(span.low, 0, m.start()) and _WOULD.match(span.low, m.start()):
        # "If I lent one to everybody, I'd have none left": what would follow, not an offer.
        return True
    return negated_before(span.low, m.start()) is not None


_COUNTERFACTUAL = re.compile(
    r"\bif (?:i|we) (?:[a-z]+ed|lent|gave|had|did|let|made|sold|took|went|were|was|kept|put|got|ran|bent|broke|"
    r"started|began|said|told|sent|paid)\b"
)
_WOULD = re.compile(r"(?:and |then |, )?(?:i'd|we'd|i would|we would)\b")


def _raw_negated(span: Span, m: re.Match[str]) -> bool:
    """Any negation word before the match, even in phrases like "won't send you"."""
    return NEGATION.search(span.low, 0, m.start()) is not None


# "ask our storage team to prepare it" hands the job on with an instruction:
# a commitment. "ask the porter whether a cot is free" only finds out.
_DELEGATES = re.compile(
    r"\s+(?:the |our |a |my |your |someone|somebody|them|him|her)[a-z' ]{0,30}?\bto\s+(?!see\b|check\b)[a-z]+"
)


_ASKED_TO_LOOK = re.compile(
    r"\s+(?:the |our |a |my |someone|somebody|them|him|her)[a-z' ]{0,30}?\bto\s+"
    r"(?:look|check|see|find out|search|try|ask|chase|investigate|review)\b"
)


# Fetching someone senior hands the decision on; it promises no outcome unless the
# clause goes on to one ("get the manager to sign it off", "and she'll refund it").
_HANDOVER_VERBS = frozenset(
    {
        "get",
        "fetch",
        "bring",
        "call",
        "grab",
        "find",
        "ring",
        "phone",
        "page",
        "radio",
        "transfer",
        "put",
        "hand",
    }
)
_HANDOVER_STEMS = frozenset({"ask", "gett", "phon", "grabb", "pag", "transferr"})
_HANDS_OVER = re.compile(
    r"\s+(?:(?:you|this|it)\s+)?(?:in\s+|over\s+|through\s+|up\s+|across\s+)?(?:to\s+|with\s+)?"
    # "my team leader", "Mark, our duty manager", "the crew supervisor, Gary,"
    r"(?:[a-z]+\s*,\s*)?(?:my|our|the|a)\s+(?:[a-z-]+\s+)?(?:manager|supervisor|team leader|shift leader|boss|"
    r"senior|superior|head of [a-z]+|person in charge|someone senior)\b(?:\s*,\s*(?:mr |mrs |ms )?[a-z]+\s*,?)?"
    r"(?:\s*(?:for you|now|right now|quickly|over|in|across|here|down|up|on the (?:phone|line|call)|one moment|"
    r"one second|a moment|just a moment|bear with me|hold on|please|"
    r"to (?:come|pop|step)(?: over| down| out| across)?(?: and (?:speak|talk) (?:to|with) you)?)\s*,?)*"
    # What follows says who decides, or only looks: "who deals with refunds", "and see what we can do".
    r"\s*(?:[.!?;]|$|and see\b|[,;-]\s*(?:who|he|she|they)\b(?!'ll|'d| will| can| could| would| is going| are going))"
)


# A commitment verb after these words names something, it does not promise it.
_NOT_PROMISED = re.compile(r"\b(?:what|before|until|till|unless)\s+$")
# "try re-sending", "try to swap", "try and fix": the attempt names its action. Trying
# to find out, or to reach someone, still only looks.
_TRIES = re.compile(
    r"\s+(?:(?:to|and)\s+(?!(?:find out|look|see|check|ask|speak|talk|investigate|double-check|call|ring|phone|"
    r"contact|reach|get hold|get through)\b)[a-z]+|"
    r"(?!(?:find|look|see|check|ask|speak|talk|investigat|double-check|call|ring|phon|contact|reach)ing\b)[a-z-]{3,}ing)\b"
)

_EVERYONE = re.compile(r"\b(?:everyone|everybody|everything|all|we|they)\s*$")
_CONDITION_BEFORE = re.compile(r"\b(?:when|once|until|till|if|after|as soon as|before|unless)\b[^,;]*$")
# Words before a deed that are no deed of their own: "ok fine, switched you to the red car".
_INTERJECTION = re.compile(
    r"(?:(?:ok|okay|right|fine|sure|yes|yep|yeah|alright|all right|done|oh|ah|well|look|listen|omg|honestly)[,.! ]*)+"
)
# A clipped report that names its thing first: "fee waived", "last month's fee refunded".
_NOUN_FIRST = re.compile(r"^(?:[a-z0-9'\u00a3$\u20ac-]+\s+){1,4}(?=[a-z]+ed\b|on hold\b)")

# Progressive forms of the filing verbs ("I'm escalating", "we're logging").
_CARRIED = re.compile(
    r"\b(?P<who>i'll|we'll|i will|we will|let me)\s+(?:just\s+)?"
    r"(?:tell|say|explain|mention|warn|remind|let (?:her|him|them|you|the [a-z]+) know)\b[^.;?!]{0,60}?"
    rf"\band (?:then |also |i'll |we'll )?(?P<verb>{lx.ACTION_VERBS})\b(?! (?:you|that|what|if|whether)\b)"
)
_RAISED_ORDER = re.compile(
    r"[^,.;]{0,40}?\b(?:order|replacement|refund|credit|courier|delivery|dispatch|collection|new (?:one|pair|set|card))\b"
)
_FILING_STEMS = ("escalat", "logg", "flagg", "pass", "forward", "not", "transferr", "report")


_LOOK_THEN_ACT = re.compile(
    rf"[^.;?!]{{0,60}}?\band (?:then |also |i'll |we'll )?(?P<verb>{lx.MULTIWORD_VERBS}|{lx.ACTION_VERBS})\b"
    # "... and find a way": still looking.
    r"(?! (?:you|u|back|what|if|whether|how|about|a way|a solution|something|someone|out)\b)"
)
# Saying what was found, not a deed: "let me check and get back to you".
_REPORTS = frozenset({"get back", "follow", "keep", "let", "leave", "wait", "come"})
_CHECK_TAG = re.compile(
    r"[,;-] (?:(?:is |is that |is it |would that be |that |if that's |if that is )?"
    r"(?:ok|okay|alright|all right|fine|good|right|ok with you|okay with you|ok for you|okay for you)|"
    # "..., would that work?", "..., does that suit you?", "..., how does that sound?"
    r"(?:would|does|will|could) (?:that|this|it) (?:work|help|suit you|do|be enough)(?: for you)?|"
    r"how (?:does|would) (?:that|this) sound|sound good)\s*\?$"
)


def _clause_offers(i: int, span: Span, first: bool, customer_proposed: bool) -> list[Offer]:
    low = span.low
    found: list[Offer] = []
    if lx.COUNTERFACTUAL.search(low) or lx.SARCASM.pattern.search(low):
        # "If I could I would", "Sure, because I can magic up a car": nothing is offered.
        return found
    # "I can give you a place at the bar, is okay?": an offer with a check on the end.
    question = span.is_question and not lx.OPTIONS.search(low) and not _CHECK_TAG.search(low)
    m: re.Match[str] | None
    limit = lx.LIMIT.search(low)
    for m in lx.COMMITMENT.finditer(low):
        if _negated(span, m) or (limit is not None and limit.start() <= m.start() <= limit.end()):
            continue
        if m.group("verb") == "see" and re.match(r"\s*(?:how|why|that|what you mean|you)\b", low[m.end() :]):
            continue  # "I can see how that happened": an observation, not a look
        if question and m.group("verb") not in lx.LOOK_VERBS:
            continue  # "Is there anything else I can help you with?" commits to nothing
        if _NOT_PROMISED.search(low, 0, m.start()):
            continue  # "I've explained what we can do", "before we can open it": no promise made
        if m.group("aux").endswith(" be") and not low[m.start("verb") : m.end()].endswith("ing"):
            continue  # "I'd be distraught too" is a feeling; "I'll be bringing it up" acts
        verb = m.group("verb")
        who = m.group("who") or m.group("who2")
        owner = who in {"i", "i'll", "i'm", "let me", "i'd"} or who.startswith(
            ("allow me", "permit me", "give me", "it")
        )
        # "We will review it within five working days": a promise that only files the problem.
        deferral = lx.FILING.search(low) is not None
        if deferral and m.group("verb") in lx.LOOK_VERBS:
            # "Let me see what's in stock and get back to you": reporting back is part of the look.
            deferral = lx.FILING.search(mask(low, lx.REPORT_BACK)) is not None
        # "I'll raise the refund now" does the thing; "I'll raise it with the manager" files it.
        rest = low[m.end() :]
        delivers = verb in lx.FILE_VERBS and (
            lx.DELIVERABLE.match(rest) is not None or (verb == "raise" and not lx.RAISE_FILES.match(rest))
        )
        if (verb in lx.FILE_VERBS and not delivers) or lx.FILED_AFTER.match(low[m.end() :]) or deferral:
            found.append(Offer("file", _cut(span, m), i, NOTHING - 5, owner))
        elif verb in _HANDOVER_VERBS | {"ask"} and _HANDS_OVER.match(low, m.end()):
            # "Let me get my manager": someone else will decide; a look, not a solution.
            found.append(Offer("look", _cut(span, m), i, ASKING, owner))
        elif verb == "ask" and _DELEGATES.match(low[m.end() :]):
            found.append(Offer("act", _cut(span, m), i, OFFER, owner))
        elif verb == "try" and _TRIES.match(low[m.end() :]):
            # "we can try re-sending the tickets now" attempts the fix itself.
            found.append(Offer("act", _cut(span, m), i, OFFER, owner))
        elif (
            verb in lx.LOOK_VERBS
            and (carried := _LOOK_THEN_ACT.match(low, m.end()))
            and (carried.group("verb") not in lx.LOOK_VERBS | lx.FILE_VERBS | _REPORTS)
        ):
            # "I'll talk to the chef myself and have it remade": the deed joined to the look.
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
    if not found and not question:
        # "I'll tell the driver you're coming and hold the bus": the message is not
        # the offer, but the deed joined to it by "and" is, with the same subject.
        for m in _CARRIED.finditer(low):
            if _negated(span, m):
                continue
            verb = m.group("verb")
            kind = "look" if verb in lx.LOOK_VERBS else "file" if verb in lx.FILE_VERBS else "act"
            points = LOOKING_AT if kind == "look" else NOTHING - 5 if kind == "file" else OFFER
            found.append(
                Offer(kind, _cut(span, m), i, points, m.group("who") in {"i'll", "i will", "let me"})
            )
            break
    if (
        (m := lx.GUIDE.search(low))
        and not _negated(span, m)
        and m.group("verb") not in {"be", "have", "want", "like", "need", "see"}
        # "Ask the ward if you can start later": what someone else is to be asked.
        and not (m.group(0).startswith("if ") and _ASK_FIRST.search(low, 0, m.start()))
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
            owner = (m.group("who") or m.group("who2")) in {"i'm", "i am"}
            verb = m.group("verb") or m.group("verb2")
            look = verb in {"check", "look"} or (verb == "ask" and not _DELEGATES.match(low[m.end() :]))
            if verb in _HANDOVER_VERBS | _HANDOVER_STEMS and _HANDS_OVER.match(low, m.end()):
                found.append(Offer("look", _cut(span, m), i, ASKING, owner))
                continue
            # "I'm escalating this to billing, who will contact you within 5-7 days" files it.
            files = verb.startswith(_FILING_STEMS) or lx.FILING.search(low) is not None
            if files and not look:
                found.append(Offer("file", _cut(span, m), i, NOTHING - 5, owner))
                continue
            found.append(
                Offer("look" if look else "act", _cut(span, m), i, LOOKING_AT if look else OFFER, owner)
            )
    if not found and (m := lx.OFFER_FRAMES.search(low)) and not _negated(span, m):
        # "What I can do is log a complaint": the frame of an offer around a filing.
        # "What I can do is pass it to our engineer to test the unit" hands it on for a purpose.
        filed = lx.FILING.search(low, m.end())
        files = filed is not None and not _DELEGATES.match(low[filed.end() :])
        found.append(
            Offer(
                "file" if files else "act",
                _cut(span, m),
                i,
                NOTHING - 5 if files else OFFER,
                owner=m.group(0).startswith(("here's", "what i", "while i", "and i")),
            )
        )
    for m in lx.PERFECT.finditer(low):
        if not _negated(span, m):
            owner = m.group("who") in {"i've", "i have"}
            verb = m.group("verb")
            # "I've raised a ticket" files the problem; "I've raised a replacement
            # order on next-day courier" is the deed itself.
            ordered = verb == "raised" and _RAISED_ORDER.match(low, m.end()) is not None
            if verb in {"escalated", "logged", "noted", "passed", "raised", "flagged"} and not ordered:
                found.append(Offer("file", _cut(span, m), i, NOTHING - 5, owner))
            elif verb == "asked" and _ASKED_TO_LOOK.match(low, m.end()):
                # "I've asked the team to look for something sooner": a look, handed on.
                found.append(Offer("look", _cut(span, m), i, LOOKING_AT, owner))
            else:
                found.append(Offer("act", _cut(span, m), i, OFFER, owner))
    for m in lx.SIMPLE_PAST.finditer(low):
        # "If we waived it for you, ...": a supposition, not a deed done.
        supposed = re.search(r"\b(?:if|unless|even if|suppose|supposing)\s*$", low[: m.start()]) is not None
        if not _negated(span, m) and not span.is_question and not supposed:
            found.append(Offer("act", _cut(span, m), i, OFFER, m.group("who") == "i"))
    if not span.is_question and not lx.POLICY.search(low):
        # "Fee waived, seat upgraded, voucher sent": each piece a deed of its own;
        # a bare verb ("added a marker") only goes on from a deed before it.
        pieces = conjuncts(low)
        while len(pieces) > 1 and _INTERJECTION.fullmatch(pieces[0].strip(" ,.!")):
            pieces = pieces[1:]
        for part, piece in enumerate(pieces):
            if part and not found and not _NOUN_FIRST.match(piece):
                continue
            if (
                (part or not found)
                and (m := lx.DONE_REPORT.search(piece))
                and not has_negation(piece[: m.end()])
                and not lx.UNAVAILABLE.search(piece)
            ):
                at = low.find(piece) + m.start()
                said = span.text[at : at + m.end() - m.start()].strip(" ,.;")
                found.append(Offer("act", said, i, OFFER, part=part))
    if not found:
        for m in lx.PASSIVE_PERFECT.finditer(low):
            # "Once it has been signed for, it is yours to look after" sets a condition.
            waits = _CONDITION_BEFORE.search(low[: m.start()]) is not None
            if not _negated(span, m) and not lx.REFUSAL.search(low) and not waits:
                found.append(Offer("act", _cut(span, m), i, THIRD_PARTY))
                break
    if (m := lx.SETTLED.search(low)) and not _negated(span, m) and not span.is_question:
        found.append(Offer("act", _cut(span, m), i, OFFER))
    for m in lx.PASSIVE_DONE.finditer(low):
        # "Refunds are processed within 5-7 days" is the usual course; "the van's
        # coming within the hour" is on its way to this customer.
        underway = m.group("verb") in {"coming", "going out"} or m.group("verb").startswith("on ")
        routine = not underway and (
            lx.IN_DUE_COURSE.match(low[m.end() :]) is not None or "in due course" in low
        )
        # "Come back when it's fixed" waits for it; nothing is done.
        # "Everybody's booked tonight": nothing left, not a booking made.
        before = low[: m.start()]
        waits = _CONDITION_BEFORE.search(before) is not None or _EVERYONE.search(before) is not None
        full = lx.UNAVAILABLE.search(low) is not None  # "the machine's booked all weekend"
        if not _negated(span, m) and not lx.REFUSAL.search(low) and not routine and not waits and not full:
            found.append(Offer("act", _cut(span, m), i, THIRD_PARTY))
    for m in lx.TELLS_DOER.finditer(low):
        if not _negated(span, m) and not lx.FILING.search(low):
            found.append(Offer("act", _cut(span, m), i, OFFER, True))
    for m in lx.THIRD_PARTY.finditer(low):
        if not _negated(span, m) and _deferral(low, found) is None:
            found.append(Offer("third", _cut(span, m), i, THIRD_PARTY))
    pays_first = re.search(
        r"\b(?:once|after|when|as soon as) (?:it's|it is|it has been|you've|you have|the [a-z]+(?:'s| is| has been)) "
        r"(?:paid|cleared|settled)|\bif you pay\b",
        low,
    )
    for m in lx.PERMISSION.finditer(low):
        # "Ask the ward if you can start later": leave that depends on someone else.
        supposed = re.search(r"\b(?:if|whether|unless)\s*$", low[: m.start()]) is not None
        if not _negated(span, m) and not lx.SENDS_AWAY.search(low) and not pays_first and not supposed:
            found.append(Offer("permission", _cut(span, m), i, OFFER))
    dismissive = lx.DISMISSAL.pattern.search(low) is not None
    if span.is_question and (m := lx.OPTIONS.search(low)) and not _negated(span, m) and not dismissive:
        found.append(Offer("option", span.text.strip(), i, OFFER))
    elif (m := lx.OPTIONS.search(low)) and m.group(0) in {"either", "or would you", "how about"}:
        found.append(Offer("option", _cut(span, m), i, OFFER))
    elif (m := lx.LISTED_CHOICES.search(low)) and not _negated(span, m):
        found.append(Offer("option", _cut(span, m), i, OFFER))
    if (m := lx.NOMINAL_OFFER.search(low)) and not lx.REFUSAL.search(low) and not has_negation(low):
        found.append(Offer("nominal", span.text.strip(" ."), i, OFFER))
    if (
        (m := lx.THERE_IS.search(low))
        and not has_negation(low[: m.end()])
        and not lx.REFUSAL.search(low)
        and not lx.SENDS_AWAY.search(low)
    ):
        found.append(Offer("option", _cut(span, m), i, OFFER - 4))
    if (
        (m := lx.ALTERNATIVE.search(low))
        and not _negated(span, m)
        and not lx.REFUSAL.search(low, m.end())
        and not lx.SENDS_AWAY.search(low)
        and not any(o.kind == "option" for o in found)
    ):
        found.append(Offer("option", _cut(span, m), i, OFFER - 4))
    if m := lx.EXCEPTION_YES.search(low):
        found.append(Offer("grant", _cut(span, m), i, OFFER))
    if (m := lx.GRANT.match(low)) and not lx.SENDS_AWAY.search(low):
        found.append(Offer("grant", _cut(span, m) + low[m.end() :].split(",")[0], i, OFFER))
    if first and customer_proposed and (m := lx.ACCEPTANCE.match(low)) and not has_negation(low):
        found.append(Offer("accept", _cut(span, m), i, OFFER))
    if lx.HANDOVER.search(low):
        for offer in found:
            if offer.kind == "act":
                offer.kind, offer.strength = "look", ASKING
    if w := _LOOK_INTO.search(low):
        # "I'm checking with the depot what time they can come": what is looked into, not done.
        for offer in found:
            at = low.find(offer.phrase.lower())
            last = offer.phrase.lower().split()[-1:]
            looks = bool(last) and last[0] in _LOOK_VERBS and at < w.start("wh")
            if offer.kind in {"act", "third"} and (at >= w.start("wh") or looks):
                offer.kind, offer.strength = "look", LOOKING_AT
    if (m := lx.VAGUE_LOOK.search(low)) and not found:
        found.append(Offer("look", _cut(span, m), i, ASKING, owner=m.group(0).startswith(("i", "let me"))))
    return found


# A look with what it looks into after it: "let me see if we can...", "I check now what time they can come".
_LOOK_VERBS = frozenset({"check", "look", "see", "ask", "enquire"})
_LOOK_INTO = re.compile(
    r"\b(?:check|checking|look|looking|see|seeing|find out|finding out|ask|asking|enquire|enquiring|"
    r"phone|phoning|ring|ringing|call|calling)\b(?: (?!and\b|then\b|but\b|so\b)[a-z']+){0,5}? "
    r"(?P<wh>what|when|whether|if|how soon|how quickly|which|where)\b"
)


@dataclass(frozen=True)
class Scene:
    """What `assess` knows besides the reply: the scenario and the conversation so far."""

    vectors: Any | None = None  # one embedding per clause, or None (rules only)
    index: ScenarioIndex | None = None
    customer_line: str | None = None
    turn: int = 1
    rejected: tuple[str, ...] = ()
    rejected_vectors: Any | None = None
    encode: Callable[[list[str]], Any] | None = None

    @property
    def customer_low(self) -> str:
        return normalise(self.customer_line or "")

    @property
    def customer_doubted(self) -> bool:
        return bool(self.customer_line and lx.DOUBTED.search(self.customer_low))

    @property
    def customer_proposed(self) -> bool:
        return bool(self.customer_line and lx.CUSTOMER_PROPOSAL.search(self.customer_low))


@dataclass
class _Reading:
    """What the clauses have shown so far, gathered step by step."""

    result: FlexResult
    negatives: dict[str, tuple[str, int]] = field(default_factory=dict)  # reason -> (phrase, points)
    met_in: dict[int, set[str]] = field(default_factory=dict)  # clause -> the needs it met
    extras: list[str] = field(default_factory=list)
    owner_phrases: list[str] = field(default_factory=list)
    immediacy: str | None = None
    asks: bool = False
    info: bool = False

    def negative(self, key: str, phrase: str, points: int) -> None:
        if key not in self.negatives:
            self.negatives[key] = (phrase, points)


@dataclass
class _Clause:
    index: int
    span: Span
    offers: list[Offer]
    vector: Any | None
    mocking: bool = False  # said in mockery: nothing in it is offered

    @property
    def low(self) -> str:
        return self.span.low

    @property
    def text(self) -> str:
        return self.span.text.strip(" .")

    @property
    def rule_offers(self) -> list[Offer]:
        return [o for o in self.offers if o.kind not in {"look", "file"}]


def assess(reply: str, spans: list[Span], scene: Scene) -> FlexResult:
    """Flexibility of a reply: each clause read in turn, then one score from what was found."""
    reading = _Reading(FlexResult(score=NOTHING))
    mocking = _mocking_sentences(reply)
    for i, span in enumerate(spans):
        clause = _Clause(i, span, _clause_offers(i, span, i == 0, scene.customer_proposed), None)
        if i and _WOULD.match(span.low) and _COUNTERFACTUAL.search(spans[i - 1].low):
            # "If I lent one to everybody, I'd have none left": what would follow, not an offer.
            if not re.search(r"[.!?]", reply[spans[i - 1].end : span.start]):
                clause.offers = []
        if any(start <= span.start < end for start, end in mocking):
            clause.offers, clause.mocking = [], True
        if scene.vectors is not None:
            clause.vector = scene.vectors[i]
        if scene.index is not None:
            _match_scenario(clause, scene, scene.index, reading)
        _drop_rejected(clause, scene, reading)
        reading.result.offers.extend(clause.offers)
        hedged = _hedge_then_effort(reply, span.end)
        _note_holdbacks(clause, reading, denies=i == 0 and scene.customer_doubted, hedged=hedged)
        _note_lifts(clause, reading)
    _name_acts(reading)
    _score(reading, spans, reply, scene)
    return reading.result


# After a sarcastic sentence, one that turns ("Fine, I'll book it") is meant.
_TURNS = re.compile(r"^(?:fine|ok|okay|alright|all right|but|anyway|seriously|look|right|well,? fine)\b")


def _mocking_sentences(reply: str) -> list[tuple[int, int]]:
    """Where the reply mocks the customer: a sarcastic sentence ("Sure, and shall I carry
    your bags home too?"), and the one after it unless it turns ("Oh sure, we've got
    a magic wand in the back. I'll go and wave it.")."""
    spans = sentences(reply)
    found: list[tuple[int, int]] = []
    previous = False
    reply_low = reply.lower()
    for span in spans:
        m = lx.SARCASM.pattern.search(span.low)
        # "That's a brilliant idea. I'll hold it at the desk": praise that is acted on is meant.
        sincere = (
            m is not None
            and lx.PRAISED_IDEA.fullmatch(m.group())
            and lx.ACTS_ON_IT.search(reply_low[span.start :])
        )
        sarcastic = m is not None and not sincere
        if sarcastic or (previous and not _TURNS.match(span.low.strip())):
            found.append((span.start, span.end))
        previous = sarcastic
    return found


# -- step 1: what the scenario says, by meaning ---------------------------------


def _match_scenario(clause: _Clause, scene: Scene, index: ScenarioIndex, reading: _Reading) -> None:
    """Rigid responses, refused solutions and offered solutions of the scenario in this clause."""
    low = clause.low
    rigid_sim, rigid_hit, per_need = _scenario_similarities(clause, index)
    # A solution the reply names with "you need to" is the customer's job, not an offer.
    burden = lx.OBLIGATION.pattern.search(low) is not None
    # A clause that files the problem ("they'll get back to you") offers no solution.
    files = lx.FILING.search(low) is not None or any(o.kind == "file" for o in clause.offers)
    if files and clause.vector is not None and _listed_follow_up(clause, per_need, rigid_sim):
        files = False
    blocked = (
        clause.mocking
        or has_negation(low)
        or burden
        or (files and not clause.rule_offers)
        or rigid_hit is not None
        or bool(lx.REFUSAL.search(low) or lx.SENDS_AWAY.search(low) or lx.POLICY.search(low))
    )
    _refused_solution(clause, per_need, reading)
    polite_request = any(o.kind == "guide" for o in clause.offers)
    if not blocked and (not clause.span.is_question or lx.OPTIONS.search(low) or polite_request):
        before = set(reading.result.needs_met)
        _offered_solution(clause, scene, index, per_need, rigid_sim, reading)
        reading.met_in[clause.index] = set(reading.result.needs_met) - before
    if rigid_hit is not None:
        reading.result.rigid.append(rigid_hit[1])
        reading.negative("rigid", clause.text, -25)
        reading.result.evidence.append(
            Evidence(
                "flexibility",
                clause.text,
                0,
                f'like the rigid response "{rigid_hit[2]}" (similarity {rigid_hit[0]:.2f})',
            )
        )


def _listed_follow_up(clause: _Clause, per_need: dict[str, tuple[float, Entry]], rigid_sim: float) -> bool:
    """ "I'll text you when a table frees" puts the customer off, unless the trainer
    lists that very follow-up as a solution: then it is the solution offered."""
    top = max((sim for sim, _ in per_need.values()), default=0.0)
    if top < SOLUTION_BY_MEANING or top <= rigid_sim + 0.05 or lx.FILING.search(clause.low) is not None:
        return False
    for offer in clause.offers:
        if offer.kind == "file":
            offer.kind, offer.strength = "act", OFFER
    return True


def _scenario_similarities(
    clause: _Clause, index: ScenarioIndex
) -> tuple[float, tuple[float, str, str] | None, dict[str, tuple[float, Entry]]]:
    """The closest rigid response (and whether it counts) and, per need, the closest solution."""
    low = clause.low
    # A bare question or a short request for a detail ("Claim number, please.")
    # gathers facts; it is not a rigid "no", however close its words.
    gathers = clause.span.is_question or lx.INFO_REQUEST.search(low) is not None or len(low.split()) < 4
    per_need: dict[str, tuple[float, Entry]] = {}
    rigid: tuple[float, Entry | None] = (0.0, None)
    if clause.vector is not None:
        rigid = index.best("rigid", clause.vector)
        per_need = index.best_per_key("solutions", clause.vector)
        threshold = RIGID_BY_MEANING
    else:
        for solution in index.solutions:
            lexical = _lexical_score(low, solution.text)
            if solution.key not in per_need or lexical > per_need[solution.key][0]:
                per_need[solution.key] = (lexical, solution)
        rigid = max(((overlap(low, e.text), e) for e in index.rigid), key=lambda x: x[0], default=(0.0, None))
        threshold = 0.75
    rigid_sim, entry = rigid
    top_solution = max((sim for sim, _ in per_need.values()), default=0.0)
    # A trainer lists a rigid response to say "this is not the solution": when
    # a clause is at least as close to it as to any solution, the rigid
    # response wins, even when the clause is shaped like an offer.
    rigid_hit: tuple[float, str, str] | None = None
    if (
        entry is not None
        and rigid_sim >= threshold
        and not gathers
        and (
            not clause.rule_offers
            # Embeddings barely see "not": "I can reboot it" is close to "I can't do
            # anything until you reboot it". An offer loses only to a rigid response of its own sign.
            or (rigid_sim >= top_solution and has_negation(normalise(entry.text)) == has_negation(low))
        )
    ):
        rigid_hit = (rigid_sim, entry.key, entry.text)
    return rigid_sim, rigid_hit, per_need


def _refused_solution(clause: _Clause, per_need: dict[str, tuple[float, Entry]], reading: _Reading) -> None:
    """ "We can't give you a mattress": a solution named only to be denied."""
    low = clause.low
    conditional = low.startswith(("if ", "in case ", "unless ", "should it ", "should that "))
    # "I'm sorry your bag didn't arrive" describes the problem: an apology is never a refusal.
    apology = lx.APOLOGY.search(low) is not None
    # "Oh no, a cracked screen and no car": an exclamation over the customer's plight.
    exclaims = _EXCLAIMS.match(low) is not None
    # "That isn't how you wanted tonight to start": a feeling named, not a solution denied.
    feels = lx.ACKNOWLEDGES.pattern.search(low) is not None
    if (
        not main_negation(low)
        or clause.rule_offers
        or not per_need
        or conditional
        or apology
        or exclaims
        or feels
    ):
        return
    sim, _entry = max(per_need.values(), key=lambda x: x[0])
    if sim >= SOLUTION_WITH_RULE and not lx.REFUSAL.search(low) and not lx.INFO_REQUEST.search(low):
        reading.negative("refusal", clause.text, -28)
        reading.result.acts.add("refuses")


def _offered_solution(
    clause: _Clause,
    scene: Scene,
    index: ScenarioIndex,
    per_need: dict[str, tuple[float, Entry]],
    rigid_sim: float,
    reading: _Reading,
) -> None:
    """Which of the scenario's needs an offering clause meets, if any."""
    result, ev = reading.result, reading.result.evidence
    looking = [o for o in clause.offers if o.kind == "look"]
    rule_offer = clause.rule_offers
    ranked = sorted(per_need.items(), key=lambda kv: -kv[1][0])
    top_sim, top_entry = ranked[0][1] if ranked else (0.0, None)
    # Closer to a rigid response than to the solution: not an offer by meaning.
    # An exclamation that names a solution ("Oh dear, the glass repair") offers nothing.
    # A state with nothing on offer ("the vans are fully booked") states the problem.
    # So does a wish or a maybe ("I wish I could refund it", "a refund might be possible").
    states = any(p.search(clause.low) for p in (_EXCLAIMS, lx.UNAVAILABLE, _WISH, lx.HEDGED))
    strong = top_sim >= SOLUTION_BY_MEANING and top_sim > rigid_sim + 0.05 and not states
    if looking and not rule_offer:
        # "Let me ask the porter whether a cot is free" looks at a real
        # solution, but has not committed to it: no need is met yet.
        if top_entry is not None and top_sim >= SOLUTION_WITH_RULE:
            looking[0].strength = max(looking[0].strength, LOOKING_AT + 5)
            ev.append(
                Evidence(
                    "flexibility",
                    clause.text,
                    0,
                    f'looks into a solution the scenario lists: "{top_entry.text}" (similarity {top_sim:.2f})',
                )
            )
    elif top_entry is not None and ((rule_offer and top_sim >= SOLUTION_WITH_RULE) or strong):
        if not rule_offer:
            clause.offers.append(Offer("meaning", clause.text, clause.index, OFFER))
        # Which need(s): by what the offer is about, not by how it is phrased.
        # The cosine above says "this is offered like a solution"; whether it
        # is the beds' or the linen's solution is the content's to say.
        hits = (
            _needs_by_content(clause.span, index, scene.encode, CONTENT_MIN, CONTENT_MARGIN, lenient=True)
            if scene.encode is not None
            else _needs_by_words(clause.span, index)
        )
        if not hits and (scene.encode is None or top_sim >= SOLUTION_BY_MEANING):
            hits = [(clause.text, top_entry, top_sim)]
        for piece, entry, sim in hits:
            _meet(result, ev, piece, entry, sim)
            if entry.beyond:
                reading.extras.append(clause.text)
    elif scene.encode is not None and not rule_offer and not looking and _telegraphic(clause.span):
        # "Hotel voucher. Late checkout.": a solution named, with no verb to offer it.
        hits = _needs_by_content(clause.span, index, scene.encode, CONTENT_ALONE, ALONE_MARGIN)
        if hits and top_sim > rigid_sim + 0.05:
            clause.offers.append(Offer("meaning", clause.text, clause.index, OFFER - 4))
            for piece, entry, sim in hits:
                _meet(result, ev, piece, entry, sim)
    elif scene.encode is not None and rule_offer and not looking:
        # The clause as a whole is shaped like none of the solutions, but what
        # it offers may plainly be one: "I'll arrange for an engineer to visit".
        for piece, entry, sim in _needs_by_content(
            clause.span, index, scene.encode, CONTENT_ALONE, ALONE_MARGIN
        ):
            _meet(result, ev, piece, entry, sim)


_PRONOUN = re.compile(r"\b(?:i|we|you|he|she|they|it|i'm|we're|you're|it's|there's|that's|this|that)\b")


# "Oh, and a hire car too" adds an offer; "how about a hire car?" suggests one.
_EXCLAIMS = re.compile(
    r"^(?:oh|ah|aw+|ooh|wow|gosh|goodness|bless|poor|dear me|what a|"
    # Good wishes: "Happy birthday!", "congratulations on the new job".
    r"happy [a-z]+(?: [a-z]+)?(?=\s*[!.,]|\s*$| to (?:you|you both|you two|the two of you)\b)|"
    r"many happy returns|congratulations|congrats|best wishes|merry [a-z]+)\b(?!,? and\b)"
)


# The trainee's own wish, not a deed: "I wish I could", "if I could, I would".
_WISH = re.compile(
    r"\bwish (?:i|we) (?:could|were|had)\b|^if (?:i|we) could\b|\b(?:i'd|we'd) love to,? but\b"
)
_LIST_PRONOUN = re.compile(r"\b(?:me|my|us|him|her|them|their|theirs|there'll|there)\b")


def _telegraphic(span: Span) -> bool:
    """A short clause with no subject, not a question, and not a greeting, thanks or an
    apology: a note-style reply ("Hotel voucher. Late checkout."), or a list of such
    notes ("loan van tonight, new tyres Friday, the fitting free")."""
    low = span.low.strip()
    words = len(low.split())
    # A list is notes, not orders or asks: "Give me your number, today" asks.
    listed = (
        words <= 24
        and all(len(p.split()) <= 6 for p in conjuncts(low))
        and not lx.COMMAND.search(low)
        and not lx.INFO_REQUEST.search(low)
        and not _LIST_PRONOUN.search(low)
    )
    return (
        not span.is_question
        and 1 <= words
        and (words <= 8 or listed)
        # "Oh love, your grandad's watch": an exclamation, not a note of what is done.
        and not _EXCLAIMS.match(low)
        and not _PRONOUN.search(low)
        and not has_negation(low)
        and not lx.POLICY.search(low)
        and not lx.UNAVAILABLE.search(low)
        and not lx.GREETING.pattern.search(low)
        and not lx.APOLOGY.search(low)
        and not lx.COURTESY_POSITIVE[0].pattern.search(low)
    )


# -- step 2: an offer the customer already turned down ---------------------------


def _drop_rejected(clause: _Clause, scene: Scene, reading: _Reading) -> None:
    if not clause.rule_offers or not scene.rejected:
        return
    hit = None
    for j, text in enumerate(scene.rejected):
        sim = (
            float(scene.rejected_vectors[j] @ clause.vector)
            if (scene.rejected_vectors is not None and clause.vector is not None)
            else overlap(clause.low, text)
        )
        if sim >= REJECTED_BY_MEANING:
            hit = text
            break
    if hit is not None:
        reading.result.acts.add("repeats_rejected")
        reading.negative("repeats_rejected", clause.text, -25)
        clause.offers = []
        gone = _needs_of(scene.index, hit)
        reading.result.needs_met = [n for n in reading.result.needs_met if n not in gone]


# -- step 3: shapes that hold the customer back ------------------------------------


# Someone else to be asked first: "ask the ward if you can start later".
_ASK_FIRST = re.compile(r"\b(?:ask|check with|see|find out|speak to|talk to)\b")
# A thing that will be sent on, not a standing rule ("claims go to the insurer").
_THING_GOES = re.compile(r"\b(?:it|they|these|those|[a-z]{3,}s)(?:'ll| will| can| should| would) $")
# "I can't promise anything, but I'll ring round": a hedge before an effort, not a no.
_HEDGE = re.compile(r"(?:(?:i|we) )?(?:can't|cannot|can not|won't) (?:promise|guarantee)|no promises")
_OWN_EFFORT = re.compile(
    r"\b(?:i'll|i will|we'll|we will|let me|let's|i can|we can|i'm going to|we're going to|i've|we've|i'd|we'd)\b"
)
_BUT_NEXT = re.compile(r"[^.!?;]*?[,;-]?\s*\bbut\b([^.!?]*)", re.IGNORECASE)


def _hedge_then_effort(reply: str, at: int) -> bool:
    """Whether the sentence goes on "but ..." to the speaker's own effort, not a no or a put-off."""
    m = _BUT_NEXT.match(reply, at)
    if m is None:
        return False
    rest = normalise(m.group(1))
    if any(p.search(rest) for p in (lx.REFUSAL, lx.DEFERS, lx.SENDS_AWAY, lx.POLICY)):
        return False
    return _OWN_EFFORT.search(rest) is not None


def _note_holdbacks(clause: _Clause, reading: _Reading, denies: bool = False, hedged: bool = False) -> None:
    """`denies`: the customer asked whether she is doubted or blamed, so a first "No"
    answers that ("No, of course not"); it refuses nothing. `hedged`: "but" follows in
    the same sentence."""
    span, low, result = clause.span, clause.low, reading.result
    m = lx.REFUSAL.search(low)
    if m is not None and denies and m.start() == 0 and m.group(0) in {"no", "nope"}:
        m = None
    if m is not None and _HEDGE.fullmatch(m.group(0)) and hedged:
        m = None
    if m is None and not clause.rule_offers:
        m = lx.LIMIT.search(low)  # "three weeks is the earliest we can offer"
    if m is not None and not lx.EXCEPTION.search(low) and not _apology_only_negation(low, m):
        reading.negative("refusal", _cut(span, m), -28)
        result.acts.add("refuses")
    if (m := lx.POLICY.search(low)) and not lx.EXCEPTION.search(low) and not _raw_negated(span, m):
        looking = any(o.kind == "look" for o in clause.offers)
        reading.negative("policy", _cut(span, m), -6 if looking else -22)
        result.acts.add("cites_policy")
    # "Let me call the other branch and hold a bike for you": the speaker does it for
    # the customer, who is not sent off to manage alone.
    does_it = any(o.owner and o.kind not in {"file", "look"} for o in clause.offers)
    m = lx.SENDS_AWAY.search(low)
    if m is not None and m.group(0).startswith("go ") and _THING_GOES.search(low, 0, m.start()):
        m = None  # "her details will go to the first aider": a thing sent on, not the customer
    if m is not None and not _raw_negated(span, m) and not does_it:
        reading.negative("sends_away", _cut(span, m), -32)
        result.acts.add("sends_away")
    if m := _deferral(low, clause.offers):
        reading.negative("defers", _cut(span, m), -15)
    if m := lx.BURDEN_BACK.search(low):
        reading.negative("burden", _cut(span, m), -5)
    if m := lx.DISMISSAL.pattern.search(low):
        reading.negative("dismissal", _cut(span, m), -20)
    elif clause.mocking and (m := lx.SARCASM.pattern.search(low)):
        # "Sure, we've got a magic wand in the back": the request mocked is the request turned down.
        reading.negative("dismissal", _cut(span, m), -20)
    if m := lx.BLAME.pattern.search(low):
        reading.negative("blame", _cut(span, m), -6)
    if any(o.kind == "file" for o in clause.offers):
        reading.negative("defers", next(o.phrase for o in clause.offers if o.kind == "file"), -15)


# A day named puts a thing off, unless something is done for that day: "come back
# tomorrow" defers; "I've booked the fitter for tomorrow" does not.
_WHEN_ONLY = frozenset({"tomorrow", "in the morning", "next week"})


def _deferral(low: str, offers: list[Offer]) -> re.Match[str] | None:
    """Where the clause puts the thing off, if it does."""
    m = lx.DEFERS.search(low)
    if m is not None and m.group(0) in _WHEN_ONLY and lx.DEFERS.search(low, m.end()) is None:
        done = any(o.kind not in {"look", "file"} for o in offers)
        if done or lx.THIRD_PARTY.search(low) is not None:
            return None
    return m


def _apology_only_negation(low: str, m: re.Match[str]) -> bool:
    """ "Sorry, we haven't ..." that apologises for the problem, and then asks or acts."""
    return bool(lx.APOLOGY.search(low, 0, m.start())) and bool(
        lx.INFO_REQUEST.search(low, m.end()) or lx.COMMITMENT.search(low, m.end())
    )


# -- step 4: what lifts an offer ------------------------------------------------------


def _note_lifts(clause: _Clause, reading: _Reading) -> None:
    span, low = clause.span, clause.low
    if m := lx.OWNERSHIP.search(low):
        reading.owner_phrases.append(_cut(span, m))
    for m in (lx.EXTRA.search(low), lx.FOLLOW_UP.search(low), lx.EXCEPTION.search(low)):
        if m and not _negated(span, m):
            reading.extras.append(_cut(span, m))
    if (m := lx.IMMEDIACY.search(low)) and reading.immediacy is None:
        reading.immediacy = _cut(span, m)
    if span.is_question and not any(o.kind == "option" for o in clause.offers) and not lx.CLOSING.search(low):
        reading.asks = True
    if lx.INFO_REQUEST.search(low) and (span.is_question or lx.REQUEST_START.match(low)):
        reading.info = True


def _name_acts(reading: _Reading) -> None:
    result = reading.result
    if reading.asks or reading.info:
        result.acts.add("asks")
    real = [o for o in result.offers if o.kind not in {"look", "file"}]
    looks = [o for o in result.offers if o.kind == "look"]
    if real:
        result.acts.add("offers")
    if any(o.owner for o in real) or (reading.owner_phrases and (real or looks)):
        result.acts.add("owns")


# -- step 5: the score, every point of it shown ------------------------------------------


def _score(reading: _Reading, spans: list[Span], reply: str, scene: Scene) -> None:
    result, ev = reading.result, reading.result.evidence
    real = [o for o in result.offers if o.kind not in {"look", "file"}]
    looks = [o for o in result.offers if o.kind == "look"]
    ev.insert(0, Evidence("flexibility", "", NOTHING, "starting point: neither helps nor refuses"))
    score: float = NOTHING
    if real:
        score = _score_offer(reading, real)
    elif looks:
        best = max(looks, key=lambda o: o.strength)
        score = best.strength
        reason = (
            "promises to look into something concrete"
            if best.strength > ASKING
            else "promises to look, no commitment"
        )
        ev.append(Evidence("flexibility", best.phrase, best.strength - NOTHING, reason))
    elif reading.asks or reading.info:
        score = ASKING
        phrase = next((s.text for s in spans if s.is_question or lx.INFO_REQUEST.search(s.low)), reply)
        late = max(0, scene.turn - 2)
        if late:
            score -= min(20, 7 * late)
            ev.append(
                Evidence(
                    "flexibility",
                    phrase,
                    round(score - NOTHING),
                    f"still only asking questions at reply {scene.turn}",
                )
            )
        else:
            ev.append(Evidence("flexibility", phrase, ASKING - NOTHING, "gathers information first"))
        result.only_asks = True

    if (real or looks) and reading.extras:
        # The unrequested extra: it only counts when it is not what the customer asked for.
        extra = next((x for x in reading.extras if not _asked_for(x, scene.customer_low)), None)
        if extra is not None:
            score += 10
            result.beyond.append(extra)
            result.acts.add("goes_beyond")
            ev.append(Evidence("flexibility", extra, 10, "goes beyond: an extra or a small exception"))

    says_why = lx.REFUSAL_REASON.search(normalise(reply)) is not None
    put_off = bool({"defers", "refusal", "policy"} & set(reading.negatives))
    score = _apply_holdbacks(reading, real, looks, score, says_why)
    if real and put_off and _extras_only(real, reading.met_in, scene) and score > EXTRAS_ONLY_CAP:
        # "You'll wait till nine, but the first drink's on us": kind, and the main need still put off.
        ev.append(
            Evidence(
                "flexibility",
                "",
                EXTRAS_ONLY_CAP - round(score),
                "only an extra, the main need put off: capped",
            )
        )
        score = EXTRAS_ONLY_CAP
    # Keep 0 for the rude; a polite "no" is bad, not the worst (label 1 is 5-20).
    floor = 0 if "dismissal" in result.flags else 5
    bounded = max(floor, min(100, round(score)))
    if bounded != round(score):
        ev.append(Evidence("flexibility", "", bounded - round(score), f"scores stay within {floor}-100"))
    result.score = bounded


EXTRAS_ONLY_CAP = 58


def _extras_only(real: list[Offer], met_in: dict[int, set[str]], scene: Scene) -> bool:
    """Whether every offer is no more than an extra: it meets only a need the scenario
    marks optional, or meets none and is a gesture ("on the house")."""
    if scene.index is None:
        return False
    needs = scene.index.scenario.needs
    required = {n.id for n in needs if n.required}
    if not required:
        return False
    for offer in real:
        met = met_in.get(offer.clause, set())
        if met & required or (not met and offer.kind != "nominal"):
            return False
    return True


def _score_offer(reading: _Reading, real: list[Offer]) -> float:
    result, ev = reading.result, reading.result.evidence
    best = max(real, key=lambda o: o.strength)
    score: float = best.strength
    ev.append(Evidence("flexibility", best.phrase, best.strength - NOTHING, _offer_reason(best)))
    # "Fine, I'll call him": the yes and the deed that carries it out are one solution.
    doing = [o for o in real if o.kind != "accept"] or real
    distinct = {(o.clause, o.part) for o in doing}
    if len(distinct) >= 2 or any(o.kind == "option" and " or " in o.phrase.lower() for o in real):
        score += 8
        ev.append(Evidence("flexibility", real[-1].phrase, 8, "more than one solution, or a choice"))
    owner = next((o.phrase for o in real if o.owner), None) or (
        reading.owner_phrases[0] if reading.owner_phrases else None
    )
    if owner:
        score += 5
        result.ownership_points += 5
        ev.append(Evidence("flexibility", owner, 5, "takes ownership"))
    if reading.immediacy:
        score += 4
        ev.append(Evidence("flexibility", reading.immediacy, 4, "says when: now"))
    if result.needs_met:
        score += 4  # shown on the first "offers a solution the scenario lists" line
    return score


def _apply_holdbacks(
    reading: _Reading, real: list[Offer], looks: list[Offer], score: float, says_why: bool = False
) -> float:
    result, ev = reading.result, reading.result.evidence
    for key, (phrase, points) in reading.negatives.items():
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
    if looks and reading.negatives.get("policy", ("", 0))[1] > -10:
        hard.discard("policy")  # "let me see what the policy says" is looking, not hiding
    if "defers" in result.flags and not real:
        result.acts.add("defers")
        hard |= {"defers"} if not looks else set()
    if hard and not real:
        # A "no" with no alternative is a refusal, however it is dressed.
        cap = 30 if len(hard) == 1 else 18
        if score > cap:
            ev.append(Evidence("flexibility", "", round(cap - score), "no alternative offered: capped"))
            score = cap
        if hard == {"refusal"} and not looks and says_why:
            # "Sorry, the van's broken" says why; "No." does not.
            ev.append(Evidence("flexibility", "", 10, "says why not"))
            score += 10
        if "burden" in result.flags and score < 25:
            # "Is there a friend who could collect you?" is a weak way out, not a flat no.
            ev.append(Evidence("flexibility", "", round(25 - score), "suggests a way out, however weak"))
            score = 25
    return score


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
) -> list[tuple[str, Entry, float]]:
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
    hits: list[tuple[str, Entry, float]] = []
    best: tuple[float, str, Entry] | None = None
    for piece, text, vector in zip(pieces, texts, vectors, strict=True):
        ranked = sorted(index.content_per_need(vector, content_stems(text)).values(), key=lambda x: -x[0])
        if not ranked:
            break
        score, entry = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if best is None or score > best[0]:
            best = (score, piece, entry)
        if score >= threshold and score - runner_up >= margin and all(e.key != entry.key for _, e, _ in hits):
            hits.append((piece, entry, score))
    if not hits and lenient and best is not None and best[0] >= threshold:
        hits.append((best[1], best[2], best[0]))
    return hits


def _needs_by_words(span: Span, index: ScenarioIndex) -> list[tuple[str, Entry, float]]:
    """Without the embedding model: each conjunct of the offer ("I'll bring a mattress",
    "blankets up myself") meets the need whose solution shares its words."""
    hits: list[tuple[str, Entry, float]] = []
    for piece in _offer_pieces(span):
        low = normalise(piece)
        score, entry = max(
            ((_lexical_score(low, e.text), e) for e in index.solutions),
            key=lambda x: x[0],
            default=(0.0, None),
        )
        if entry is not None and score >= SOLUTION_WITH_RULE and all(e.key != entry.key for _, e, _ in hits):
            hits.append((piece, entry, score))
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
        if not offers and _telegraphic(span):
            texts.extend(content_of(p) for p in _offer_pieces(span))
            continue
        if not any(o.kind not in {"look", "file"} for o in offers):
            continue
        if has_negation(low) or lx.REFUSAL.search(low) or lx.SENDS_AWAY.search(low) or lx.POLICY.search(low):
            continue
        if span.is_question and not (lx.OPTIONS.search(low) or any(o.kind == "guide" for o in offers)):
            continue
        texts.extend(content_of(p) for p in _offer_pieces(span))
    return Foresight(texts, bool(texts), accepts)


def _meet(result: FlexResult, ev: list[Evidence], phrase: str, entry: Entry, similarity: float) -> None:
    if entry.key in result.needs_met:
        return
    result.needs_met.append(entry.key)
    first = len(result.needs_met) == 1
    ev.append(
        Evidence(
            "flexibility",
            phrase,
            4 if first else 0,  # the +4 for meeting a need is counted once, in _score_offer
            f'{"offers" if first else "also offers"} a solution the scenario lists: "{entry.text}"'
            f" (similarity {similarity:.2f})",
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
