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
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from collect import request_from_json  # noqa: E402

from simulator.loader import discover  # noqa: E402
from simulator.voice.model_voice import choose  # noqa: E402
from simulator.voice.verifier import Verdict, Verifier  # noqa: E402


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recheck(records: list[dict[str, Any]], verifier_for: Callable[[Any], Verifier] = Verifier) -> list[Verdict]:
    library = discover([])
    verifiers: dict[str, Verifier] = {}
    out = []
    for rec in records:
        scenario = library.get(rec["scenario"])
        if scenario.id not in verifiers:
            verifiers[scenario.id] = verifier_for(scenario)
        request = request_from_json(rec["request"], scenario)
        out.append(verifiers[scenario.id].check(rec["text"], request, cleaned=True, lead=rec["lead"]))
    return out


def precision_recall(records: list[dict[str, Any]], rejected: list[bool]) -> dict[str, Any]:
    """Rejection as the prediction, `wrong` as the truth; empty candidates left out."""
    pairs = [(r["label"], rej) for r, rej in zip(records, rejected, strict=True) if r["text"].strip()]
    tp = sum(1 for label, rej in pairs if rej and label == "wrong")
    fp = sum(1 for label, rej in pairs if rej and label != "wrong")
    fn = sum(1 for label, rej in pairs if not rej and label == "wrong")
    coherent = [rej for label, rej in pairs if label == "coherent"]
    return {
        "lines": len(pairs),
        "wrong": tp + fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "coherent_passed": round(1 - sum(coherent) / len(coherent), 3) if coherent else None,
    }


def beats(records: list[dict[str, Any]]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        groups[json.dumps([rec["seed"], rec["request"]], sort_keys=True)].append(i)
    return list(groups.values())


def reaching(
    records: list[dict[str, Any]], verdicts: list[Verdict], streamed: int | None = None
) -> dict[str, Any]:
    """Per beat: which line the trainee hears, and how often it is wrong or voiced by the model."""
    said_wrong = model = 0
    groups = beats(records)
    for group in groups:
        chosen = choose([verdicts[i] for i in group], streamed=streamed)
        if chosen is None:
            continue  # the authored line
        model += 1
        said_wrong += records[group[chosen]]["label"] == "wrong"
    n = len(groups)
    return {
        "customer_lines": n,
        "wrong_reaching": said_wrong,
        "wrong_reaching_pct": round(100 * said_wrong / n, 1) if n else None,
        "model_voiced_share": round(model / n, 3) if n else None,
    }


def old_verdicts(records: list[dict[str, Any]]) -> list[Verdict]:
    return [Verdict(r["text"], r["old_ok"], tuple(r["old_reasons"]), 1.0) for r in records]


def per_class(records: list[dict[str, Any]], rejected: list[bool]) -> dict[str, str]:
    caught: dict[str, list[bool]] = defaultdict(list)
    for rec, rej in zip(records, rejected, strict=True):
        if rec["label"] == "wrong" and rec["text"].strip():
            caught[rec["class"]].append(rej)
    return {k: f"{sum(v)}/{len(v)}" for k, v in sorted(caught.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labelled", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    records = [r for r in load(args.labelled) if "label" in r]
    before = old_verdicts(records)
    now = recheck(records)
    report = {
        "before": {
            **precision_recall(records, [not v.ok for v in before]),
            # The voice of that commit streamed candidate 0 and kept it if it passed.
            **reaching(records, before, streamed=0),
            "caught_by_class": per_class(records, [not v.ok for v in before]),
        },
        "now": {
            **precision_recall(records, [not v.ok for v in now]),
            **reaching(records, now),
            "caught_by_class": per_class(records, [not v.ok for v in now]),
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, figures in report.items():
            print(f"{name}:")
            for key, value in figures.items():
                print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
