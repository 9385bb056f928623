"""The training room driven as a trainee would, with Pilot. No model is ever loaded."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from simulator import locations
from simulator.errors import UserError
from simulator.grading.base import Grader
from simulator.loader import Library, discover
from simulator.tui.app import TrainingApp
from simulator.tui.screens.conversation import ConversationScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.help import HelpScreen
from simulator.tui.screens.leave import LeaveScreen
from simulator.tui.screens.start import StartScreen
from simulator.tui.widgets.grade_panel import GradePanel
from simulator.tui.widgets.mood_meter import MoodMeter
from simulator.tui.widgets.reply_input import MAX_REPLY_CHARS, ReplyInput
from simulator.tui.widgets.transcript_message import TranscriptMessage
from simulator.tui.widgets.voice_status import VoiceStatus
from simulator.voice.base import CustomerLine, LineRequest, TokenCallback, Voice
from simulator.voice.scripted import ScriptedVoice
from tests.conftest import SCENARIOS
from tests.simple_grader import SimpleGrader

SIZES = [(100, 30), (80, 24)]
SEEDS = ["china-hotel-beds", "tow-truck-ride"]


def seed_library(extra: list[Path] | None = None) -> Library:
    files = [SCENARIOS / f"{name}.yaml" for name in SEEDS]
    return discover(files=files + (extra or []))


Progress = Callable[[float | None, str], None]
Notice = Callable[[str], None]
Factory = Callable[[Progress, Notice], Voice]


def scripted(progress: Progress, notice: Notice) -> Voice:
    return ScriptedVoice(seed=0)


def make_app(
    *,
    library: Library | None = None,
    voice_factory: Factory = scripted,
    grader: Grader | None = None,
    **options: object,
) -> TrainingApp:
    options.setdefault("store_opener", None)
    return TrainingApp(
        library or seed_library(),
        voice_factory,
        grader or SimpleGrader(),
        **options,  # type: ignore[arg-type]
    )


async def settle(pilot: Pilot) -> None:
    """Let the customer finish typing and every message be handled."""
    for _ in range(200):
        await pilot.pause()
        screen = pilot.app.screen
        if not getattr(screen, "busy", False):
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise AssertionError("the customer never finished typing")


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def reply(pilot: Pilot, text: str, *, type_it: bool = True) -> None:
    box = pilot.app.screen.query_one("#reply", ReplyInput)
    box.focus()
    if type_it:
        await pilot.press(*text)
    else:
        box.value = text
    await pilot.press("enter")


def visible_text(pilot: Pilot) -> str:
    """What is on the terminal now, as plain text (the same render a screenshot uses)."""
    app = pilot.app
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(seg.text for strip in line for seg in strip) for line in update.strips)


def conversation(pilot: Pilot) -> ConversationScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConversationScreen), type(screen).__name__
    return screen


# -- a whole session -------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
async def test_a_whole_session_from_start_to_debrief(size: tuple[int, int]) -> None:
    app = make_app(trainee="Ana")
    async with app.run_test(size=size) as pilot:
        start = pilot.app.screen
        assert isinstance(start, StartScreen)
        await pilot.press(*"beds")  # the filter has focus when the name is known
        options = start.query_one("#scenarios", OptionList)
        assert options.option_count == 1
        await pilot.press("enter")
        screen = conversation(pilot)
        assert "Good evening. We've just" in visible_text(pilot)

        await reply(pilot, "Good evening, I'm so sorry. Let me see what I can do for you.")
        await settle(pilot)
        shown = visible_text(pilot)
        assert "Courtesy" in shown and "Flexibility" in shown
        assert screen.session.turns and screen.session.turns[0].trainee.startswith("Good evening")
        panel = screen.query_one(GradePanel)
        assert panel.grade is screen.session.turns[0].grade
        assert screen.query_one(MoodMeter).before == screen.session.start_mood
        customer_lines = [m for m in screen.query(TranscriptMessage) if m.has_class("customer")]
        assert len(customer_lines) == 2 and customer_lines[1].text == screen.session.turns[0].customer

        await pilot.press("ctrl+f")
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        shown = visible_text(pilot)
        assert "Outcome" in shown and "Mood over the turns" in shown
        assert debrief.session.finished and debrief.session.ended_by == "trainee"

        await pilot.press("j")
        saved = debrief.saved[-1]
        assert saved.parent == locations.data_dir() / "exports"
        record = json.loads(saved.read_text(encoding="utf-8"))
        assert record["trainee"] == "Ana" and len(record["turns"]) == 1 and record["started_at"]

        await pilot.press("escape")
        assert isinstance(pilot.app.screen, StartScreen)


@pytest.mark.parametrize("scenario_id", SEEDS)
@pytest.mark.parametrize("size", SIZES, ids=["100x30", "80x24"])
async def test_both_seed_scenarios_play_to_their_end(scenario_id: str, size: tuple[int, int]) -> None:
    """The scenario's own 'resolved' sample script, played to the debrief."""
    library = seed_library()
    scenario = library.scenarios[scenario_id]
    sample = next(s for s in scenario.samples if s.outcome == "resolved")
    app = make_app(library=library, scenario_id=scenario_id, trainee="Ana")
    async with app.run_test(size=size) as pilot:
        screen = conversation(pilot)
        for text in sample.texts:
            if screen.session.finished:
                break
            await reply(pilot, text, type_it=False)
            await settle(pilot)
        if screen.session.finished:
            # The customer ended it: the transcript says so and Enter opens the debrief.
            assert "Press Enter or Ctrl+F for your debrief" in screen.transcript_text()
            await pilot.press("enter")
        else:
            # How far a script gets depends on the grader in use; the trainee can always finish.
            await pilot.press("ctrl+f")
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        assert len(debrief.session.turns) >= 1
        shown = visible_text(pilot)
        assert "Outcome" in shown and "Your replies" in shown


