"""The headless session engine: one scenario, played turn by turn.

Each trainee reply is graded, the customer's state is updated, the engine
decides what the customer means to say next (a beat), and a voice says it.
Grading and planning are fast and separate from voicing, so a UI can show the
grade at once and stream the customer's line afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.customer_state import CustomerState, clamp_mood, mood_change
from simulator.grading.base import Grade, GradeContext, Grader
from simulator.scenario import Outcome, Scenario, Trigger
from simulator.voice.base import CustomerLine, LineRequest, TokenCallback, Voice
from simulator.voice.scripted import ScriptedVoice

# Triggers on these acts push back on what the trainee proposed (so it counts as
# turned down); triggers on manners (commands, rude, blames...) do not.
TURNED_DOWN_WHEN = frozenset(
    {"offers", "refuses", "cites_policy", "sends_away", "defers", "repeats_rejected"}
)
HISTORY_TURNS = 6  # lines of conversation a voice sees; enough for context, short for speed


@dataclass(frozen=True)
class Plan:
    """What the customer will say next, decided before it is voiced."""

    turn: int
    trainee: str
    grade: Grade
    mood_before: int
    mood: int
    beat: str
    intent: str
    authored: tuple[str, ...]
    ends: Outcome | None
    newly_met: tuple[str, ...]
    trigger: str | None
    fact: str | None


@dataclass(frozen=True)
class Turn:
    index: int  # 1-based
    trainee: str
    customer: str
    customer_source: str
    grade: Grade
    mood_before: int
    mood: int
    beat: str
    needs_met: tuple[str, ...]
    ended: Outcome | None
    seconds: float  # time to voice the customer's line
    voice_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "trainee": self.trainee,
            "customer": self.customer,
            "customer_source": self.customer_source,
            "courtesy": self.grade.courtesy,
            "flexibility": self.grade.flexibility,
            "mood": self.mood,
            "mood_before": self.mood_before,
            "beat": self.beat,
            "needs_met": list(self.needs_met),
            "ended": self.ended,
            "evidence": [e.__dict__ for e in self.grade.evidence],
            "tip": self.grade.tip,
            "acts": sorted(self.grade.acts),
            "model_answer": self.grade.model_answer,
            "empathy": self.grade.empathy,
            "ownership": self.grade.ownership,
            "seconds": round(self.seconds, 3),
        }


def session_scores(turns: list[Turn]) -> dict[str, int | None]:
    """Session courtesy and flexibility: the mean over the trainee's replies.

    A plain mean keeps the number explainable from the per-turn table.
    """
    if not turns:
        return {"courtesy": None, "flexibility": None}
    return {
        "courtesy": round(sum(t.grade.courtesy for t in turns) / len(turns)),
        "flexibility": round(sum(t.grade.flexibility for t in turns) / len(turns)),
    }


TurnListener = Callable[["Session", Turn], None]
EndListener = Callable[["Session"], None]


@dataclass
class Session:
    scenario: Scenario
    voice: Voice
    grader: Grader
    seed: int = 0
    state: CustomerState = field(init=False)
    turns: list[Turn] = field(default_factory=list, init=False)
    outcome: Outcome | None = field(default=None, init=False)
    ended_by: str | None = field(default=None, init=False)  # "customer", "trainee"
    on_turn: list[TurnListener] = field(default_factory=list, init=False)
    on_end: list[EndListener] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.state = CustomerState.start(self.scenario)
        self._fallback = ScriptedVoice(seed=self.seed)

    # -- reading -------------------------------------------------------------

    @property
    def opening(self) -> str:
        return self.scenario.opening

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def start_mood(self) -> int:
        return self.scenario.customer.start_mood

    @property
    def mood(self) -> int:
        return self.state.mood

    def history(self) -> list[tuple[str, str]]:
        lines: list[tuple[str, str]] = [("customer", self.opening)]
        for turn in self.turns:
            lines.append(("trainee", turn.trainee))
            lines.append(("customer", turn.customer))
        return lines

    def last_customer_line(self) -> str:
        return self.turns[-1].customer if self.turns else self.opening

    def scores(self) -> dict[str, int | None]:
        return session_scores(self.turns)

    # -- playing -------------------------------------------------------------

    def plan(self, reply: str) -> Plan:
        """Grade a reply and decide the customer's next beat, without voicing it."""
        if self.finished:
            raise RuntimeError("the conversation has ended")
        scenario, state = self.scenario, self.state
        turn_no = len(self.turns) + 1
        context = GradeContext(
            scenario=scenario,
            customer_line=self.last_customer_line(),
            turn=turn_no,
            previous_replies=tuple(t.trainee for t in self.turns),
            unmet_needs=tuple(state.unmet(scenario)),
            rejected=tuple(state.rejected),
            customer_upset=state.upset(),
        )
        grade = self.grader.grade(reply, context)
        mood_before = state.mood
        unmet = state.unmet(scenario)
        newly_met = tuple(
            n for n in grade.needs_met if n in unmet and grade.courtesy >= scenario.need(n).min_courtesy
        )
        mood: float = mood_before + mood_change(grade.courtesy, grade.flexibility)
        mood += sum(scenario.need(n).mood_when_met for n in newly_met)
        trigger = self._matching_trigger(grade, turn_no, newly_met)
        if trigger is not None:
            mood += trigger.mood
        mood_after = clamp_mood(mood)
        required_met = all(n.id in state.needs_met or n.id in newly_met for n in scenario.required_needs)
        end = scenario.end
        beat, intent, authored = "", "", ()
        ends: Outcome | None = None
        fact_id: str | None = None
        if required_met and mood_after >= end.resolve_mood:
            ends = "resolved"
            beat, authored = "end:resolved", tuple(end.resolved.lines)
            intent = end.resolved.intent or "Thank the agent warmly; the problem is solved."
        elif trigger is not None and trigger.ends is not None:
            ends = trigger.ends
            beat, intent, authored = f"trigger:{trigger.id}", trigger.intent, tuple(trigger.lines)
        elif mood_after <= end.walk_out_mood:
            ends = "walked_out"
            beat, authored = "end:walked_out", tuple(end.walked_out.lines)
            intent = end.walked_out.intent or "Give up angrily and leave."
        elif turn_no >= end.max_turns:
            ends = "unresolved"
            beat, authored = "end:turn_limit", tuple(end.turn_limit.lines)
            intent = end.turn_limit.intent or "Say, tired, that this is going nowhere."
        elif newly_met:
            need = scenario.need(newly_met[-1])
            beat, authored = f"need:{need.id}:met", tuple(need.met_lines)
            intent = f"Accept gratefully: this solves '{need.description}'."
        elif (fact := self._asked_fact(grade)) is not None:
            fact_id = fact.id
            beat, authored = f"fact:{fact.id}", tuple(fact.lines)
            intent = f"Answer the question with this fact: {fact.text}"
        elif trigger is not None:
            beat, intent, authored = f"trigger:{trigger.id}", trigger.intent, tuple(trigger.lines)
        else:
            beat, intent, authored = self._nudge()
        return Plan(
            turn=turn_no,
            trainee=reply,
            grade=grade,
            mood_before=mood_before,
            mood=mood_after,
            beat=beat,
            intent=intent,
            authored=authored,
            ends=ends,
            newly_met=newly_met,
            trigger=trigger.id if trigger is not None else None,
            fact=fact_id,
        )

    def request_for(self, plan: Plan) -> LineRequest:
        history = [*self.history(), ("trainee", plan.trainee)]
        return LineRequest(
            scenario=self.scenario,
            intent=plan.intent,
            authored=plan.authored,
            beat=plan.beat,
            history=tuple(history[-HISTORY_TURNS:]),
            facts_known=tuple(
                f.text for f in self.scenario.customer.facts if f.id in self.state.facts_revealed
            ),
            mood=plan.mood,
            mood_before=plan.mood_before,
            turn=plan.turn,
            said_before=tuple(self.state.said),
        )

    def voice_line(
        self,
        plan: Plan,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        """Say the planned line; the authored line stands in if the voice fails."""
        request = self.request_for(plan)
        try:
            line = self.voice.speak(request, on_token=on_token, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - the customer must never stall
            line = self._fallback.speak(request)
            return CustomerLine(line.text, "script", (f"voice failed: {type(exc).__name__}",))
        if not line.text.strip():
            fallback = self._fallback.speak(request)
            return CustomerLine(fallback.text, "script", ("voice returned nothing",))
        return line

    def commit(self, plan: Plan, line: CustomerLine, seconds: float = 0.0) -> Turn:
        """Record a voiced turn and apply the plan to the customer's state."""
        state = self.state
        state.mood = plan.mood
        state.needs_met.extend(plan.newly_met)
        if plan.trigger is not None:
            # Its mood change was applied, so it counts as fired even when a
            # need met or a question answered took the customer's line.
            state.fired.append(plan.trigger)
        if plan.fact is not None:
            state.facts_revealed.append(plan.fact)
        for phrase in self._turned_down(plan):
            if phrase not in state.rejected:
                state.rejected.append(phrase)
        if plan.beat.startswith("need:") and plan.beat.endswith(":nudge"):
            need_id = plan.beat.split(":")[1]
            state.nudges[need_id] = state.nudges.get(need_id, 0) + 1
        state.said.append(line.text)
        turn = Turn(
            index=plan.turn,
            trainee=plan.trainee,
            customer=line.text,
            customer_source=line.source,
            grade=plan.grade,
            mood_before=plan.mood_before,
            mood=plan.mood,
            beat=plan.beat,
            needs_met=plan.newly_met,
            ended=plan.ends,
            seconds=seconds,
            voice_notes=line.notes,
        )
        self.turns.append(turn)
        for listener in self.on_turn:
            listener(self, turn)
        if plan.ends is not None:
            self._finish(plan.ends, "customer")
        return turn

    def reply(
        self,
        text: str,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Turn:
        """Play one whole turn: grade, plan, voice, record."""
        plan = self.plan(text)
        started = time.perf_counter()
        line = self.voice_line(plan, on_token=on_token, cancel=cancel)
        return self.commit(plan, line, time.perf_counter() - started)

    def end(self) -> None:
        """The trainee ends the conversation before the customer does."""
        if not self.finished:
            self._finish("unresolved", "trainee")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "voice": self.voice.name,
            "seed": self.seed,
            "opening": self.opening,
            "start_mood": self.start_mood,
            "end_mood": self.state.mood,
            "outcome": self.outcome or "unresolved",
            "ended_by": self.ended_by,
            "needs_met": list(self.state.needs_met),
            "turns": [t.to_dict() for t in self.turns],
            "scores": self.scores(),
        }

    # -- internals -----------------------------------------------------------

    def _finish(self, outcome: Outcome, by: str) -> None:
        self.outcome = outcome
        self.ended_by = by
        for listener in self.on_end:
            listener(self)

    def _matching_trigger(self, grade: Grade, turn_no: int, newly_met: tuple[str, ...]) -> Trigger | None:
        """The first trigger, in file order, that this reply fires."""
        for trigger in self.scenario.triggers:
            if trigger.once and trigger.id in self.state.fired:
                continue
            if turn_no < trigger.min_turn:
                continue
            if trigger.after and trigger.after not in self.state.fired:
                continue
            if trigger.need and (trigger.need in self.state.needs_met or trigger.need in newly_met):
                continue
            if (trigger.when is not None and trigger.when in grade.acts) or trigger.id in grade.said:
                return trigger
        return None

    def _turned_down(self, plan: Plan) -> list[str]:
        """What the customer has just turned down: the reply's proposals, when the
        customer answers them with a trigger that pushes back on a solution (sent
        away, put off, refused, or a scenario's own `says` reaction) and no need was met.

        The grader is given these (GradeContext.rejected): offering the same thing
        again is not flexible, however it is worded.
        """
        if plan.trigger is None or plan.newly_met or not plan.beat.startswith("trigger:"):
            return []
        trigger = next((t for t in self.scenario.triggers if t.id == plan.trigger), None)
        if trigger is None or trigger.mood >= 0:
            return []
        if trigger.when is not None and trigger.when not in TURNED_DOWN_WHEN:
            return []  # a reaction to manners (commands, rudeness...), not to what was offered
        phrases = sorted(
            {e.phrase for e in plan.grade.evidence if e.dimension == "flexibility" and e.effect and e.phrase},
            key=len,
            reverse=True,
        )
        kept: list[str] = []
        for phrase in phrases:  # longest first; a piece of a kept clause adds nothing
            if not any(phrase.lower() in k.lower() for k in kept):
                kept.append(phrase)
        return kept

    def _asked_fact(self, grade: Grade):
        for fact in self.scenario.customer.facts:
            if fact.id in grade.facts_asked and fact.id not in self.state.facts_revealed:
                return fact
        return None

    def _nudge(self) -> tuple[str, str, tuple[str, ...]]:
        """Bring the talk back to the first unmet need; propose a fix after the first nudge.

        The families in the seed stories suggest solutions themselves when the
        staff have none, so a customer here does too.
        """
        unmet = self.state.unmet(self.scenario, required_only=True) or self.state.unmet(self.scenario)
        need = self.scenario.need(unmet[0])
        times = self.state.nudges.get(need.id, 0)
        if times >= 1 and need.customer_proposals:
            return (
                f"need:{need.id}:nudge",
                f"Suggest a solution yourself for: {need.description}",
                tuple(need.customer_proposals),
            )
        return (
            f"need:{need.id}:nudge",
            f"Bring the conversation back to what you need: {need.description}",
            tuple(need.nudge_lines),
        )
