"""The history screen, driven as a trainer would: filter, choose a row, reread the debrief."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.widgets import DataTable, Input, Markdown

from simulator.scenario import Scenario
from simulator.storage import Store
from simulator.tui.screens.history import HistoryScreen, RecordScreen
from tests.recorded import MILD, RUDE, WARM, play


class HistoryApp(App[None]):
    def __init__(self, store: Store, trainee: str = "") -> None:
        super().__init__()
        self.store = store
        self.trainee = trainee

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.store, trainee=self.trainee))


def fill(path: Path, hotel: Scenario) -> Store:
    store = Store.open(path)
    play(store, hotel, "Dana Levi", RUDE)
    play(store, hotel, "[bold]Omar[/bold]", WARM, exam=True)
    play(store, hotel, "Dana Levi", WARM)
    play(store, hotel, "Li", MILD[:1], finish=False)
    return store


def cells(table: DataTable, column: int) -> list[str]:
    out = []
    for row in range(table.row_count):
        cell = table.get_row_at(row)[column]
        out.append(cell.plain if isinstance(cell, Text) else str(cell))
    return out


async def test_lists_filters_and_reopens_a_debrief(tmp_path: Path, hotel: Scenario) -> None:
    store = fill(tmp_path / "s.sqlite3", hotel)
    app = HistoryApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 4
        assert cells(table, 0) == [
            "Li",
            "Dana Levi",
            "[bold]Omar[/bold]",
            "Dana Levi",
        ]  # newest first, literal
        assert cells(table, 3) == ["in progress", "resolved", "resolved", "walked out"]
        assert cells(table, 6) == ["", "", "passed", ""]

        await pilot.press("slash", *"dana")
        assert screen.query_one(Input).value == "dana"
        assert table.row_count == 2 and set(cells(table, 0)) == {"Dana Levi"}

        await pilot.press("enter")  # from the filter to the table
        await pilot.press("down", "enter")  # the older of Dana's sessions: the rude one
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.record["trainee"] == "Dana Levi"
        assert app.screen.record["turns"][0]["trainee"] == RUDE[0]
        assert app.screen.query_one(Markdown) is not None

        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)
    store.close()


async def test_starts_filtered_to_the_trainee_and_says_when_empty(tmp_path: Path, hotel: Scenario) -> None:
    store = fill(tmp_path / "s.sqlite3", hotel)
    app = HistoryApp(store, trainee="Zoe")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 0
        empty = app.screen.query_one("#history-empty")
        assert empty.display
    store.close()


async def test_unfinished_session_reopens(tmp_path: Path, hotel: Scenario) -> None:
    store = fill(tmp_path / "s.sqlite3", hotel)
    app = HistoryApp(store, trainee="li")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one(DataTable).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.record["finished"] is False
    store.close()