async def test_play_opens_the_conversation_directly_with_the_opening_line() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Test")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = conversation(pilot)
        assert screen.trainee == "Test"
        assert "Good evening. We've just" in visible_text(pilot)
        assert screen.query_one("#reply").has_focus
        # Leaving the conversation returns to the scenario list underneath.
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, LeaveScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DebriefScreen)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, StartScreen)


async def test_play_again_starts_a_fresh_session() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Test")
    async with app.run_test(size=(100, 30)) as pilot:
        first = conversation(pilot).session
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        again = conversation(pilot)
        assert again.session is not first and not again.session.turns


# -- the start screen -----------------------------------------------------------


async def test_name_is_required_and_remembered() -> None:
    app = make_app(remember_name=True)
    async with app.run_test(size=(80, 24)) as pilot:
        start = pilot.app.screen
        assert isinstance(start, StartScreen)
        assert start.query_one("#trainee", Input).has_focus
        start.query_one("#filter", Input).focus()
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, StartScreen), "no name, no play"
        assert start.query_one("#trainee", Input).has_focus
        await pilot.press(*"Dana")
        await pilot.press("enter", "enter")
        assert isinstance(pilot.app.screen, ConversationScreen)
    config = json.loads(locations.config_file().read_text(encoding="utf-8"))
    assert config["trainee"] == "Dana"
    # The next run starts with the name filled in.
    async with make_app(remember_name=True).run_test() as pilot:
        assert pilot.app.screen.query_one("#trainee", Input).value == "Dana"


