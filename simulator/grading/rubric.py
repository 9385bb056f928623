"""The grader: courtesy and flexibility per reply, with evidence, a tip and a model answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from simulator.grading import courtesy as courtesy_rules
from simulator.grading import flexibility as flexibility_rules
from simulator.grading import learned
from simulator.grading import lexicon as lx
from simulator.grading.base import Dimension, Evidence, Grade, GradeContext
from simulator.grading.embeddings import Embedder, shared_embedder
from simulator.grading.scenario_index import IndexCache, ScenarioIndex, content_words, overlap
from simulator.grading.text import Span, clauses, has_negation, normalise

SAYS_BY_MEANING = 0.62  # a trigger's `says` phrase, said in other words
FACT_BY_MEANING = 0.60  # a question about one of the customer's facts
LOW_FLEXIBILITY = 55  # below this the scenario's model answer is shown


class RubricGrader:
    """Rules for the shape of a reply, sentence embeddings for its meaning.

    `embedder=None` uses the process-wide all-MiniLM-L6-v2 (loaded on first use);
    `use_embeddings=False` grades by rules alone, as when the model is missing.
    `layer` is the learned layer (learned.py) that weighs the rules' findings:
    the shipped weights unless given; `use_learned=False` shows the rules' own score.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        use_embeddings: bool = True,
        *,
        use_learned: bool = True,
        layer: learned.LearnedLayer | None = None,
    ) -> None:
        self._embedder = embedder
        self._use_embeddings = use_embeddings
        self._indexes = IndexCache()
        self._layer = (layer or learned.shipped()) if use_learned else None

    # -- set-up ------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder | None:
        if not self._use_embeddings:
            return None
        embedder = self._embedder or shared_embedder()
        return embedder if embedder.available else None

    @property
    def uses_embeddings(self) -> bool:
        return self.embedder is not None

    def warm_up(self, scenario: Any = None) -> None:
        """Load the model and embed a scenario's phrases now, e.g. in a worker at start."""
        embedder = self.embedder
        if embedder is not None:
            embedder.encode(["Good evening, how can I help?"])
        if scenario is not None:
            self._indexes.get(scenario, embedder)

    # -- grading -----------------------------------------------------------------

    def grade(self, reply: str, context: GradeContext) -> Grade:
        analysis = self.analyse(reply, context)
        if analysis.findings is None or self._layer is None:
            return analysis.grade
        return apply_layer(analysis, self._layer)

    def analyse(self, reply: str, context: GradeContext) -> Analysis:
        """The rules' grade and what the learned layer reads from it (benchmark.py trains on it)."""
        reply = reply.strip()
        if not reply:
            return Analysis(
                Grade(
                    courtesy=0,
                    flexibility=0,
                    evidence=(Evidence("courtesy", "", 0, "no reply"),),
                    tip="Say something: greet the customer and ask how you can help.",
                    acts=frozenset({"ignores_feelings"} if context.customer_upset else set()),
                ),
                None,
                None,
            )
        embedder = self.embedder
        scenario = context.scenario
        index = self._indexes.get(scenario, embedder) if scenario is not None else None
        spans = clauses(reply) or [Span(0, len(reply), reply, normalise(reply))]

        vectors = rejected_vectors = None
        if embedder is not None:
            # One encoder batch for all the grade is likely to embed: one call costs
            # far more than one more sentence in it. The reply's clauses, any rejected
            # offers (scenario phrases, usually embedded when the scenario loaded),
            # the contents of its offers (flexibility.py matches needs on them) and,
            # when the rules expect a low flexibility (the model answer closest to
            # the line is shown) or an accepted proposal, the customer's line. The
            # rest stay cached for the rules that ask for them; a wrong guess costs
            # a second call, never a different grade.
            batch = [s.text for s in spans]
            extra: list[str] = []
            if index is not None:
                foresight = flexibility_rules.foresee(spans, context.customer_line)
                extra = foresight.contents
                if context.customer_line and (foresight.accepts or not foresight.offers):
                    extra = [context.customer_line, *extra]
            matrix = embedder.encode(batch + list(context.rejected) + extra)
            vectors = matrix[: len(batch)]
            if context.rejected:
                rejected_vectors = matrix[len(batch) : len(batch) + len(context.rejected)]

        def customer_vector() -> Any:
            if embedder is None or not context.customer_line or scenario is None:
                return None
            return embedder.encode([context.customer_line])[0]

        flex = flexibility_rules.assess(
            reply,
            spans,
            flexibility_rules.Scene(
                vectors=vectors,
                index=index,
                customer_line=context.customer_line,
                turn=context.turn,
                rejected=context.rejected,
                rejected_vectors=rejected_vectors,
                encode=embedder.encode if embedder is not None else None,
            ),
        )
        # Accepting the customer's own proposal meets the need that proposal names.
        if index is not None and any(o.kind == "accept" for o in flex.offers) and context.customer_line:
            need = _need_of_line(index, context.customer_line, customer_vector())
            if need is not None and need not in flex.needs_met:
                flex.needs_met.append(need)
        real_offer = next((o.phrase for o in flex.offers if o.kind not in {"file"}), None)
        court = courtesy_rules.assess(
            reply,
            customer_name=scenario.customer.name if scenario is not None else None,
            customer_line=context.customer_line,
            customer_upset=context.customer_upset,
            helpful=real_offer is not None and "sends_away" not in flex.acts,
            offers_grant=bool(flex.offers),
        )
        for e_index, e in enumerate(court.evidence):
            if e.reason == "helpful, willing answer" and real_offer:
                court.evidence[e_index] = Evidence("courtesy", real_offer, e.effect, e.reason)

        acts = set(court.acts) | flex.acts
        if context.unmet_needs is not None:
            needs_met = [n for n in flex.needs_met if n in context.unmet_needs]
        else:
            needs_met = list(flex.needs_met)
        said = self._said(spans, vectors, index)
        facts = self._facts_asked(spans, vectors, index)

        empathy = max(
            0,
            min(
                100,
                40
                + court.empathy_points * 3
                + (10 if "apologises" in acts else 0)
                - (20 if "ignores_feelings" in acts else 0)
                - (25 if "rude" in acts else 0),
            ),
        )
        ownership = max(
            0,
            min(
                100,
                35
                + (35 if "owns" in acts else 0)
                + (15 if "offers" in acts else 0)
                + (15 if "goes_beyond" in acts else 0)
                - (25 if "defers" in acts else 0)
                - (20 if "sends_away" in acts else 0),
            ),
        )
        evidence = tuple(e for e in [*court.evidence, *flex.evidence] if e.phrase or e.effect)
        model_answer = None
        if flex.score < LOW_FLEXIBILITY and index is not None:
            model_answer = _model_answer(index, context.customer_line, customer_vector(), embedder)
        grade = Grade(
            courtesy=court.score,
            flexibility=flex.score,
            evidence=evidence,
            tip=_tip(court, flex, acts, context),
            acts=frozenset(acts),
            needs_met=tuple(needs_met),
            rigid=tuple(dict.fromkeys(flex.rigid)),
            said=tuple(said),
            facts_asked=tuple(facts),
            model_answer=model_answer,
            empathy=round(empathy),
            ownership=round(ownership),
            extra={"method": "rules+embeddings" if embedder is not None else "rules"},
        )
        solution_sim = rigid_sim = 0.0
        if vectors is not None and index is not None:
            if "solutions" in index.vectors:
                solution_sim = float((index.vectors["solutions"] @ vectors.T).max())
            if "rigid" in index.vectors:
                rigid_sim = float((index.vectors["rigid"] @ vectors.T).max())
        findings = learned.Findings(
            courtesy_reasons=frozenset(e.reason for e in court.evidence),
            flags=frozenset(flex.flags),
            offer_kinds=frozenset(o.kind for o in flex.offers),
            acts=frozenset(acts),
            courtesy=court.score,
            flexibility=flex.score,
            needs_met=len(needs_met),
            words=len(reply.split()),
            questions=sum(1 for s in spans if s.is_question),
            sentences=len(spans),
            solution_similarity=solution_sim,
            rigid_similarity=rigid_sim,
            customer_proposed=bool(
                context.customer_line and lx.CUSTOMER_PROPOSAL.search(normalise(context.customer_line))
            ),
            only_asks=flex.only_asks,
        )
        meaning = None
        if vectors is not None and len(vectors):
            mean = vectors.mean(axis=0)
            meaning = mean / max(float((mean @ mean) ** 0.5), 1e-9)
        return Analysis(grade, findings, meaning)

    def nearest_phrases(self, reply: str, scenario: Any) -> list[tuple[str, str, str, float]]:
        """Per clause of the reply, the closest solution and rigid response, with the cosine.

        For `simulator explain`: it shows the trainer why a clause did or did not
        count as a scenario's solution. Empty without the embedding model.
        """
        embedder = self.embedder
        if embedder is None or scenario is None:
            return []
        index = self._indexes.get(scenario, embedder)
        spans = clauses(reply.strip())
        if not spans:
            return []
        vectors = embedder.encode([s.text for s in spans])
        found: list[tuple[str, str, str, float]] = []
        for span, vector in zip(spans, vectors, strict=True):
            for bank, label in (("solutions", "solution"), ("rigid", "rigid response")):
                sim, entry = index.best(bank, vector)
                if entry is not None:
                    found.append((span.text, label, entry.text, sim))
        return found

    # -- triggers and facts ------------------------------------------------------

    def _said(self, spans: list[Span], vectors: Any, index: ScenarioIndex | None) -> list[str]:
        if index is None or not index.says:
            return []
        hits: list[str] = []
        for i, span in enumerate(spans):
            negated = has_negation(span.low)
            for j, entry in enumerate(index.says):
                phrase_low = normalise(entry.text)
                # Meaning must keep its sign: "I won't send you away" is not "go away".
                if negated != has_negation(phrase_low):
                    continue
                literal = phrase_low.strip(" .!?") in span.low
                close = (
                    vectors is not None and float(index.vectors["says"][j] @ vectors[i]) >= SAYS_BY_MEANING
                )
                if (
                    literal or close or (vectors is None and overlap(span.low, entry.text) >= 0.8)
                ) and entry.key not in hits:
                    hits.append(entry.key)
        return hits

    def _facts_asked(self, spans: list[Span], vectors: Any, index: ScenarioIndex | None) -> list[str]:
        if index is None or not index.facts:
            return []
        hits: list[str] = []
        for i, span in enumerate(spans):
            if not (span.is_question or lx.REQUEST_START.match(span.low)):
                continue
            words = content_words(span.text)
            for j, entry in enumerate(index.facts):
                keys = content_words(entry.text)
                literal = bool(keys) and keys <= words
                close = (
                    vectors is not None and float(index.vectors["facts"][j] @ vectors[i]) >= FACT_BY_MEANING
                )
                if (literal or close) and entry.key not in hits:
                    hits.append(entry.key)
        return hits


