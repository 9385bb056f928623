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
    "explain",
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
    from simulator.cli.output import VisibleStream

    # Everything printed (argparse's messages included) shows escape sequences
    # instead of sending them to the terminal; only the training room itself
    # (Textual) writes to the terminal directly.
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleStream(stdout), VisibleStream(stderr)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["play", *(argv or sys.argv[1:])])
        if args.command == "play":
            sys.stdout, sys.stderr = stdout, stderr
        return _run(args)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _check_text_options(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 on the command line (`--trainee $'\\xff'`) arrive as lone
    surrogates, which can be neither stored nor shown: refuse them here, by name."""
    for name, value in vars(args).items():
        if not isinstance(value, str):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            option = name.upper() if name in ("scenario_id", "session_id") else "--" + name.replace("_", "-")
            raise UserError(
                f"The {option} given is not UTF-8 text; type it again in a terminal set to UTF-8."
            ) from None


def _run(args: argparse.Namespace) -> int:
    try:
        _check_text_options(args)
        return int(args.run(args) or 0)
    except UserError as exc:
        from simulator.cli.output import visible

        print(f"error: {visible(str(exc))}", file=sys.stderr)
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
        from simulator.cli.output import visible

        print(visible(f"error: {exc.strerror or exc} ({exc.filename or 'file'}){where}."), file=sys.stderr)
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
