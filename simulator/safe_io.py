"""Reading and writing files a user named, without trusting what kind of file it is.

A path from the command line or a scenario folder may be a named pipe (reading
blocks for ever), a device like /dev/zero (reading never ends) or a sparse file
of gigabytes (reading fills the memory before any size check). So a file is
opened without blocking, checked to be a regular file with `fstat` on the very
descriptor that is read (a link swapped in between cannot slip through), and
read with a limit.

Writing replaces a regular file whole (temporary file, fsync, rename), so a full
disk never leaves half a file behind, and refuses to turn a device, a pipe or a
link to one into a regular file.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class SafeReadError(Exception):
    """A file that is not read: `reason` completes "FILE ...", `advice` says what to do."""

    def __init__(self, path: Path, reason: str, advice: str) -> None:
        super().__init__(f"{path} {reason}; {advice}")
        self.path = path
        self.reason = reason
        self.advice = advice


def _size_words(limit: int) -> str:
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:g} MB"
    return f"{limit / 1_000:g} KB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most LIMIT bytes, or SafeReadError saying why not."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SafeReadError(path, "does not exist", "check the path") from None
    except IsADirectoryError:
        raise SafeReadError(path, "is a folder", "give a file instead") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a pipe nobody writes to on some systems
            raise SafeReadError(path, "is not a regular file", "give a plain text file") from None
        raise SafeReadError(
            path, f"cannot be read ({exc.strerror or exc})", "check the path and its permissions"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            what = kind if kind == "not a regular file" else f"is {kind}, not a regular file"
            raise SafeReadError(path, what, "give a plain text file")
        if info.st_size > limit:
            raise SafeReadError(
                path, f"is larger than {_size_words(limit)}", "is it the right file? Split it if it is"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        # A file that grows while it is read (or lies about its size) stops at the limit too.
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise SafeReadError(
                path, f"is larger than {_size_words(limit)}", "is it the right file? Split it if it is"
            )
        return b"".join(chunks)
    except OSError as exc:
        raise SafeReadError(
            path, f"cannot be read ({exc.strerror or exc})", "check the path and its permissions"
        ) from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int) -> str:
    """A regular UTF-8 text file of at most LIMIT bytes (a byte-order mark is dropped)."""
    raw = read_limited(path, limit)
    if b"\x00" in raw:
        raise SafeReadError(path, "is a binary file", "give a plain UTF-8 text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SafeReadError(path, "is not UTF-8 text", "save it as UTF-8") from None


class UnsafeTarget(Exception):
    """PATH exists and is not a regular file, so writing would replace something else."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}")
        self.path = path
        self.kind = kind


def check_target(path: Path) -> int | None:
    """The permission bits of the regular file at PATH (None if there is none yet).

    Raises UnsafeTarget for anything else: a device, a pipe, a socket, a folder,
    or a link to any of them (a link to /proc/self/fd/1 is a link to a terminal).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise UnsafeTarget(path, "a link to a file that does not exist") from None
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTarget(path, _kind(info.st_mode))
    if path.is_symlink():
        # Renaming over a link would replace the link, not the file it names.
        raise UnsafeTarget(path, "a link")
    return stat.S_IMODE(info.st_mode)


def write_atomic(path: Path, text: str, new_mode: int | None = None) -> None:
    """Create or replace the regular file PATH whole; OSError (or UnsafeTarget) if it cannot.

    An existing file keeps its permission bits; a new one gets NEW_MODE, or the
    usual ones (mkstemp's private 0600 would hide a report from the trainer's tools).
    """
    mode = check_target(path)
    if mode is None and new_mode is not None:
        mode = new_mode
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def fallback_folders() -> list[Path]:
    """Where to keep a trainee's work when the data folder cannot take it, in order."""
    folders = [Path(tempfile.gettempdir())]
    try:
        folders.append(Path.cwd())
    except OSError:
        pass
    return folders


def write_somewhere(
    name: str, text: str, folders: Iterable[Path], new_mode: int | None = None
) -> tuple[Path | None, list[str]]:
    """Write NAME into the first folder that takes it whole (see write_atomic for NEW_MODE).

    Returns the path written (None if none took it) and one short reason per
    folder that refused, so the caller can say exactly what happened.
    """
    refused: list[str] = []
    for folder in folders:
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text, new_mode)
        except UnsafeTarget as exc:
            refused.append(f"{path} is {exc.kind}")
            continue
        except OSError as exc:
            why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            refused.append(f"{folder}: {why}")
            continue
        return path, refused
    return None, refused
