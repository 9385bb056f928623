"""The `simulator` command line. Each subcommand lives in its own module.

A module in COMMANDS exposes `register(subparsers)`, which adds its parser and
sets `run=<function(args) -> int>` as a default.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from simulator import __version__, locations
from simulator.errors import UserError

COMMANDS = [
    "validate",
    "schema",
    "rehearse",
    "grade",
    "play",
    "new",
    "preview",
    "history",
    "export",
    "report",
    "models",
    "kit",
    "bench",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simulator",
        description="Practise customer service on simulated customers.",
    )
    parser.add_argument("--version", action="version", version=f"simulator {__version__}")
    parser.add_argument(
        "--scenarios",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="an extra folder of scenario files (also SIMULATOR_SCENARIOS_DIR)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"simulator.cli.{name}_cmd").register(sub)
    return parser


def _crash_log(exc: BaseException) -> Path | None:
    """Keep the details of an unexpected error out of the user's way, but not lost."""
    try:
        log = locations.data_dir() / "logs" / "errors.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat()} {sys.argv!r}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return log
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["play", *(argv or sys.argv[1:])])
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            print("error: The disk is full; free some space and run the command again.", file=sys.stderr)
            return 2
        log = _crash_log(exc)
        where = f"; details are in {log}" if log else ""
        print(f"error: {exc.strerror or exc} ({exc.filename or 'file'}){where}.", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the user gets one sentence, the log the rest
        log = _crash_log(exc)
        where = f"details are in {log}" if log else "no log could be written"
        print(
            f"error: Something went wrong inside the simulator ({type(exc).__name__}); "
            f"{where}; please report it to your trainer.",
            file=sys.stderr,
        )
        return 1
