"""The scenario format: typed models for the YAML files trainers write.

Unknown keys are errors everywhere (`extra="forbid"`) so a typo such as
`start_mod:` is reported instead of silently ignored.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

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

SkillName = Literal[
    "courtesy",
    "flexibility",
    "empathy",
    "ownership",
    "going_beyond",
    "honesty",
    "follow_through",
    "proactivity",
    "de_escalation",
    "guiding",
]
SKILLS: tuple[str, ...] = SkillName.__args__  # type: ignore[attr-defined]


def _snake_case(value: Any) -> Any:
    """The format names things in snake_case (like the acts); the hyphenated skill
    names of the first files (`going-beyond`) are read as the same skill so they stay valid."""
    return value.replace("-", "_") if isinstance(value, str) and value.replace("-", "_") in SKILLS else value


# The schema lists the old spellings too, so an editor does not flag files written before.
Skill = Annotated[
    SkillName,
    BeforeValidator(_snake_case),
    WithJsonSchema({"type": "string", "enum": [*SKILLS, *(s.replace("_", "-") for s in SKILLS if "_" in s)]}),
]

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# Lines a person reads; long enough for a paragraph, short enough to catch a
# pasted file or a runaway line.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Lines = Annotated[list[Text], Field(min_length=1)]
Mood = Annotated[int, Field(ge=0, le=100)]


class LocatedProblems(ValueError):
    """Cross-reference problems, each with the place in the file it belongs to, so the
    loader can point at the line of the mistake instead of the top of the file."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def numbers_in(text: str) -> list[str]:
    """The numbers written in digits (a room, an order number, a time)."""
    return re.findall(r"\d+(?:[:.,]\d+)*", text)


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

    @model_validator(mode="after")
    def _lines_keep_the_numbers(self) -> Fact:
        # The voice keeps a fact's numbers exactly, and a line without them is never
        # said: a line that leaves one out is a mistake the trainer should see now.
        numbers = numbers_in(self.text)
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for index, line in enumerate(self.lines):
            missing = [n for n in dict.fromkeys(numbers) if n not in numbers_in(line)]
            if missing:
                problems.append(
                    (
                        ("lines", index),
                        f"this line leaves out the fact's number {', '.join(missing)}; "
                        "write it in digits, as in the fact's text",
                    )
                )
        if problems:
            raise LocatedProblems(problems)
        return self


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


