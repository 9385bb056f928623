"""'Mrs. Levi is typing…' while the voice works; the dots move so a slow model looks alive."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from simulator.tui.literal import one_line


class TypingIndicator(Static):
    DEFAULT_CSS = """
    TypingIndicator {
        height: 1;
        color: $text-muted;
        text-style: italic;
        padding: 0 1;
        display: none;
    }
    TypingIndicator.-active { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self._who = ""
        self._doing = "is typing"
        self._dots = 0
        self._timer: Timer | None = None

    def start(self, who: str, doing: str = "is typing") -> None:
        self._who, self._doing, self._dots = one_line(who), doing, 0
        self.add_class("-active")
        self._draw()
        if self._timer is None:
            self._timer = self.set_interval(0.4, self._tick)

    def stop(self) -> None:
        self.remove_class("-active")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def active(self) -> bool:
        return self.has_class("-active")

    def _tick(self) -> None:
        self._dots = (self._dots + 1) % 4
        self._draw()

    def _draw(self) -> None:
        self.update(Text(f"{self._who} {self._doing}{'.' * self._dots}"))
