"""`simulator report --format csv|html`: the trainer's cohort report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator import locations
from simulator.cli.output import open_store, write_output
from simulator.errors import UserError
from simulator.report import REPORT_FORMATS, build, merge, read_export_dir, render_report, select
from simulator.storage import parse_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="the cohort report: sessions, outcomes and progress per trainee")
    p.add_argument("--since", metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)")
    p.add_argument("--scenario", metavar="ID", help="only this scenario")
    p.add_argument("--trainee", metavar="NAME", help="only this trainee")
    p.add_argument(
        "--from",
        dest="sources",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of 'simulator export --all --format json' files (repeatable); merged with this machine's",
    )
    p.add_argument("--no-local", action="store_true", help="leave out this machine's own database")
    p.add_argument("--format", choices=REPORT_FORMATS, default="html", help="csv or html (default)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of printing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    since = parse_date(args.since) if args.since else None
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    origins: dict[int, str] = {}
    for folder in args.sources:
        records.extend(read_export_dir(folder, notes, origins))
    # With --from, a machine without its own database is fine (the trainer's laptop);
    # opening would create an empty one for nothing.
    if not args.no_local and (not args.sources or locations.database_file().exists()):
        with open_store() as store:
            records.extend(store.list_sessions())
    if args.no_local and not args.sources:
        raise UserError("--no-local leaves nothing to report; add --from DIR.")
    entries = select(
        merge(records, notes, origins), since=since, scenario=args.scenario, trainee=args.trainee
    )
    filters = {"since": args.since or "", "scenario": args.scenario or "", "trainee": args.trainee or ""}
    for note in notes:
        print(f"note: {note}.", file=sys.stderr)
    write_output(render_report(build(entries, filters), args.format), args.output)
    return 0
