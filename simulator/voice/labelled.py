"""Replaying a labelled set of model lines through the verifier and the chooser.

The set (tests/data/voice_lines/*.jsonl) holds every candidate the model sampled
for a beat, with the beat's request and a human label: `coherent`, `odd`
(harmless) or `wrong`. Replaying it tells, against the labels and not the
verifier's own estimate, how often a wrong line would reach the trainee and how
many lines the model would still voice. `simulator bench` and the set's
evaluate.py both use this.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.scenario import Scenario
from simulator.voice.base import LineRequest
from simulator.voice.verifier import Verdict, Verifier

Chooser = Callable[[list[Verdict]], int | None]


def load_records(path: Path) -> list[dict[str, Any]]:
    """The labelled records of a JSONL file (unlabelled ones are left out)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "label" in r]


def request_from_json(d: dict[str, Any], scenario: Scenario) -> LineRequest:
    return LineRequest(
        scenario=scenario,
        intent=d["intent"],
        authored=tuple(d["authored"]),
        beat=d["beat"],
        history=tuple((s, t) for s, t in d["history"]),
        facts_known=tuple(d["facts_known"]),
        mood=d["mood"],
        mood_before=d.get("mood_before"),
        turn=d["turn"],
        said_before=tuple(d["said_before"]),
    )


def recheck(
    records: list[dict[str, Any]],
    scenario_of: Callable[[str], Scenario],
    verifier_for: Callable[[Scenario], Verifier] = Verifier,
) -> list[Verdict]:
    """Each record's line judged by the verifier of this checkout."""
    verifiers: dict[str, Verifier] = {}
    out = []
    for rec in records:
        scenario = scenario_of(rec["scenario"])
        if scenario.id not in verifiers:
            verifiers[scenario.id] = verifier_for(scenario)
        request = request_from_json(rec["request"], scenario)
        out.append(verifiers[scenario.id].check(rec["text"], request, cleaned=True, lead=rec["lead"]))
    return out


def beats(records: list[dict[str, Any]]) -> list[list[int]]:
    """Indices of the records grouped by beat (the candidates sampled together)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        groups[json.dumps([rec.get("model"), rec["seed"], rec["request"]], sort_keys=True)].append(i)
    return list(groups.values())


def reaching(records: list[dict[str, Any]], verdicts: list[Verdict], choose: Chooser) -> dict[str, Any]:
    """Per beat, the line the trainee hears: how often it is labelled wrong, how often the model's."""
    said_wrong = model = 0
    groups = beats(records)
    for group in groups:
        chosen = choose([verdicts[i] for i in group])
        if chosen is None:
            continue  # the authored line is said
        model += 1
        said_wrong += records[group[chosen]]["label"] == "wrong"
    n = len(groups)
    return {
        "customer_lines": n,
        "wrong_reaching": said_wrong,
        "wrong_reaching_pct": round(100 * said_wrong / n, 1) if n else None,
        "model_voiced_share": round(model / n, 3) if n else None,
    }


def precision_recall(records: list[dict[str, Any]], rejected: list[bool]) -> dict[str, Any]:
    """Rejection as the prediction, `wrong` as the truth; empty candidates left out.

    An `odd` line rejected counts against precision: it was harmless.
    """
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