def _need_of_line(index: ScenarioIndex, line: str, vector: Any) -> str | None:
    """The need whose solution or proposal a customer's line names, if any."""
    best: tuple[float, str | None] = (0.0, None)
    for bank in ("solutions", "proposals"):
        if vector is not None:
            sim, entry = index.best(bank, vector)
            threshold = 0.45
        else:
            entries = getattr(index, bank)
            scored = [(overlap(line, e.text), e) for e in entries]
            sim, entry = max(scored, key=lambda x: x[0], default=(0.0, None))
            threshold = 0.4
        if entry is not None and sim >= threshold and sim > best[0]:
            best = (sim, entry.key)
    return best[1]


def _model_answer(index: ScenarioIndex, line: str | None, vector: Any, embedder: Embedder | None) -> str:
    answers = index.scenario.model_answers
    if not line:
        return answers[0].answer
    if vector is not None and "situations" in index.vectors:
        # The situation says when the answer applies; the answer's own words say
        # what it is about ("sheets", "a ride"). Both count.
        sims = index.vectors["situations"] @ vector + index.vectors["answers"] @ vector
        return answers[int(sims.argmax())].answer
    scored = [
        overlap(line, s.text) + overlap(s.text, line) + overlap(a.text, line)
        for s, a in zip(index.situations, index.answers, strict=True)
    ]
    return answers[max(range(len(scored)), key=scored.__getitem__)].answer


