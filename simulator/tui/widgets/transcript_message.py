"""One line of the conversation, as a chat bubble; the customer's can grow token by token."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.tui.literal import clean


class TranscriptMessage(Static):
    DEFAULT_CSS = """
    TranscriptMessage {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    TranscriptMessage.customer {
        margin-right: 4;
        border-left: wide $accent;
        background: $boost;
    }
    TranscriptMessage.trainee {
        margin-left: 4;
        border-right: wide $primary;
        background: $primary 10%;
    }
    TranscriptMessage.queued { color: $text-muted; }
    TranscriptMessage.note {
        color: $text-muted;
        text-style: italic;
        text-align: center;
        margin: 0 2 1 2;
    }
    """

    def __init__(self, speaker: str, text: str, *, kind: str, note: str = "") -> None:
        super().__init__(markup=False, classes=kind)
        self.speaker = speaker
        self.text = text
        self.note = note

    def on_mount(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        body = Text()
        if self.speaker:
            body.append(clean(self.speaker), style="bold")
            if self.note:
                body.append(f"  {self.note}", style="dim italic")
            body.append("\n")
        body.append(clean(self.text))
        self.update(body)

    def append(self, token: str) -> None:
        self.text += token
        self._refresh()

    def set_text(self, text: str, note: str = "") -> None:
        self.text = text
        self.note = note
        self._refresh()
