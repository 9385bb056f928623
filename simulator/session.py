"""The headless session engine: one scenario, played turn by turn.

Each trainee reply is graded, the customer's state is updated, the engine
decides what the customer means to say next (a beat), and a voice says it.
Grading and planning are fast and separate from voicing, so a UI can show the
grade at once and stream the customer's line afterwards.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator import commitment
from simulator import desk as desk_lookups
from simulator.customer_state import CustomerState, clamp_mood, mood_change
from simulator.desk import LookupAnswer
from simulator.grading.base import Grade, GradeContext, Grader
from simulator.grading.desk import desk_information
from simulator.records import SessionRecord, mean_score
from simulator.scenario import Ask, Fact, Outcome, Scenario, Trigger
from simulator.turn import TurnInFlight
from simulator.voice.base import VOICE_FAILED, CustomerLine, LineRequest, TokenCallback, Voice
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
    offered: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # need -> commitment so far
    asked: str | None = None  # the customer's own question put in this line
    answered: tuple[str, ...] = ()  # the customer's questions this reply answered


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
    lookups: tuple[LookupAnswer, ...] = ()  # desk lookups made before this reply
    fallback: str | None = None  # why the script spoke instead of the model (voice.base)

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
            "lookups": [item.to_dict() for item in self.lookups],
            "fallback": self.fallback,
        }


def session_scores(turns: list[Turn]) -> dict[str, int | None]:
    """Session courtesy and flexibility: `records.mean_score` over the trainee's replies."""
    return {
        "courtesy": mean_score(t.grade.courtesy for t in turns),
        "flexibility": mean_score(t.grade.flexibility for t in turns),
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
    lookups: list[LookupAnswer] = field(default_factory=list, init=False)

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
        if self.lookups or (scenario.desk is not None and scenario.desk.records):
            grade = desk_information(grade, reply, desk_lookups.shown_lines(scenario.desk, self.lookups))
        mood_before = state.mood
        unmet = state.unmet(scenario)
        newly_met, offered, short = self._commitments(reply, grade, unmet)
        mood: float = mood_before + mood_change(grade.courtesy, grade.flexibility)
        mood += sum(scenario.need(n).mood_when_met for n in newly_met)
        trigger = self._matching_trigger(grade, turn_no, newly_met)
        if trigger is not None:
            mood += trigger.mood
        mood_after = clamp_mood(mood)
        required_met = all(n.id in state.needs_met or n.id in newly_met for n in scenario.required_needs)
        end = scenario.end
        beat, intent = "", ""
        authored: tuple[str, ...] = ()
        ends: Outcome | None = None
        fact_id: str | None = None
        # An answer given before the question counts too: a proactive agent is not
        # made to repeat it.
        answered = tuple(a.id for a in scenario.asks if a.id not in state.answered and _answers(reply, a))
        open_asks = [
            a for a in scenario.asks if a.required and a.id not in state.answered and a.id not in answered
        ]
        due = self._due_ask(turn_no, newly_met)
        if due is not None and due.id in answered:
            due = None
        asked: str | None = None
        if required_met and mood_after >= end.resolve_mood and open_asks:
            # Everything else is settled, but the customer still wants an answer.
            ask = open_asks[0]
            asked = ask.id
            if ask.id in state.asked:
                beat, authored = f"ask:{ask.id}:again", tuple(ask.again_lines or ask.lines)
                intent = "Ask your question again; it has not been answered yet."
            else:
                beat, authored = f"ask:{ask.id}", tuple(ask.lines)
                intent = "Ask the agent this question before you go."
                if newly_met:
                    need = scenario.need(newly_met[-1])
                    given = dict(dict(offered).get(need.id, ()))
                    authored = tuple(
                        f"{commitment.fill(m, given)} {q}" for m in need.met_lines for q in ask.lines
                    )
                    intent = f"Accept gratefully, then ask the agent this question: {ask.lines[0]}"
        elif required_met and mood_after >= end.resolve_mood:
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
            given = dict(dict(offered).get(need.id, ()))
            beat, authored = f"need:{need.id}:met", tuple(commitment.fill(m, given) for m in need.met_lines)
            intent = f"Accept gratefully: this solves '{need.description}'."
            if due is not None:
                # The right moment for the customer's own question: right after the thanks.
                asked = due.id
                authored = tuple(f"{m} {q}" for m in authored for q in due.lines)
                intent += f" Then ask: {due.lines[0]}"
        elif short:
            need = scenario.need(short[0])
            assert need.commit is not None
            wanted = ", ".join(commitment.missing(need.commit, dict(dict(offered).get(need.id, ()))))
            beat = f"need:{need.id}:commit"
            authored = tuple(need.commit.missing_lines or need.nudge_lines)
            intent = f"Welcome the offer, but ask for what it leaves out ({wanted})."
        elif (fact := self._asked_fact(grade)) is not None:
            fact_id = fact.id
            beat, authored = f"fact:{fact.id}", tuple(fact.lines)
            intent = f"Answer the question with this fact: {fact.text}"
        elif due is not None:
            asked = due.id
            beat, authored = f"ask:{due.id}", tuple(due.lines)
            intent = "Ask the agent this question."
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
            offered=offered,
            asked=asked,
            answered=answered,
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
        """Say the planned line. This is the one place the authored line stands in for the
        voice: when it fails, or says nothing (cancelled, or every model line was rejected)."""
        request = self.request_for(plan)
        try:
            line = self.voice.speak(request, on_token=on_token, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - the customer must never stall
            line = self._fallback.speak(request)
            return CustomerLine(
                line.text, "script", (f"voice failed: {type(exc).__name__}",), fallback=VOICE_FAILED
            )
        if not line.text.strip():
            fallback = self._fallback.speak(request)
            return CustomerLine(
                fallback.text, "script", line.notes or ("voice returned nothing",), fallback=line.fallback
            )
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
        for need_id, given in plan.offered:
            state.offered[need_id] = dict(given)
        if plan.asked is not None and plan.asked not in state.asked:
            state.asked.append(plan.asked)
        state.answered.extend(a for a in plan.answered if a not in state.answered)
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
            lookups=tuple(item for item in self.lookups if item.before_turn == plan.turn),
            fallback=line.fallback,
        )
        self.turns.append(turn)
        for listener in self.on_turn:
            listener(self, turn)
        if plan.ends is not None:
            self._finish(plan.ends, "customer")
        return turn

    def reply(self, text: str, on_token: TokenCallback | None = None) -> Turn:
        """Play one whole turn: grade, plan, voice, record (the same turn the training room runs)."""
        turn = TurnInFlight(self, text).run(on_token=on_token)
        assert turn is not None  # only cancel() leaves a turn uncommitted
        return turn

    def lookup(self, text: str, before_turn: int | None = None) -> LookupAnswer:
        """Answer a desk lookup (`/rooms`, `/trace 1408`) from the scenario and record it.

        It is not a reply: the customer does not hear it and nothing is graded, but
        what it shows counts as seen (reading it out later is information, not an
        offer) and the facts it reveals need not be asked of the customer.
        Raises desk.NoSuchLookup, one sentence, for a command the desk does not have.
        """
        if self.finished:
            raise RuntimeError("the conversation has ended")
        found = desk_lookups.answer(self.scenario.desk, text, before_turn or len(self.turns) + 1)
        self.lookups.append(found)
        for fact in found.reveals:
            if fact not in self.state.facts_revealed:
                self.state.facts_revealed.append(fact)
        return found

    def end(self) -> None:
        """The trainee ends the conversation before the customer does."""
        if not self.finished:
            self._finish("unresolved", "trainee")

    def record(self) -> SessionRecord:
        return SessionRecord(
            scenario=self.scenario.id,
            title=self.scenario.title,
            voice=self.voice.name,
            seed=self.seed,
            opening=self.opening,
            start_mood=self.start_mood,
            end_mood=self.state.mood,
            outcome=self.outcome or "unresolved",
            ended_by=self.ended_by,
            needs_met=list(self.state.needs_met),
            turns=[t.to_dict() for t in self.turns],
            scores=self.scores(),
            lookups=[item.to_dict() for item in self.lookups],
        )

    def to_dict(self) -> dict[str, Any]:
        return self.record().to_dict()

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

    def _commitments(
        self, reply: str, grade: Grade, unmet: list[str]
    ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[tuple[str, str], ...]], ...], tuple[str, ...]]:
        """Needs met by this reply, what it committed to for each, and the offers still short of it.

        A need with `commit:` counts only once the reply (or an earlier offer of the
        same need, completed now: "In ten minutes.") gives the time, item or action.
        """
        scenario, state = self.scenario, self.state
        met: list[str] = []
        offered: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        short: list[str] = []
        for need_id in unmet:
            need = scenario.need(need_id)
            matched = need_id in grade.needs_met
            if not matched and need_id not in state.offered:
                continue
            if grade.courtesy < need.min_courtesy:
                continue
            if need.commit is None:
                if matched:
                    met.append(need_id)
                continue
            given = {**state.offered.get(need_id, {}), **commitment.commitments(reply, need.commit)}
            if not matched and given == state.offered.get(need_id, {}):
                continue  # a reply about something else: the earlier offer stays as it was
            offered.append((need_id, tuple(sorted(given.items()))))
            if commitment.missing(need.commit, given):
                short.append(need_id)
            else:
                met.append(need_id)
        return tuple(met), tuple(offered), tuple(short)

    def _due_ask(self, turn_no: int, newly_met: tuple[str, ...]) -> Ask | None:
        """The customer's first question whose moment has come and that is not yet put."""
        for ask in self.scenario.asks:
            if ask.id in self.state.asked or ask.id in self.state.answered or turn_no < ask.min_turn:
                continue
            if (
                ask.after_need
                and ask.after_need not in self.state.needs_met
                and ask.after_need not in newly_met
            ):
                continue
            return ask
        return None

    def _asked_fact(self, grade: Grade) -> Fact | None:
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


def _answers(reply: str, ask: Ask) -> bool:
    """Loosely: every word of one of the ask's `answered_by` phrases is in the reply."""
    said = set(re.findall(r"[\w']+", reply.lower()))
    for phrase in ask.answered_by:
        wanted = re.findall(r"[\w']+", phrase.lower())
        if wanted and all(any(w == s or (s.startswith(w) and len(w) >= 4) for s in said) for w in wanted):
            return True
    return False