async def test_filter_as_you_type_and_arrows_choose(tmp_path: Path) -> None:
    app = make_app(trainee="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        options = pilot.app.screen.query_one("#scenarios", OptionList)
        assert options.option_count == 2
        await pilot.press(*"road")
        assert options.option_count == 1
        assert options.get_option_at_index(0).id == "tow-truck-ride"
        await pilot.press(*"zzz")
        assert "No scenario matches" in visible_text(pilot)
        for _ in range(7):
            await pilot.press("backspace")
        assert options.option_count == 2
        await pilot.press("down", "enter")
        assert conversation(pilot).session.scenario.id == options.get_option_at_index(1).id


async def test_invalid_scenario_files_are_listed_with_their_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken-story.yaml"
    broken.write_text(
        "id: broken-story\ntitle: [bold]Broken[/bold]\ndifficulty: impossible\n", encoding="utf-8"
    )
    app = make_app(library=seed_library([broken]), trainee="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        options = pilot.app.screen.query_one("#scenarios", OptionList)
        assert options.option_count == 3
        last = options.get_option_at_index(2)
        assert last.disabled
        shown = visible_text(pilot)
        assert "broken-story.yaml" in shown and "cannot be played" in shown
        assert "Scenarios (2)" in shown


# -- the conversation -----------------------------------------------------------


class GatedVoice:
    """Types its first word, then waits for the test to open the gate."""

    name = "gated"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.typing = threading.Event()

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        words = request.authored[0].split(" ")
        if on_token:
            on_token(words[0] + " ")
        self.typing.set()
        while not self.gate.wait(0.01):
            if cancel is not None and cancel.is_set():
                return CustomerLine(words[0], "model")
        for word in words[1:]:
            if on_token:
                on_token(word + " ")
        self.typing.clear()
        return CustomerLine(request.authored[0], "model")


async def test_a_reply_sent_while_the_customer_types_waits_its_turn() -> None:
    voice = GatedVoice()
    app = make_app(
        voice_factory=lambda progress, notice: voice, scenario_id="china-hotel-beds", trainee="Ana"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = conversation(pilot)
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await wait_until(pilot, voice.typing.is_set, "the customer to start typing")
        assert screen.busy
        assert "Mrs. Dana Levi is typing" in visible_text(pilot)
        await reply(pilot, "I'm so sorry, I will bring an extra bed.", type_it=False)
        queued = [m for m in screen.query(TranscriptMessage) if m.has_class("queued")]
        assert len(queued) == 1
        assert len(screen.session.turns) == 0, "the waiting reply is not graded yet"
        voice.gate.set()
        await settle(pilot)
        assert [t.trainee for t in screen.session.turns] == [
            "Hello, how can I help?",
            "I'm so sorry, I will bring an extra bed.",
        ]
        kinds = [
            "customer" if m.has_class("customer") else "trainee"
            for m in screen.query(TranscriptMessage)
            if not m.has_class("note")
        ]
        assert kinds[:5] == ["customer", "trainee", "customer", "trainee", "customer"]


async def test_finishing_while_the_customer_types_keeps_the_turn() -> None:
    voice = GatedVoice()
    app = make_app(
        voice_factory=lambda progress, notice: voice, scenario_id="china-hotel-beds", trainee="Ana"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = conversation(pilot)
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await wait_until(pilot, voice.typing.is_set, "the customer to start typing")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DebriefScreen)
        assert len(screen.session.turns) == 1
        assert screen.session.turns[0].trainee == "Hello, how can I help?"
        voice.gate.set()


async def test_the_model_loads_in_the_background_with_progress() -> None:
    loaded = threading.Event()

    def slow_model(progress: Progress, notice: Notice) -> Voice:
        progress(0.4, "weights")
        loaded.wait(10)
        return ScriptedVoice(seed=0)

    app = make_app(
        voice_factory=slow_model, voice_kind="model", scenario_id="china-hotel-beds", trainee="Ana"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = conversation(pilot)
        status = screen.query_one(VoiceStatus)
        await wait_until(pilot, lambda: status.has_class("-loading"), "the progress bar")
        assert "Loading the customer's voice" in visible_text(pilot)
        # The trainee can reply at once: the grade does not need the voice.
        await reply(pilot, "Good evening, I'm so sorry.", type_it=False)
        await wait_until(pilot, lambda: screen.query_one(GradePanel).grade is not None, "the grade")
        await pilot.pause()
        assert "will answer once the voice has loaded" in visible_text(pilot)
        loaded.set()
        await settle(pilot)
        assert not status.has_class("-loading")
        assert len(screen.session.turns) == 1 and screen.session.turns[0].customer


async def test_a_model_that_cannot_load_falls_back_to_the_script() -> None:
    def missing(progress: Progress, notice: Notice) -> Voice:
        raise UserError("No model is installed; run 'simulator models install'.")

    app = make_app(voice_factory=missing, voice_kind="model", scenario_id="china-hotel-beds", trainee="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = conversation(pilot)
        await wait_until(pilot, lambda: pilot.app.holder.ready, "the fallback voice")
        await pilot.pause()
        assert "scripted lines" in visible_text(pilot)
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await settle(pilot)
        assert screen.session.turns[0].customer_source == "script"


async def test_exam_mode_hides_the_grades_until_the_debrief() -> None:
    app = make_app(exam=True, scenario_id="china-hotel-beds", trainee="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        await reply(pilot, "Good evening, I'm so sorry about that.", type_it=False)
        await settle(pilot)
        shown = visible_text(pilot)
        assert "Grades are shown in the" in shown
        assert "Courtesy" not in shown and "Flexibility" not in shown
        await pilot.press("ctrl+f")
        await pilot.pause()
        shown = visible_text(pilot)
        assert "Courtesy" in shown and "pass mark" in shown


# -- safety: what people type is text ----------------------------------------------

NASTY = "[bold]x[/bold] [link=https://example.com]y[/link] \x1b[31mred\x1b[0m ‮RTL‬ שלום مرحبا 😀👍🏽"


async def test_trainee_text_is_shown_literally() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="[red]Eve[/red]")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = conversation(pilot)
        await reply(pilot, NASTY, type_it=False)
        await settle(pilot)
        shown = visible_text(pilot)
        assert "[bold]x[/bold]" in shown
        assert "[link=https://example.com]y[/link]" in shown
        assert "␛[31mred" in shown and "\x1b" not in shown
        assert "שלום" in shown and "😀" in shown
        assert "[red]Eve[/red]" in shown
        assert screen.session.turns[0].trainee == NASTY  # graded and kept as typed


async def test_a_100kb_paste_is_cut_to_a_reply_and_never_crashes() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = conversation(pilot)
        box = screen.query_one("#reply", ReplyInput)
        box.focus()
        paste = ("[bold]I'm sorry[/bold] \x1b[2J 😀 مرحبا\n" * 4000)[:100_000]
        box.post_message(events.Paste(paste))
        await pilot.pause()
        assert len(box.value) == MAX_REPLY_CHARS
        assert "\n" not in box.value and "\x1b" not in box.value
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.session.turns) == 1


# -- leaving safely ------------------------------------------------------------------


async def test_ctrl_c_leaves_and_the_conversation_is_kept_in_history() -> None:
    from simulator.storage import Store

    app = make_app(scenario_id="china-hotel-beds", trainee="Ana", store_opener=Store.open)
    async with app.run_test(size=(100, 30)) as pilot:
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await settle(pilot)
        await pilot.press("ctrl+c")
    assert app.return_code == 0
    with Store.open() as store:
        sessions = store.list_sessions()
        assert len(sessions) == 1
        record = store.load(sessions[0]["id"])
    assert record["trainee"] == "Ana"
    assert [t["trainee"] for t in record["turns"]] == ["Hello, how can I help?"]


async def test_without_history_leaving_saves_a_file_and_says_so() -> None:
    def no_history() -> object:
        raise UserError("The database is read-only.")

    app = make_app(scenario_id="china-hotel-beds", trainee="Ana", store_opener=no_history)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "History is off: The database is read-only." in visible_text(pilot)
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await settle(pilot)
        await pilot.press("ctrl+c")
    saved = list((locations.data_dir() / "exports").glob("*.json"))
    assert len(saved) == 1
    assert json.loads(saved[0].read_text(encoding="utf-8"))["turns"][0]["trainee"] == "Hello, how can I help?"


async def test_escape_asks_before_leaving() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, LeaveScreen)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ConversationScreen)
        assert not pilot.app.screen.session.finished


# -- keyboard ------------------------------------------------------------------------


async def test_help_palette_and_themes() -> None:
    app = make_app(scenario_id="china-hotel-beds", trainee="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        shown = visible_text(pilot)
        for key in ("^f", "Finish", "esc", "Leave", "f1", "Help"):
            assert key in shown
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        assert "Ctrl+F" in visible_text(pilot)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ConversationScreen)
        dark = pilot.app.current_theme.dark
        await pilot.press("ctrl+l")
        assert pilot.app.current_theme.dark is not dark
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert pilot.app.screen.__class__.__name__ == "CommandPalette"
        await pilot.press(*"finish")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DebriefScreen)


async def test_a_notice_from_the_voice_factory_is_shown() -> None:
    def not_installed(progress: Progress, notice: Notice) -> Voice:
        progress(0.1, "installing")
        notice("The default model could not be installed (no network); the scripted voice plays.")
        return ScriptedVoice(seed=0)

    app = make_app(
        voice_factory=not_installed, voice_kind="model", scenario_id="china-hotel-beds", trainee="Ana"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: pilot.app.holder.ready, "the voice")
        await pilot.pause()
        assert "could not be installed" in visible_text(pilot)


def test_play_passes_progress_and_notices_to_the_voice_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from simulator.cli import play_cmd
    from simulator.voice import factory

    seen: dict[str, object] = {}

    def fake_make_voice(
        kind: str,
        model_path: Path | None = None,
        seed: int = 0,
        on_progress: Callable[[str, float], None] | None = None,
        on_notice: Notice | None = None,
    ) -> Voice:
        assert on_progress is not None and on_notice is not None
        on_progress("Loading smol", 0.5)
        on_notice("a notice")
        seen["kind"] = kind
        return ScriptedVoice(seed=seed)

    monkeypatch.setattr(factory, "make_voice", fake_make_voice)
    reports: list[tuple[float | None, str]] = []
    notices: list[str] = []
    args = argparse.Namespace(voice="model", model=None, seed=3)
    voice = play_cmd.voice_factory(args)(lambda f, d: reports.append((f, d)), notices.append)
    assert isinstance(voice, ScriptedVoice) and seen["kind"] == "model"
    assert reports == [(0.5, "Loading smol")] and notices == ["a notice"]
