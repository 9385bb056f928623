"""The customer's mood over the turns, as a bar chart drawn with block characters.

Drawn by hand rather than with Sparkline so it has an axis and turn numbers, and
so it looks the same in every terminal and snapshot.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"


def chart_text(moods: list[int], height: int = 6, column: int = 3, walk_out: int | None = None) -> Text:
    """Rows from the top; `moods[0]` is the mood before the first reply."""
    out = Text()
    for row in range(height, 0, -1):
        label = {height: "100", (height + 1) // 2: " 50", 1: "  0"}.get(row, "   ")
        out.append(f"{label} ┤", style="dim")
        for mood in moods:
            level = mood * height / 100  # in rows
            fill = level - (row - 1)
            if fill >= 1:
                glyph = "█"
            elif fill <= 0:
                glyph = " "
            else:
                glyph = EIGHTHS[max(1, round(fill * 8))]
            style = "red" if walk_out is not None and mood <= walk_out else ""
            out.append((" " if column > 1 else "") + glyph * max(column - 1, 1), style=style)
        out.append("\n")
    out.append("    └" + "─" * (len(moods) * column), style="dim")
    out.append("\n     ")
    for index in range(len(moods)):
        label = "S" if index == 0 else str(index)[-max(column - 1, 1) :]
        out.append(f"{label:>{column}}", style="dim")
    out.append("\n     ")
    out.append("S = start, then the mood after each reply", style="dim italic")
    return out


class MoodChart(Widget):
    DEFAULT_CSS = """
    MoodChart { height: auto; }
    """

    def __init__(self, moods: list[int], *, walk_out: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.moods = moods
        self.walk_out = walk_out

    def render(self) -> Text:
        width = self.content_size.width or 80
        # Narrow columns when there are many turns, so the chart never wraps.
        column = next((c for c in (3, 2) if 5 + len(self.moods) * c <= width), 1)
        return chart_text(self.moods, column=column, walk_out=self.walk_out)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 6 + 3
