"""A crude word-list grader for UI tests, which only need *a* grade on screen, at once.

The product's grader is simulator/grading/rubric.py.
"""

from __future__ import annotations

import re

from simulator.grading.base import Evidence, Grade, GradeContext

_RULES: list[tuple[str, str, int, str, str | None]] = [
    # (dimension, regex, points, reason, act)
    ("courtesy", r"\b(hello|hi|good (morning|afternoon|evening)|welcome)\b", 10, "greeting", "greets"),
    ("courtesy", r"\bthank(s| you)\b", 10, "thanks", "thanks"),
    ("courtesy", r"\b(sorry|apologi[sz]e)\b", 10, "apology", "apologises"),
    ("courtesy", r"\bplease\b", 6, "please", None),
    ("courtesy", r"\b(could|would|may) (you|i)\b", 6, "polite request", None),
    (
        "courtesy",
        r"\b(i understand|that sounds|how (tiring|stressful|frustrating))\b",
        10,
        "acknowledges feelings",
        "empathises",
    ),
    (
        "courtesy",
        r"\b(stupid|idiot|people like you|stop (calling|making))\b",
        -35,
        "insult or dismissal",
        "rude",
    ),
    ("courtesy", r"\b(not my (problem|department|job))\b", -30, "dismissal", "rude"),
    ("courtesy", r"\b(you should have|your fault)\b", -25, "blame", "blames"),
    ("courtesy", r"^(send|give|wait|stop|fill|go|call)\b", -20, "command without a softener", "commands"),
    ("flexibility", r"\b(i'll|i will|let me|i'm (bringing|sending))\b", 15, "takes ownership", "owns"),
    (
        "flexibility",
        r"\b(extra|another|second|rollaway|mattress|ride|drive you|free)\b",
        15,
        "concrete offer",
        "offers",
    ),
    (
        "flexibility",
        r"\b(policy|protocol|regulations|not allowed|system shows|not covered)\b",
        -20,
        "hides behind policy",
        "cites_policy",
    ),
    (
        "flexibility",
        r"\b(other hotels?|call a (cab|taxi)|go (and|to)|elsewhere)\b",
        -25,
        "sends the customer away",
        "sends_away",
    ),
    ("flexibility", r"\b(cannot|can't|impossible|no\b|not possible)", -15, "refusal", "refuses"),
    ("flexibility", r"\b(tomorrow|day team|form|working days)\b", -10, "defers with no action", "defers"),
]


class SimpleGrader:
    def grade(self, reply: str, context: GradeContext) -> Grade:
        text = reply.strip().lower()
        scores = {"courtesy": 55, "flexibility": 45}
        evidence: list[Evidence] = []
        acts: set[str] = set()
        for dimension, pattern, points, reason, act in _RULES:
            match = re.search(pattern, text)
            if match:
                scores[dimension] += points
                evidence.append(Evidence(dimension, match.group(0), points, reason))  # type: ignore[arg-type]
                if act:
                    acts.add(act)
        if "?" in text:
            acts.add("asks")
        if "refuses" in acts or "cites_policy" in acts:
            acts.discard("offers")
        needs_met: list[str] = []
        if context.scenario is not None and "offers" in acts:
            words = set(re.findall(r"[a-z]+", text))
            for need in context.scenario.needs:
                for solution in need.solutions:
                    for phrase in (solution.text, *solution.examples):
                        key = {w for w in re.findall(r"[a-z]+", phrase.lower()) if len(w) > 4}
                        if key and len(key & words) >= max(1, len(key) // 3):
                            needs_met.append(need.id)
                            break
                    if need.id in needs_met:
                        break
        courtesy = max(0, min(100, scores["courtesy"]))
        flexibility = max(0, min(100, scores["flexibility"]))
        return Grade(
            courtesy=courtesy,
            flexibility=flexibility,
            evidence=tuple(evidence),
            tip="Offer a concrete solution and say it kindly.",
            acts=frozenset(acts),
            needs_met=tuple(needs_met),
        )
