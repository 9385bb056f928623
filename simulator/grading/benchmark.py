"""Calibration and speed of the grader on hand-labelled replies.

    python -m simulator.grading.benchmark [FILE.jsonl] [--rules-only] [--show]
    python -m simulator.grading.benchmark --loso [--show]

Prints, for courtesy and flexibility: Spearman's rho between the labels (1-5)
and the grades (0-100), and the good-vs-bad accuracy: of the replies labelled
good (>= 4) or bad (<= 2), the share the grader puts on the same side of 50
(3s are left out, they are neither). Then the milliseconds per reply once the
model is loaded (p50, p95) and the load time.

`--loso` is the measurement that cannot be fitted: over the team's corpus
(tests/data/grading, situations none of which is a shipped scenario), each
situation is left out in turn, the learned layer is trained on the others (and
the dev set), and only the left-out situation is scored. It prints rho per
situation and dimension and the mean, then the dev set, the held-out writers,
the restaurant check (the external scenario written from its brief) with the
shipped weights, and general politeness: courtesy on requests from outside
customer service (tests/data/politeness), graded with no scenario.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import UserError
from simulator.grading import learned
from simulator.grading.base import GradeContext
from simulator.grading.rubric import Analysis, RubricGrader, apply_layer
from simulator.loader import discover, load_scenario, scenario_files
from simulator.scenario import Scenario

_REPO = Path(__file__).resolve().parents[2]
DEFAULT_FILE = _REPO.parent / "shared" / "eval" / "replies-dev.jsonl"
RESTAURANT_FILE = _REPO.parent / "shared" / "eval" / "restaurant" / "replies.jsonl"
CORPUS_DIR = _REPO / "tests" / "data" / "grading"
RESTAURANT_SCENARIO = CORPUS_DIR / "external" / "restaurant-booking-lost.yaml"
# The last batch of writers: graded before anyone read it, and kept out of training so
# that it stays a check nothing was fitted to (README, "The honest measure").
HELDOUT_DIR = CORPUS_DIR / "heldout"
# Requests between editors and on a Q&A site, labelled for politeness only: does
# courtesy read politeness where there is no customer and no scenario?
POLITENESS_FILE = CORPUS_DIR.parent / "politeness" / "requests.jsonl"
# The sets whose errors were read: the layer learns courtesy from them too. The
# other sets stay checks nothing was trained or tuned on.
POLITENESS_TRAIN_SETS = ("staged-1", "community-read")
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


def good_bad_accuracy(labels: Sequence[float], scores: Sequence[int]) -> float:
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
    labels: dict[str, float]  # NaN: not labelled on that dimension
    turn: int = 1


def read_items(path: Path, scenario: str | None = None) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            items.append(
                Item(
                    data.get("scenario", scenario),
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


# -- leave one situation out ---------------------------------------------------


def load_corpus(folder: Path = CORPUS_DIR) -> tuple[list[Item], dict[str, Scenario]]:
    """The team's labelled replies and the scenario files they answer."""
    scenarios = {s.id: s for s in (load_scenario(p) for p in scenario_files(folder / "scenarios"))}
    return read_items(folder / "replies.jsonl"), scenarios


def analyse(items: list[Item], grader: RubricGrader, scenarios: dict[str, Scenario]) -> list[Analysis]:
    result = []
    for item in items:
        scenario = scenarios.get(item.scenario) if item.scenario else None
        context = GradeContext(scenario=scenario, customer_line=item.customer, turn=item.turn)
        result.append(grader.analyse(item.reply, context))
    return result


def train(items: list[Item], analyses: list[Analysis]) -> learned.LearnedLayer:
    """The layer for these analyses: with the meaning when they carry it, for rules
    alone when they do not."""
    rows = [(a.findings, a.meaning) for a in analyses if a.findings is not None]
    labels = {
        d: [i.labels[d] for i, a in zip(items, analyses, strict=True) if a.findings is not None]
        for d in DIMENSIONS
    }
    meaning = all(m is not None for _, m in rows)
    return learned.fit(rows, labels, with_meaning=meaning, rules_only=not meaning)


def scores_of(analyses: list[Analysis], layer: learned.LearnedLayer | None) -> dict[str, list[int]]:
    grades = [apply_layer(a, layer) if (layer and a.findings) else a.grade for a in analyses]
    return {d: [int(getattr(g, d)) for g in grades] for d in DIMENSIONS}


