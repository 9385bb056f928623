"""The agent's desk beside the conversation: records, policy, what may be authorised, lookups.

Everything shown comes from the scenario file, so it is shown as text, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from simulator.desk import LookupAnswer
from simulator.scenario import Desk
from simulator.tui.literal import literal, one_line

TITLE = "Desk (F2)"


def desk_text(desk: Desk) -> Text:
    text = Text()

    def heading(name: str) -> None:
        if text:
            text.append("\n\n")
        text.append(name, style="bold underline")

    for record in desk.records:
        heading(one_line(record.title))
        for name, value in record.fields.items():
            text.append("\n")
            text.append_text(literal(one_line(name), style="bold"))
            text.append(": ")
            text.append_text(literal(value))
    if desk.policy:
        heading("Policy")
        for rule in desk.policy:
            text.append("\n• ")
            text.append_text(literal(rule))
    if desk.may_authorise:
        heading("You may authorise")
        for item in desk.may_authorise:
            text.append("\n• ")
            text.append_text(literal(item))
    if desk.lookups:
        heading("Look up (type it as your reply)")
        listed: set[str] = set()
        for lookup in desk.lookups:
            if lookup.command in listed:
                continue
            listed.add(lookup.command)
            text.append("\n")
            needs_argument = all(item.argument for item in desk.lookup(lookup.command))
            text.append(f"/{lookup.command}" + (" …" if needs_argument else ""), style="bold")
            text.append("  ")
            text.append_text(literal(one_line(lookup.title)))
    return text


def answer_text(answer: LookupAnswer) -> Text:
    text = Text()
    text.append_text(literal(one_line(answer.typed), style="bold"))
    text.append("  ")
    text.append_text(literal(one_line(answer.title), style="italic"))
    for line in answer.lines:
        text.append("\n")
        text.append_text(literal(line))
    return text


class DeskPanel(VerticalScroll):
    """The desk, with the answers of the lookups made so far below it."""

    DEFAULT_CSS = """
    DeskPanel {
        width: 36;
        border: round $secondary 60%;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    DeskPanel.-collapsed {
        display: none;
    }
    DeskPanel > .desk-answer {
        margin: 1 0 0 0;
        border-left: wide $secondary;
        padding: 0 0 0 1;
    }
    """

    def __init__(self, desk: Desk, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.border_title = TITLE

    def compose(self) -> ComposeResult:
        yield Static(desk_text(self.desk), markup=False, classes="desk-body")

    def show_answer(self, answer: LookupAnswer) -> None:
        # Kept below the desk without scrolling to it: the transcript shows the answer as
        # it arrives, and the records the trainee was reading stay where they were.
        self.mount(Static(answer_text(answer), markup=False, classes="desk-answer"))
