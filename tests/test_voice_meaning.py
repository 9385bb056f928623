"""The meaning rules, on a scenario that is not shipped: a trainer's new story gets them too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.loader import parse_scenario_text
from simulator.scenario import Scenario
from simulator.voice.base import LineRequest
from simulator.voice.labelled import beats, load_records, reaching, recheck
from simulator.voice.meaning import beat_polarity
from simulator.voice.model_voice import choose
from simulator.voice.verifier import Verifier

LABELLED = Path(__file__).parent / "data" / "voice_lines" / "smollm2.jsonl"

LIBRARY_FINE = """
id: library-late-fine
title: A fine for a book returned on time
difficulty: easy
skills: [courtesy, flexibility]
brief: A reader was charged a late fine for a book she returned through the night slot on time.
setting: A public library's front desk, Saturday morning.
trainee_role: Library desk assistant
customer:
  name: Ms. Rosa Ferreira
  background: A retired nurse who borrows a dozen novels a month and returns them through the night slot.
  personality: Patient, precise, hates being doubted.
  speech: Measured sentences; mentions her receipts.
  start_mood: 45
  facts:
    - id: slot
      text: She put the novel through the night slot on Thursday evening, the day it was due.
      asked_by: [when did you return it]
      lines:
        - "Thursday evening, through the night slot. It was due that day."
