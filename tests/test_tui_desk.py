"""The desk beside the conversation, driven as a trainee would (Pilot)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.widgets.desk_panel import DeskPanel
from tests.conftest import SCENARIOS
from tests.test_tui_app import conversation, make_app, seed_library, settle, visible_text


async def type_and_send(pilot: Pilot, text: str) -> None:
    pilot.app.screen.query_one("#reply", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_the_desk_is_beside_the_conversation_and_answers_a_lookup() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Test")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = conversation(pilot)
        panel = screen.query_one("#desk", DeskPanel)
        assert "Desk" in str(panel.border_title)
        assert panel.display and not panel.has_class("-collapsed")
        shown = visible_text(pilot)
        assert "Room 1408" in shown and "/storeroom" in shown
        # Beside the transcript, not above or below it.
        transcript = screen.query_one("#transcript")
        assert panel.region.x >= transcript.region.right
        assert panel.region.y <= transcript.region.y < panel.region.bottom

        await type_and_send(pilot, "/storeroom")
        assert screen.session.turns == []  # a lookup is not a reply
        assert "Spare mattresses (single): 4" in screen.transcript_text()
        assert screen.query_one("#reply", Input).value == ""

        await type_and_send(pilot, "Good evening. I'll bring a spare mattress up to your room right away.")
        assert len(screen.session.turns) == 1
        assert screen.session.turns[0].lookups[0].command == "storeroom"

        await pilot.press("ctrl+f")
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        listed = str(debrief.query_one("#lookups").render())
        assert "Before reply 1: /storeroom (Storeroom inventory, floor 14)" in listed


async def test_an_unknown_lookup_says_what_there_is_and_keeps_the_text() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Test")
    async with app.run_test(size=(120, 36)) as pilot:
        await type_and_send(pilot, "/storoom")
        screen = conversation(pilot)
        assert screen.query_one("#reply", Input).value == "/storoom"
        notice = str(screen.query_one("#notice").render())
        assert notice == "There is no /storoom on this desk; did you mean /storeroom?"
        assert screen.query_one("#notice").display
        assert screen.session.lookups == [] and screen.session.turns == []


async def test_at_80_columns_the_desk_starts_folded_and_f2_opens_it() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Test")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = conversation(pilot)
        panel = screen.query_one("#desk", DeskPanel)
        assert panel.has_class("-collapsed") and "Room 1408" not in visible_text(pilot)
        assert "Desk" in visible_text(pilot)  # the footer names the key
        await pilot.press("f2")
        await pilot.pause()
        assert not panel.has_class("-collapsed") and "Room 1408" in visible_text(pilot)
        # The open desk stands in for the grade panel, so the reply box keeps its room.
        assert not screen.query_one("#side").display
        assert screen.query_one("#reply").region.width >= 40
        await pilot.press("f2")
        await pilot.pause()
        assert panel.has_class("-collapsed") and screen.query_one("#side").display


async def test_desk_text_from_the_file_is_never_markup(tmp_path: Path) -> None:
    text = (SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8")
    text = text.replace("        Guest: Levi\n", '        Guest: "[bold red]Levi[/] \\e[31m"\n')
    text = text.replace("id: china-hotel-beds", "id: marked-desk")
    path = tmp_path / "marked-desk.yaml"
    path.write_text(text, encoding="utf-8")
    app = make_app(library=seed_library([path]), scenario_id="marked-desk", trainee="Test")
    async with app.run_test(size=(120, 36)) as pilot:
        shown = visible_text(pilot)
        assert "[bold red]Levi[/]" in shown
        assert "\x1b" not in shown


async def test_a_scenario_without_a_desk_has_no_panel(tmp_path: Path) -> None:
    text = (SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ndesk:\n"), text.index("\ncustomer:\n")
    text = (text[:start] + text[end:]).replace("id: china-hotel-beds", "id: no-desk")
    path = tmp_path / "no-desk.yaml"
    path.write_text(text, encoding="utf-8")
    app = make_app(library=seed_library([path]), scenario_id="no-desk", trainee="Test")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = conversation(pilot)
        assert not screen.query(DeskPanel)
        await type_and_send(pilot, "/rooms")
        assert "nothing to look up" in visible_text(pilot)
