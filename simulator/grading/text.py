"""Splitting a reply into sentences and clauses, and finding negation.

Every transformation keeps character offsets, so the evidence can quote the
trainee's own words from the original reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Curly quotes become straight ones one character for one, so offsets survive.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

# A sentence ends at . ! ? ; or a line break, but not inside "Mrs. Levi" or "10.30".
_SENTENCE_END = re.compile(r"(?<!\bmrs)(?<!\bmr)(?<!\bms)(?<!\bdr)(?<!\bst)[.!?;\n]+(?=\s|$)|\s+-\s+|\s+—\s+")
# Inside a sentence, a clause turns at "but", "however", "although" and similar:
# "I'm sorry, but no" has a polite clause and a refusing one.
_CLAUSE_TURN = re.compile(
    r",?\s+\b(?:but|however|although|though|except|unless|whereas)\b|,\s+(?=(?:and )?(?:i|we|i'll|we'll|i'm|we're)\b)|"
    r":\s+"
)

# Words that negate what follows them in the same clause.
NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|won't|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|"
    r"shouldn't|wouldn't|couldn't|mustn't|haven't|hasn't|nothing|nobody|none|nowhere|neither|nor|"
    r"unable|impossible|without|refuse|against)\b|n't\b"
)

# Fixed phrases that contain a negation word but do not negate an offer
# ("extra bed, no charge", "no worries"), and phrases whose negation is itself
# a kindness ("I won't leave you stranded"). They are blanked out before the
# negation search, keeping offsets.
NOT_NEGATION = re.compile(
    r"\b(?:no (?:extra )?(?:charge|cost|fee|problem|problems|worries|trouble|rush|need to worry)|"
    r"not a problem|not to worry|free of charge|at no (?:extra )?(?:cost|charge)|"
    r"without (?:any )?(?:charge|cost|delay|waiting|fail)|don't worry|do not worry|"
    r"no later than|nothing to pay|won't cost|won't take long|not long|no time|"
    r"(?:won't|will not|wouldn't|shan't) be (?:charged|billed|invoiced)|not (?:be )?(?:charged|billed)|"
    r"(?:won't|will not) (?:have to )?pay (?:a penny|anything|a thing|a cent|extra)|"
    r"(?:won't|will not|never|not going to) (?:leave|abandon|send) you|"
    r"can't imagine|cannot imagine|can't believe|couldn't agree|"
    r"(?:isn't|is not|that's not|not) (?:what you (?:booked|ordered|paid for|expected)|ok|okay|acceptable|right)|"
    r"not just|not only|no matter|no doubt|"
    r"don't mind|wouldn't mind|why not|no one should|shouldn't (?:stop|matter|have to))\b|"
    # "without a fee", "it won't come to that", "you shouldn't spend the night here": no refusal
    r"\bwithout (?:a |any |the )?(?:extra )?(?:fee|charge|penalty|cost|paying|payment|fuss)\b|"
    r"\bwon't come to that\b|\byou shouldn't (?:spend|need|worry|have)\b|\bno need (?:to|for)\b|"
    r"\bnot (?:on a bench|a problem|at all)\b|\bwon't (?:be long|take long|happen again)\b|"
    # Dismay on the customer's behalf ("Oh no, poor thing"), not an answer.
    r"\boh,? no\b|\bno wonder\b|\bno probs?\b|\bnot a (?:single )?(?:penny|cent|pound|thing) (?:goes|will go|comes|leaves)\b|"
    # "so nobody can undo it": a safeguard, not a refusal.
    r"\bso (?:that )?(?:nobody|no one|nothing) (?:can |will |else )?[a-z]+s?\b|"
    # "so you won't have to repeat anything": spared a chore, not refused a thing.
    r"\b(?:so )?you (?:won't|don't|will not|do not|shouldn't) (?:have|need) to\b|"
    # Spared a charge or a chase: "you won't be chased", "nothing is payable", "no payment is due".
    r"\byou (?:won't|will not) (?:be (?:chased|charged|billed|fined)|get any|owe|pay)\b|"
    r"\bnothing (?:is|will be) (?:payable|due|owed|charged)\b|\bno (?:payment|charge|fee|fine|penalty) (?:is|will be) (?:due|payable|taken|charged)\b"
)


def normalise(text: str) -> str:
    """Lower case with straight quotes; same length as the input."""
    return text.translate(_QUOTES).lower()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str  # original words
    low: str  # normalised words, same offsets

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")


def _spans(original: str, low: str, cuts: list[tuple[int, int]], keep_cut: bool, base: int = 0) -> list[Span]:
    """Pieces of original between cuts; keep_cut keeps end punctuation with its piece."""
    spans: list[Span] = []
    start = 0
    for cut_start, cut_end in [*cuts, (len(low), len(low))]:
        piece_end = cut_end if keep_cut else cut_start
        raw, lowered = original[start:piece_end], low[start:piece_end]
        lead = len(raw) - len(raw.lstrip(" ,-\n\t"))
        raw, lowered = raw[lead:].rstrip(), lowered[lead:].rstrip()
        if lowered.strip(" .,!?;-"):
            spans.append(Span(base + start + lead, base + start + lead + len(raw), raw, lowered))
        start = cut_end
    return spans


def sentences(original: str) -> list[Span]:
    low = normalise(original)
    cuts = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(low)]
    return _spans(original, low, cuts, keep_cut=True)


def clauses(original: str) -> list[Span]:
    """Sentences, each cut further at "but", "however" and a new "I'll"."""
    result: list[Span] = []
    for sentence in sentences(original):
        cuts = [(m.start(), m.end()) for m in _CLAUSE_TURN.finditer(sentence.low)]
        pieces = _spans(sentence.text, sentence.low, cuts, keep_cut=False, base=sentence.start)
        if pieces and sentence.is_question and not pieces[-1].is_question:
            pieces[-1] = Span(pieces[-1].start, pieces[-1].end, pieces[-1].text + "?", pieces[-1].low + "?")
        result.extend(pieces)
    return result


def mask(low: str, pattern: re.Pattern[str]) -> str:
    """Blank out matches of pattern, keeping offsets."""
    return pattern.sub(lambda m: " " * len(m.group(0)), low)


def negated_before(low: str, position: int) -> re.Match[str] | None:
    """The negation word governing position, if any: same clause, before it.

    Uses the text with harmless fixed phrases ("no charge") blanked out.
    """
    masked = mask(low, NOT_NEGATION)
    last: re.Match[str] | None = None
    for match in NEGATION.finditer(masked, 0, position):
        last = match
    return last


def has_negation(low: str) -> bool:
    return NEGATION.search(mask(low, NOT_NEGATION)) is not None


# Negations that do not deny the clause's offer: a condition ("if it isn't in stock"), a
# purpose ("so nobody can undo it"), an instruction given ("told them not to release it").
_SUBORDINATE = re.compile(
    r"\b(?:if|unless|until|till|whether|in case|so that|even if|as long as|to make sure|make sure|"
    r"so (?=nobody|no one|nothing|(?:you|u|ur|you're|youre|u're|it|it's|its|they|they're|he|she|he's|she's) "
    r"(?:don't|dont|do not|won't|wont|will not|needn't|aren't|arent|are not|isn't|isnt|is not|not|never)\b))\b[^,;:]*|"
    r"\bnot to\b|\bnot (?:yours|your fault|you)\b|"
    # "logged as our cancellation, not a missed appointment": a contrast, not a denial
    r",\s*not (?:a|an|the|your|our)\b[^,;:]*"
)


def main_negation(low: str) -> bool:
    """A negation in the clause itself, not in a condition, a purpose or an instruction."""
    return has_negation(mask(low, _SUBORDINATE))


def words(low: str) -> list[str]:
    return re.findall(r"[a-z][a-z']*", low)
