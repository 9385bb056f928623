"""What a grade embeds, and in how many encoder calls (cases written for these tests).

The grader puts everything a reply's grade is likely to need into one encoder
batch (grading/rubric.py): the guess may only cost time, never change a grade.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.grading import flexibility
from simulator.grading.base import GradeContext
from simulator.grading.embeddings import Embedder
from simulator.grading.rubric import RubricGrader
from simulator.scenario import Scenario

OPENING = "Good evening. There are beds for three and we are five. Can you help us, please?"
REPLIES = [
    "Good evening! I'm so sorry. I'll bring a folding bed and two extra pillows up myself right away.",
    "I'm afraid we can't give you a mattress, the rules are the rules.",
    "Of course, right away.",
    "Let me check what we have. Could you tell me the children's ages?",
    "I can't change the booking, but I'll bring a rollaway bed up now, and fresh sheets too.",
]


class CountingModel:
    """The real encoder, counting its calls and the sentences it was given."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> Any:
        self.calls.append(list(texts))
        return self.model.encode(texts)


@pytest.fixture(scope="module")
def counted() -> tuple[RubricGrader, Embedder, CountingModel]:
    embedder = Embedder()
    if not embedder.available:
        pytest.skip("all-MiniLM-L6-v2 is not installed (see the README set-up)")
    counter = CountingModel(embedder._model)
    embedder._model = counter
    return RubricGrader(embedder=embedder), embedder, counter


def test_a_reply_is_one_encoder_call(
    counted: tuple[RubricGrader, Embedder, CountingModel], hotel: Scenario
) -> None:
    grader, embedder, counter = counted
    grader.warm_up(hotel)
    for reply in REPLIES:
        embedder.clear_cache()
        counter.calls.clear()
        grader.grade(reply, GradeContext(scenario=hotel, customer_line=OPENING))
        assert len(counter.calls) == 1, (reply, counter.calls)
        texts = counter.calls[0]
        assert len(texts) == len(set(texts))  # nothing encoded twice


def test_scenario_phrases_are_not_encoded_again(
    counted: tuple[RubricGrader, Embedder, CountingModel], hotel: Scenario
) -> None:
    grader, embedder, counter = counted
    grader.warm_up(hotel)
    rejected = hotel.needs[0].solutions[0].text
    embedder.clear_cache()  # forgets replies, not the scenario loaded above
    counter.calls.clear()
    grader.grade("I'll bring a folding bed up now.", GradeContext(scenario=hotel, rejected=(rejected,)))
    assert all(rejected not in call for call in counter.calls)


def test_the_batch_guess_never_changes_a_grade(
    counted: tuple[RubricGrader, Embedder, CountingModel], hotel: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    grader, embedder, _ = counted
    contexts = [
        GradeContext(scenario=hotel, customer_line=OPENING),
        GradeContext(scenario=hotel, customer_line="What about an extra mattress on the floor?"),
    ]
    pairs = [(reply, context) for reply in REPLIES for context in contexts]
    guessed = []
    for reply, context in pairs:
        embedder.clear_cache()
        guessed.append(grader.grade(reply, context).to_dict())
    # No guess at all: the offers' contents and the customer's line are encoded
    # only when the rules ask for them.
    monkeypatch.setattr(flexibility, "foresee", lambda spans, line: flexibility.Foresight([], True, False))
    for (reply, context), expected in zip(pairs, guessed, strict=True):
        embedder.clear_cache()
        assert grader.grade(reply, context).to_dict() == expected
