"""`simulator kit DIR`: the offline classroom kit (see simulator/kit.py)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from simulator.cli.models_cmd import progress_bar


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kit",
        help="write an offline classroom kit: the wheels of the simulator and its dependencies, and the models",
    )
    p.add_argument("dir", metavar="DIR", type=Path, help="the folder to write the kit into")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from simulator.kit import write_kit

    started = time.perf_counter()
    with progress_bar() as on_progress:
        kit = write_kit(args.dir, on_progress=on_progress)
    print(
        f"Wrote the classroom kit to {kit.folder} in {time.perf_counter() - started:.0f} s: "
        f"{kit.wheels} wheels ({kit.wheel_bytes / 1e6:.0f} MB) and {', '.join(kit.models)} "
        f"({kit.model_bytes / 1e6:.0f} MB)."
    )
    print(f"On a classroom machine, follow {kit.folder / 'INSTALL.txt'}.")
    return 0
