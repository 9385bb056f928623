"""Showing text from trainees and scenario files exactly as written.

Everything a person typed or a trainer wrote goes through `literal()` before it
reaches a widget: it becomes a `rich.text.Text` (so `[bold]` is never markup)
and control characters become visible symbols, because a raw ESC or a bidi
override written to the terminal would be interpreted by it, not shown.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

# Explicit bidi embedding/override/isolate controls: they would reorder the rest
# of the screen line in terminals that do bidi. Right-to-left letters are kept.
_BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def _visible(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return char
    if char == "\t":
        return "    "
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture", e.g. ␛ for ESC
    if code == 0x7F:
        return "␡"
    if 0x80 <= code < 0xA0 or code in _BIDI_CONTROLS or 0xD800 <= code <= 0xDFFF:
        return f"<U+{code:04X}>"
    return char


def clean(text: str) -> str:
    """The text with every control character made visible (newlines kept)."""
    if text.isprintable():
        return text
    return "".join(_visible(c) for c in text)


def one_line(text: str) -> str:
    """Like clean(), for places that have room for a single line."""
    return clean(" ".join(text.split()))


def literal(text: str, style: str | Style = "") -> Text:
    """A Text that shows `text` as written: no markup, no escape sequences."""
    return Text(clean(text), style=style)
