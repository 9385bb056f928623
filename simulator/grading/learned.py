"""The learned layer: a small ridge regression over the rules' findings and the reply's meaning.

The rules say what a reply does (an apology, a refusal, a concrete offer); how
much each finding is worth, and what the reply's wording adds beyond them, is
read off labelled replies. The features are the rules' findings (points and
flags), how close the reply is to the scenario's solutions and rigid responses,
and the mean all-MiniLM-L6-v2 vector of the reply's clauses (already computed
for the rules, so it costs nothing more). The prediction is on the 1-5 label
scale; the grader turns it into 0-100 and shows the difference from the rules'
score as one evidence line.

Training (`fit`) needs numpy only; the shipped weights (weights.json, package
data) are built by `python -m simulator.grading.benchmark --write-weights` from
the team's corpus, the dev set and, for courtesy only, the read sets of
tests/data/politeness. Grading reads them with numpy, never torch or scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
DIMENSIONS = ("courtesy", "flexibility")
EMBEDDING_SIZE = 384

# Findings of the rules that become features: courtesy reasons and flexibility
# flags and offer kinds. A name missing from a reply's findings is 0.
COURTESY_REASONS = (
    "greeting",
    "thanks",
    "apology",
    "please",
    "indirect request",
    "hedge",
    "respectful address",
    "willing tone",
    "acknowledges feelings",
    "care for the person",
    "uses the customer's name",
    "helpful, willing answer",
    "command without a softener",
    "polite word used to command",
    "blame",
    "dismissal",
    "insult",
    "sarcasm",
    "puts the burden on the customer",
    'pressure ("now")',
    "grudging tone",
    "curt demand",
    "curt, no courtesy words",
    "the customer is upset and the reply ignores it",
    "shouting (capitals)",
    "shouting (!!)",
    "direct question",
    'starts with "so"',
    'starts with "you"',
    "clipped fragment",
    "deference: credits the customer",
)
FLEX_FLAGS = (
    "refusal",
    "policy",
    "sends_away",
    "defers",
    "burden",
    "dismissal",
    "blame",
    "rigid",
    "repeats_rejected",
)
OFFER_KINDS = (
    "act",
    "look",
    "file",
    "grant",
    "permission",
    "option",
    "nominal",
    "third",
    "accept",
    "meaning",
    "guide",
)
ACTS = ("owns", "goes_beyond", "asks", "offers", "defers", "sends_away", "refuses", "cites_policy")
OTHER = (
    "courtesy score",
    "flexibility score",
    "needs met",
    "words (log)",
    "questions",
    "sentences",
    "solution similarity",
    "rigid similarity",
    "solution minus rigid",
    "customer proposed",
    "only asks",
)
RULE_FEATURES: tuple[str, ...] = (
    *(f"courtesy: {r}" for r in COURTESY_REASONS),
    *(f"flag: {f}" for f in FLEX_FLAGS),
    *(f"offer: {k}" for k in OFFER_KINDS),
    *(f"act: {a}" for a in ACTS),
    *OTHER,
)


@dataclass(frozen=True)
class Findings:
    """What the rules found in one reply, in the learned layer's terms."""

    courtesy_reasons: frozenset[str]
    flags: frozenset[str]
    offer_kinds: frozenset[str]
    acts: frozenset[str]
    courtesy: int
    flexibility: int
    needs_met: int
    words: int
    questions: int
    sentences: int
    solution_similarity: float
    rigid_similarity: float
    customer_proposed: bool
    only_asks: bool


def rule_vector(f: Findings) -> np.ndarray:
    values = [
        *(1.0 if r in f.courtesy_reasons else 0.0 for r in COURTESY_REASONS),
        *(1.0 if x in f.flags else 0.0 for x in FLEX_FLAGS),
        *(1.0 if k in f.offer_kinds else 0.0 for k in OFFER_KINDS),
        *(1.0 if a in f.acts else 0.0 for a in ACTS),
        f.courtesy / 20.0,
        f.flexibility / 20.0,
        float(min(f.needs_met, 2)),
        math.log1p(f.words),
        float(min(f.questions, 3)),
        float(min(f.sentences, 5)),
        f.solution_similarity,
        f.rigid_similarity,
        f.solution_similarity - f.rigid_similarity,
        1.0 if f.customer_proposed else 0.0,
        1.0 if f.only_asks else 0.0,
    ]
    return np.asarray(values, dtype=np.float64)


def feature_vector(f: Findings, meaning: Any | None) -> np.ndarray:
    """Rule features, then the reply's mean clause embedding (zeros without the model)."""
    embedding = np.zeros(EMBEDDING_SIZE) if meaning is None else np.asarray(meaning, dtype=np.float64)
    return np.concatenate([rule_vector(f), embedding])


