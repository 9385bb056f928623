"""The model voice's loading progress, shown until it is ready."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from simulator.tui.literal import one_line


class VoiceStatus(Vertical):
    DEFAULT_CSS = """
    VoiceStatus { height: auto; display: none; padding: 0 1; }
    VoiceStatus.-loading { display: block; }
    VoiceStatus ProgressBar { width: 1fr; }
    VoiceStatus Bar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Loading the customer's voice…", id="voice-detail", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=True, id="voice-progress")

    def show_progress(self, fraction: float | None, detail: str) -> None:
        self.add_class("-loading")
        self.query_one("#voice-detail", Label).update(one_line(f"Loading the customer's voice: {detail}"))
        bar = self.query_one("#voice-progress", ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(100 * max(0.0, min(1.0, fraction))))

    def done(self) -> None:
        self.remove_class("-loading")
