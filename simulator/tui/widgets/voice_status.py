"""The model voice's loading progress, shown until it is ready; then, quietly, when
the script spoke a line because the model could not (and why)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from simulator.tui.literal import one_line


class VoiceStatus(Vertical):
    DEFAULT_CSS = """
    VoiceStatus { height: auto; display: none; padding: 0 1; }
    VoiceStatus.-loading, VoiceStatus.-fallback { display: block; }
    VoiceStatus.-fallback #voice-progress { display: none; }
    VoiceStatus.-fallback #voice-detail { color: $text-muted; }
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

    def spoke(self, fallback: str | None) -> None:
        """After each customer line: a quiet marker while the script stands in for the model."""
        if fallback is None:
            self.remove_class("-fallback")
            return
        if not self.has_class("-loading"):
            self.query_one("#voice-detail", Label).update(one_line(f"script line: {fallback}"))
        self.add_class("-fallback")
