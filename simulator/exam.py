"""Exam mode: the same customer for everyone, grades hidden until the debrief, a pass mark.

The seed. Every trainee in an exam must meet the same customer, on every
machine and on every day, so the seed is derived from the scenario id alone
(`exam_seed`): SHA-256 of "exam:<scenario id>", first 31 bits. Python's
`hash()` would differ between runs, so it cannot be used. Changing the exam's
customer means giving the scenario a new id.

The pass rule (`exam_result`). A trainee passes when the session ended with the
customer's problem resolved AND both session scores, courtesy and flexibility,
are at or above the scenario's `pass_mark`. Both scores count because the
simulator teaches both; a resolved outcome counts because warm words that leave
a family without beds are not good service. A session that never ended (the
program was closed or killed) does not pass.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol


class _HasId(Protocol):
    id: str


def exam_seed(scenario: _HasId | str) -> int:
    """The fixed seed of a scenario's exam: stable across machines, runs and Python versions."""
    scenario_id = scenario if isinstance(scenario, str) else scenario.id
    digest = hashlib.sha256(f"exam:{scenario_id}".encode()).digest()
    # 31 bits: every RNG the voices use (random, numpy, torch) accepts it.
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class ExamResult:
    passed: bool
    pass_mark: int
    courtesy: int | None
    flexibility: int | None
    outcome: str
    reasons: list[str] = field(default_factory=list)  # why it failed, one sentence each

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "courtesy": self.courtesy,
            "flexibility": self.flexibility,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
        }

    def summary(self) -> str:
        verdict = "Passed" if self.passed else "Not passed"
        return (
            f"{verdict} (pass mark {self.pass_mark}: courtesy and flexibility, customer's problem resolved)."
        )


DEFAULT_PASS_MARK = 60  # the scenario model's default, for records that lack one


def exam_result(record: dict[str, Any], pass_mark: int | None = None) -> ExamResult:
    """Apply the pass rule to a session record (Session.to_dict() or Store.load())."""
    mark = pass_mark if pass_mark is not None else record.get("pass_mark")
    mark = DEFAULT_PASS_MARK if mark is None else int(mark)
    scores = record.get("scores") or {}
    courtesy, flexibility = scores.get("courtesy"), scores.get("flexibility")
    outcome = str(record.get("outcome") or "unresolved")
    finished = record.get("finished", True)
    reasons: list[str] = []
    if not finished:
        reasons.append("The exam was not finished.")
    elif outcome != "resolved":
        reasons.append(f"The customer's problem was not resolved ({outcome.replace('_', ' ')}).")
    for name, value in (("Courtesy", courtesy), ("Flexibility", flexibility)):
        if value is None:
            reasons.append(f"{name} has no score: no reply was given.")
        elif value < mark:
            reasons.append(f"{name} {value} is below the pass mark of {mark}.")
    return ExamResult(not reasons, mark, courtesy, flexibility, outcome, reasons)
