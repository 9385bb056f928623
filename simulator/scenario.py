"""The scenario format: typed models for the YAML files trainers write.

Unknown keys are errors everywhere (`extra="forbid"`) so a typo such as
`start_mod:` is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Outcome = Literal["resolved", "unresolved", "walked_out"]
OUTCOMES: tuple[Outcome, ...] = ("resolved", "unresolved", "walked_out")

# What a trainee's reply can do, as the grader detects it. Triggers react to
# these, so the list is closed: a trainer's typo in `when:` must be an error.
Act = Literal[
    "greets",  # hello, good evening, welcome
    "thanks",  # thank you for telling me
    "apologises",  # I'm sorry, I apologise
    "empathises",  # acknowledges the customer's feelings
    "asks",  # asks a question (clarifying, information)
    "offers",  # proposes a concrete solution (not negated)
    "owns",  # takes ownership: "I'll bring it up myself"
    "goes_beyond",  # the unrequested extra: tea, a ride, a follow-up call
    "refuses",  # a flat no
    "cites_policy",  # hides behind policy, protocol or the system
    "sends_away",  # another hotel, call a taxi, go elsewhere
    "defers",  # tomorrow, another department, fill in a form, with no action
    "commands",  # orders without softeners
    "blames",  # you should have...
    "rude",  # insults, dismissal, sarcasm, shouting
    "ignores_feelings",  # the customer is upset and the reply does not acknowledge it
    "repeats_rejected",  # offers again what the customer already turned down
]
ACTS: tuple[str, ...] = Act.__args__  # type: ignore[attr-defined]

Skill = Literal[
    "courtesy",
    "flexibility",
    "empathy",
    "ownership",
    "going-beyond",
    "honesty",
    "follow-through",
    "proactivity",
    "de-escalation",
    "guiding",
]

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# Lines a person reads; long enough for a paragraph, short enough to catch a
# pasted file or a runaway line.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Lines = Annotated[list[Text], Field(min_length=1)]
Mood = Annotated[int, Field(ge=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(Strict):
    """Something the customer knows and says only when asked."""

    id: Identifier
    text: Text = Field(description="The fact itself, for the trainer and the model voice.")
    asked_by: Annotated[list[Phrase], Field(min_length=1)] = Field(
        description="Words or short questions that make the customer reveal it "
        "(matched loosely, e.g. 'name', 'booking number')."
    )
    lines: Lines = Field(description="How the customer says it when asked.")


class Customer(Strict):
    name: Text
    background: Text
    personality: Text
    speech: Text = Field(description="The customer's way of speaking.")
    start_mood: Mood = Field(description="0 furious, 50 neutral, 100 delighted.")
    facts: list[Fact] = Field(default_factory=list)


class Solution(Strict):
    """A reply that would satisfy a need."""

    text: Text = Field(description="The solution in a sentence, as a trainee might offer it.")
    examples: list[Text] = Field(
        default_factory=list, description="Other ways a trainee might say it (helps matching)."
    )
    beyond: bool = Field(
        default=False,
        description="True for a small step outside the rules or an unrequested extra.",
    )


class Need(Strict):
    """What the customer needs before the conversation can be resolved."""

    id: Identifier
    description: Text
    required: bool = Field(default=True, description="Must be met for the outcome 'resolved'.")
    solutions: Annotated[list[Solution], Field(min_length=1)]
    rigid_responses: list[Text] = Field(
        default_factory=list,
        description="Replies that fail this need: hiding behind policy, sending the customer away.",
    )
    customer_proposals: list[Text] = Field(
        default_factory=list,
        description="Solutions the customer suggests themselves when the trainee has none.",
    )
    met_lines: Lines = Field(description="What the customer says when this need is met.")
    nudge_lines: Lines = Field(
        description="What the customer says to bring the conversation back to this need."
    )
    mood_when_met: int = Field(default=15, ge=-100, le=100)
    min_courtesy: int = Field(
        default=0,
        ge=0,
        le=100,
        description="The need counts as met only if the reply's courtesy is at least this "
        "(barked orders that name the right steps do not help an anxious customer).",
    )


class Trigger(Strict):
    """If the trainee does X, the customer does Y."""

    id: Identifier
    when: Act | None = Field(default=None, description="The trainee act that fires this trigger.")
    says: list[Phrase] = Field(
        default_factory=list,
        description="Or: fire when the reply means one of these (matched by meaning).",
    )
    need: Identifier | None = Field(default=None, description="Only while this need is still unmet.")
    min_turn: int = Field(default=1, ge=1, description="Fire only from this turn on.")
    after: Identifier | None = Field(
        default=None,
        description="Fire only once this other trigger has fired (a second send-away, say).",
    )
    once: bool = Field(default=False, description="Fire at most once per session.")
    intent: Text = Field(description="What the customer means to say, for the model voice.")
    lines: Lines = Field(description="Authored customer lines; one is used, or rephrased.")
    mood: int = Field(default=0, ge=-100, le=100, description="Mood change when it fires.")
    ends: Outcome | None = Field(default=None, description="End the conversation this way.")

    @model_validator(mode="after")
    def _needs_a_condition(self) -> Trigger:
        if self.when is None and not self.says:
            raise ValueError("a trigger needs 'when' (a trainee act) or 'says' (phrases)")
        return self


class Ending(Strict):
    lines: Lines
    intent: Text | None = None


class EndConditions(Strict):
    max_turns: int = Field(default=10, ge=1, le=60)
    walk_out_mood: Mood = Field(
        default=10, description="The customer walks out when the mood falls to this or below."
    )
    resolve_mood: Mood = Field(
        default=0, description="Required needs met is resolved only at this mood or above."
    )
    resolved: Ending
    walked_out: Ending
    turn_limit: Ending


class ModelAnswer(Strict):
    situation: Text = Field(description="The customer's line or the moment it answers.")
    answer: Text
    why: Text


# A grade band a trainer expects: ">=70", "<=40", ">55", "<30" or "40-60" (0-100).
Band = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^(?:(?:>=|<=|>|<)\s*\d{1,3}|\d{1,3}\s*-\s*\d{1,3})$",
    ),
]


def in_band(band: str, score: int) -> bool:
    """Whether a 0-100 score lies in a band such as ">=70" or "40-60"."""
    band = band.replace(" ", "")
    for op, test in ((">=", int.__ge__), ("<=", int.__le__), (">", int.__gt__), ("<", int.__lt__)):
        if band.startswith(op):
            return bool(test(score, int(band[len(op) :])))
    low, high = (int(x) for x in band.split("-"))
    return low <= score <= high


class GradeExpectation(Strict):
    """The grade band a trainer expects for one sample reply."""

    courtesy: Band | None = Field(default=None, description='e.g. ">=70", "<=40" or "40-60" (0-100).')
    flexibility: Band | None = Field(default=None, description='e.g. ">=70", "<=40" or "40-60" (0-100).')


class SampleReply(Strict):
    """A sample reply with the grades it should get (`validate --rehearse` checks them)."""

    text: Text
    expect: GradeExpectation


class SampleScript(Strict):
    """A trainee script with the outcome it must reach (`validate --rehearse`)."""

    name: Text
    replies: Annotated[list[Text | SampleReply], Field(min_length=1)] = Field(
        description="Trainee replies in order: plain text, or {text, expect} with grade bands."
    )
    outcome: Outcome

    @property
    def texts(self) -> list[str]:
        """The replies' words, expectations left out."""
        return [r if isinstance(r, str) else r.text for r in self.replies]