@dataclass
class Loso:
    per_situation: dict[str, dict[str, float]]
    mean: dict[str, float]
    pooled: dict[str, float]


def leave_one_situation_out(
    items: list[Item],
    analyses: list[Analysis],
    *,
    learn: bool,
    also_train: tuple[list[Item], list[Analysis]] = ([], []),
) -> Loso:
    """Score each situation with a layer trained on every other one (and `also_train`)."""
    situations = sorted({i.scenario or "" for i in items})
    per: dict[str, dict[str, float]] = {}
    pooled_labels: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    pooled_scores: dict[str, list[int]] = {d: [] for d in DIMENSIONS}
    for situation in situations:
        test = [k for k, i in enumerate(items) if i.scenario == situation]
        rest = [k for k, i in enumerate(items) if i.scenario != situation]
        layer = None
        if learn:
            layer = train(
                [items[k] for k in rest] + also_train[0], [analyses[k] for k in rest] + also_train[1]
            )
        scores = scores_of([analyses[k] for k in test], layer)
        per[situation] = {}
        for d in DIMENSIONS:
            labels = [items[k].labels[d] for k in test]
            per[situation][d] = spearman(labels, scores[d])
            pooled_labels[d] += labels
            pooled_scores[d] += scores[d]
    mean = {d: float(np.mean([per[s][d] for s in situations])) for d in DIMENSIONS}
    pooled = {d: spearman(pooled_labels[d], pooled_scores[d]) for d in DIMENSIONS}
    return Loso(per, mean, pooled)


def leave_one_writer_out(
    items: list[Item],
    analyses: list[Analysis],
    writers: dict[str, list[str]],
    also_train: tuple[list[Item], list[Analysis]] = ([], []),
) -> dict[str, float]:
    """Stricter than leaving a situation out: the layer never sees the writer either,
    as with a trainer's new scenario. Mean rho over the situations, per dimension."""
    per: list[dict[str, float]] = []
    for situations in writers.values():
        test = [k for k, i in enumerate(items) if i.scenario in situations]
        rest = [k for k, i in enumerate(items) if i.scenario not in situations]
        if not test:
            continue
        layer = train([items[k] for k in rest] + also_train[0], [analyses[k] for k in rest] + also_train[1])
        for situation in situations:
            mine = [k for k in test if items[k].scenario == situation]
            scores = scores_of([analyses[k] for k in mine], layer)
            per.append({d: spearman([items[k].labels[d] for k in mine], scores[d]) for d in DIMENSIONS})
    return {d: float(np.mean([p[d] for p in per])) for d in DIMENSIONS}


def _rho(items: list[Item], scores: dict[str, list[int]]) -> dict[str, float]:
    return {d: spearman([i.labels[d] for i in items], scores[d]) for d in DIMENSIONS}


def auc(high: Sequence[float], low: Sequence[float]) -> float:
    """The chance that a reply from `high` outscores one from `low` (ties count half)."""
    if not high or not low:
        return float("nan")
    wins = sum((h > lo) + 0.5 * (h == lo) for h in high for lo in low)
    return wins / (len(high) * len(low))


