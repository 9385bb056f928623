"""The conversation: the customer types, the trainee replies, each reply is graded at once.

The screen only shows a turn: a thread worker runs it (`TurnInFlight.run`, the
same turn `rehearse` plays) and posts what happens. `ReplyGraded` shows the grade
and the new mood at once, `CustomerTyped` each token of the customer's line, and
`CustomerReplied` the turn as the session committed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.desk import NoSuchLookup, is_lookup
from simulator.session import Plan, Session, Turn
from simulator.tui.literal import clean, literal, one_line
from simulator.tui.messages import CustomerReplied, CustomerTyped, ReplyFailed, ReplyGraded
from simulator.tui.typed_app import training_app
from simulator.tui.widgets.desk_panel import DeskPanel
from simulator.tui.widgets.grade_panel import GradePanel
from simulator.tui.widgets.mood_meter import MoodMeter
from simulator.tui.widgets.reply_input import ReplyInput
from simulator.tui.widgets.transcript_message import TranscriptMessage
from simulator.tui.widgets.typing_indicator import TypingIndicator
from simulator.tui.widgets.voice_status import VoiceStatus
from simulator.turn import GradingFailed, TurnInFlight

ENDINGS = {
    "resolved": "The customer's problem is solved.",
    "walked_out": "The customer walked out.",
    "unresolved": "The conversation ended without a solution.",
}
PLACEHOLDER = "Type your reply and press Enter"
DESK_OPEN_FROM = 110  # columns; narrower, the desk starts folded away (F2) so the chat keeps its room


class ConversationScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "finish", "Finish", tooltip="End the conversation and see the debrief"),
        Binding("ctrl+b", "toggle_brief", "Brief"),
        Binding("f2", "toggle_desk", "Desk"),
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
        self._turn: TurnInFlight | None = None  # the turn being graded or voiced
        self._pending: Plan | None = None  # its plan, once the grade is shown
        self._bubble: TranscriptMessage | None = None  # the customer's line being typed
        self._reply_bubble: TranscriptMessage | None = None
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
                yield ReplyInput(placeholder=self._placeholder(), id="reply")
            if scenario.desk is not None:
                yield DeskPanel(scenario.desk, id="desk")
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

    def _placeholder(self) -> str:
        desk = self.session.scenario.desk
        if desk is not None and desk.lookups:
            return f"Type your reply, or /{desk.lookups[0].command} to look up"
        return PLACEHOLDER

    def on_mount(self) -> None:
        if self.session.scenario.desk is not None and self.app.size.width < DESK_OPEN_FROM:
            self.query_one("#desk", DeskPanel).add_class("-collapsed")
        self.query_one("#notice").display = bool(self.notice)
        self.query_one("#reply", ReplyInput).focus()
        self.query_one("#transcript").scroll_end(animate=False)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        training_app(self).screen_painted(self.session.scenario)

    # -- helpers for the app and tests ------------------------------------------

    @property
    def busy(self) -> bool:
        """A reply is being graded or the customer is still typing."""
        return self._turn is not None

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
        if is_lookup(text):
            self.look_up(text)
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

    def look_up(self, text: str) -> None:
        """Answer a desk lookup from the scenario at once; the customer does not hear it."""
        reply = self.query_one("#reply", ReplyInput)
        # While the customer is still answering, the lookup comes before the next reply.
        before = len(self.session.turns) + (2 if self.busy else 1)
        try:
            answer = self.session.lookup(text, before_turn=before)
        except NoSuchLookup as exc:
            self.show_notice(str(exc))
            return  # the text stays in the box to be corrected
        reply.value = ""
        self.query_one("#notice").display = False
        body = "\n".join((f"{answer.typed}: {answer.title}", *answer.lines))
        self._say(TranscriptMessage("Desk", body, kind="desk"))
        panels = self.query(DeskPanel)
        if panels:
            panels.first().show_answer(answer)

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
        self._turn = TurnInFlight(self.session, text)
        self.query_one("#typing", TypingIndicator).start("Your reply", "is being graded")
        self._take_turn(self._turn)

    @work(thread=True, group="turn", exit_on_error=False, name="grade and voice")
    def _take_turn(self, turn: TurnInFlight) -> None:
        # Grading runs here too: the grader may load its embedding model on first
        # use, and the screen must not freeze while it does.
        app = training_app(self)
        # The grader's first use may load its model; see TrainingApp.load_lock.
        guard = nullcontext() if app.grader_ready.is_set() else app.load_lock

        def graded(plan: Plan) -> None:
            self.post_message(ReplyGraded(plan, turn))

        def typed(token: str) -> None:
            if not turn.cancelled.is_set():
                self.post_message(CustomerTyped(token, turn))

        try:
            committed = turn.run(
                on_graded=graded,
                on_token=typed,
                grading_guard=guard,
            )
        except GradingFailed as exc:  # one sentence, and the trainee can try again
            if not turn.cancelled.is_set():
                reason = type(exc.__cause__).__name__
                self.post_message(
                    ReplyFailed(turn.reply, f"Your reply could not be graded ({reason}).", turn)
                )
            return
        if committed is not None and not turn.cancelled.is_set():
            self.post_message(CustomerReplied(committed, turn))

    def on_reply_graded(self, message: ReplyGraded) -> None:
        if message.turn is not self._turn or message.turn.cancelled.is_set():
            return  # the trainee ended the conversation meanwhile
        plan = message.plan
        self.query_one("#grade", GradePanel).show(plan.grade)
        self.query_one("#mood", MoodMeter).show(plan.mood, plan.mood_before)
        self._pending = plan
        if self._finish_when_graded:
            self.action_finish()
            return
        typing = self.query_one("#typing", TypingIndicator)
        if not training_app(self).holder.ready:
            typing.start(self.customer_name, "will answer once the voice has loaded")
        else:
            typing.start(self.customer_name)

    def on_reply_failed(self, message: ReplyFailed) -> None:
        if message.turn is not self._turn:
            return
        self._turn = None
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
        if message.turn is not self._turn or self._pending is None or self._bubble is None:
            return  # a token from a turn already committed or abandoned
        if not self._bubble.display:
            self._bubble.display = True
            self.query_one("#typing", TypingIndicator).start(self.customer_name)
        self._bubble.append(message.token)
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    def on_customer_replied(self, message: CustomerReplied) -> None:
        if message.turn is not self._turn:
            return
        self._show_committed(message.committed)
        if self._queued is not None and not self.session.finished:
            text, bubble = self._queued
            self._queued = None
            self.send(text, bubble)

    def _show_committed(self, turn: Turn) -> None:
        bubble = self._bubble
        assert bubble is not None
        self._turn = None
        self._pending = self._bubble = None
        self.query_one("#typing", TypingIndicator).stop()
        # The committed line can differ from the streamed tokens (a model line
        # the checks rejected is replaced by the authored one), so show the final text.
        bubble.display = True
        bubble.set_text(turn.customer or "…")
        self.query_one(VoiceStatus).spoke(turn.fallback)
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

    def end_conversation(self) -> None:
        """End the session, keeping everything said so far (also used when the app quits).

        A line the customer was still typing is committed as far as it got, so
        the graded reply that prompted it is not lost.
        """
        if self._turn is not None:
            committed = self._turn.cancel()
            if committed is not None:
                self._show_committed(committed)
            else:
                # Still being graded: nothing of this turn reached the session.
                self._turn = None
                if self._reply_bubble is not None:
                    self._reply_bubble.set_text(
                        self._reply_bubble.text, note="(not graded: the conversation ended)"
                    )
                if self._bubble is not None:
                    self._bubble.remove()
                    self._bubble = None
        if self._queued is not None:
            _text, bubble = self._queued
            self._queued = None
            bubble.set_text(bubble.text, note="(not sent)")
        self.session.end()

    # -- actions -----------------------------------------------------------------

    def action_finish(self) -> None:
        if self._leaving:
            return
        if self._turn is not None and self._pending is None:
            # A reply is being graded: wait for its grade, so it is in the debrief.
            self._finish_when_graded = True
            self.query_one("#typing", TypingIndicator).start(
                "Your last reply", "is being graded for the debrief"
            )
            return
        self._leaving = True
        self.end_conversation()
        training_app(self).show_debrief(self)

    def action_leave(self) -> None:
        from simulator.tui.screens.leave import LeaveScreen

        def chosen(choice: str | None) -> None:
            if choice == "debrief":
                self.action_finish()
            elif choice == "quit":
                training_app(self).action_leave_app()

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

    def action_toggle_desk(self) -> None:
        panels = self.query(DeskPanel)
        if panels:
            panel = panels.first()
            panel.toggle_class("-collapsed")
            # On a narrow terminal the open desk takes the grade panel's place, so the
            # conversation keeps room to read and type; F2 gives the grades back.
            narrow = self.app.size.width < DESK_OPEN_FROM
            self.set_class(narrow and not panel.has_class("-collapsed"), "-desk-over-side")
        else:
            self.notify("This scenario has no desk.", severity="information")

    def action_scroll_transcript(self, direction: int) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        if direction < 0:
            transcript.scroll_page_up()
        else:
            transcript.scroll_page_down()

    def transcript_text(self) -> str:
        """Everything on the transcript, for tests and the tmux check."""
        return "\n".join(clean(m.text) for m in self.query(TranscriptMessage))
