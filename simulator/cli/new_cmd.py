"""`simulator new SCENARIO_ID [--dir DIR] [--force]`: start a scenario from a skeleton."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from simulator import locations
from simulator.cli import common
from simulator.cli.schema_cmd import SCHEMA_FILE
from simulator.errors import UserError
from simulator.loader import parse_scenario_text, scenario_dirs
from simulator.safe_io import UnsafeTarget, write_atomic
from simulator.scenario import Identifier
from simulator.skeleton import skeleton

_ID = TypeAdapter(Identifier)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="write a commented scenario skeleton to start from")
    p.add_argument("scenario_id", metavar="SCENARIO_ID", help="e.g. late-parcel")
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where to write it (default: the user scenarios folder, SIMULATOR_SCENARIOS_DIR)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(run=run)


def check_id(scenario_id: str) -> None:
    try:
        _ID.validate_python(scenario_id)
    except ValidationError:
        raise UserError(
            f"'{scenario_id}' is not a valid scenario id; use up to 64 lowercase letters, digits, "
            "hyphens or underscores, starting with a letter or digit, such as 'late-parcel'."
        ) from None


def run(args: argparse.Namespace) -> int:
    scenario_id: str = args.scenario_id
    check_id(scenario_id)
    directory: Path = args.dir or locations.user_scenarios_dir()
    target = directory / f"{scenario_id}.yaml"
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists; choose another id, or add --force to overwrite it.")
    # An id that another file already uses would make both unusable at the next
    # start, so refuse now rather than leave a duplicate behind.
    existing = common.library(args).paths.get(scenario_id)
    if existing is not None and existing.resolve() != target.resolve():
        raise UserError(f"The id '{scenario_id}' is already used by {existing}; choose another id.")
    searched = {d.resolve() for d in scenario_dirs(common.extra_dirs(args))}
    cli = "simulator"
    if directory.resolve() not in searched:
        # The trainer must name the folder for the other commands to see the file.
        cli = f"simulator --scenarios {shlex.quote(str(directory))}"
    schema = locations.builtin_scenarios_dir() / SCHEMA_FILE
    text = skeleton(
        scenario_id,
        path=shlex.quote(str(target)),
        cli=cli,
        schema=schema.as_uri() if schema.is_file() else None,
    )
    # The skeleton is promised to validate as written; a broken one is our bug,
    # so fail here rather than hand the trainer an error they did not make.
    parse_scenario_text(text, str(target))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(target, text)
    except UnsafeTarget as exc:
        raise UserError(f"{target} is {exc.kind}, not a regular file; choose another id or --dir.") from None
    print(f"wrote {target}")
    print("Edit it (scenarios.md explains every key), then check and try it:")
    print(f"  simulator validate --rehearse {shlex.quote(str(target))}")
    print(f"  {cli} preview {scenario_id}")
    print(f"  {cli} play {scenario_id}")
    return 0
