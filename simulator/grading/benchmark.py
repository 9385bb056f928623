"""Calibration and speed of the grader on hand-labelled replies.

    python -m simulator.grading.benchmark [FILE.jsonl] [--rules-only] [--show]

Prints, for courtesy and flexibility: Spearman's rho between the labels (1-5)
and the grades (0-100), and the good-vs-bad accuracy: of the replies labelled
good (>= 4) or bad (<= 2), the share the grader puts on the same side of 50
(3s are left out, they are neither). Then the milliseconds per reply once the
model is loaded (p50, p95) and the load time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import UserError
from simulator.grading.base import GradeContext
from simulator.grading.rubric import RubricGrader
from simulator.loader import discover
from simulator.scenario import Scenario

DEFAULT_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "replies-dev.jsonl"
DIMENSIONS = ("courtesy", "flexibility")
GOOD, BAD, SPLIT = 4, 2, 50


def _ranks(values: Sequence[float]) -> np.ndarray:
    """Average ranks, ties sharing the mean of their positions (as Spearman needs)."""
    array = np.asarray(values, dtype=float)
    order = array.argsort(kind="mergesort")
    ranks = np.empty(len(array), dtype=float)
    sorted_values = array[order]
    i = 0
    while i < len(array):
        j = i
        while j + 1 < len(array) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the tie-averaged ranks."""
    if len(a) != len(b) or len(a) < 2:
        raise ValueError("need two equally long lists of at least two values")
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = float(np.sqrt((ra**2).sum() * (rb**2).sum()))
    return float((ra * rb).sum() / denominator) if denominator else 0.0


def good_bad_accuracy(labels: list[int], scores: list[int]) -> float:
    pairs = [
        (label, score) for label, score in zip(labels, scores, strict=True) if label >= GOOD or label <= BAD
    ]
    if not pairs:
        return float("nan")
    right = sum((label >= GOOD) == (score >= SPLIT) for label, score in pairs)
    return right / len(pairs)


@dataclass
class Item:
    scenario: str | None
    customer: str | None
    reply: str
    labels: dict[str, int]
    turn: int = 1


def read_items(path: Path) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            items.append(
                Item(
                    data.get("scenario"),
                    data.get("customer"),
                    data["reply"],
                    {d: int(data[d]) for d in DIMENSIONS},
                    int(data.get("turn", 1)),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{path}:{number} is not a labelled reply; fix that line.") from None
    return items


@dataclass
class Report:
    rho: dict[str, float]
    accuracy: dict[str, float]
    scores: dict[str, list[int]]
    ms: list[float]
    load_seconds: float
    method: str
    missing_scenarios: list[str]


def evaluate(items: list[Item], grader: RubricGrader, scenarios: dict[str, Scenario]) -> Report:
    started = time.perf_counter()
    grader.warm_up()
    for scenario in scenarios.values():
        grader.warm_up(scenario)
    load = time.perf_counter() - started
    scores: dict[str, list[int]] = {d: [] for d in DIMENSIONS}
    timings: list[float] = []
    missing: set[str] = set()
    method = "rules"
    embedder = grader.embedder
    for item in items:
        if embedder is not None:
            embedder.clear_cache()  # time each reply as new, customer line included
        known = scenarios.get(item.scenario) if item.scenario else None
        if item.scenario and known is None:
            missing.add(item.scenario)
        context = GradeContext(scenario=known, customer_line=item.customer, turn=item.turn)
        t0 = time.perf_counter()
        grade = grader.grade(item.reply, context)
        timings.append((time.perf_counter() - t0) * 1000)
        method = str(grade.extra.get("method", method))
        scores["courtesy"].append(grade.courtesy)
        scores["flexibility"].append(grade.flexibility)
    rho = {d: spearman([i.labels[d] for i in items], scores[d]) for d in DIMENSIONS}
    acc = {d: good_bad_accuracy([i.labels[d] for i in items], scores[d]) for d in DIMENSIONS}
    return Report(rho, acc, scores, timings, load, method, sorted(missing))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator.grading.benchmark", description=__doc__.split("\n")[0]
    )
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="labelled replies (JSONL)")
    parser.add_argument("--rules-only", action="store_true", help="grade without the embedding model")
    parser.add_argument("--show", action="store_true", help="print every reply with its labels and grades")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the file")
    args = parser.parse_args(argv)
    try:
        items = read_items(args.file)
    except OSError as exc:
        print(f"Cannot read {args.file} ({exc.strerror}); give a labelled JSONL file.", file=sys.stderr)
        return 2
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    scenarios = discover([]).scenarios
    grader = RubricGrader(use_embeddings=not args.rules_only)
    report = evaluate(items, grader, scenarios)
    timings = list(report.ms)
    for _ in range(max(0, args.repeat - 1)):
        timings += evaluate(items, grader, scenarios).ms
    if args.show:
        for item, c, f in zip(items, report.scores["courtesy"], report.scores["flexibility"], strict=True):
            print(f"C {item.labels['courtesy']} {c:3d}  F {item.labels['flexibility']} {f:3d}  {item.reply}")
        print()
    print(f"{len(items)} replies from {args.file}, grader: {report.method}")
    if report.missing_scenarios:
        print(f"(scenarios not found, graded without one: {', '.join(report.missing_scenarios)})")
    print(f"{'dimension':<12} {'spearman rho':>12} {'good-vs-bad acc':>16}")
    for d in DIMENSIONS:
        print(f"{d:<12} {report.rho[d]:>12.3f} {report.accuracy[d]:>16.1%}")
    print("good-vs-bad: replies labelled >=4 must score >=50, labelled <=2 below 50; 3s left out.")
    p50, p95 = np.percentile(timings, [50, 95])
    print(
        f"ms per reply once loaded: p50 {p50:.1f}, p95 {p95:.1f}, max {max(timings):.1f} ({len(timings)} gradings)"
    )
    print(f"load (model and scenario phrases): {report.load_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
