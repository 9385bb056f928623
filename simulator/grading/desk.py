"""What the desk means for a grade: reading the system out is information, not an offer.

"The storeroom has two spare mattresses" tells the customer what exists; it does
not give them one. One function, applied by the session to any grader's grade.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from simulator.grading.base import Evidence, Grade
from simulator.grading.scenario_index import content_words
from simulator.grading.text import clauses

QUOTES = 0.7  # share of a sentence's content words taken from one desk line
OFFER_ACTS = frozenset({"offers", "goes_beyond"})
# Words that frame a quote ("the system shows", "according to the screen") rather than add to it.
FRAME = frozenset(
    {"system", "show", "screen", "say", "according", "list", "record", "computer", "see", "check"}
)
_NUMBERS = dict(
    enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
)


def _words(text: str) -> set[str]:
    """Content words, with small numbers as words, so "4" on the screen is "four" in the reply."""
    spelled = re.sub(r"\b\d+\b", lambda m: _NUMBERS.get(int(m.group(0)), m.group(0)), text)
    return content_words(spelled)


def desk_information(grade: Grade, reply: str, shown: Sequence[str]) -> Grade:
    """`grade` with the offers that only quote what the system shows taken back.

    A sentence quotes the desk when most of its content words come from one line
    the trainee has seen (a record's field, a lookup's answer). Flexibility points
    earned inside such sentences are removed; when no offer remains outside them,
    the reply meets no need and offers nothing.
    """
    desk_words = [_words(line) for line in shown]
    quoted = []
    for span in clauses(reply):
        words = _words(span.text) - FRAME
        if len(words) >= 2 and any(len(words & line) / len(words) >= QUOTES for line in desk_words):
            quoted.append(span)
    if not quoted:
        return grade

    def inside(phrase: str) -> bool:
        low = phrase.strip().lower()
        return bool(low) and any(low in span.text.lower() for span in quoted)

    taken = [e for e in grade.evidence if e.dimension == "flexibility" and e.effect > 0 and inside(e.phrase)]
    offers_left = any(
        e.dimension == "flexibility" and e.effect > 0 and not inside(e.phrase) for e in grade.evidence
    )
    evidence = [e for e in grade.evidence if e not in taken]
    evidence.extend(
        Evidence("flexibility", span.text, 0, "reads out what the system shows: information, not an offer")
        for span in quoted
    )
    flexibility = max(0, grade.flexibility - sum(e.effect for e in taken))
    if offers_left:
        return dataclasses.replace(grade, evidence=tuple(evidence), flexibility=flexibility)
    return dataclasses.replace(
        grade, evidence=tuple(evidence), flexibility=flexibility, needs_met=(), acts=grade.acts - OFFER_ACTS
    )