opening: I've been charged a late fine for a novel I returned on time.
needs:
  - id: waive
    description: The fine taken off her card.
    solutions:
      - text: Waive the fine.
        examples: [I've taken the fine off your card.]
    rigid_responses:
      - The system says it was late, so the fine stands.
    met_lines:
      - "Thank you. I knew it would be a simple mix-up."
    nudge_lines:
      - "I returned it on time. Can you take the fine off, please?"
triggers:
  - id: doubted
    when: cites_policy
    intent: Object firmly; the night slot is the library's own, and she was on time.
    lines:
      - "The night slot is yours. If the book sat in it until Friday, that is not my doing."
    mood: -10
end:
  resolved:
    lines: ["Thank you, that's all I wanted."]
  walked_out:
    lines: ["Then I'll write to the council."]
  turn_limit:
    lines: ["I'll come back when someone can help."]
model_answers:
  - situation: The opening.
    answer: I'm sorry, let me take that fine off right away.
    why: Trust the regular reader.
debrief_notes: [The night slot is emptied on the next working day.]
"""


@pytest.fixture
def fine() -> Scenario:
    return parse_scenario_text(LIBRARY_FINE, "library-late-fine.yaml")


def _objection(
    scenario: Scenario, trainee: str = "The system says it was late, so the fine stands."
) -> LineRequest:
    trigger = scenario.triggers[0]
    return LineRequest(
        scenario=scenario,
        intent=trigger.intent,
        authored=tuple(trigger.lines),
        beat=f"trigger:{trigger.id}",
        history=(("customer", "Hello."), ("trainee", trainee)),
        mood=35,
        mood_before=45,
    )


def test_the_authored_line_passes_its_own_beat(fine: Scenario) -> None:
    request = _objection(fine)
    verdict = Verifier(fine).check(request.authored[0], request)
    assert verdict.ok, verdict.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("The night slot is yours. Thank you so much.", "thanks after a reply"),
        ("The night slot is yours. I understand, that's fair.", "agrees where the customer objects"),
        ("The night slot is yours. I'll take the fine off for you.", "promises what the agent does"),
        ("The night slot is yours. Perhaps the dragon ate my umbrella.", "strays from the beat"),
    ],
)
def test_an_objection_is_never_thanks_agreement_or_service(fine: Scenario, line: str, reason: str) -> None:
    # Started on the authored opening, as the local voice starts a tiny model.
    verdict = Verifier(fine).check(line, _objection(fine), lead="The night slot is yours.")
    assert not verdict.ok
    assert reason in verdict.reason


def test_a_freely_phrased_line_may_use_its_own_words(fine: Scenario) -> None:
    # A larger model on a voice server phrases the beat itself: new words are not straying
    # (they still count against its rank), while a tiny model started on an opening is held
    # to the beat's words.
    request = _objection(fine)
    line = "I dropped it through your night slot myself, so why am I being charged?"
    free = Verifier(fine).check(line, request)
    assert "strays" not in free.reason
    led = Verifier(fine).check(line, request, lead="I dropped it")
    assert "strays from the beat" in led.reason


def test_an_agreement_taken_back_is_still_an_objection(fine: Scenario) -> None:
    request = _objection(fine)
    verdict = Verifier(fine).check("I understand, but the night slot is yours, not mine.", request)
    assert "agrees" not in verdict.reason


def test_the_trainee_echoed_back_is_turned_down(fine: Scenario) -> None:
    request = _objection(fine, trainee="Our computer registered the scanner timestamp on Friday morning.")
    line = "Computer registered the scanner timestamp Friday morning."
    assert "echoes the trainee" in Verifier(fine).check(line, request).reason


def test_polarity_follows_the_beat_and_the_mood(fine: Scenario) -> None:
    need = fine.needs[0]
    met = LineRequest(fine, "Accept.", tuple(need.met_lines), "need:waive:met", mood=70, mood_before=45)
    worse = LineRequest(fine, "Nudge.", tuple(need.nudge_lines), "need:waive:nudge", mood=30, mood_before=45)
    level = LineRequest(fine, "Nudge.", tuple(need.nudge_lines), "need:waive:nudge", mood=44, mood_before=45)
    assert [beat_polarity(r) for r in (met, worse, level, _objection(fine))] == [
        "up",
        "down",
        "level",
        "down",
    ]
    # After a reply that made things worse, even a nudge does not thank.
    assert "thanks" in Verifier(fine).check("Thank you. Can you take the fine off?", worse).reason
    assert "thanks" not in Verifier(fine).check("Thank you. Can you take the fine off, please?", level).reason


def test_passing_candidates_are_ranked_by_closeness_to_the_beat(fine: Scenario) -> None:
    request = _objection(fine)
    v = Verifier(fine)
    verdicts = [
        v.check("The night slot is yours. It is not my doing.", request),
        v.check("The night slot is yours. If the book sat in it, that is not my doing.", request),
    ]
    assert all(x.ok for x in verdicts)
    assert choose(verdicts) == 1
    # The streamed candidate is kept when it is about as close as the best.
    assert choose(verdicts, streamed=1) == 1


def test_the_labelled_set_is_complete_and_labelled() -> None:
    records = load_records(LABELLED)
    assert len(records) >= 300
    assert {r["label"] for r in records} <= {"coherent", "odd", "wrong"}
    assert all(r["class"] for r in records if r["label"] == "wrong")
    assert len({r["scenario"] for r in records}) == 7
    assert len(beats(records)) >= 75


def test_the_gemma_set_puts_the_same_beats_to_the_other_model() -> None:
    gemma = load_records(LABELLED.parent / "gemma3-270m.jsonl")
    assert {r["model"] for r in gemma} == {"gemma-3-270m"}
    assert {r["label"] for r in gemma} <= {"coherent", "odd", "wrong"}
    assert all(r["class"] for r in gemma if r["label"] == "wrong")
    same = {json.dumps(r["request"], sort_keys=True) for r in load_records(LABELLED)}
    assert all(json.dumps(r["request"], sort_keys=True) in same for r in gemma)
    assert len(beats(gemma)) >= 70


def test_wrong_lines_reaching_the_trainee_stay_at_the_measured_level() -> None:
    """A regression guard: the issue asks for at most 5% with at least 70% voiced by the
    model; this checkout measured 3 of 75 customer lines (4.0%) with 80% voiced, and a
    change that lets more wrong lines through or voices fewer fails here."""
    from simulator.loader import discover

    records = load_records(LABELLED)
    found = reaching(records, recheck(records, discover([]).get), choose)
    assert found["wrong_reaching"] <= 3
    assert found["model_voiced_share"] >= 0.79


def test_the_customer_own_words_said_of_someone_else_are_turned_down(fine: Scenario) -> None:
    # What she says of herself, put in the agent's mouth: the model lost who is speaking.
    request = _objection(fine)
    request = LineRequest(
        scenario=fine,
        intent=request.intent,
        authored=("Thank you. I'm not one to complain, you know.",),
        beat="need:waive:met",
        history=request.history,
    )
    verdict = Verifier(fine).check("Thank you. You're not one to complain, you know.", request)
    assert "says of someone else" in verdict.reason
    assert "says of someone else" not in Verifier(fine).check(request.authored[0], request).reason
