"""`simulator grade --scenario ID --input FILE.jsonl`: grade replies without a session."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from simulator.cli import common
from simulator.errors import UserError
from simulator.grading.base import GradeContext


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade trainee replies from a JSONL file")
    p.add_argument("--scenario", metavar="ID", help="the scenario the replies belong to")
    p.add_argument(
        "--input",
        type=Path,
        required=True,
        metavar="FILE",
        help='JSONL: {"reply": ..., "customer": ...} per line',
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per input line")
    p.set_defaults(run=run)


def _is_text(value: object) -> bool:
    """False for a string JSON can carry but UTF-8 cannot (a lone surrogate): the grader's
    tokenizer refuses it, and it could never be printed or stored either."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    lib = common.library(args)
    default = lib.get(args.scenario) if args.scenario else None
    grader = common.grader()
    text = common.read_text_file(args.input, "input")
    failed = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("reply"), str):
                raise ValueError
            message = None
            if not all(_is_text(item.get(key)) for key in ("reply", "customer", "scenario")):
                message = (
                    f"line {number} holds a lone surrogate (like \\ud800), which is not text; fix that line"
                )
        except (ValueError, RecursionError):
            message = f'line {number} is not a JSON object with a "reply" string; fix that line'
        if message is not None:
            failed += 1
            if args.json:
                print(json.dumps({"line": number, "error": message}))
            else:
                print(f"{args.input}:{number}: {message}")
            continue
        try:
            scenario = lib.get(item["scenario"]) if isinstance(item.get("scenario"), str) else default
        except UserError as exc:
            failed += 1
            if args.json:
                print(json.dumps({"line": number, "error": str(exc)}))
            else:
                print(f"{args.input}:{number}: {exc}")
            continue
        customer = item.get("customer") if isinstance(item.get("customer"), str) else None
        given = item.get("turn")
        turn = given if isinstance(given, int) and given > 0 else 1
        grade = grader.grade(
            common.cap_reply(item["reply"], f"the reply on line {number}"),
            GradeContext(scenario=scenario, customer_line=customer, turn=turn),
        )
        if args.json:
            out = {"line": number, "reply": item["reply"], **grade.to_dict()}
            out["scenario"] = scenario.id if scenario else None
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(f"{number}. {item['reply']}")
            print(f"   Courtesy {grade.courtesy}, Flexibility {grade.flexibility}")
            for e in grade.evidence:
                sign = "+" if e.effect >= 0 else ""
                print(f'     {e.dimension}: {sign}{e.effect} "{e.phrase}" ({e.reason})')
            if grade.tip:
                print(f"   Tip: {grade.tip}")
    return 1 if failed else 0
