"""The grader interface: what a grade holds and what a grader is given."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from simulator.scenario import Scenario

Dimension = Literal["courtesy", "flexibility", "empathy", "ownership"]


@dataclass(frozen=True)
class Evidence:
    """One reason for a score: the trainee's own words and what they did to it."""

    dimension: Dimension
    phrase: str
    effect: int  # points added (positive) or taken (negative)
    reason: str  # e.g. "apology", "command without a softener"


@dataclass(frozen=True)
class GradeContext:
    """What the grader knows besides the reply itself."""

    scenario: Scenario | None = None
    customer_line: str | None = None
    turn: int = 1  # 1 for the trainee's first reply
    previous_replies: tuple[str, ...] = ()
    unmet_needs: tuple[str, ...] | None = None  # need ids; None means all
    rejected: tuple[str, ...] = ()  # solutions the customer already turned down
    customer_upset: bool = False


@dataclass(frozen=True)
class Grade:
    courtesy: int  # 0-100
    flexibility: int  # 0-100
    evidence: tuple[Evidence, ...] = ()
    tip: str = ""
    acts: frozenset[str] = frozenset()  # simulator.scenario.ACTS detected in the reply
    needs_met: tuple[str, ...] = ()  # need ids whose solution the reply really offers
    rigid: tuple[str, ...] = ()  # need ids whose rigid response the reply matches
    said: tuple[str, ...] = ()  # trigger ids whose `says` phrases the reply matches
    facts_asked: tuple[str, ...] = ()  # customer fact ids the reply asks about
    model_answer: str | None = None  # shown when flexibility is low
    empathy: int | None = None
    ownership: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["acts"] = sorted(self.acts)
        data["evidence"] = [asdict(e) for e in self.evidence]
        return data


class Grader(Protocol):
    def grade(self, reply: str, context: GradeContext) -> Grade: ...
