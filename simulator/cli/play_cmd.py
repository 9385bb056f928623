"""`simulator play [SCENARIO_ID]`: the training room in the terminal UI."""

from __future__ import annotations

import argparse

from simulator.cli import common
from simulator.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="open the training room (the default command)")
    p.add_argument("scenario_id", nargs="?", metavar="SCENARIO_ID")
    p.add_argument("--trainee", metavar="NAME", help="the trainee's name")
    common.add_voice_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UserError("The terminal UI is not built yet; use 'simulator rehearse'.")
