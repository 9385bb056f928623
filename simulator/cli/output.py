"""What the records commands (history, export, report) share: the store and writing files."""

from __future__ import annotations

import errno
import re
import sys
from pathlib import Path
from typing import IO, Any

from simulator.errors import UserError
from simulator.safe_io import UnsafeTarget, write_atomic
from simulator.storage import Store

# What a terminal would act on instead of showing: C0 controls but newline and tab
# (ESC starts escape sequences: titles, clearing the screen), DEL, C1 controls (0x9B
# is a one-byte CSI), bidi overrides and isolates (they reorder the rest of the
# line), and lone surrogates (which cannot even be encoded).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: str) -> str:
    """TEXT with everything a terminal would act on shown as a \\uXXXX escape.

    The escape is JSON's own, so JSON printed through this still parses to the
    same values; a CSV's CRLF line ends are kept.
    """
    if text.isprintable():
        return text
    return "\r\n".join(_UNSAFE.sub(_escaped, part) for part in text.split("\r\n"))


class VisibleStream:
    """A text stream that passes everything written to it through visible().

    The command line writes through it (see simulator.cli.main), so no command
    can print a scenario's, a reply's or a record's escape sequence raw.
    """

    def __init__(self, raw: IO[str]) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        self._raw.write(visible(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def open_store() -> Store:
    """The machine's session database, telling the user once if a damaged file was moved aside."""
    store = Store.open()
    if store.notice:
        print(f"note: {store.notice}", file=sys.stderr)
    return store


def write_output(text: str, path: Path | None) -> None:
    """Print TEXT, or write it to PATH whole: a full disk never leaves half a file behind.

    Only a regular file is created or replaced (keeping its permissions): a
    device, a pipe, or a link to one (/proc/self/fd/1) is refused, not replaced.
    """
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to --output.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except UnsafeTarget as exc:
        raise UserError(
            f"{path} is {exc.kind}, not a regular file, so it was left alone; give --output a file name."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(
                f"The disk is full, so {path} was not written; free some space and try again."
            ) from None
        raise UserError(
            f"{path} cannot be written ({exc.strerror or exc}); choose another --output file."
        ) from None
    print(f"Wrote {path}", file=sys.stderr)
