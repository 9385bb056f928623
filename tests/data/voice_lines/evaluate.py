"""Measure a verifier on the labelled model lines: precision, recall, and what reaches the trainee.

    .venv/bin/python tests/data/voice_lines/evaluate.py tests/data/voice_lines/smollm2.jsonl

"Before" is the verdict recorded when the lines were collected (the verifier of
that commit, `old_ok`); "now" re-checks every line with the verifier in this
checkout. A rejection is counted right when the line is labelled `wrong`; an
`odd` line rejected counts against precision (it was harmless).

What reaches the trainee is simulated per beat from the same candidates: the
voice says the candidate its chooser picks among those that pass, else the
authored line. A beat whose said line is labelled `wrong` is a wrong line that
reached the trainee; the share is of all customer lines (beats), and so is the
model-voiced share. This is against the labels, not the verifier's estimate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from simulator.loader import discover
from simulator.voice.labelled import load_records, precision_recall, reaching, recheck
from simulator.voice.model_voice import choose
from simulator.voice.verifier import Verdict


def old_verdicts(records: list[dict[str, Any]]) -> list[Verdict]:
    return [Verdict(r["text"], r["old_ok"], tuple(r["old_reasons"]), 1.0) for r in records]


def first_passing(verdicts: list[Verdict]) -> int | None:
    """The voice before ranking: the streamed candidate (0) if it passed, else the first that did."""
    return next((i for i, v in enumerate(verdicts) if v.ok), None)


def per_class(records: list[dict[str, Any]], rejected: list[bool]) -> dict[str, str]:
    caught: dict[str, list[bool]] = defaultdict(list)
    for rec, rej in zip(records, rejected, strict=True):
        if rec["label"] == "wrong" and rec["text"].strip():
            caught[rec["class"]].append(rej)
    return {k: f"{sum(v)}/{len(v)}" for k, v in sorted(caught.items())}


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    library = discover([])
    before = old_verdicts(records)
    now = recheck(records, library.get)
    return {
        "before": {
            **precision_recall(records, [not v.ok for v in before]),
            **reaching(records, before, first_passing),
            "caught_by_class": per_class(records, [not v.ok for v in before]),
        },
        "now": {
            **precision_recall(records, [not v.ok for v in now]),
            **reaching(records, now, choose),
            "caught_by_class": per_class(records, [not v.ok for v in now]),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("labelled", type=Path, nargs="+")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for path in args.labelled:
        report = evaluate(load_records(path))
        if args.json:
            print(json.dumps({str(path): report}, indent=2))
            continue
        print(path)
        for name, figures in report.items():
            print(f"  {name}:")
            for key, value in figures.items():
                print(f"    {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
