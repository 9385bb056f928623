"""The training room app.

`TrainingApp` is built from what it needs (a scenario library, a voice factory
and a grader) so tests can run it with the scripted voice and no model. The
voice is made once, in a background worker when it is a model, and shared by
every conversation of the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from simulator.errors import UserError
from simulator.grading.base import Grader
from simulator.loader import Library
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.tui import trainee_name
from simulator.tui.literal import literal
from simulator.tui.messages import VoiceLoaded, VoiceProgressed
from simulator.tui.screens.conversation import ConversationScreen
from simulator.tui.screens.debrief import DebriefScreen, export_record, record_of
from simulator.tui.screens.help import HelpScreen
from simulator.tui.screens.start import StartScreen
from simulator.tui.voice_holder import PendingVoice, VoiceHolder
from simulator.tui.widgets.voice_status import VoiceStatus
from simulator.voice.base import Voice
from simulator.voice.scripted import ScriptedVoice

LoadProgress = Callable[[float | None, str], None]
Notice = Callable[[str], None]
# Called with a progress callback and a notice callback (one sentence, e.g. why
# the scripted voice stands in for a model that could not be installed).
VoiceFactory = Callable[[LoadProgress, Notice], Voice]
StoreOpener = Callable[[], Any]


class LoadCancelled(Exception):
    """Raised from the progress callback to abandon loading when the app closes."""


def open_default_store() -> Any:
    """The records store, imported late: the training room works without it."""
    from simulator.storage import Store

    return Store.open()


class TrainingApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Training room"
    # Below 90 columns the side panel narrows (see app.tcss).
    # Textual declares it as a plain attribute, so no ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]  # noqa: RUF012
    SUB_TITLE = "customer-service practice"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Ctrl+C normally copies in an input; trainees expect it to leave, and
        # leaving must keep the conversation, so it is taken over everywhere.
        Binding("ctrl+c", "leave_app", "Quit", show=False, priority=True),
        Binding("ctrl+q", "leave_app", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help"),
        Binding("ctrl+l", "toggle_dark", "Light/dark", show=False),
    ]

    def __init__(
        self,
        library: Library,
        voice_factory: VoiceFactory,
        grader: Grader,
        *,
        scenario_id: str | None = None,
        trainee: str | None = None,
        seed: int = 0,
        exam: bool = False,
        voice_kind: str = "scripted",
        store_opener: StoreOpener | None = open_default_store,
        remember_name: bool = True,
    ) -> None:
        super().__init__()
        self.library = library
        self.voice_factory = voice_factory
        self.grader = grader
        self.first_scenario = scenario_id
        self.seed = seed
        self.exam = exam
        self.voice_kind = voice_kind
        self.store_opener = store_opener
        self.remember_name = remember_name
        self.trainee = (trainee or "").strip() or (trainee_name.remembered() if remember_name else "")
        self.holder = VoiceHolder()
        # The grader's model and the voice's model load one after the other: a reply
        # is graded before the customer answers, so the grader must not share the
        # cores with the voice's (much longer) load.
        self.load_lock = threading.Lock()
        self.grader_ready = threading.Event()
        self.voice_loading: tuple[float | None, str] | None = None  # for screens opened mid-load
        self._store: Any = None
        self._store_problem: str | None = None
        self._left_message: str | None = None
        # What the trainee was told on leaving (also printed by Textual after the screen is gone).
        self.left_message: str | None = None
        # Each recorded session with its database id, to ask on leaving what is still unsaved.
        self._recorded: list[tuple[int, Session, str, datetime]] = []
        self._voice_load_started = False
        # Called with the scenario (None on the start screen) when a screen is first
        # painted; the bench times the room's start-up with it.
        self.on_painted: list[Callable[[Scenario | None], None]] = []

    # -- start-up --------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(StartScreen(self.library, self.trainee))
        if self.voice_kind == "scripted":
            # The scripted voice has nothing to load: make it here, so nothing waits.
            self.holder.set(self.voice_factory(lambda fraction, detail: None, lambda notice: None))
        else:
            self.voice_loading = (None, "starting")
        if self.first_scenario is not None:
            scenario = self.library.get(self.first_scenario)
            self.start_conversation(scenario, self.trainee or "Trainee")

    def screen_painted(self, scenario: Scenario | None = None) -> None:
        """A screen has been painted: start loading what the next replies need.

        Screens call this once after their first paint, not before: loading the
        grader's and the voice's models holds the GIL in stretches (importing torch
        for seconds), and the trainee should be reading meanwhile, not waiting.
        """
        for listener in self.on_painted:
            listener(scenario)
        self._warm_grader(scenario)
        if self.voice_kind != "scripted" and not self._voice_load_started:
            self._voice_load_started = True
            self._load_voice()

    @work(thread=True, group="warm-up", exit_on_error=False, name="warm up the grader")
    def _warm_grader(self, scenario: Scenario | None) -> None:
        self.warm_up_grader(scenario)

    def warm_up_grader(self, scenario: Scenario | None = None) -> None:
        """Load the grader's model (if it has one) before the first reply needs it; any thread."""
        warm_up = getattr(self.grader, "warm_up", None)
        with self.load_lock:
            if callable(warm_up):
                try:
                    warm_up(scenario) if scenario is not None else warm_up()
                except Exception:  # noqa: BLE001 - grading loads it on first use anyway
                    pass
            self.grader_ready.set()

    @work(thread=True, group="voice-load", exit_on_error=False, name="load the voice")
    def _load_voice(self) -> None:
        worker = get_current_worker()

        def progress(fraction: float | None, detail: str) -> None:
            if worker.is_cancelled:
                # The app is closing: raising here is the only way to stop a
                # loader that cannot be interrupted otherwise.
                raise LoadCancelled
            self.post_message(VoiceProgressed(fraction, detail))

        notices: list[str] = []
        problem: str | None = None
        if not self.grader_ready.is_set():
            self.warm_up_grader()  # first: a reply is graded before the customer answers
        try:
            with self.load_lock:
                voice = self.voice_factory(progress, notices.append)
            problem = " ".join(notices) or None
        except LoadCancelled:
            return
        except UserError as exc:
            voice, problem = ScriptedVoice(seed=self.seed), f"{exc} The customer uses the scripted lines."
        except Exception as exc:  # noqa: BLE001 - a broken model must not stop the training
            voice = ScriptedVoice(seed=self.seed)
            problem = f"The model voice failed to load ({type(exc).__name__}); the customer uses the scripted lines."
        self.holder.set(voice, problem)
        self.post_message(VoiceLoaded(voice, problem))

    def _voice_widgets(self) -> Iterable[VoiceStatus]:
        for screen in self.screen_stack:
            yield from screen.query(VoiceStatus)

    def on_voice_progressed(self, message: VoiceProgressed) -> None:
        self.voice_loading = (message.fraction, message.detail)
        for widget in self._voice_widgets():
            widget.show_progress(message.fraction, message.detail)

    def on_voice_loaded(self, message: VoiceLoaded) -> None:
        self.voice_loading = None
        for widget in self._voice_widgets():
            widget.done()
        if message.problem:
            self.notify(message.problem, severity="warning", timeout=12, markup=False)
            for screen in self.screen_stack:
                if isinstance(screen, ConversationScreen):
                    screen.show_notice(message.problem)
        else:
            self.notify("The customer's voice is ready.", timeout=3)

    # -- moving between screens --------------------------------------------------

    def open_store(self) -> Any:
        """The records store, opened once; None (with the reason kept) if history is unavailable."""
        if self._store is not None or self.store_opener is None or self._store_problem is not None:
            return self._store
        try:
            self._store = self.store_opener()
        except ImportError:
            self._store_problem = (
                "History is not available in this version; save the debrief to keep this session."
            )
        except UserError as exc:
            self._store_problem = f"History is off: {exc}"
        except Exception as exc:  # noqa: BLE001 - the training goes on without history
            self._store_problem = (
                f"History is off ({type(exc).__name__}); the debrief will be saved as a file."
            )
        else:
            self._watch_store(self._store)
        return self._store

    @property
    def store_problem(self) -> str | None:
        return self._store_problem

    def _attach_store(self, session: Session, trainee: str) -> tuple[bool, str | None]:
        """Record the session as it happens; any failure is a notice, never a lost session."""
        store = self.open_store()
        if store is None:
            return False, self._store_problem
        before_turn, before_end = len(session.on_turn), len(session.on_end)
        try:
            session_id = store.attach(session, trainee=trainee, exam=self.exam)
        except Exception as exc:  # noqa: BLE001 - UserError or worse: play on, unrecorded
            del session.on_turn[before_turn:], session.on_end[before_end:]
            reason = str(exc) if isinstance(exc, UserError) else type(exc).__name__
            return (
                False,
                f"This session is not recorded in history ({reason}); the debrief will be saved as a file.",
            )
        self._recorded.append((session_id, session, trainee, datetime.now().astimezone()))
        # A full disk while saving a turn must not break the conversation.
        session.on_turn[before_turn:] = [self._guarded(f) for f in session.on_turn[before_turn:]]
        session.on_end[before_end:] = [self._guarded(f) for f in session.on_end[before_end:]]
        return True, None

    def _watch_store(self, store: Any) -> None:
        notice = getattr(store, "notice", None)
        if notice:
            self.notify(str(notice), severity="warning", timeout=15, markup=False)
        problems = getattr(store, "on_problem", None)
        if isinstance(problems, list):
            problems.append(lambda problem: self.notify(str(problem), severity="error", markup=False))

    def _guarded(self, listener: Callable[..., None]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            try:
                listener(*args)
            except Exception as exc:  # noqa: BLE001 - see _attach_store
                self.notify(
                    f"This turn could not be saved to history ({exc}); save the debrief at the end.",
                    severity="error",
                    markup=False,
                )

        return call

    def start_conversation(self, scenario: Scenario, trainee: str) -> ConversationScreen:
        self.trainee = trainee
        if self.remember_name:
            problem = trainee_name.remember(trainee)
            if problem:
                self.notify(problem, severity="warning", markup=False)
        session = Session(
            scenario, PendingVoice(self.holder, self.voice_kind), self.grader, seed=self.seed_for(scenario)
        )
        recorded, notice = self._attach_store(session, trainee)
        screen = ConversationScreen(
            session,
            trainee,
            exam=self.exam,
            notice=notice,
            recorded=recorded,
            started_at=datetime.now().astimezone(),
        )
        if isinstance(self.screen, DebriefScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if self.voice_loading is not None:
            fraction, detail = self.voice_loading
            screen.call_after_refresh(lambda: screen.query_one(VoiceStatus).show_progress(fraction, detail))
        return screen

    def seed_for(self, scenario: Scenario) -> int:
        """In an exam everyone meets the same customer: the seed comes from the scenario."""
        if not self.exam:
            return self.seed
        try:
            from simulator.exam import exam_seed
        except ImportError:
            return self.seed
        return exam_seed(scenario)

    def _keep_unrecorded(self, conversation: ConversationScreen) -> Path | None:
        """Without history, a session is saved as a JSON file so leaving never loses it."""
        if conversation.recorded or self.store_opener is None or not conversation.session.turns:
            return None
        record = record_of(conversation.session, conversation.trainee, conversation.started_at)
        try:
            return export_record(record, "json")
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def show_debrief(self, conversation: ConversationScreen) -> None:
        kept = self._keep_unrecorded(conversation)
        debrief = DebriefScreen(
            conversation.session,
            conversation.trainee,
            exam=self.exam,
            started_at=conversation.started_at,
            recorded=conversation.recorded,
        )
        if kept is not None:
            debrief.saved.append(kept)
        self.switch_screen(debrief)
        if kept is not None:
            debrief.call_after_refresh(
                lambda: debrief.query_one("#saved", Static).update(literal(f"Saved JSON: {kept}"))
            )
        # "Kept in your history" would not be true of replies a full disk refused.
        unsaved = next(
            (
                self._unsaved_copy(*recorded)
                for recorded in self._recorded
                if recorded[1] is conversation.session
            ),
            None,
        )
        if unsaved is not None:
            debrief.call_after_refresh(lambda: debrief.query_one("#saved", Static).update(literal(unsaved)))
            self.notify(unsaved, severity="error", timeout=20, markup=False)

    def play_again(self, debrief: DebriefScreen) -> None:
        self.start_conversation(debrief.session.scenario, debrief.trainee)

    def back_to_scenarios(self, debrief: DebriefScreen) -> None:
        self.pop_screen()

    # -- app-wide actions ---------------------------------------------------------

    def action_leave_app(self) -> None:
        """Quit, ending any conversation first so what was said is recorded.

        The message printed after the screen closes says where every reply is:
        in the history, in a saved file, or (when nothing could be written) on
        the terminal itself.
        """
        lines: list[str] = []
        current: Session | None = None
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ConversationScreen) and not screen.session.finished:
                screen.end_conversation()
                turns = len(screen.session.turns)
                if screen.recorded:
                    current = screen.session
                    continue
                kept = self._keep_unrecorded(screen)
                if kept is not None:
                    lines.append(
                        f"Your conversation ({turns} replies) could not be kept in your history, "
                        f"so it was saved to {kept}"
                    )
                elif turns and self.store_opener is not None:
                    lines.append(
                        self._on_terminal(
                            screen.session, screen.trainee, "could not be kept in your history or saved"
                        )
                    )
        for session_id, session, trainee, started_at in self._recorded:
            unsaved = self._unsaved_copy(session_id, session, trainee, started_at)
            if unsaved:
                lines.append(unsaved)
            elif session is current:
                lines.append(f"Your conversation ({len(session.turns)} replies) is kept in your history.")
        for worker in self.workers:
            worker.cancel()
        message = "\n".join(lines) or None
        self.left_message = message
        # Text, not a string: Textual would read a path with [brackets] as markup.
        self.exit(message=literal(message) if message else None)

    def _unsaved_copy(
        self, session_id: int, session: Session, trainee: str, started_at: datetime
    ) -> str | None:
        """If some replies of a recorded session never reached the database (a full disk, a
        read-only file), save the whole conversation elsewhere and say where; None if all are stored."""
        store = self._store
        if store is None:
            return None
        try:
            store.flush()
        except Exception:  # noqa: BLE001 - what is still unsaved is counted below
            pass
        unsaved = store.unsaved_turns(session_id)
        if not unsaved:
            return None
        turns = len(session.turns)
        problem = str(getattr(store, "problem", "") or "")
        why = "the disk is full" if "disk is full" in problem else "the history database could not be written"
        stored = (
            f"Only {turns - unsaved} of your {turns} replies in '{session.scenario.title}' "
            f"were stored in your history ({why})"
        )
        try:
            path = export_record(record_of(session, trainee, started_at), "json")
        except UserError:
            return self._on_terminal(session, trainee, stored)
        return f"{stored}; the whole conversation was saved to {path}"

    @staticmethod
    def _on_terminal(session: Session, trainee: str, lead: str) -> str:
        """Nothing could be written anywhere: the conversation is printed after the UI closes."""
        if not lead.startswith("Only"):
            lead = f"Your conversation ({len(session.turns)} replies) {lead}"
        lines = [f"{lead}, and no folder could take a copy; copy it from here:"]
        lines.append(f"Customer: {session.opening}")
        for turn in session.turns:
            lines.append(f"{trainee}: {turn.trainee}")
            lines.append(f"Customer: {turn.customer}")
        return "\n".join(lines)

    def action_help(self) -> None:
        sections = {
            StartScreen: "Scenario list",
            ConversationScreen: "Conversation",
            DebriefScreen: "Debrief",
        }
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(sections.get(type(self.screen))))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Help", "Keys for every screen", self.action_help)
        yield SystemCommand(
            "Light or dark", "Switch between the light and dark themes", self.action_toggle_dark
        )
        own = getattr(screen, "palette_commands", None)
        if own is not None:
            yield from own()
        yield from super().get_system_commands(screen)

    def on_unmount(self) -> None:
        close = getattr(self._store, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - closing at exit is best effort
                pass
