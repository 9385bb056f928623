"""The trainee's reply box: pastes are flattened to one line, cleaned and capped."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from simulator.tui.literal import one_line

MAX_REPLY_CHARS = 2000  # a long paragraph; a pasted file is not a reply to a customer


class ReplyInput(Input):
    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, max_length=MAX_REPLY_CHARS)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps only the first line of a paste and rejects one that is too
        # long without a word; a trainee's pasted paragraph should arrive whole,
        # or visibly cut, and never carry escape sequences.
        event.stop()
        event.prevent_default()
        text = one_line(event.text)
        if not text:
            return
        start, end = sorted(self.selection)
        room = MAX_REPLY_CHARS - (len(self.value) - (end - start))
        if len(text) > room:
            text = text[: max(room, 0)]
            self.notify(
                f"Replies are at most {MAX_REPLY_CHARS} characters; the paste was cut.",
                severity="warning",
            )
        if text:
            self.replace(text, start, end)
