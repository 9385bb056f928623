"""The words a language model sees before it voices the customer.

The script has already decided what the customer means (the beat's intent); the
prompt asks the model only to say that in the customer's voice, with the beat's
authored lines as examples to rephrase. Everything that stays the same for a whole
conversation (who the customer is, where, and how they talk) comes first, so a
model can keep that part's key/value cache between lines.

Two styles, both measured (see the README's "Models" section):
- `chat`: the model's chat template, a system message with the role and a user
  message asking for the next line;
- `transcript`: a plain play-script that the model continues after the
  customer's name, which also suits base models without a chat template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.scenario import Scenario
from simulator.voice.base import LineRequest

PromptStyle = Literal["chat", "transcript"]
PROMPT_STYLES: tuple[PromptStyle, ...] = ("chat", "transcript")
MAX_EXAMPLES = 3  # authored lines shown as examples; more lengthens the prompt for little gain


@dataclass(frozen=True)
class Prompt:
    """A prompt split where the per-line part starts, so the prefix can be cached."""

    prefix: str
    suffix: str

    @property
    def text(self) -> str:
        return self.prefix + self.suffix


def trainee_label(scenario: Scenario) -> str:
    """A short speaker label for the trainee: 'Night front-desk clerk' -> 'Clerk'."""
    words = [w for w in scenario.trainee_role.replace("-", " ").split() if w.isalpha()]
    return words[-1].capitalize() if words else "Agent"


def customer_label(scenario: Scenario) -> str:
    return scenario.customer.name


def other_labels(scenario: Scenario) -> tuple[str, ...]:
    """Speaker labels that mean the model has started writing someone else's line."""
    return (
        trainee_label(scenario),
        customer_label(scenario),
        "Agent",
        "Clerk",
        "Staff",
        "Receptionist",
        "Customer",
        "Guest",
        "User",
        "Assistant",
        "Narrator",
    )


def _persona(scenario: Scenario) -> str:
    c = scenario.customer
    return (
        f"{c.name}: {c.background} {c.personality} Way of speaking: {c.speech}\n"
        f"Setting: {scenario.setting}"
    ).strip()


def _examples(request: LineRequest) -> str:
    lines = [line for line in request.authored if line not in request.said_before] or list(request.authored)
    return "\n".join(f"- {line}" for line in lines[:MAX_EXAMPLES])


def _facts(request: LineRequest) -> str:
    return " ".join(request.facts_known)


def _dialogue(request: LineRequest, me: str, them: str) -> str:
    out = []
    for speaker, text in request.history:
        out.append(f"{me if speaker == 'customer' else them}: {text}")
    return "\n".join(out)


def chat_messages(request: LineRequest) -> list[dict[str, str]]:
    """A system message (fixed for the conversation) and a user message (this line)."""
    sc = request.scenario
    me, them = customer_label(sc), trainee_label(sc)
    system = (
        f"You write the lines of {me}, a customer, in a training role-play. "
        f"The user is the {sc.trainee_role.lower()} serving {me}. "
        f"You never speak as staff and never offer help; you are the one who needs help.\n"
        f"{_persona(sc)}"
    )
    facts = _facts(request)
    user = (
        f"Conversation so far:\n{_dialogue(request, me, them)}\n\n"
        + (f"{me} has already said: {facts}\n" if facts else "")
        + f"Now {me} means to: {request.intent}\n"
        f"Lines {me} might say:\n{_examples(request)}\n\n"
        f"Write {me}'s next line in new words: one or two short sentences, nothing else."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def transcript_prompt(request: LineRequest) -> Prompt:
    sc = request.scenario
    me, them = customer_label(sc), trainee_label(sc)
    prefix = (
        f"A role-play script for training customer-service staff. {sc.brief}\n"
        f"The customer: {_persona(sc)}\n"
        f"{them} is the {sc.trainee_role.lower()}. {me} speaks only for herself or himself, "
        f"in one or two short sentences.\n\n"
    )
    facts = _facts(request)
    suffix = (
        (f"(Already told the {them.lower()}: {facts})\n" if facts else "")
        + f"(Lines {me} might say next:\n{_examples(request)})\n\n"
        + f"{_dialogue(request, me, them)}\n"
        + f"(Next, {me} means to: {request.intent})\n"
        + f"{me}:"
    )
    return Prompt(prefix, suffix)
