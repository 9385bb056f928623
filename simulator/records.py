"""A played session as a record: one shape, built once, shared by the session, storage and export.

`SessionRecord.to_dict()` is the JSON of `rehearse --json`, of an exported
session and of `Store.load` (which adds who, when and whether it was an exam).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SCORES = ("courtesy", "flexibility")


def mean_score(values: Iterable[int | float]) -> int | None:
    """A session score: the plain mean of its replies' scores, rounded; None without replies.

    A plain mean keeps the number explainable from the per-turn table. Every
    session score (finished, unfinished, in history, in a report) is this one.
    """
    values = list(values)
    return round(sum(values) / len(values)) if values else None


def session_scores(turns: Iterable[dict[str, Any]]) -> dict[str, int | None]:
    """Session courtesy and flexibility from turn records (`Turn.to_dict()`'s shape)."""
    turns = list(turns)
    return {key: mean_score(t[key] for t in turns) for key in SCORES}


@dataclass(frozen=True)
class SessionRecord:
    """What a session is, once played: session.to_dict()'s keys, in its order."""

    scenario: str
    title: str
    voice: str
    seed: int
    opening: str
    start_mood: int
    end_mood: int
    outcome: str
    ended_by: str | None
    needs_met: list[str]
    turns: list[dict[str, Any]]  # Turn.to_dict() each
    scores: dict[str, int | None]
    lookups: list[dict[str, Any]] = field(default_factory=list)  # desk lookups, LookupAnswer.to_dict() each

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "voice": self.voice,
            "seed": self.seed,
            "opening": self.opening,
            "start_mood": self.start_mood,
            "end_mood": self.end_mood,
            "outcome": self.outcome,
            "ended_by": self.ended_by,
            "needs_met": list(self.needs_met),
            "turns": list(self.turns),
            "scores": dict(self.scores),
            "lookups": list(self.lookups),
        }
