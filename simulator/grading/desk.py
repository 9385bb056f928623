"""What the desk means for a grade: reading the system out is information, not an offer.

"The storeroom has two spare mattresses" tells the customer what exists; it does
not give them one. One function, applied by the session to any grader's grade.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from simulator.grading.base import Evidence, Grade
from simulator.grading.scenario_index import content_words
from simulator.grading.text import clauses

QUOTES = 0.7  # share of a sentence's content words taken from one desk line
OFFER_ACTS = frozenset({"offers", "goes_beyond"})


def desk_information(grade: Grade, reply: str, shown: Sequence[str]) -> Grade:
    """`grade` with the offers that only quote what the system shows taken back.

    A sentence quotes the desk when most of its content words come from one line
    the trainee has seen (a record's field, a lookup's answer). Flexibility points
    earned inside such sentences are removed; when no offer remains outside them,
    the reply meets no need and offers nothing.
    """
    desk_words = [content_words(line) for line in shown]
    quoted = []
    for span in clauses(reply):
        words = content_words(span.text)
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
