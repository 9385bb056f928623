"""`simulator history [--trainee NAME]`: the sessions recorded on this machine."""

from __future__ import annotations

import argparse
import json
import unicodedata

from simulator.cli.output import open_store
from simulator.htmldoc import local_time
from simulator.storage import parse_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="list the sessions recorded on this machine")
    p.add_argument("--trainee", metavar="NAME", help="only this trainee's sessions")
    p.add_argument("--scenario", metavar="ID", help="only this scenario's sessions")
    p.add_argument("--since", metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print one JSON list")
    p.set_defaults(run=run)


def _width(text: str) -> int:
    # Wide (CJK, emoji) characters take two columns; without this the columns drift.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def exam_cell(row: dict) -> str:
    if not row["exam"]:
        return ""
    if not row["finished"]:
        return "exam"
    return "exam: passed" if row.get("passed") else "exam: not passed"


def run(args: argparse.Namespace) -> int:
    since = parse_date(args.since) if args.since else None
    with open_store() as store:
        rows = store.list_sessions(trainee=args.trainee, scenario=args.scenario, since=since)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        who = f" for {args.trainee}" if args.trainee else ""
        print(f"No sessions recorded{who} yet; play one with 'simulator play'.")
        return 0
    columns = [
        ("ID", 5),
        ("Date", 16),
        ("Trainee", 18),
        ("Scenario", 28),
        ("Outcome", 12),
        ("Court.", 6),
        ("Flex.", 5),
        ("", 16),
    ]
    print("  ".join(_fit(name, w) for name, w in columns).rstrip())
    for row in rows:
        scores = row["scores"]
        cells = [
            str(row["id"]),
            local_time(row["started_at"]),
            row["trainee"],
            row["title"],
            row["status"].replace("_", " "),
            "" if scores["courtesy"] is None else str(scores["courtesy"]),
            "" if scores["flexibility"] is None else str(scores["flexibility"]),
            exam_cell(row),
        ]
        print("  ".join(_fit(c, w) for c, (_, w) in zip(cells, columns, strict=True)).rstrip())
    print(f"\n{len(rows)} sessions. Open one with 'simulator export ID --format md'.")
    return 0
