"""The debrief: outcome, scores, the mood over the turns, every reply with its grade, what to do better."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from simulator import locations
from simulator.errors import UserError
from simulator.safe_io import fallback_folders, write_somewhere
from simulator.session import Session, Turn
from simulator.tui.literal import literal, one_line
from simulator.tui.typed_app import training_app
from simulator.tui.widgets.mood_chart import MoodChart

OUTCOMES = {
    "resolved": "Resolved: the customer's problem is solved",
    "walked_out": "The customer walked out",
    "unresolved": "Unresolved: the conversation ended without a solution",
}
FORMATS = {"md": "Markdown", "json": "JSON", "html": "HTML"}


def record_of(session: Session, trainee: str, started_at: datetime) -> dict[str, Any]:
    """The record the exporter and the history share (see simulator.export)."""
    record = session.to_dict()
    record["trainee"] = trainee
    record["started_at"] = started_at.isoformat(timespec="seconds")
    return record


def export_record(record: dict[str, Any], fmt: str, folder: Path | None = None) -> Path:
    """Write the record in `fmt` to the exports folder and return the file's path."""
    try:
        from simulator.export import render
    except ImportError:
        if fmt != "json":
            raise UserError(
                f"Saving as {FORMATS[fmt]} is not available in this version; save as JSON (j)."
            ) from None
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render(record, fmt)
    folder = folder or locations.data_dir() / "exports"
    stamp = re.sub(r"[^0-9]", "", str(record.get("started_at", "")))[:14] or "session"
    who = re.sub(r"[^a-z0-9]+", "-", str(record.get("trainee", "")).lower()).strip("-") or "trainee"
    name = f"{record['scenario']}-{who}-{stamp}.{fmt}"
    # A full or read-only data folder must not lose the debrief: the temporary
    # folder and the current one are tried next, and the path says where it went.
    path, refused = write_somewhere(name, text, [folder])
    if path is None:
        # Only the trainee may read their conversation in a shared temporary folder.
        path, more = write_somewhere(name, text, fallback_folders(), new_mode=0o600)
        refused += more
    if path is None:
        raise UserError(
            f"The debrief could not be saved anywhere ({'; '.join(refused)}); free some disk space."
        )
    return path


def _score(value: int | None) -> str:
    return "—" if value is None else str(value)


def exam_text(session: Session, pass_mark: int) -> Text:
    try:
        from simulator.exam import exam_result
    except ImportError:
        return Text(f"Exam (pass mark {pass_mark})", style="bold")
    result = exam_result(session.to_dict(), pass_mark)
    text = Text(result.summary(), style="bold green" if result.passed else "bold red")
    for reason in result.reasons:
        text.append(f"\n  {reason}")
    return text


def summary_text(session: Session, exam: bool, pass_mark: int) -> Text:
    scores = session.scores()
    outcome = session.outcome or "unresolved"
    text = Text(OUTCOMES[outcome], style="bold")
    if session.ended_by == "trainee":
        text.append("  (you ended it)", style="dim")
    text.append("\n\n")
    text.append("Courtesy     ", style="bold")
    text.append(f"{_score(scores['courtesy']):>4}   ")
    text.append("Flexibility  ", style="bold")
    text.append(f"{_score(scores['flexibility']):>4}   ")
    count = len(session.turns)
    text.append(f"over {count} {'reply' if count == 1 else 'replies'}\n", style="dim")
    text.append("Mood         ", style="bold")
    text.append(f"{session.start_mood} → {session.mood}")
    needs = session.scenario.needs
    met = [n for n in needs if n.id in session.state.needs_met]
    text.append(f"   needs met: {len(met)} of {len(needs)}")
    if exam:
        text.append("\n")
        text.append_text(exam_text(session, pass_mark))
    return text


