"""`simulator export SESSION_ID --format md|json|html` and `simulator export --all --format json`."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.cli.output import open_store, write_output
from simulator.errors import UserError
from simulator.export import FORMATS, bundle, render
from simulator.storage import now, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="a session's debrief as Markdown, JSON or HTML, or every session as JSON"
    )
    p.add_argument("session_id", nargs="?", metavar="SESSION_ID", help="the ID shown by 'simulator history'")
    p.add_argument(
        "--all", action="store_true", help="every session on this machine, for 'simulator report --from'"
    )
    p.add_argument(
        "--format", choices=FORMATS, default=None, help="md (default), json or html; --all needs json"
    )
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of printing")
    p.add_argument("--trainee", metavar="NAME", help="with --all: only this trainee's sessions")
    p.add_argument("--since", metavar="DATE", help="with --all: only sessions on or after DATE (YYYY-MM-DD)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.all:
        if args.session_id:
            raise UserError("Give either a SESSION_ID or --all, not both.")
        if (args.format or "json") != "json":
            raise UserError(
                "--all exports JSON only (the format 'simulator report --from' reads); use --format json."
            )
        since = parse_date(args.since) if args.since else None
        with open_store() as store:
            records = store.load_all(trainee=args.trainee, since=since)
        write_output(bundle(records, now()), args.output)
        return 0
    if not args.session_id:
        raise UserError("Give a SESSION_ID (see 'simulator history') or --all.")
    with open_store() as store:
        record = store.load(args.session_id)
    write_output(render(record, args.format or "md"), args.output)
    return 0
