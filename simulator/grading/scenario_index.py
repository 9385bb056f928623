"""A scenario's own phrases, embedded once and matched against reply clauses."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from simulator.grading.content import content_of, content_stems
from simulator.grading.embeddings import Embedder
from simulator.grading.text import normalise, words
from simulator.scenario import Scenario

# A model answer whose situation is "the customer's first line" is compared
# with the opening itself, not with those words.
_FIRST_LINE = re.compile(r"\b(?:first line|opening|first thing|greets|arrives)\b", re.IGNORECASE)
_STOP = frozenset(
    "the a an and or to of for in on at with your you i we it is are be this that my our me us can will "
    "please just have has do does did not no so as by from up".split()
)


@dataclass(frozen=True)
class Entry:
    key: str  # need id, trigger id, fact id or model-answer index
    text: str
    beyond: bool = False


@dataclass
class ScenarioIndex:
    scenario: Scenario
    solutions: list[Entry]
    rigid: list[Entry]
    proposals: list[Entry]
    says: list[Entry]
    facts: list[Entry]
    situations: list[Entry]
    answers: list[Entry]
    vectors: dict[str, Any]  # bank name -> matrix, when embeddings are available
    # The solutions without their offer frame ("a folding bed"), for which need an offer meets.
    content_stems: list[frozenset[str]] = field(default_factory=list)

    @property
    def content(self) -> list[Entry]:
        """The "content" bank: the solutions, embedded without their frame (content.py)."""
        return self.solutions

    @classmethod
    def build(cls, scenario: Scenario, embedder: Embedder | None) -> ScenarioIndex:
        solutions = [
            Entry(need.id, text, solution.beyond)
            for need in scenario.needs
            for solution in need.solutions
            for text in (solution.text, *solution.examples)
        ]
        rigid = [Entry(need.id, text) for need in scenario.needs for text in need.rigid_responses]
        proposals = [Entry(need.id, text) for need in scenario.needs for text in need.customer_proposals]
        says = [Entry(t.id, phrase) for t in scenario.triggers for phrase in t.says]
        facts = [Entry(f.id, phrase) for f in scenario.customer.facts for phrase in f.asked_by]
        situations = [
            Entry(str(i), scenario.opening if _FIRST_LINE.search(m.situation) else m.situation)
            for i, m in enumerate(scenario.model_answers)
        ]
        answers = [Entry(str(i), m.answer) for i, m in enumerate(scenario.model_answers)]
        index = cls(scenario, solutions, rigid, proposals, says, facts, situations, answers, {})
        index.content_stems = [content_stems(e.text) for e in solutions]
        if embedder is not None:
            # Every bank in one call: the encoder packs them into few passes, and a
            # phrase found in two banks is encoded once.
            banks = {
                name: [e.text for e in getattr(index, name)]
                for name in ("solutions", "rigid", "proposals", "says", "facts", "situations", "answers")
            }
            banks["content"] = [content_of(e.text) for e in solutions]
            matrix = embedder.encode([text for texts in banks.values() for text in texts], keep=True)
            start = 0
            for name, texts in banks.items():
                if texts:
                    index.vectors[name] = matrix[start : start + len(texts)]
                start += len(texts)
        return index

    def best(self, bank: str, vector: Any) -> tuple[float, Entry | None]:
        """The closest entry of a bank to one embedded sentence, and its cosine."""
        matrix = self.vectors.get(bank)
        entries: list[Entry] = getattr(self, bank)
        if matrix is None or not entries:
            return 0.0, None
        sims = matrix @ vector
        i = int(sims.argmax())
        return float(sims[i]), entries[i]

    def best_per_key(self, bank: str, vector: Any) -> dict[str, tuple[float, Entry]]:
        matrix = self.vectors.get(bank)
        entries: list[Entry] = getattr(self, bank)
        result: dict[str, tuple[float, Entry]] = {}
        if matrix is None:
            return result
        for sim, entry in zip((matrix @ vector).tolist(), entries, strict=True):
            if entry.key not in result or sim > result[entry.key][0]:
                result[entry.key] = (sim, entry)
        return result

    def content_per_need(self, vector: Any, stems: frozenset[str]) -> dict[str, tuple[float, Entry]]:
        """Per need, how closely a piece's content matches a solution's content.

        Cosine of the frame-less texts, plus a little for each content word the
        two share: a short noun phrase ("a camp bed") embeds loosely, and the
        shared word is what tells beds from bed linen.
        """
        result: dict[str, tuple[float, Entry]] = {}
        matrix = self.vectors.get("content")
        sims = (matrix @ vector).tolist() if matrix is not None and vector is not None else None
        for i, entry in enumerate(self.solutions):
            theirs = self.content_stems[i]
            shared = len(stems & theirs) / len(stems) if stems else 0.0
            score = (sims[i] if sims is not None else 0.0) + SHARED_WORDS_WEIGHT * shared
            if entry.key not in result or score > result[entry.key][0]:
                result[entry.key] = (score, entry)
        return result


SHARED_WORDS_WEIGHT = 0.15  # all of a piece's content words in one solution: +0.15 cosine


def content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in words(normalise(text)) if w not in _STOP and len(w) > 2}


def overlap(a: str, b: str) -> float:
    """Share of b's content words found in a: the rules-only stand-in for meaning."""
    wb = content_words(b)
    if not wb:
        return 0.0
    return len(content_words(a) & wb) / len(wb)


class IndexCache:
    """Scenario phrase embeddings, computed once per scenario object."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, int, bool], ScenarioIndex] = {}

    def get(self, scenario: Scenario, embedder: Embedder | None) -> ScenarioIndex:
        key = (scenario.id, id(scenario), embedder is not None)
        with self._lock:
            found = self._items.get(key)
            if found is not None and found.scenario is scenario:
                return found
        index = ScenarioIndex.build(scenario, embedder)
        with self._lock:
            if len(self._items) > 32:  # trainers may reload edited files many times
                self._items.clear()
            self._items[key] = index
        return index
