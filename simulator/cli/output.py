"""What the records commands (history, export, report) share: the store and writing files."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path

from simulator.errors import UserError
from simulator.storage import Store


def open_store() -> Store:
    """The machine's session database, telling the user once if a damaged file was moved aside."""
    store = Store.open()
    if store.notice:
        print(f"note: {store.notice}", file=sys.stderr)
    return store


def write_output(text: str, path: Path | None) -> None:
    """Print TEXT, or write it to PATH whole: a full disk never leaves half a file behind."""
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to --output.")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(
                f"The disk is full, so {path} was not written; free some space and try again."
            ) from None
        raise UserError(
            f"{path} cannot be written ({exc.strerror or exc}); choose another --output file."
        ) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    print(f"Wrote {path}", file=sys.stderr)
