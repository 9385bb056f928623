"""How the main screens look, at a laptop size and at 80x24 (pytest-textual-snapshot).

The grader is a stub so that improving the real grader does not redraw these
screens; the voice is scripted with a fixed seed; nothing shows a clock.
Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from simulator.grading.base import Evidence, Grade, GradeContext
from simulator.tui.app import TrainingApp
from tests.test_tui_app import make_app, seed_library, settle

SIZES = [(100, 30), (80, 24)]
IDS = ["100x30", "80x24"]
REPLY = "Good evening, I'm so sorry. Please wait here while I check the rules."


class StubGrader:
    """One fixed grade with evidence on both dimensions, whatever the reply."""

    def grade(self, reply: str, context: GradeContext) -> Grade:
        return Grade(
            courtesy=70,
            flexibility=30,
            evidence=(
                Evidence("courtesy", "Good evening", 10, "greeting"),
                Evidence("courtesy", "I'm so sorry", 10, "apology"),
                Evidence("flexibility", "check the rules", -15, "hides behind policy"),
            ),
            tip="Offer something concrete: an extra mattress or a bigger room.",
            acts=frozenset({"greets", "apologises"}),
        )


def app_for(**options: object) -> TrainingApp:
    return make_app(grader=StubGrader(), trainee="Ana", **options)  # type: ignore[arg-type]


async def steady(pilot: Pilot) -> None:
    """A blinking cursor would make the screenshot depend on timing."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def one_reply(pilot: Pilot) -> None:
    pilot.app.screen.query_one("#reply", Input).value = REPLY
    await pilot.press("enter")
    await settle(pilot)
    await steady(pilot)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_start_screen(snap_compare, size: tuple[int, int], tmp_path: Path) -> None:
    broken = tmp_path / "half-written.yaml"
    broken.write_text("id: half-written\ntitle: [bold]Half written\n", encoding="utf-8")
    app = make_app(library=seed_library([broken]), trainee="Ana")
    assert snap_compare(app, terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_conversation_after_one_reply(snap_compare, size: tuple[int, int]) -> None:
    app = app_for(scenario_id="china-hotel-beds")
    assert snap_compare(app, terminal_size=size, run_before=one_reply)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_debrief(snap_compare, size: tuple[int, int]) -> None:
    async def finished(pilot: Pilot) -> None:
        await one_reply(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()

    app = app_for(scenario_id="china-hotel-beds")
    assert snap_compare(app, terminal_size=size, run_before=finished)


def test_exam_conversation(snap_compare) -> None:
    app = app_for(scenario_id="china-hotel-beds", exam=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=one_reply)


def test_help(snap_compare) -> None:
    async def help_open(pilot: Pilot) -> None:
        await steady(pilot)
        await pilot.press("f1")
        await pilot.pause()

    app = app_for(scenario_id="china-hotel-beds")
    assert snap_compare(app, terminal_size=(80, 24), run_before=help_open)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
def test_conversation_with_the_desk(snap_compare, size: tuple[int, int]) -> None:
    async def looked_up(pilot: Pilot) -> None:
        if pilot.app.size.width < 110:
            await pilot.press("f2")  # folded away at 80 columns until asked for
        pilot.app.screen.query_one("#reply", Input).value = "/rooms"
        await pilot.press("enter")
        await settle(pilot)
        # The desk scrolls to the new answer after a refresh; let it land before the picture.
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await steady(pilot)

    app = app_for(scenario_id="china-hotel-beds")
    assert snap_compare(app, terminal_size=size, run_before=looked_up)
