"""The keys of every screen, in one place (F1 or ? opens it, Esc closes it)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("F1", "this help"),
            ("Ctrl+P", "command palette (themes, export, help…)"),
            ("Ctrl+L", "switch between light and dark"),
            ("Tab / Shift+Tab", "move between fields"),
            ("Ctrl+C", "leave the program; a conversation so far is kept"),
            ("Ctrl+Q", "quit (same as Ctrl+C)"),
        ],
    ),
    (
        "Scenario list",
        [
            ("type", "filter the scenarios (in the filter box)"),
            ("↑ ↓", "choose a scenario"),
            ("Enter", "play it"),
            ("Ctrl+R", "your history of sessions (when available)"),
            ("Esc", "quit"),
        ],
    ),
    (
        "Conversation",
        [
            ("Enter", "send your reply (while the customer types, it waits its turn)"),
            ("Ctrl+F", "finish the conversation and see the debrief"),
            ("Ctrl+B", "show or hide the scenario brief"),
            ("F2", "show or hide your desk (records, policy, lookups)"),
            ("/rooms", "a reply starting with / looks something up on your desk"),
            ("PgUp PgDn", "scroll the conversation"),
            ("Esc", "leave: finish and see the debrief, or keep playing"),
        ],
    ),
    (
        "Debrief",
        [
            ("m / j / h", "save the debrief as Markdown / JSON / HTML"),
            ("n", "play the same scenario again"),
            ("Esc", "back to the scenario list"),
            ("q", "quit"),
        ],
    ),
]


def help_table(first: str | None = None) -> Table:
    """Every key; the section of the screen the trainee came from comes first."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for section, keys in sorted(KEYS, key=lambda item: item[0] != first):
        table.add_row(Text(section, style="bold underline"), "")
        for key, what in keys:
            table.add_row(key, what)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, first: str | None = None) -> None:
        super().__init__()
        self.first = first

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc closes"
            yield Static(help_table(self.first), id="help-keys")
