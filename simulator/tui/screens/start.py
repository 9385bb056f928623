"""The start screen: who is training, and which scenario (filtered as you type)."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList
from textual.widgets.option_list import Option

from simulator.loader import Library
from simulator.scenario import Scenario
from simulator.tui.literal import literal, one_line
from simulator.tui.typed_app import training_app
from simulator.tui.widgets.voice_status import VoiceStatus

HISTORY_MODULE = "simulator.tui.screens.history"


def first_sentence(text: str, limit: int = 110) -> str:
    """The brief's first sentence: the list has room for one line per scenario."""
    text = one_line(text)
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def scenario_prompt(scenario: Scenario) -> Text:
    text = literal(one_line(scenario.title), style="bold")
    text.append(f"  {scenario.difficulty}", style="italic")
    text.append("  " + ", ".join(scenario.skills), style="dim")
    text.append("\n  ")
    text.append_text(literal(first_sentence(scenario.brief)))
    return text


def broken_prompt(path: Path, problems: list[str]) -> Text:
    text = Text("⚠ ", style="bold red")
    text.append_text(literal(one_line(path.name), style="bold"))
    text.append("  cannot be played", style="red")
    first = one_line(problems[0]) if problems else "invalid scenario"
    first = first.removeprefix(str(path)).lstrip(":")
    more = f"  (+{len(problems) - 1} more; run 'simulator validate')" if len(problems) > 1 else ""
    text.append("\n  line ")
    text.append_text(literal(first + more))
    return text


def _haystack(scenario: Scenario) -> str:
    return " ".join(
        [scenario.id, scenario.title, scenario.difficulty, *scenario.skills, scenario.brief]
    ).lower()


class StartScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.leave_app", "Quit"),
        Binding("ctrl+r", "history", "History"),
        # As in a command palette: the arrows move through the list while you type.
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, library: Library, trainee: str = "") -> None:
        super().__init__()
        self.library = library
        self.trainee = trainee
        self.sub_title = "choose a scenario"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="who"):
            yield Label("Your name", id="trainee-label")
            yield Input(self.trainee, placeholder="Type your name", id="trainee", max_length=60)
        yield Input(placeholder="Filter: type part of a title, skill or difficulty", id="filter")
        yield OptionList(id="scenarios")
        yield VoiceStatus(id="voice-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refill("")
        self.query_one("#filter" if self.trainee else "#trainee", Input).focus()
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        # Not when a conversation was opened straight over this screen: it calls itself.
        if self.app.screen is self:
            training_app(self).screen_painted(None)

    # -- the list --------------------------------------------------------------

    def refill(self, query: str) -> None:
        words = query.lower().split()
        options: list[Option] = []
        for scenario_id, scenario in sorted(self.library.scenarios.items(), key=lambda kv: kv[1].title):
            if all(w in _haystack(scenario) for w in words):
                options.append(Option(scenario_prompt(scenario), id=scenario_id))
        for path, problems in sorted(self.library.errors.items()):
            # Broken files stay in the list (disabled) so a trainer sees why one is missing.
            if all(w in f"{path.name} {' '.join(problems)}".lower() for w in words):
                options.append(Option(broken_prompt(path, problems), id=f"broken:{path}", disabled=True))
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.clear_options()
        scenarios.add_options(options)
        if not options:
            scenarios.add_option(Option(Text("No scenario matches the filter.", style="dim"), disabled=True))
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        scenarios.highlighted = first
        playable = sum(1 for o in options if not o.disabled)
        scenarios.border_title = f"Scenarios ({playable})"

    @on(Input.Changed, "#filter")
    def _filtered(self, event: Input.Changed) -> None:
        self.refill(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.play_highlighted()

    @on(Input.Submitted, "#trainee")
    def _name_submitted(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(OptionList.OptionSelected, "#scenarios")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.play(event.option.id)

    def action_move(self, step: int) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        if step > 0:
            scenarios.action_cursor_down()
        else:
            scenarios.action_cursor_up()

    def play_highlighted(self) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        if scenarios.highlighted is None:
            self.notify("No scenario is selected; change the filter.", severity="warning")
            return
        option = scenarios.get_option_at_index(scenarios.highlighted)
        if option.id and not option.disabled:
            self.play(option.id)

    def play(self, scenario_id: str) -> None:
        if scenario_id not in self.library.scenarios:
            return
        name = one_line(self.query_one("#trainee", Input).value)
        if not name:
            self.notify("Type your name first, so your sessions are yours.", severity="warning")
            self.query_one("#trainee", Input).focus()
            return
        self.trainee = name
        training_app(self).start_conversation(self.library.scenarios[scenario_id], name)

    # -- history (written by the records work; optional here) -------------------

    @staticmethod
    def history_available() -> bool:
        try:
            return importlib.util.find_spec(HISTORY_MODULE) is not None
        except ImportError:
            return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self.history_available()  # False hides it from the footer
        return True

    def action_history(self) -> None:
        if not self.history_available():
            self.notify("History is not available in this version.", severity="warning")
            return
        store = training_app(self).open_store()
        if store is None:
            problem = training_app(self).store_problem or "History is off in this run."
            self.notify(problem, severity="warning", markup=False)
            return
        try:
            module = importlib.import_module(HISTORY_MODULE)
            name = one_line(self.query_one("#trainee", Input).value)
            self.app.push_screen(module.HistoryScreen(store, trainee=name))
        except Exception as exc:  # noqa: BLE001 - a broken optional screen must not end training
            self.notify(
                f"History could not be opened ({type(exc).__name__}).", severity="error", markup=False
            )

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.history_available():
            yield SystemCommand("History", "Your past sessions", self.action_history)