class Commitment(Strict):
    """What a reply must promise before an offer counts: when, what, and what will be done."""

    time: bool = Field(
        default=False,
        description="The reply must say when (in ten minutes, by 8:30, right now, tonight).",
    )
    item: list[Phrase] = Field(
        default_factory=list,
        description="The reply must name one of these things (mattress, folding bed, suite).",
    )
    action: list[Phrase] = Field(
        default_factory=list,
        description="The reply must name one of these actions (bring, send, call back).",
    )
    missing_lines: list[Text] = Field(
        default_factory=list,
        description="What the customer says to an offer that leaves the commitment out "
        "(e.g. 'Thank you. How soon can it be here?').",
    )

    @model_validator(mode="after")
    def _names_something(self) -> Commitment:
        if not (self.time or self.item or self.action):
            raise ValueError("a commitment needs 'time: true', 'item:' or 'action:'")
        return self

    @property
    def parts(self) -> tuple[str, ...]:
        """The placeholders a met line may use: {time}, {item}, {action}."""
        return tuple(
            name
            for name, wanted in (("time", self.time), ("item", self.item), ("action", self.action))
            if wanted
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
    commit: Commitment | None = Field(
        default=None,
        description="What the reply must commit to (a time, an item, an action) before the "
        "need counts as met; met lines can repeat it as {time}, {item}, {action}.",
    )

    @model_validator(mode="after")
    def _placeholders_are_committed(self) -> Need:
        parts = self.commit.parts if self.commit is not None else ()
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for index, line in enumerate(self.met_lines):
            for name in re.findall(r"\{([^{}]*)\}", line):
                if name not in parts:
                    hint = (
                        f"add '{name}' to the need's 'commit:'"
                        if name in ("time", "item", "action")
                        else "use {time}, {item} or {action}"
                    )
                    problems.append(
                        (("met_lines", index), f"{{{name}}} is not something the reply commits to; {hint}")
                    )
        if problems:
            raise LocatedProblems(problems)
        return self


class Ask(Strict):
    """A question the customer puts to the trainee, at a moment the trainer chooses."""

    id: Identifier
    lines: Lines = Field(description="How the customer asks it.")
    after_need: Identifier | None = Field(
        default=None, description="Ask it once this need is met (with the need's met line)."
    )
    min_turn: int = Field(default=1, ge=1, description="Ask it from this trainee turn on.")
    answered_by: Annotated[list[Phrase], Field(min_length=1)] = Field(
        description="Words that answer it (matched loosely: every word of one phrase in the reply)."
    )
    required: bool = Field(
        default=False,
        description="The scenario does not resolve until the trainee has answered it.",
    )
    again_lines: list[Text] = Field(
        default_factory=list, description="What the customer says when the reply did not answer it."
    )


CommandName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class DeskRecord(Strict):
    """One screen of the agent's system: a booking, an order, a case."""

    title: Phrase
    fields: Annotated[dict[str, Text], Field(min_length=1)] = Field(
        description="Field name and what it shows, in the order the screen lists them."
    )


class Lookup(Strict):
    """Something the trainee can look up by typing `/command` (or `/command argument`)."""

    command: CommandName = Field(description="Typed after a slash: 'rooms' is /rooms.")
    argument: Phrase | None = Field(
        default=None,
        description="Answer only `/command argument` (a tag or order number); lookups of the "
        "same command without one answer any other argument.",
    )
    title: Phrase = Field(description="What the lookup is, as the desk lists it.")
    shows: Lines = Field(description="What the system answers, one line each.")
    reveals: list[Identifier] = Field(
        default_factory=list,
        description="Customer facts the trainee learns from it; the customer need not be asked them.",
    )


class Desk(Strict):
    """What the agent's systems show, beside the conversation."""

    records: list[DeskRecord] = Field(default_factory=list, description="Screens the agent has open.")
    policy: list[Text] = Field(default_factory=list, description="The rules, with their limits.")
    may_authorise: list[Text] = Field(
        default_factory=list, description="What the agent may decide or give on their own."
    )
    lookups: list[Lookup] = Field(default_factory=list, description="What the agent can look up.")

    def lookup(self, command: str) -> list[Lookup]:
        return [item for item in self.lookups if item.command == command]


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


def _missing(kind: str, name: str, known: list[str]) -> str:
    """'names trigger X, which is not defined', with the closest id when it looks misspelt."""
    message = f"there is no {kind} with the id '{name}'"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    listed = ", ".join(f"'{k}'" for k in known) or "none yet"
    return f"{message}; use one of the {kind} ids defined in this file ({listed})"


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
    asks: list[Ask] = Field(default_factory=list, description="The customer's own questions.")
    triggers: list[Trigger] = Field(default_factory=list)
    end: EndConditions
    model_answers: Annotated[list[ModelAnswer], Field(min_length=1)]
    debrief_notes: Annotated[list[Text], Field(min_length=1)]
    pass_mark: int = Field(default=60, ge=0, le=100, description="Exam pass mark (0-100).")
    samples: list[SampleScript] = Field(default_factory=list)
    desk: Desk | None = Field(
        default=None, description="What the agent's systems show and what they can look up."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ids_are_consistent(self) -> Scenario:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        groups: list[tuple[str, tuple[str | int, ...], list[Any]]] = [
            ("need", ("needs",), list(self.needs)),
            ("trigger", ("triggers",), list(self.triggers)),
            ("fact", ("customer", "facts"), list(self.customer.facts)),
            ("ask", ("asks",), list(self.asks)),
        ]
        for kind, where, items in groups:
            seen: set[str] = set()
            for index, item in enumerate(items):
                if item.id in seen:
                    problems.append(
                        ((*where, index, "id"), f"two {kind}s have the id '{item.id}'; rename one")
                    )
                seen.add(item.id)
        need_ids = [n.id for n in self.needs]
        trigger_ids = [t.id for t in self.triggers]
        fact_ids = [f.id for f in self.customer.facts]
        for index, trigger in enumerate(self.triggers):
            if trigger.need and trigger.need not in need_ids:
                problems.append((("triggers", index, "need"), _missing("need", trigger.need, need_ids)))
            if trigger.after == trigger.id:
                problems.append(
                    (("triggers", index, "after"), f"trigger '{trigger.id}' cannot come after itself")
                )
            elif trigger.after and trigger.after not in trigger_ids:
                problems.append(
                    (("triggers", index, "after"), _missing("trigger", trigger.after, trigger_ids))
                )
        for index, ask in enumerate(self.asks):
            if ask.after_need and ask.after_need not in need_ids:
                problems.append((("asks", index, "after_need"), _missing("need", ask.after_need, need_ids)))
        if self.desk is not None:
            seen_lookups: set[tuple[str, str | None]] = set()
            for index, item in enumerate(self.desk.lookups):
                key = (item.command, item.argument.lower() if item.argument else None)
                if key in seen_lookups:
                    problems.append(
                        (
                            ("desk", "lookups", index, "command"),
                            f"/{item.command} is answered twice; keep one",
                        )
                    )
                seen_lookups.add(key)
                for j, fact in enumerate(item.reveals):
                    if fact not in fact_ids:
                        problems.append(
                            (("desk", "lookups", index, "reveals", j), _missing("fact", fact, fact_ids))
                        )
        commands = {item.command for item in self.desk.lookups} if self.desk is not None else set()
        for index, sample in enumerate(self.samples):
            for j, reply in enumerate(sample.texts):
                command = reply.removeprefix("/").split(" ", 1)[0].lower()
                if reply.startswith("/") and command not in commands:
                    listed = ", ".join(f"/{c}" for c in sorted(commands)) or "none: add a desk with lookups"
                    problems.append(
                        (
                            ("samples", index, "replies", j),
                            f"/{command} is not a lookup on this desk ({listed})",
                        )
                    )
        if not any(n.required for n in self.needs):
            problems.append((("needs",), "at least one need must be required, or nothing can resolve"))
        if problems:
            raise LocatedProblems(problems)
        return self

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)

    @property
    def required_needs(self) -> list[Need]:
        return [n for n in self.needs if n.required]
