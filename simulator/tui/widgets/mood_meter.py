"""The customer's mood: a number, a word, a bar, and how far the last reply moved it."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def mood_word(mood: int) -> str:
    if mood <= 10:
        return "about to walk out"
    if mood < 30:
        return "angry"
    if mood < 45:
        return "tired and tense"
    if mood < 60:
        return "neutral"
    if mood < 80:
        return "calmer"
    return "pleased"


def mood_level(mood: int) -> str:
    """A CSS class so the colours come from the theme, light or dark."""
    if mood < 30:
        return "-low"
    if mood < 60:
        return "-mid"
    return "-high"


class MoodMeter(Widget):
    DEFAULT_CSS = """
    MoodMeter { height: auto; }
    MoodMeter.-low { color: $text-error; }
    MoodMeter.-mid { color: $text-warning; }
    MoodMeter.-high { color: $text-success; }
    """

    mood: reactive[int] = reactive(50, layout=False)
    before: reactive[int | None] = reactive(None)

    def __init__(self, mood: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(MoodMeter.mood, mood)
        self.border_title = "Customer's mood"

    def show(self, mood: int, before: int | None) -> None:
        """Move the meter; `before` keeps the old value visible as the change."""
        self.before = before
        self.mood = mood

    def watch_mood(self, mood: int) -> None:
        self.set_classes(mood_level(mood))

    def on_mount(self) -> None:
        self.set_classes(mood_level(self.mood))

    def render(self) -> Text:
        mood, before = self.mood, self.before
        head = Text(f"{mood}/100", style="bold")
        if before is not None and before != mood:
            delta = mood - before
            head.append(f"  {'▲' if delta > 0 else '▼'} {delta:+d}", style="bold")
        width = max(self.content_size.width, 10)
        filled = round(width * mood / 100)
        old = round(width * before / 100) if before is not None else filled
        bar = Text()
        for cell in range(width):
            if cell < min(filled, old):
                bar.append("█")
            elif cell < filled:  # gained with the last reply
                bar.append("▓")
            elif cell < old:  # lost with the last reply
                bar.append("░", style="reverse")
            else:
                bar.append("░", style="dim")
        return Text("\n").join([head, bar, Text(mood_word(mood), style="italic")])