def _worst(evidence: list[Evidence]) -> Evidence | None:
    negative = [e for e in evidence if e.effect < 0]
    return min(negative, key=lambda e: e.effect) if negative else None


def _tip(
    court: courtesy_rules.CourtesyResult,
    flex: flexibility_rules.FlexResult,
    acts: set[str],
    context: GradeContext,
) -> str:
    """One line about what was weakest, quoting the trainee where it helps."""
    worst_c = _worst(court.evidence)
    flags = flex.flags
    quote = lambda e: f'"{e.phrase}"' if e is not None and e.phrase else "that"  # noqa: E731
    if worst_c is not None and worst_c.reason in {"insult", "sarcasm", "dismissal", "blame"}:
        return f"Drop {quote(worst_c)}: name the problem, not the person, and say what you will do."
    if worst_c is not None and worst_c.reason.startswith("shouting"):
        return "Write in normal case without !!!: calm words calm the customer."
    if "repeats_rejected" in acts:
        return "The customer already turned that down; offer something different, or ask what would work."
    if "sends_away" in flags:
        return "Don't send the customer elsewhere; offer something you can do here, now."
    if "rigid" in flags or "policy" in flags:
        return "Look past the rule: what small step outside it would cost little and solve this tonight?"
    if "refusal" in flags and not any(o.kind not in {"look", "file"} for o in flex.offers):
        return "After a no, give an alternative the customer can choose."
    if "defers" in flags and "offers" not in acts:
        return "Do something now, then follow up; 'tomorrow' or another department is no answer tonight."
    if worst_c is not None and worst_c.reason in {
        "command without a softener",
        "polite word used to command",
        'pressure ("now")',
    }:
        return f'Turn {quote(worst_c)} into a request: "Could you ..., please?" and say why it helps.'
    if flex.only_asks and context.turn >= 3:
        return "You have asked enough; propose a concrete solution now."
    if worst_c is not None and worst_c.reason == "puts the burden on the customer":
        return f"Instead of {quote(worst_c)}, say what you will do for the customer."
    if "ignores_feelings" in acts and court.score < 70:
        return 'Acknowledge how the customer feels before you solve: "I\'m sorry, what a long day."'
    if flex.score < 50:
        return "Propose one concrete solution, in your own words, and say when it will happen."
    if flex.score < 65:
        return "Turn the promise to look into a commitment: what exactly will you do, and when?"
    if court.score < 55:
        return "Add a greeting, a 'please' or a 'sorry': courtesy costs nothing."
    if "goes_beyond" not in acts:
        return "Good solution; add a small unrequested extra or a follow-up to make it an experience."
    if "greets" not in acts and "empathises" not in acts and context.turn == 1:
        return "Open with a greeting and a word for how they feel."
    return "Well done: courteous, concrete and a step beyond; keep it up."


