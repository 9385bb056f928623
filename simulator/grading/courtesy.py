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
# Short sentences that are complete and kind on their own: not clipped.
_KIND_FRAGMENT = re.compile(
    r"^(?:of course|certainly|absolutely|sure|thanks|thank you|sorry|welcome|hello|hi|oh|great|right|hmm|um|"
    r"ok|okay|alright|all right|one moment|just a moment|"
    r"yes|no problem|gladly|good|lovely|perfect|excellent|understood|i see|oh dear|oh no|not at all|not necessarily|"
    r"i'm sorry|we're sorry|my apologies|apologies|good evening|good morning|good afternoon|dear|hiya|hey|"
    r"happy (?:anniversary|birthday|holidays|new year)|congratulations|welcome back|enjoy|well done|"
    r"(?:nice|great|good|lovely|excellent|brilliant|wonderful) (?:work|job|answer|catch|effort|spot|find))\b"
)
# Danescu-Niculescu-Mizil et al. (2013): a direct question ("What's your
# number?", "Did you ...?") and a "so"-start read as less polite than an
# indirect one; a sentence that starts with "you" often points at the customer.
_DIRECT_QUESTION = re.compile(r"^(?:what|why|where|which|who|did you|have you)\b")
_SUBJECT = re.compile(r"\b(?:i|we|you|it|they|he|she|that|this|there|let)\b")
_SO_START = re.compile(r"^so[,]?\s")
_YOU_START = re.compile(
    r"^you\b(?!'re (?:right|welcome|exactly|in good)| are (?:right|welcome)| must be| did everything| can\b| could\b| may\b)"
    # Reassurance said to the customer: "you're absolutely right", "you did the right thing",
    # "you won't need to", "you're going to be fine".
    r"(?!(?:'re| are) (?:absolutely|completely|quite|so) right|(?:'re| are) (?:going to|gonna) (?:be|get|have|hear)\b|"
    r"(?:'ve| have)? (?:did|done) (?:exactly |absolutely |just )?(?:the right thing|everything right|nothing wrong)|"
    r" (?:won't|will not|don't|do not) (?:need|have) to\b)"
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


# Eagerness the marks go with: "yes!!", "hiya!!", "def!! :)".
_EAGER = re.compile(
    r"^(?:yes|yeah|yeh|ye|yep|yup|ya|sure|def|definitely|of course|ofc|absolutely|hiya|hi|hello|hey|yay|np)\b|:\)|:-\)|\u263a|\U0001f642|\U0001f60a"
)


def _warm_sentence(spans: list[Span], position: int) -> bool:
    """Whether the sentence at `position` is warm ("so sorry!!", "don't worry!!"):
    there the marks are eagerness, not shouting."""
    for span in spans:
        if span.start <= position <= span.end:
            return any(r.pattern.search(span.low) for r in (*lx.COURTESY_POSITIVE, lx.DEFERENCE)) or bool(
                _EAGER.search(span.low)
            )
    return False


def shouting(reply: str) -> str | None:
    tokens = re.findall(r"[A-Za-z]{2,}", reply)
    # Short words in capitals are mostly names of things (SIM, QR, GP); shouting is in
    # everyday words ("NO", "READ THE SIGN") or longer ones.
    loud = [
        t
        for t in tokens
        if t.isupper() and t.lower() not in lx.ACRONYMS and (len(t) > 4 or t.lower() in lx.SHOUTED_WORDS)
    ]
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
    reply_low = normalise(reply)
    for index, span in enumerate(spans):
        low = span.low
        if index <= 1 and (m := lx.GREETING.pattern.search(low)):
            add(span, m, lx.GREETING.points, lx.GREETING.reason, lx.GREETING.act)
        polite_command = lx.POLITE_COMMAND.pattern.search(low)
        for r in (*lx.COURTESY_POSITIVE, lx.DEFERENCE):
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
            lx.IMPATIENCE,
            lx.INSULT,
            lx.PROFANITY,
            lx.SARCASM,
            lx.OBLIGATION,
            lx.EMPHATIC_PRESSURE,
            lx.FACTUALITY,
            lx.POINTED_WHY,
            lx.VERDICT_ON_THEIRS,
            lx.CONDESCENSION,
        ):
            if m := r.pattern.search(low):
                if r is lx.INSULT and lx.SELF_DEPRECATION.search(low) and not lx.AT_YOU.search(low):
                    continue
                if r is lx.INSULT and lx.SIDES_WITH.search(low) and not lx.AT_YOU.search(low):
                    # "Six days is ridiculous, I agree": the situation judged, on the customer's side.
                    continue
                if r is lx.SARCASM and lx.PRAISED_IDEA.fullmatch(m.group()):
                    if lx.ACTS_ON_IT.search(reply_low[span.start :]):
                        continue
                add(span, m, r.points, r.reason, r.act)
        if index == 0 and (m := lx.GRUDGING.pattern.search(low)):
            add(span, m, lx.GRUDGING.points, lx.GRUDGING.reason, None)
        # A bare imperative: the seed's agent who "issues commands".
        if not span.is_question and not lx.CARE_IMPERATIVE.match(low) and not lx.SOFTENER.search(low):
            grant = lx.GRANT.match(low) is not None
            # "Email me the receipt and I'll refund it": the agent takes up the rest.
            shared = lx.TAKES_UP.search(low) is not None
            if (m := lx.COMMAND.match(low)) and not grant:
                if shared:
                    add(span, m, -8, "command without a softener", None)
                else:
                    add(span, m, -16, "command without a softener", "commands")
        # "Membership number?": a question cut down to a demand.
        # Not when the reply then helps: "By noon? Leave it with me and I'll fix it now."
        if span.is_question and len(low.split()) <= 3 and not _FRAGMENT_OK.match(low) and not helpful:
            m = re.match(r".+", low)
            assert m is not None
            add(span, m, -10, "curt demand", None)
        elif (
            not span.is_question
            and len(low.split()) <= 2
            and not _KIND_FRAGMENT.match(low)
            # "Don't worry." "Don't apologise.": short, and kind.
            and not lx.CARE_IMPERATIVE.match(low)
            and not lx.SOFTENER.search(low)
            and not _SUBJECT.search(low)
            and (m := re.match(r".+", low))
        ):
            # "Postcode." "Approved." "Friday.": a sentence cut to a word or two.
            add(span, m, -10, "clipped fragment", None)
        if span.is_question and (m := _DIRECT_QUESTION.match(low)) and not lx.SOFTENER.search(low):
            add(span, m, -3, "direct question", None)
        if m := _SO_START.match(low):
            add(span, m, -3, 'starts with "so"', None)
        if (m := _YOU_START.match(low)) and not lx.SOFTENER.search(low):
            add(span, m, -4, 'starts with "you"', None)

    if (loud := shouting(reply)) is not None:
        evidence.append(Evidence("courtesy", loud, -20, "shouting (capitals)"))
        penalty -= 20
        result.acts.add("rude")
    if (
        (bangs := re.search(r"[!?]*![!?]*!+", reply))
        and (penalty < 0 or bonus == 0)
        and not _warm_sentence(spans, bangs.start())
    ):
        evidence.append(Evidence("courtesy", bangs.group(0), -15, "shouting (!!)"))
        penalty -= 15
        result.acts.add("rude")

    for part in name_parts(customer_name):
        # "Nothing under Szabo" names the booking, not the person spoken to.
        if m := re.search(rf"(?<!under )(?<!named )(?<!called )(?<!name of )\b{re.escape(part)}\b", reply):
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

    if bonus == 0 and penalty >= -4:
        cold = re.search(r"\S.*", reply)
        if cold and len(reply.split()) <= 8 and not reply.rstrip().endswith("?"):
            # Short and bare, at a customer with a problem: curt, not neutral,
            # even when it helps ("Approved. Someone will come.").
            points = -6 if (helpful or offers_grant) else -12
            evidence.append(
                Evidence("courtesy", cold.group(0).strip()[:60], points, "curt, no courtesy words")
            )
            penalty += points

    result.warmth = bonus
    # The points shown add up to the score: the starting point, each finding,
    # and every cap or bound as a line of its own.
    evidence.insert(0, Evidence("courtesy", "", BASE, "starting point: a plain, correct reply"))
    score = BASE + bonus + penalty
    if bonus > MAX_BONUS:
        evidence.append(Evidence("courtesy", "", MAX_BONUS - bonus, f"warmth counts up to +{MAX_BONUS}"))
        score = BASE + MAX_BONUS + penalty
    caps: list[tuple[int, str]] = []
    if "rude" in result.acts:
        insult = any(e.reason == "insult" for e in evidence)
        caps.append((15, "an insult caps courtesy at 15") if insult else (30, "rudeness caps courtesy at 30"))
    if "commands" in result.acts or "blames" in result.acts:
        caps.append((45 + min(bonus, 10), "commanding or blaming caps courtesy"))
    if bonus == 0 and len(reply.split()) <= 2 and any(e.reason == "clipped fragment" for e in evidence):
        # "Next." "Form.": a reply cut to a word is curt, whatever the word.
        caps.append((30, "a one-word reply caps courtesy at 30"))
    for cap, reason in caps:
        if score > cap:
            evidence.append(Evidence("courtesy", "", cap - score, reason))
            score = cap
    bounded = max(0, min(100, score))
    if bounded != score:
        evidence.append(Evidence("courtesy", "", bounded - score, "scores stay within 0-100"))
    result.score = bounded
    return result
