"""The real program in a real terminal (tmux), driven as a person would: keys in, screen out."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.tmux

ROOT = Path(__file__).resolve().parent.parent
# The project's own virtualenv, as the README sets it up; else the one running the tests.
SIMULATOR = next(
    (
        p
        for p in (ROOT / ".venv" / "bin" / "simulator", Path(sys.executable).parent / "simulator")
        if p.exists()
    ),
    ROOT / ".venv" / "bin" / "simulator",
)
OPENING = "Good evening. We've just"
REPLY = "Good evening, I'm so sorry about that. I'll bring an extra mattress up to your room myself."

if shutil.which("tmux") is None:
    pytest.skip("tmux is not installed", allow_module_level=True)
if not SIMULATOR.exists():
    pytest.skip(f"{SIMULATOR} is not installed (pip install -e .)", allow_module_level=True)


class Terminal:
    def __init__(self, socket: str, name: str) -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def text(self, *keys: str) -> None:
        # -l: the reply is typed literally, not read as key names.
        self.tmux("send-keys", "-t", self.name, "-l", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, *wanted: str, pattern: str | None = None, timeout: float = 90.0) -> str:
        """The screen once every string in `wanted` (and `pattern`) is on it.

        Generous timeout: the program may load the grader's model on a busy machine.
        """
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(w in screen for w in wanted) and (pattern is None or re.search(pattern, screen)):
                return screen
            time.sleep(0.25)
        raise AssertionError(f"{wanted} {pattern or ''} never appeared; the screen was:\n{screen}")


@pytest.fixture
def terminal(_isolated_data: Path) -> Iterator[Terminal]:
    socket = f"simulator-test-{uuid.uuid4().hex[:8]}"
    yield Terminal(socket, "play")
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def start(terminal: Terminal, data: Path, size: tuple[int, int]) -> None:
    env = {"SIMULATOR_DATA_DIR": str(data), "TERM": "xterm-256color"}
    command = " ".join(
        [
            *(f"{k}={v}" for k, v in env.items()),
            str(SIMULATOR),
            "play china-hotel-beds --voice scripted --trainee Test",
            "; echo PROGRAM-ENDED; sleep 60",
        ]
    )
    width, height = size
    terminal.tmux(
        "new-session",
        "-d",
        "-s",
        terminal.name,
        "-x",
        str(width),
        "-y",
        str(height),
        "-c",
        str(ROOT),
        command,
    )


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_a_trainee_plays_in_a_real_terminal(
    terminal: Terminal, _isolated_data: Path, size: tuple[int, int]
) -> None:
    start(terminal, _isolated_data, size)
    terminal.wait_for(OPENING, "Type your reply")
    terminal.text(REPLY)
    terminal.keys("Enter")
    # Before a reply the panel shows "Courtesy —"; a number means this reply was graded.
    screen = terminal.wait_for("Flexibility", pattern=r"Courtesy\s+\d+")
    assert OPENING in screen
    assert re.search(r"Flexibility\s+\d+", screen)
    terminal.keys("C-f")
    terminal.wait_for("Outcome", "Mood over the turns")
    terminal.keys("C-c")
    terminal.wait_for("PROGRAM-ENDED")
    assert any(_isolated_data.glob("sessions.sqlite3*")), "the session was recorded in the data dir"
