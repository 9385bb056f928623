"""The customer's state across a conversation: mood, needs met, facts told."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.scenario import Scenario


def clamp_mood(value: float) -> int:
    return max(0, min(100, round(value)))


def mood_change(courtesy: int, flexibility: int) -> float:
    """How one reply moves the mood before any trigger or need.

    Courtesy and flexibility weigh the same: a polite "no" still leaves the
    family without beds (story 1), and a rude "yes" still stings (story 3).
    Neutral replies (50/50) cost a point: time passes and nothing improves.
    The scale lets one very bad reply hurt (-12 or so) without ending the
    conversation on its own: a trainee should get the chance to recover.
    """
    return (courtesy - 55) / 8 + (flexibility - 55) / 8


@dataclass
class CustomerState:
    mood: int
    needs_met: list[str] = field(default_factory=list)
    facts_revealed: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)  # trigger ids, in order
    said: list[str] = field(default_factory=list)  # the customer's lines
    nudges: dict[str, int] = field(default_factory=dict)  # need id -> times nudged
    rejected: list[str] = field(default_factory=list)  # solutions the customer refused
    offered: dict[str, dict[str, str]] = field(default_factory=dict)  # need id -> commitment so far
    asked: list[str] = field(default_factory=list)  # the customer's own questions (asks), put
    answered: list[str] = field(default_factory=list)  # and answered

    @classmethod
    def start(cls, scenario: Scenario) -> CustomerState:
        return cls(mood=scenario.customer.start_mood, said=[scenario.opening])

    def unmet(self, scenario: Scenario, required_only: bool = False) -> list[str]:
        return [
            n.id for n in scenario.needs if n.id not in self.needs_met and (n.required or not required_only)
        ]

    def all_required_met(self, scenario: Scenario) -> bool:
        return not self.unmet(scenario, required_only=True)

    def upset(self) -> bool:
        return self.mood < 45
