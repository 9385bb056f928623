"""The agent's desk: answering a lookup the trainee types (`/rooms`, `/trace 1408`).

Everything comes from the scenario's `desk:`; a lookup is not a reply, so the
customer does not hear it, but it is recorded with the turn it came before.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from simulator.errors import UserError
from simulator.scenario import Desk, Lookup


class NoSuchLookup(UserError):
    """A slash command the desk cannot answer: one sentence saying what to type instead."""


@dataclass(frozen=True)
class LookupAnswer:
    command: str
    argument: str | None
    title: str
    lines: tuple[str, ...]
    found: bool  # False: the system found nothing for that argument
    before_turn: int  # the trainee reply it came before (1-based)
    reveals: tuple[str, ...] = ()

    @property
    def typed(self) -> str:
        return f"/{self.command}" + (f" {self.argument}" if self.argument else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "argument": self.argument,
            "title": self.title,
            "lines": list(self.lines),
            "found": self.found,
            "before_turn": self.before_turn,
        }


def is_lookup(text: str) -> bool:
    """A reply box entry that starts with a slash is for the desk, not the customer."""
    return text.strip().startswith("/")


def parse(text: str) -> tuple[str, str | None]:
    body = text.strip().removeprefix("/").strip()
    command, _, argument = body.partition(" ")
    return command.lower(), (argument.strip().lstrip("#") or None)


def available(desk: Desk | None) -> str:
    """The lookups, as a trainee types them: '/rooms, /trace TAG'."""
    if desk is None or not desk.lookups:
        return ""
    seen: dict[str, bool] = {}
    for item in desk.lookups:
        seen[item.command] = seen.get(item.command, False) or item.argument is not None
    return ", ".join(f"/{c} …" if needs_argument else f"/{c}" for c, needs_argument in seen.items())


def answer(desk: Desk | None, text: str, before_turn: int) -> LookupAnswer:
    """What the system shows for `/command [argument]`; NoSuchLookup if there is no such lookup."""
    command, argument = parse(text)
    choices = available(desk)
    candidates = desk.lookup(command) if desk is not None else []
    if not candidates:
        if not choices:
            raise NoSuchLookup(
                "This scenario's desk has nothing to look up; write your reply to the customer."
            )
        commands = [item.command for item in desk.lookups] if desk is not None else []
        close = difflib.get_close_matches(command, commands, n=1, cutoff=0.6)
        if close:
            raise NoSuchLookup(f"There is no /{command} on this desk; did you mean /{close[0]}?")
        raise NoSuchLookup(f"There is no /{command or '…'} on this desk; you can look up {choices}.")
    match: Lookup | None = None
    if argument is not None:
        match = next((c for c in candidates if c.argument and c.argument.lower() == argument.lower()), None)
    if match is None:
        match = next((c for c in candidates if c.argument is None), None)
    if match is None:
        if argument is None:
            raise NoSuchLookup(
                f"Type what to look up after /{command} (for example a number the customer gave)."
            )
        return LookupAnswer(
            command,
            argument,
            candidates[0].title,
            (f"Nothing found for '{argument}'.",),
            found=False,
            before_turn=before_turn,
        )
    return LookupAnswer(
        command,
        argument,
        match.title,
        tuple(match.shows),
        found=True,
        before_turn=before_turn,
        reveals=tuple(match.reveals),
    )


def shown_lines(desk: Desk | None, answers: list[LookupAnswer]) -> list[str]:
    """What the trainee has seen of the system: the records, and every lookup's answer."""
    lines: list[str] = []
    if desk is not None:
        for record in desk.records:
            lines.extend(f"{record.title}: {name}: {value}" for name, value in record.fields.items())
    for item in answers:
        # With the lookup's title: "the storeroom has four" quotes "Storeroom inventory: ... 4".
        lines.extend(f"{item.title}: {line}" for line in item.lines)
    return lines
