"""Asked on Esc during a conversation, so a stray key never ends a session."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class LeaveScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Keep playing"),
        Binding("d", "choose('debrief')", "Debrief", show=False),
        Binding("q", "choose('quit')", "Quit", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="leave-box") as box:
            box.border_title = "Leave this conversation?"
            box.border_subtitle = "Esc keeps playing"
            yield OptionList(
                Option("Finish and see the debrief  (d)", id="debrief"),
                Option("Keep playing  (Esc)", id="keep"),
                Option("Quit the program; the conversation so far is kept  (q)", id="quit"),
                id="leave-choices",
                markup=False,
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(None if choice == "keep" else choice)