def _politeness_rows(path: Path) -> list[tuple[str, float, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append((str(data["set"]), float(data["politeness"]), str(data["text"])))
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{path}:{number} is not a labelled request; fix that line.") from None
    return rows


def politeness_training(
    grader: RubricGrader, path: Path = POLITENESS_FILE
) -> tuple[list[Item], list[Analysis]]:
    """The read sets of requests as training rows for courtesy alone (flexibility NaN),
    analysed as the grader analyses a reply with no scenario."""
    if not path.is_file():
        return [], []
    items = [
        Item(None, None, text, {"courtesy": label, "flexibility": math.nan})
        for name, label, text in _politeness_rows(path)
        if name in POLITENESS_TRAIN_SETS
    ]
    return items, [grader.analyse(i.reply, GradeContext(scenario=None, customer_line=None)) for i in items]


def general_politeness(
    grader: RubricGrader, path: Path = POLITENESS_FILE
) -> dict[str, tuple[int, float, float]]:
    """Per set of requests: how many, rho with the politeness label, and the AUC of
    courtesy for the most polite quarter against the least polite quarter."""
    by_set: dict[str, list[tuple[float, int]]] = {}
    for name, label, text in _politeness_rows(path):
        score = grader.grade(text, GradeContext(scenario=None, customer_line=None)).courtesy
        by_set.setdefault(name, []).append((label, score))
    result = {}
    for name, pairs in by_set.items():
        labels, scores = [p[0] for p in pairs], [p[1] for p in pairs]
        low_cut, high_cut = np.percentile(labels, [25, 75])
        high = [s for lab, s in pairs if lab >= high_cut]
        low = [s for lab, s in pairs if lab <= low_cut]
        result[name] = (len(pairs), spearman(labels, scores), auc(high, low))
    return result


def run_loso(rules_only: bool, show: bool) -> int:
    """Print the leave-one-situation-out figures, then the dev set and the restaurant check."""
    items, corpus_scenarios = load_corpus()
    grader = RubricGrader(use_embeddings=not rules_only, use_learned=False)
    analyses = analyse(items, grader, corpus_scenarios)
    shipped = discover([]).scenarios
    dev_items = read_items(DEFAULT_FILE) if DEFAULT_FILE.is_file() else []
    dev_analyses = analyse(dev_items, grader, shipped)
    method = "rules+embeddings" if grader.uses_embeddings else "rules"
    print(
        f"{len(items)} replies in {len({i.scenario for i in items})} situations ({CORPUS_DIR}), grader: {method}"
    )
    polite_items, polite_analyses = politeness_training(grader)
    also = (dev_items + polite_items, dev_analyses + polite_analyses)
    rules = leave_one_situation_out(items, analyses, learn=False)
    with_layer = leave_one_situation_out(items, analyses, learn=True, also_train=also)
    print(f"{'situation':<26} {'rules C':>8} {'rules F':>8} {'learned C':>10} {'learned F':>10}")
    for situation in sorted(rules.per_situation):
        r, w = rules.per_situation[situation], with_layer.per_situation[situation]
        print(
            f"{situation:<26} {r['courtesy']:>8.3f} {r['flexibility']:>8.3f} "
            f"{w['courtesy']:>10.3f} {w['flexibility']:>10.3f}"
        )
    print(
        f"{'mean over situations':<26} {rules.mean['courtesy']:>8.3f} {rules.mean['flexibility']:>8.3f} "
        f"{with_layer.mean['courtesy']:>10.3f} {with_layer.mean['flexibility']:>10.3f}"
    )
    print(
        f"{'all replies pooled':<26} {rules.pooled['courtesy']:>8.3f} {rules.pooled['flexibility']:>8.3f} "
        f"{with_layer.pooled['courtesy']:>10.3f} {with_layer.pooled['flexibility']:>10.3f}"
    )
    print(
        "learned: trained on the other situations, the dev set and the read politeness sets, "
        "never on the situation scored."
    )
    writers_file = CORPUS_DIR / "writers" / "situations.json"
    if writers_file.is_file():
        writers = json.loads(writers_file.read_text(encoding="utf-8"))
        lowo = leave_one_writer_out(items, analyses, writers, also_train=also)
        print(
            f"leave one writer out ({len(writers)} writers), mean over situations: "
            f"{lowo['courtesy']:.3f} / {lowo['flexibility']:.3f} (courtesy / flexibility)"
        )
    layer = learned.shipped()
    if dev_items:
        corpus_only = train(items + polite_items, analyses + polite_analyses)
        dev_rules = _rho(dev_items, scores_of(dev_analyses, None))
        dev_held = _rho(dev_items, scores_of(dev_analyses, corpus_only))
        line = (
            f"dev set ({len(dev_items)}): rules {dev_rules['courtesy']:.3f} / {dev_rules['flexibility']:.3f}, "
            f"learned without it {dev_held['courtesy']:.3f} / {dev_held['flexibility']:.3f}"
        )
        if layer is not None:
            dev_shipped = _rho(dev_items, scores_of(dev_analyses, layer))
            line += f", shipped weights {dev_shipped['courtesy']:.3f} / {dev_shipped['flexibility']:.3f}"
        print(line + " (courtesy / flexibility)")
    if HELDOUT_DIR.is_dir():
        held_items, held_scenarios = load_corpus(HELDOUT_DIR)
        held = analyse(held_items, grader, held_scenarios)
        line = f"held-out writers ({len(held_items)} replies, {len(held_scenarios)} situations, never trained on):"
        for name, chosen in (("rules", None), ("shipped weights", layer)):
            if name == "shipped weights" and chosen is None:
                continue
            scores = scores_of(held, chosen)
            per = [
                {
                    d: spearman([held_items[k].labels[d] for k in idx], [scores[d][k] for k in idx])
                    for d in DIMENSIONS
                }
                for idx in (
                    [k for k, i in enumerate(held_items) if i.scenario == s] for s in sorted(held_scenarios)
                )
            ]
            means = {d: float(np.mean([p[d] for p in per])) for d in DIMENSIONS}
            line += f" {name} {means['courtesy']:.3f} / {means['flexibility']:.3f},"
        print(line.rstrip(",") + " (courtesy / flexibility, mean over situations)")
    if RESTAURANT_FILE.is_file() and RESTAURANT_SCENARIO.is_file():
        scenario = load_scenario(RESTAURANT_SCENARIO)
        check = read_items(RESTAURANT_FILE, scenario.id)
        check_analyses = analyse(check, grader, {scenario.id: scenario})
        r_rules = _rho(check, scores_of(check_analyses, None))
        line = (
            f"restaurant check ({len(check)}): rules {r_rules['courtesy']:.3f} / {r_rules['flexibility']:.3f}"
        )
        if layer is not None:
            r_layer = _rho(check, scores_of(check_analyses, layer))
            line += f", shipped weights {r_layer['courtesy']:.3f} / {r_layer['flexibility']:.3f}"
        print(line + " (courtesy / flexibility)")
    else:
        print("restaurant check: ../shared/eval/restaurant/replies.jsonl not found, skipped.")
    if POLITENESS_FILE.is_file():
        polite_grader = RubricGrader(use_embeddings=not rules_only)
        for name, (n, rho, area) in general_politeness(polite_grader).items():
            how = "trained on" if name in POLITENESS_TRAIN_SETS else "never read or trained on"
            print(
                f"general politeness, {name} ({n} requests, no scenario, {how}): courtesy rho {rho:.3f}, "
                f"AUC most against least polite quarter {area:.3f}"
            )
    if show:
        with_scores = scores_of(analyses, None)
        for item, c, f in zip(items, with_scores["courtesy"], with_scores["flexibility"], strict=True):
            print(
                f"{item.scenario:<26} C {item.labels['courtesy']} {c:3d}  F {item.labels['flexibility']} {f:3d}  {item.reply}"
            )
    return 0


def write_weights() -> int:
    """Train the shipped layer on the whole corpus and the dev set, and write weights.json.

    The rules-only models learn from the findings the rules make without the
    embedding model (its similarities are then the lexical ones), as they will
    meet them on a machine that lacks it."""
    items, corpus_scenarios = load_corpus()
    dev_items = read_items(DEFAULT_FILE) if DEFAULT_FILE.is_file() else []
    models: dict[str, dict[str, learned.Model]] = {}
    polite_items: list[Item] = []
    for kind, use_embeddings in (("with_meaning", True), ("rules_only", False)):
        grader = RubricGrader(use_embeddings=use_embeddings, use_learned=False)
        if use_embeddings and not grader.uses_embeddings:
            print("The embedding model is not installed; install it before training.", file=sys.stderr)
            return 2
        polite_items, polite_analyses = politeness_training(grader)
        analyses = (
            analyse(items, grader, corpus_scenarios)
            + analyse(dev_items, grader, discover([]).scenarios)
            + polite_analyses
        )
        models[kind] = getattr(train(items + dev_items + polite_items, analyses), kind)
    layer = learned.LearnedLayer(models["with_meaning"], models["rules_only"])
    about: dict[str, object] = {
        "trained_on": (
            f"tests/data/grading/replies.jsonl ({len(items)}), the dev set ({len(dev_items)}), "
            f"and for courtesy only the read sets of tests/data/politeness ({len(polite_items)})"
        ),
        "made_by": "python -m simulator.grading.benchmark --write-weights",
    }
    learned.WEIGHTS_FILE.write_text(learned.to_json(layer, about), encoding="utf-8")
    print(f"wrote {learned.WEIGHTS_FILE}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator.grading.benchmark", description=__doc__.split("\n")[0]
    )
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="labelled replies (JSONL)")
    parser.add_argument("--rules-only", action="store_true", help="grade without the embedding model")
    parser.add_argument("--show", action="store_true", help="print every reply with its labels and grades")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the file")
    parser.add_argument(
        "--loso",
        action="store_true",
        help="leave-one-situation-out over tests/data/grading, dev set, restaurant",
    )
    parser.add_argument(
        "--write-weights", action="store_true", help="train the learned layer and write its weights.json"
    )
    args = parser.parse_args(argv)
    try:
        if args.write_weights:
            return write_weights()
        if args.loso:
            return run_loso(args.rules_only, args.show)
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
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
