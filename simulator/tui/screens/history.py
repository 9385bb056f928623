"""Past sessions: who practised what, with what result; Enter reopens a debrief.

Reads the same store the conversation records into. Everything shown that a
person typed (names) goes through `literal()`, never markup. The debrief is
reopened with the app's own debrief screen when one is given (`open_record`),
else as the Markdown export in a scrollable screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Markdown, Static

from simulator.errors import UserError
from simulator.export import render
from simulator.htmldoc import local_time
from simulator.storage import Store
from simulator.tui.literal import clean, literal, one_line

COLUMNS = ("Trainee", "Scenario", "Date", "Outcome", "Courtesy", "Flexibility", "Exam")

# Given a loaded record, the screen that shows its debrief.
RecordOpener = Callable[[dict[str, Any]], Screen[Any]]


def exam_text(row: dict[str, Any]) -> str:
    if not row["exam"]:
        return ""
    if not row["finished"]:
        return "exam"
    return "passed" if row.get("passed") else "not passed"


def score(value: int | None) -> Text:
    return Text("–" if value is None else str(value), justify="right")


class RecordScreen(Screen[None]):
    """A stored debrief as its Markdown export: the fallback when the app has no debrief screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]

    DEFAULT_CSS = """
    RecordScreen #record-scroll { padding: 0 2; }
    """

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="record-scroll"):
            # The export escapes every user text as Markdown; clean() makes control
            # characters visible so none reaches the terminal.
            yield Markdown(clean(render(self.record, "md")), id="record-markdown", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Debrief"
        self.sub_title = one_line(f"{self.record.get('trainee', '')} · {self.record.get('title', '')}")
        self.query_one("#record-scroll").focus()


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash,ctrl+f", "focus_filter", "Filter"),
        Binding("f5", "reload", "Reload", show=False),
    ]

    DEFAULT_CSS = """
    HistoryScreen #history-filter { margin: 0 1; }
    HistoryScreen #history-table { height: 1fr; }
    HistoryScreen #history-empty { margin: 1 2; }
    """

    def __init__(self, store: Store, open_record: RecordOpener | None = None, trainee: str = "") -> None:
        super().__init__()
        self.store = store
        self.open_record = open_record or RecordScreen
        self.initial_filter = trainee
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.initial_filter, placeholder="Filter by trainee name", id="history-filter")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "History"
        self.sub_title = "Enter opens the debrief"
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name.lower())
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        try:
            self.rows = self.store.list_sessions()
        except UserError as exc:
            self.rows = []
            self.notify(str(exc), severity="error", markup=False)
        self.refill()

    def visible_rows(self) -> list[dict[str, Any]]:
        # Substring, ignoring case: a trainer types "dan" and finds "Dana Levi".
        wanted = " ".join(self.query_one("#history-filter", Input).value.split()).casefold()
        return [r for r in self.rows if wanted in " ".join(r["trainee"].split()).casefold()]

    def refill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        shown = self.visible_rows()
        for row in shown:
            scores = row["scores"]
            table.add_row(
                literal(one_line(row["trainee"])),
                literal(one_line(row["title"])),
                Text(local_time(row["started_at"])),
                Text(row["status"].replace("_", " ")),
                score(scores["courtesy"]),
                score(scores["flexibility"]),
                Text(exam_text(row)),
                key=str(row["id"]),
            )
        empty = self.query_one("#history-empty", Static)
        if shown:
            empty.update("")
        elif self.rows:
            empty.update("No sessions of a trainee with that name.")
        else:
            empty.update("No sessions recorded yet. Play a scenario and it will appear here.")
        empty.display = not shown

    @on(Input.Changed, "#history-filter")
    def filter_changed(self) -> None:
        self.refill()

    @on(Input.Submitted, "#history-filter")
    def filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_session(int(event.row_key.value))

    def open_session(self, session_id: int) -> None:
        try:
            record = self.store.load(session_id)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.app.push_screen(self.open_record(record))

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
