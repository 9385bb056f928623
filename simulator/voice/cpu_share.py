"""How many of this machine's cores the voice can have right now.

Decoding a line runs a few hundred short parallel regions (four per layer per
token). With two threads on two cores that other programs also want, one of the
two threads is often descheduled, and every region then waits a scheduler slice
for it: the line takes ten times longer than on one thread. So the voice asks,
before each line, how many cores are free, and uses that many threads.

Free cores are read from the kernel's count of runnable tasks (/proc/loadavg's
fourth field), which is instantaneous, unlike the load averages, which lag by a
minute and count this process's own decoding as load. Where it is not available
(macOS, Windows), the one-minute load average stands in.

The count is read a few times over a few milliseconds and the least taken: this
process's own helper threads (a BLAS pool that has just finished grading) spin
for a moment before they sleep, and would otherwise look like another program
and cost the line a thread, while another program that wants a core is there at
every read.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

LOADAVG = Path("/proc/loadavg")
READS = 3  # reads of the runnable count, the least taken
READ_GAP_S = 0.002


@dataclass(frozen=True)
class CpuShare:
    cores: int  # cores this process may run on
    others: float  # tasks of other programs that want a core now
    threads: int  # threads the voice should use

    @property
    def busy(self) -> bool:
        """Fewer cores are free than this process may use: lines will be slower."""
        return self.threads < self.cores or self.others >= self.cores


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def runnable_others(text: str | None = None) -> float | None:
    """Other programs' runnable tasks now, from /proc/loadavg ("0.5 0.4 0.3 3/250 1234")."""
    if text is None:
        try:
            text = LOADAVG.read_text(encoding="ascii")
        except OSError:
            return None
    try:
        running = int(text.split()[3].split("/")[0])
    except (IndexError, ValueError):
        return None
    return float(max(0, running - 1))  # the thread reading this is running


def cpu_share(max_threads: int | None = None, loadavg: str | None = None) -> CpuShare:
    """The threads to use now: the free cores, at least one, at most `max_threads`."""
    cores = usable_cores()
    if loadavg is None:
        others = runnable_others()
        for _ in range(READS - 1):
            if not others:
                break
            time.sleep(READ_GAP_S)
            again = runnable_others()
            others = again if again is None else min(others, again)
    else:
        others = runnable_others(loadavg)
    if others is None:
        try:
            others = os.getloadavg()[0]
        except (AttributeError, OSError):
            others = 0.0
    free = int(cores - others + 0.5)
    threads = max(1, min(cores, free, max_threads or cores))
    return CpuShare(cores=cores, others=others, threads=threads)
