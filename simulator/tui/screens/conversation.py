"""The conversation: the customer types, the trainee replies, each reply is graded at once.

A turn runs in three steps so the screen never waits on the model:
`Session.plan` grades the reply on the UI thread (fast) and the side panel shows
the grade and the new mood at once; a thread worker voices the customer's line,
posting each token; the handler of `CustomerReplied` commits the turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.session import Plan, Session
from simulator.tui.literal import clean, literal, one_line
from simulator.tui.messages import CustomerReplied, CustomerTyped, ReplyFailed, ReplyGraded, TurnCommitted
from simulator.tui.widgets.grade_panel import GradePanel
from simulator.tui.widgets.mood_meter import MoodMeter
from simulator.tui.widgets.reply_input import ReplyInput
from simulator.tui.widgets.transcript_message import TranscriptMessage
from simulator.tui.widgets.typing_indicator import TypingIndicator
from simulator.tui.widgets.voice_status import VoiceStatus
from simulator.voice.base import CustomerLine

ENDINGS = {
    "resolved": "The customer's problem is solved.",
    "walked_out": "The customer walked out.",
    "unresolved": "The conversation ended without a solution.",
}
PLACEHOLDER = "Type your reply and press Enter"


class ConversationScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "finish", "Finish", tooltip="End the conversation and see the debrief"),
        Binding("ctrl+b", "toggle_brief", "Brief"),
        Binding("escape", "leave", "Leave"),
        Binding("pageup", "scroll_transcript(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_transcript(1)", "Scroll down", show=False),
    ]

    def __init__(
        self,
        session: Session,
        trainee: str,
        *,
        exam: bool = False,
        notice: str | None = None,
        recorded: bool = False,
        started_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.trainee = trainee
        self.exam = exam
        self.notice = notice
        self.recorded = recorded
        self.started_at = started_at or datetime.now().astimezone()
        self._pending: Plan | None = None  # graded, being voiced
        self._bubble: TranscriptMessage | None = None  # the customer's line being typed
        self._cancel: threading.Event | None = None  # set while a turn is in flight
        self._reply_bubble: TranscriptMessage | None = None
        self._voice_started = 0.0
        self._queued: tuple[str, TranscriptMessage] | None = None
        self._leaving = False
        self._finish_when_graded = False
        scenario = session.scenario
        self.customer_name = one_line(scenario.customer.name)
        self.title = one_line(scenario.title)
        self.sub_title = one_line(f"{scenario.difficulty} · {trainee}" + (" · exam" if exam else ""))

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        yield Header()
        with Horizontal(id="room"):
            with Vertical(id="talk"):
                brief = Static(self._brief_text(), id="brief", markup=False)
                brief.border_title = "Brief (Ctrl+B)"
                yield brief
                with VerticalScroll(id="transcript"):
                    yield TranscriptMessage(scenario.customer.name, self.session.opening, kind="customer")
                yield TypingIndicator(id="typing")
                yield VoiceStatus(id="voice-status")
                yield Static(literal(self.notice or ""), id="notice", markup=False)
                yield ReplyInput(placeholder=PLACEHOLDER, id="reply")
            with VerticalScroll(id="side"):
                yield MoodMeter(self.session.mood, id="mood")
                yield Static(self._turn_text(), id="turns", markup=False)
                yield GradePanel(exam=self.exam, id="grade")
        yield Footer()

    def _brief_text(self) -> Text:
        scenario = self.session.scenario
        text = literal(scenario.brief)
        text.append("\nYou are: ", style="bold")
        text.append_text(literal(scenario.trainee_role))
        return text

    def _turn_text(self) -> Text:
        limit = self.session.scenario.end.max_turns
        if self.session.finished:
            return Text(f"Finished after {len(self.session.turns)} of {limit} turns")
        return Text(f"Turn {len(self.session.turns) + 1} of {limit}")

    def on_mount(self) -> None:
        self.query_one("#notice").display = bool(self.notice)
        self.query_one("#reply", ReplyInput).focus()
        self.query_one("#transcript").scroll_end(animate=False)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        painted = getattr(self.app, "screen_painted", None)
        if callable(painted):
            painted(self.session.scenario)

    # -- helpers for the app and tests ------------------------------------------

    @property
    def busy(self) -> bool:
        """A reply is being graded or the customer is still typing."""
        return self._cancel is not None

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Finish the conversation", "End it now and see the debrief", self.action_finish)
        yield SystemCommand(
            "Show or hide the brief", "The scenario brief above the conversation", self.action_toggle_brief
        )

    def _say(self, message: TranscriptMessage) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(message)
        transcript.scroll_end(animate=False)

    def show_notice(self, text: str) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(literal(text))
        notice.display = True

    # -- a turn ------------------------------------------------------------------

    @on(Input.Submitted, "#reply")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        reply = self.query_one("#reply", ReplyInput)
        if self.session.finished:
            self.action_finish()
            return
        if not text:
            return
        reply.value = ""
        if self.busy:
            if self._queued is not None:
                self.notify(
                    "A reply is already waiting; it is sent when the customer finishes.", severity="warning"
                )
                reply.value = text
                return
            # The customer's state changes when their line is committed, so a
            # reply typed meanwhile waits and is graded right after.
            bubble = TranscriptMessage(
                self.trainee, text, kind="trainee queued", note="(waiting for the customer)"
            )
            self._queued = (text, bubble)
            self._say(bubble)
            return
        self.send(text)

    def send(self, text: str, bubble: TranscriptMessage | None = None) -> None:
        """Show the reply, then grade it and let the customer answer in a worker."""
        if bubble is None:
            bubble = TranscriptMessage(self.trainee, text, kind="trainee")
            self._say(bubble)
        else:
            bubble.remove_class("queued")
            bubble.set_text(text)
        if not self.session.turns and not self.query_one("#brief").has_class("-collapsed"):
            self.action_toggle_brief()  # the conversation needs the room now; Ctrl+B brings it back
        self._reply_bubble = bubble
        self._pending = None
        # The customer's answer gets its place now, so a reply queued meanwhile
        # lands after it; it stays hidden until the first token arrives.
        self._bubble = TranscriptMessage(self.session.scenario.customer.name, "", kind="customer")
        self._bubble.display = False
        self._say(self._bubble)
        self._cancel = threading.Event()
        self._voice_started = time.perf_counter()
        self.query_one("#typing", TypingIndicator).start("Your reply", "is being graded")
        self._take_turn(text, self._cancel)

    @work(thread=True, group="turn", exit_on_error=False, name="grade and voice")
    def _take_turn(self, text: str, cancel: threading.Event) -> None:
        # Grading runs here too: the grader may load its embedding model on first
        # use, and the screen must not freeze while it does.
        ready: threading.Event | None = getattr(self.app, "grader_ready", None)
        lock: threading.Lock | None = getattr(self.app, "load_lock", None)
        try:
            if ready is not None and lock is not None and not ready.is_set():
                with lock:  # the grader's first use may load its model; see TrainingApp.load_lock
                    plan = self.session.plan(text)
            else:
                plan = self.session.plan(text)
        except Exception as exc:  # noqa: BLE001 - one sentence, and the trainee can try again
            if not cancel.is_set():
                self.post_message(
                    ReplyFailed(text, f"Your reply could not be graded ({type(exc).__name__}).", cancel)
                )
            return
        if cancel.is_set():
            return
        self.post_message(ReplyGraded(plan, cancel))
        started = time.perf_counter()

        def on_token(token: str) -> None:
            if not cancel.is_set():
                self.post_message(CustomerTyped(plan, token))

        try:
            line = self.session.voice_line(plan, on_token=on_token, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - the customer must answer even if the voice breaks
            authored = plan.authored[0] if plan.authored else "…"
            line = CustomerLine(authored, "script", (f"voice failed: {type(exc).__name__}",))
        self.post_message(CustomerReplied(plan, line, time.perf_counter() - started))

    def on_reply_graded(self, message: ReplyGraded) -> None:
        if message.ticket is not self._cancel or self._cancel is None or self._cancel.is_set():
            return  # the trainee ended the conversation meanwhile
        plan = message.plan
        self.query_one("#grade", GradePanel).show(plan.grade)
        self.query_one("#mood", MoodMeter).show(plan.mood, plan.mood_before)
        self._pending = plan
        if self._finish_when_graded:
            self.action_finish()
            return
        typing = self.query_one("#typing", TypingIndicator)
        holder = getattr(self.app, "holder", None)
        if holder is not None and not holder.ready:
            typing.start(self.customer_name, "will answer once the voice has loaded")
        else:
            typing.start(self.customer_name)

    def on_reply_failed(self, message: ReplyFailed) -> None:
        if message.ticket is not self._cancel:
            return
        self._cancel = None
        self.query_one("#typing", TypingIndicator).stop()
        if self._bubble is not None:
            self._bubble.remove()
            self._bubble = None
        if self._reply_bubble is not None:
            self._reply_bubble.set_text(self._reply_bubble.text, note="(not graded)")
        self.query_one("#reply", ReplyInput).value = message.text
        self.show_notice(f"{message.problem} Press Enter to send it again.")
        if self._finish_when_graded:
            self.action_finish()

    def on_customer_typed(self, message: CustomerTyped) -> None:
        if message.plan is not self._pending or self._bubble is None:
            return  # a token from a turn already committed or abandoned
        if not self._bubble.display:
            self._bubble.display = True
            self.query_one("#typing", TypingIndicator).start(self.customer_name)
        self._bubble.append(message.token)
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    def on_customer_replied(self, message: CustomerReplied) -> None:
        if message.plan is not self._pending:
            return
        self._commit(message.line, message.seconds)
        if self._queued is not None and not self.session.finished:
            text, bubble = self._queued
            self._queued = None
            self.send(text, bubble)

    def _commit(self, line: CustomerLine, seconds: float) -> None:
        plan, bubble = self._pending, self._bubble
        assert plan is not None and bubble is not None
        self._pending = self._bubble = None
        self._cancel = None
        self.query_one("#typing", TypingIndicator).stop()
        # The committed line can differ from the streamed tokens (a model line
        # the checks rejected is replaced by the authored one), so show the final text.
        bubble.display = True
        bubble.set_text(line.text or "…")
        turn = self.session.commit(plan, line, seconds)
        self.query_one(VoiceStatus).spoke(line.fallback)
        self.post_message(TurnCommitted(turn))
        self.query_one("#turns", Static).update(self._turn_text())
        if self.session.finished:
            self._ended()
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    def _ended(self) -> None:
        outcome = self.session.outcome or "unresolved"
        self._say(
            TranscriptMessage("", f"{ENDINGS[outcome]} Press Enter or Ctrl+F for your debrief.", kind="note")
        )
        reply = self.query_one("#reply", ReplyInput)
        reply.placeholder = "Conversation over: Enter opens the debrief"
        self.query_one("#turns", Static).update(self._turn_text())
        if self._queued is not None:
            _text, bubble = self._queued
            self._queued = None
            bubble.set_text(bubble.text, note="(not sent: the conversation had ended)")

    def keep(self) -> None:
        """End the session, keeping everything said so far (also used when the app quits).

        A line the customer was still typing is committed as far as it got, so
        the graded reply that prompted it is not lost.
        """
        if self._cancel is not None:
            self._cancel.set()
        if self._pending is None and self._cancel is not None and self._reply_bubble is not None:
            # Still being graded: nothing of this turn reached the session.
            self._reply_bubble.set_text(self._reply_bubble.text, note="(not graded: the conversation ended)")
            self._cancel = None
            if self._bubble is not None:
                self._bubble.remove()
                self._bubble = None
        if self._pending is not None:
            partial = self._bubble.text.strip() if self._bubble is not None else ""
            self._commit(
                CustomerLine(
                    partial or "…",
                    "script",
                    ("the trainee ended the conversation while the customer was typing",),
                ),
                time.perf_counter() - self._voice_started,
            )
        if self._queued is not None:
            _text, bubble = self._queued
            self._queued = None
            bubble.set_text(bubble.text, note="(not sent)")
        self.session.end()

    # -- actions -----------------------------------------------------------------

    def action_finish(self) -> None:
        if self._leaving:
            return
        if self._cancel is not None and self._pending is None:
            # A reply is being graded: wait for its grade, so it is in the debrief.
            self._finish_when_graded = True
            self.query_one("#typing", TypingIndicator).start(
                "Your last reply", "is being graded for the debrief"
            )
            return
        self._leaving = True
        self.keep()
        self.app.show_debrief(self)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        from simulator.tui.screens.leave import LeaveScreen

        def chosen(choice: str | None) -> None:
            if choice == "debrief":
                self.action_finish()
            elif choice == "quit":
                self.app.action_leave_app()  # type: ignore[attr-defined]

        if self.session.finished:
            self.action_finish()
            return
        self.app.push_screen(LeaveScreen(), chosen)

    def action_toggle_brief(self) -> None:
        brief = self.query_one("#brief", Static)
        brief.toggle_class("-collapsed")
        if brief.has_class("-collapsed"):
            brief.update(Text(one_line(self.session.scenario.brief), no_wrap=True, overflow="ellipsis"))
        else:
            brief.update(self._brief_text())

    def action_scroll_transcript(self, direction: int) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        if direction < 0:
            transcript.scroll_page_up()
        else:
            transcript.scroll_page_down()

    def transcript_text(self) -> str:
        """Everything on the transcript, for tests and the tmux check."""
        return "\n".join(clean(m.text) for m in self.query(TranscriptMessage))