def turns_table(turns: list[Turn]) -> Table:
    table = Table(expand=True, show_lines=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column("#", no_wrap=True, width=2)
    table.add_column("Your reply", ratio=3)
    # Both scores in one narrow column so the reply and the advice keep the room at 80 columns.
    table.add_column("Scores", no_wrap=True, width=15)
    table.add_column("Mood", no_wrap=True, width=7)
    table.add_column("Why, and what to try", ratio=4)
    for turn in turns:
        why = Text()
        for item in turn.grade.evidence:
            sign = "+" if item.effect >= 0 else ""
            if why:
                why.append("\n")
            why.append(f"{item.dimension[0].upper()} {sign}{item.effect} ", style="bold")
            quoted = f": “{one_line(item.phrase)}”" if item.phrase.strip() else ""
            why.append_text(literal(f"{one_line(item.reason)}{quoted}"))
        if turn.grade.tip:
            if why:
                why.append("\n")
            why.append("Tip: ", style="bold italic")
            why.append_text(literal(turn.grade.tip))
        table.add_row(
            str(turn.index),
            literal(turn.trainee),
            Text(f"{'Courtesy':<11}{turn.grade.courtesy:>4}\n{'Flexibility':<11}{turn.grade.flexibility:>4}"),
            f"{turn.mood_before}→{turn.mood}",
            why,
        )
    return table


def lookups_text(session: Session) -> Text:
    """What the trainee looked up on the desk, and before which reply."""
    text = Text()
    for item in session.lookups:
        if text:
            text.append("\n")
        text.append(f"Before reply {item.before_turn}: ", style="bold")
        text.append_text(literal(f"{item.typed} ({item.title})"))
        for line in item.lines:
            text.append("\n  ")
            text.append_text(literal(line, style="italic"))
    return text


def model_answers_text(session: Session) -> Group:
    parts: list[Text] = []
    for answer in session.scenario.model_answers:
        block = Text()
        block.append("When: ", style="bold")
        block.append_text(literal(answer.situation))
        block.append("\nSay:  ", style="bold")
        block.append_text(literal(answer.answer, style="italic"))
        block.append("\nWhy:  ", style="bold")
        block.append_text(literal(answer.why))
        block.append("\n")
        parts.append(block)
    return Group(*parts)


def notes_text(session: Session) -> Text:
    text = Text()
    for note in session.scenario.debrief_notes:
        if text:
            text.append("\n")
        text.append("• ")
        text.append_text(literal(note))
    return text


class DebriefScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "export('md')", "Save .md"),
        Binding("j", "export('json')", "Save .json"),
        Binding("h", "export('html')", "Save .html"),
        Binding("n", "again", "Play again"),
        Binding("escape", "scenarios", "Scenarios"),
        Binding("q", "app.leave_app", "Quit", show=False),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    def __init__(
        self,
        session: Session,
        trainee: str,
        *,
        exam: bool = False,
        started_at: datetime | None = None,
        recorded: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.trainee = trainee
        self.exam = exam
        self.started_at = started_at or datetime.now().astimezone()
        self.recorded = recorded
        self.saved: list[Path] = []
        self.title = one_line(f"Debrief: {session.scenario.title}")
        self.sub_title = one_line(trainee)

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with VerticalScroll(id="debrief"):
            yield self._section(
                "Outcome", Static(summary_text(session, self.exam, session.scenario.pass_mark), id="summary")
            )
            moods = [session.start_mood, *(t.mood for t in session.turns)]
            yield self._section(
                "Mood over the turns",
                MoodChart(moods, walk_out=session.scenario.end.walk_out_mood, id="mood-chart"),
            )
            if session.turns:
                yield self._section("Your replies", Static(turns_table(session.turns), id="turns-table"))
            else:
                yield self._section("Your replies", Static("You did not reply this time.", id="turns-table"))
            if session.lookups:
                yield self._section("Desk lookups", Static(lookups_text(session), id="lookups"))
            yield self._section("Model answers", Static(model_answers_text(session), id="model-answers"))
            yield self._section("What to remember", Static(notes_text(session), id="notes"))
            saved = "Kept in your history. " if self.recorded else ""
            yield Static(
                Text(f"{saved}Save a copy: m Markdown, j JSON, h HTML.", style="dim"),
                id="saved",
            )
        yield Footer()

    @staticmethod
    def _section(title: str, body: Static | MoodChart) -> Static | MoodChart:
        body.add_class("section")
        body.border_title = title
        return body

    def on_mount(self) -> None:
        self.query_one("#debrief").focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        for fmt, name in FORMATS.items():
            yield SystemCommand(
                f"Save the debrief as {name}",
                f"Into {locations.data_dir() / 'exports'}",
                lambda f=fmt: self.action_export(f),
            )
        yield SystemCommand("Play again", "The same scenario from the start", self.action_again)
        yield SystemCommand("Back to the scenarios", "Choose another scenario", self.action_scenarios)

    def action_export(self, fmt: str) -> None:
        record = record_of(self.session, self.trainee, self.started_at)
        try:
            path = export_record(record, fmt)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except Exception as exc:  # noqa: BLE001 - a failed export must not lose the debrief on screen
            self.notify(
                f"Saving failed ({type(exc).__name__}); try another format.", severity="error", markup=False
            )
            return
        self.saved.append(path)
        self.query_one("#saved", Static).update(literal(f"Saved {FORMATS[fmt]}: {path}"))
        self.notify(f"Saved {path}", title="Debrief saved", markup=False)

    def action_again(self) -> None:
        training_app(self).play_again(self)

    def action_scenarios(self) -> None:
        training_app(self).back_to_scenarios(self)
