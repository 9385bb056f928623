"""`simulator rehearse SCENARIO_ID --replies FILE`: play a whole session headless."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.cli import common
from simulator.desk import LookupAnswer
from simulator.rehearsal import fallback_sentence, read_replies, rehearse
from simulator.session import Session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rehearse", help="play a session headless with replies from a file")
    p.add_argument("scenario_id", metavar="SCENARIO_ID")
    p.add_argument(
        "--replies", type=Path, required=True, metavar="FILE", help="the trainee's replies, one per line"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    common.add_voice_options(p)
    p.set_defaults(run=run)


def print_lookups(lookups: tuple[LookupAnswer, ...]) -> None:
    for item in lookups:
        print(f"\nDesk {item.typed}: {item.title}")
        for line in item.lines:
            print(f"  | {line}")


def print_transcript(session: Session) -> None:
    print(f"# {session.scenario.title} ({session.scenario.id}), voice: {session.voice.name}")
    print(f"Customer: {session.opening}")
    print(f"  [mood {session.start_mood}]")
    for turn in session.turns:
        print_lookups(turn.lookups)
        print(f"\nTrainee: {turn.trainee}")
        print(f"  Courtesy {turn.grade.courtesy}, Flexibility {turn.grade.flexibility}")
        for e in turn.grade.evidence:
            sign = "+" if e.effect >= 0 else ""
            print(f'    {e.dimension}: {sign}{e.effect} "{e.phrase}" ({e.reason})')
        if turn.grade.tip:
            print(f"  Tip: {turn.grade.tip}")
        print(f"Customer ({turn.customer_source}): {turn.customer}")
        print(f"  [mood {turn.mood_before} -> {turn.mood}]")
    print_lookups(tuple(item for item in session.lookups if item.before_turn > len(session.turns)))
    scores = session.scores()
    print(f"\nOutcome: {session.outcome}")
    print(f"Session scores: courtesy {scores['courtesy']}, flexibility {scores['flexibility']}")


def run(args: argparse.Namespace) -> int:
    scenario = common.scenario(args, args.scenario_id)
    replies = read_replies(common.read_text_file(args.replies, "replies", limit=1_000_000))
    replies = [common.cap_reply(r, f"reply {n}") for n, r in enumerate(replies, 1)]
    notices: list[str] = []
    session = Session(scenario, common.voice(args, notices.append), common.grader(), seed=args.seed)
    unused = rehearse(session, replies)
    # One sentence when the script spoke instead of the model: the notice from loading
    # the voice says why most precisely; otherwise the lines themselves do.
    said = notices[0] if notices else fallback_sentence(session)
    if said:
        print(said, file=sys.stderr)
    if args.json:
        data = session.to_dict()
        data["unused_replies"] = unused
        print(json.dumps(data, ensure_ascii=False))
    else:
        print_transcript(session)
        if unused:
            print(f"({len(unused)} replies were not used: the conversation had ended.)")
    return 0