class Scenario(Strict):
    schema_ref: str | None = Field(default=None, alias="$schema")
    id: Identifier
    title: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    difficulty: Literal["easy", "medium", "hard"]
    skills: Annotated[list[Skill], Field(min_length=1)]
    brief: Text = Field(description="Shown to the trainee before the conversation.")
    setting: Text
    trainee_role: Text
    customer: Customer
    opening: Text = Field(description="The customer's first line.")
    needs: Annotated[list[Need], Field(min_length=1)]
    triggers: list[Trigger] = Field(default_factory=list)
    end: EndConditions
    model_answers: Annotated[list[ModelAnswer], Field(min_length=1)]
    debrief_notes: Annotated[list[Text], Field(min_length=1)]
    pass_mark: int = Field(default=60, ge=0, le=100, description="Exam pass mark (0-100).")
    samples: list[SampleScript] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ids_are_consistent(self) -> Scenario:
        problems: list[str] = []
        for kind, items in (
            ("need", self.needs),
            ("trigger", self.triggers),
            ("fact", self.customer.facts),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    problems.append(f"two {kind}s have the id '{item.id}'")
                seen.add(item.id)
        need_ids = {n.id for n in self.needs}
        trigger_ids = {t.id for t in self.triggers}
        for trigger in self.triggers:
            if trigger.need and trigger.need not in need_ids:
                problems.append(f"trigger '{trigger.id}' names need '{trigger.need}', which is not defined")
            if trigger.after and trigger.after not in trigger_ids:
                problems.append(f"trigger '{trigger.id}' comes after '{trigger.after}', which is not defined")
            if trigger.after == trigger.id:
                problems.append(f"trigger '{trigger.id}' cannot come after itself")
        if not any(n.required for n in self.needs):
            problems.append("at least one need must be required, or nothing can resolve")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)

    @property
    def required_needs(self) -> list[Need]:
        return [n for n in self.needs if n.required]
