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
    suffix: str  # ends with `lead`
    lead: str = ""  # the customer's first words, already chosen; the model goes on from them

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
        f"{c.name}: {c.background} {c.personality} Way of speaking: {c.speech}\nSetting: {scenario.setting}"
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


def _last_trainee_line(request: LineRequest) -> str:
    return next((t for s, t in reversed(request.history) if s == "trainee"), "")


def _model_line(request: LineRequest, seed: int) -> str:
    """The authored line the model is asked to say in its own words this time."""
    from simulator.voice.scripted import pick_authored

    return pick_authored(request, seed)


def lead_words(line: str, max_words: int = 5) -> str:
    """The opening clause of an authored line ("Another hotel?", "Please, it's late,").

    Starting the model on the customer's own first words anchors a 135M model in
    the role and the topic; what follows is its own. Short lines give no lead.
    """
    words = line.split()
    if len(words) < 6:
        return ""
    lead: list[str] = []
    for word in words[:max_words]:
        lead.append(word)
        if len(lead) >= 2 and word[-1] in ",.?!;:":
            break
    return " ".join(lead)


def line_lead(request: LineRequest, line: str) -> str:
    """The words the model is started on: the authored line's opening clause, or on a
    fact beat, everything up to the sentence that gives the fact's last number.

    A small model does not copy "Membership 4471-208" back correctly, and the verifier
    rightly turns down a fact line without its numbers: given the facts, the model
    only adds the voice around them.
    """
    lead = lead_words(line)
    if not request.beat.startswith("fact:"):
        return lead
    from simulator.voice.verifier import fact_numbers, plain_numbers, sentences

    needed = fact_numbers(request)
    if not needed:
        return lead
    kept: list[str] = []
    for sentence in sentences(line):
        kept.append(sentence)
        if needed <= plain_numbers(" ".join(kept)):
            facts = " ".join(kept)
            return facts if len(facts) > len(lead) else lead
    return lead


def chat_messages(request: LineRequest, seed: int = 0) -> list[dict[str, str]]:
    """A system message (fixed for the conversation) and a user message (this line).

    A 135M model cannot plan what a customer says, but it can say a given line in
    other words: so the user message hands it one authored line and the intent.
    """
    sc = request.scenario
    me, them = customer_label(sc), trainee_label(sc)
    c = sc.customer
    system = (
        f"You are {me}, a customer talking to the {sc.trainee_role.lower()}. {c.background} "
        f"{c.speech} You answer only as {me}, in one or two short sentences."
    )
    user = (
        f'The {them.lower()} says: "{_last_trainee_line(request)}"\n'
        f"{me} wants to {request.intent[0].lower() + request.intent[1:]}\n"
        f'Say this in your own words, as {me}: "{_model_line(request, seed)}"'
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def transcript_prompt(request: LineRequest, seed: int = 0) -> Prompt:
    """A play-script: the persona, then examples of the customer rephrasing, then this line."""
    sc = request.scenario
    me, them = customer_label(sc), trainee_label(sc)
    c = sc.customer
    prefix = f"{me} is a customer talking to the {sc.trainee_role.lower()}. {c.background} {c.speech}\n\n"
    facts = _facts(request)
    suffix = (
        (f"({me} has already said: {facts})\n" if facts else "")
        + f"({me} means: {_model_line(request, seed)})\n"
        + f"{them}: {_last_trainee_line(request)}\n"
        + f"{me}:"
    )
    lead = line_lead(request, _model_line(request, seed))
    return Prompt(prefix, suffix + (" " + lead if lead else ""), lead)