@dataclass(frozen=True)
class Ridge:
    """One dimension's regression: standardise, dot, add; the prediction is a 1-5 label."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, x: np.ndarray) -> float:
        return float(((x - self.mean) / self.scale) @ self.coef + self.intercept)

    def predict_many(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept


@dataclass(frozen=True)
class LearnedLayer:
    """Per dimension, one model with embeddings and one for rules alone."""

    with_meaning: dict[str, Ridge]
    rules_only: dict[str, Ridge]

    def predict(self, f: Findings, meaning: Any | None) -> dict[str, float]:
        if meaning is not None:
            x = feature_vector(f, meaning)
            return {d: self.with_meaning[d].predict(x) for d in DIMENSIONS}
        x = rule_vector(f)
        return {d: self.rules_only[d].predict(x) for d in DIMENSIONS}


# Rule features are standardised and weighed fully; the 384 embedding
# dimensions are many and each weak, so they get a much stronger penalty. The
# grade moves half way from the rules' score to the layer's:
# the rules keep a say of their own. All three were chosen by
# leave-one-situation-out (benchmark.py --loso); the restaurant check played no part.
RULE_ALPHA = 30.0
MEANING_ALPHA = 150.0
BLEND = 0.5


def fit_ridge(x: np.ndarray, y: np.ndarray, n_rule: int, rule_alpha: float, meaning_alpha: float) -> Ridge:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    if x.shape[1] > n_rule:
        # Embedding dimensions keep their common scale: standardising each one
        # would blow up the ones that barely vary.
        mean[n_rule:] = x[:, n_rule:].mean(axis=0)
        scale[n_rule:] = max(float(x[:, n_rule:].std()), 1e-6)
        z = (x - mean) / scale
    penalty = np.full(x.shape[1], rule_alpha)
    penalty[n_rule:] = meaning_alpha
    target = y - y.mean()
    coef = np.linalg.solve(z.T @ z + np.diag(penalty), z.T @ target)
    # Ridge pulls every prediction toward the mean: a rude reply would read as a
    # 2 and a model answer as a 4. Stretching the predictions back to the
    # labels' spread keeps their order (and so rho) and restores the scale.
    spread = float((z @ coef).std())
    if spread > 1e-9:
        coef *= min(1.6, max(1.0, float(y.std()) / spread))
    return Ridge(mean, scale, coef, float(y.mean()))


def fit(
    rows: list[tuple[Findings, Any | None]],
    labels: Mapping[str, Sequence[float]],
    *,
    rule_alpha: float = RULE_ALPHA,
    meaning_alpha: float = MEANING_ALPHA,
) -> LearnedLayer:
    """One ridge per dimension. A label that is NaN leaves its row out of that
    dimension only: a request labelled for politeness teaches courtesy, not flexibility."""
    n_rule = len(RULE_FEATURES)
    x_full = np.stack([feature_vector(f, m) for f, m in rows])
    x_rules = np.stack([rule_vector(f) for f, _ in rows])
    with_meaning = {}
    rules_only = {}
    for d in DIMENSIONS:
        y = np.asarray(labels[d], dtype=np.float64)
        known = ~np.isnan(y)
        with_meaning[d] = fit_ridge(x_full[known], y[known], n_rule, rule_alpha, meaning_alpha)
        rules_only[d] = fit_ridge(x_rules[known], y[known], n_rule, rule_alpha, meaning_alpha)
    return LearnedLayer(with_meaning, rules_only)


def to_json(layer: LearnedLayer, about: dict[str, object]) -> str:
    def ridge(r: Ridge) -> dict[str, object]:
        return {
            "mean": [round(v, 6) for v in r.mean.tolist()],
            "scale": [round(v, 6) for v in r.scale.tolist()],
            "coef": [round(v, 6) for v in r.coef.tolist()],
            "intercept": round(r.intercept, 6),
        }

    data = {
        "about": about,
        "features": list(RULE_FEATURES),
        "with_meaning": {d: ridge(layer.with_meaning[d]) for d in DIMENSIONS},
        "rules_only": {d: ridge(layer.rules_only[d]) for d in DIMENSIONS},
    }
    return json.dumps(data, indent=0) + "\n"


def from_json(text: str) -> LearnedLayer | None:
    """The layer in a weights file, or None when it was made for other features."""
    data = json.loads(text)
    if data.get("features") != list(RULE_FEATURES):
        return None

    def ridge(d: dict[str, Any]) -> Ridge:
        return Ridge(
            np.asarray(d["mean"], dtype=np.float64),
            np.asarray(d["scale"], dtype=np.float64),
            np.asarray(d["coef"], dtype=np.float64),
            float(d["intercept"]),
        )

    return LearnedLayer(
        {k: ridge(v) for k, v in data["with_meaning"].items()},
        {k: ridge(v) for k, v in data["rules_only"].items()},
    )


@cache
def shipped() -> LearnedLayer | None:
    """The weights that ship with the package, or None if missing or out of date."""
    try:
        return from_json(WEIGHTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return None


def to_score(label: float) -> float:
    """A 1-5 label on the 0-100 scale: 1 -> 5, 3 -> 50 (neutral), 5 -> 95.

    Wider than the labels' own 10-90: a regression trained on many writers predicts
    a clear 5 as about 4.4, so a warm, concrete reply would read as 78 where the
    scale promises 85 or more, and a curt 2 as 30 at best."""
    return 50.0 + 22.5 * (label - 3.0)