@dataclass(frozen=True)
class Analysis:
    """The rules' grade of a reply, with the findings and meaning the learned layer reads."""

    grade: Grade
    findings: learned.Findings | None
    meaning: Any | None  # the mean clause embedding, unit length; None without the model


# The layer weighs what the rules found; it does not find things of its own. So
# it may not take a reply the rules read as about neutral into the curt band
# (that needs a discourtesy a rule names and prices), nor lift a reply of a word
# or three that offers nothing and meets no need past the neutral middle
# ("Sure." to a question that proposed nothing accepts nothing).
NEAR_NEUTRAL = 45
NEUTRAL_COURTESY_FLOOR = 35
BARE_REPLY_WORDS = 3


def _held(dimension: str, score: int, rules_score: int, f: learned.Findings) -> tuple[int, str] | None:
    """The score and the reason when one of the bounds above holds the layer back."""
    if dimension == "courtesy" and rules_score >= NEAR_NEUTRAL and score < NEUTRAL_COURTESY_FLOOR:
        return NEUTRAL_COURTESY_FLOOR, f"held at {NEUTRAL_COURTESY_FLOOR}: the rules read it as about neutral"
    if (
        dimension == "flexibility"
        and f.words <= BARE_REPLY_WORDS
        and "offers" not in f.acts
        and not f.needs_met
    ):
        ceiling = max(rules_score, 49)
        if score > ceiling:
            return ceiling, f"held at {ceiling}: so short a reply offers nothing"
    return None


def apply_layer(analysis: Analysis, layer: learned.LearnedLayer) -> Grade:
    """The grade with the learned layer's weighing: each score moves most of the way
    to the layer's prediction, and the move is one evidence line, so the points
    still add up."""
    assert analysis.findings is not None
    grade = analysis.grade
    predicted = layer.predict(analysis.findings, analysis.meaning)
    scores: dict[str, int] = {}
    extra_evidence: list[Evidence] = []
    for dimension in learned.DIMENSIONS:
        rules_score = getattr(grade, dimension)
        target = learned.to_score(predicted[dimension])
        score = max(0, min(100, round(rules_score + learned.BLEND * (target - rules_score))))
        capped = any(e.dimension == dimension and "cap" in e.reason and e.effect < 0 for e in grade.evidence)
        if capped:
            # A cap the rules set (an insult, a flat no with no alternative) holds.
            score = min(score, rules_score)
        held = _held(dimension, score, rules_score, analysis.findings)
        scores[dimension] = score if held is None else held[0]
        if scores[dimension] != rules_score:
            reason = f"weighed against labelled replies: reads like a {predicted[dimension]:.1f} of 5"
            extra_evidence.append(
                Evidence(
                    cast(Dimension, dimension),
                    "",
                    scores[dimension] - rules_score,
                    reason if held is None else f"{reason}, {held[1]}",
                )
            )
    return replace(
        grade,
        courtesy=scores["courtesy"],
        flexibility=scores["flexibility"],
        evidence=(*grade.evidence, *extra_evidence),
        extra={**grade.extra, "method": f"{grade.extra.get('method', 'rules')}+learned"},
    )
