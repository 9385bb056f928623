"""The last reply's Courtesy and Flexibility, with the words that earned them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.grading.base import Evidence, Grade
from simulator.tui.literal import literal, one_line

NAMES = {"courtesy": "Courtesy", "flexibility": "Flexibility"}


def score_bar(score: int, width: int = 10) -> Text:
    filled = round(width * score / 100)
    bar = Text("█" * filled, style="bold")
    bar.append("░" * (width - filled), style="dim")
    return bar


def evidence_lines(items: list[Evidence]) -> Text:
    out = Text()
    for item in items:
        if item.effect == 0:
            # A note (e.g. which scenario phrase it resembled), not points.
            out.append("\n  • ", style="dim")
        else:
            sign = "+" if item.effect > 0 else ""
            out.append(f"\n {sign}{item.effect} ", style="bold green" if item.effect > 0 else "bold red")
        out.append_text(literal(one_line(item.reason)))
        if item.phrase.strip():
            out.append("\n   “")
            out.append_text(literal(one_line(item.phrase), style="italic"))
            out.append("”")
    return out


def grade_text(grade: Grade, width: int = 30) -> Text:
    """`width` is the room for a line: the bar shrinks so a score never wraps."""
    text = Text()
    bar = max(3, min(10, width - 16))
    for dimension, score in (("courtesy", grade.courtesy), ("flexibility", grade.flexibility)):
        if text:
            text.append("\n")
        text.append(f"{NAMES[dimension]:<12}", style="bold")
        text.append(f"{score:>3} ")
        text.append_text(score_bar(score, bar))
        text.append_text(evidence_lines([e for e in grade.evidence if e.dimension == dimension]))
    if grade.tip:
        text.append("\nTip: ", style="bold")
        text.append_text(literal(grade.tip))
    return text


class GradePanel(Static):
    """Empty until the first reply; in exam mode it only says where grades will be."""

    DEFAULT_CSS = """
    GradePanel { height: auto; }
    """

    def __init__(self, *, exam: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.exam = exam
        self.grade: Grade | None = None
        self.border_title = "Your last reply"

    def on_mount(self) -> None:
        self.update(self._waiting())

    def _waiting(self) -> Text:
        if self.exam:
            return Text("Exam mode.\nGrades are shown in the debrief.")
        text = Text()
        text.append(f"{'Courtesy':<12}", style="bold")
        text.append("  —\n")
        text.append(f"{'Flexibility':<12}", style="bold")
        text.append("  —\n")
        text.append("Your first reply is graded here.", style="dim")
        return text

    def show(self, grade: Grade) -> None:
        self.grade = grade
        if self.exam:
            return
        self.update(grade_text(grade, self.content_size.width or 30))

    def on_resize(self) -> None:
        if self.grade is not None and not self.exam:
            self.update(grade_text(self.grade, self.content_size.width or 30))
