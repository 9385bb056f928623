"""The grader against the hand-labelled dev replies: a floor, not a target.

`python -m simulator.grading.benchmark` prints the same figures with timings.
"""

from __future__ import annotations

import math

import pytest

from simulator.grading.benchmark import DEFAULT_FILE, evaluate, good_bad_accuracy, read_items, spearman
from simulator.grading.rubric import RubricGrader
from simulator.loader import discover

RHO_FLOOR = 0.8
ACCURACY_FLOOR = 0.85

# Only the tests that read the dev set skip without it; the maths is checked always.
needs_dev_set = pytest.mark.skipif(
    not DEFAULT_FILE.is_file(), reason="../shared/eval/replies-dev.jsonl not present"
)


def test_spearman_matches_known_values() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    # Ties share their average rank: ranks (1.5, 1.5, 3) against (1, 2, 3).
    assert spearman([1, 1, 2], [1, 2, 3]) == pytest.approx(0.866, abs=1e-3)


def test_good_bad_accuracy_leaves_out_threes() -> None:
    assert good_bad_accuracy([5, 1, 3], [80, 20, 0]) == 1.0
    assert good_bad_accuracy([4, 2], [40, 60]) == 0.0


@needs_dev_set
@pytest.mark.parametrize("use_embeddings", [True, False], ids=["rules+embeddings", "rules-only"])
def test_dev_set_floor(use_embeddings: bool) -> None:
    items = read_items(DEFAULT_FILE)
    report = evaluate(items, RubricGrader(use_embeddings=use_embeddings), discover([]).scenarios)
    print(f"\nrho {report.rho}, good-vs-bad {report.accuracy}, method {report.method}")
    for dimension in ("courtesy", "flexibility"):
        assert report.rho[dimension] >= RHO_FLOOR, dimension
        assert report.accuracy[dimension] >= ACCURACY_FLOOR, dimension


@needs_dev_set
def test_dev_set_floor_without_scenarios() -> None:
    """The rules must carry the grade on their own, for scenarios nobody has written yet."""
    items = read_items(DEFAULT_FILE)
    report = evaluate(items, RubricGrader(use_embeddings=False), {})
    for dimension in ("courtesy", "flexibility"):
        assert report.rho[dimension] >= RHO_FLOOR, dimension


def test_the_learned_layer_fits_and_round_trips() -> None:
    """Pure maths on made-up findings: no data files needed."""
    import numpy as np

    from simulator.grading import learned

    rng = np.random.default_rng(0)
    rows = []
    labels: dict[str, list[float]] = {"courtesy": [], "flexibility": []}
    for k in range(300):
        polite = k % 5 + 1
        findings = learned.Findings(
            courtesy_reasons=frozenset({"apology"} if polite >= 4 else {"insult"} if polite == 1 else set()),
            flags=frozenset({"refusal"} if polite <= 2 else set()),
            offer_kinds=frozenset({"act"} if polite >= 3 else set()),
            acts=frozenset(),
            courtesy=polite * 20,
            flexibility=polite * 18,
            needs_met=int(polite >= 4),
            words=8 + k % 7,
            questions=0,
            sentences=1,
            solution_similarity=0.1 * polite,
            rigid_similarity=0.1 * (6 - polite),
            customer_proposed=False,
            only_asks=False,
        )
        meaning = rng.normal(size=learned.EMBEDDING_SIZE)
        rows.append((findings, meaning / np.linalg.norm(meaning)))
        labels["courtesy"].append(polite)
        labels["flexibility"].append(polite)
    layer = learned.fit(rows, labels)
    again = learned.from_json(learned.to_json(layer, {"about": "test"}))
    assert again is not None
    predicted = [again.predict(f, m)["courtesy"] for f, m in rows]
    assert spearman(labels["courtesy"], predicted) > 0.9
    # The file rounds its numbers; no reply may be sent down another branch for it.
    original = [layer.predict(f, m)["courtesy"] for f, m in rows]
    assert predicted == pytest.approx(original, abs=1e-4)
    assert again.predict(rows[0][0], None)["flexibility"] == pytest.approx(
        layer.predict(rows[0][0], None)["flexibility"], abs=1e-4
    )
    assert learned.to_score(3.0) == 50.0 and learned.to_score(5.0) == 95.0

    # A row with no flexibility label (NaN) teaches courtesy only.
    unlabelled = {
        "courtesy": [*labels["courtesy"], 5, 5],
        "flexibility": [*labels["flexibility"], math.nan, math.nan],
    }
    partial = learned.fit([*rows, rows[0], rows[1]], unlabelled)
    assert partial.with_meaning["flexibility"].forest.base == pytest.approx(np.mean(labels["flexibility"]))
    assert partial.with_meaning["courtesy"].forest.base == pytest.approx(np.mean(unlabelled["courtesy"]))


def test_boosted_trees_learn_an_interaction_a_weighing_cannot() -> None:
    """What a finding is worth can depend on another: here y is high only when both
    inputs are, which no sum of separate weights reproduces."""
    import numpy as np

    from simulator.grading import learned

    rng = np.random.default_rng(1)
    x = rng.uniform(size=(800, 2))
    y = np.where((x[:, 0] > 0.5) & (x[:, 1] > 0.5), 5.0, 1.0)
    forest = learned.fit_forest(x, y, trees=100, rate=0.2)
    corners = np.array([[0.9, 0.9], [0.9, 0.1], [0.1, 0.9], [0.1, 0.1]])
    high, *low = forest.predict_many(corners)
    assert high > 4.5 and max(low) < 1.5
