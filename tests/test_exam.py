"""Exam mode's domain side: a fixed seed per scenario, the pass rule, the exam flag in the records."""

from __future__ import annotations

from pathlib import Path

from simulator.exam import exam_result, exam_seed
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.storage import Store
from simulator.voice.scripted import ScriptedVoice
from tests.recorded import MILD, RUDE, WARM, FixedGrader, play


def test_exam_seed_is_fixed_per_scenario(hotel: Scenario) -> None:
    # Hard-coded: changing the derivation would change every classroom's exam customer.
    assert exam_seed(hotel) == exam_seed("china-hotel-beds") == 894150497
    assert exam_seed("tow-truck-ride") != exam_seed(hotel)


def test_every_trainee_meets_the_same_customer(hotel: Scenario) -> None:
    seed = exam_seed(hotel)
    lines = []
    for _ in range(2):
        session = Session(hotel, ScriptedVoice(seed=seed), FixedGrader(), seed=seed)
        for reply in MILD:
            session.reply(reply)
        lines.append([t.customer for t in session.turns])
    assert lines[0] == lines[1]


def record(outcome: str, courtesy: int | None, flexibility: int | None, finished: bool = True) -> dict:
    return {
        "outcome": outcome,
        "scores": {"courtesy": courtesy, "flexibility": flexibility},
        "finished": finished,
        "pass_mark": 60,
    }


def test_pass_rule() -> None:
    assert exam_result(record("resolved", 60, 60)).passed  # at the mark passes
    assert exam_result(record("resolved", 90, 75)).reasons == []
    low = exam_result(record("resolved", 90, 59))
    assert not low.passed and low.reasons == ["Flexibility 59 is below the pass mark of 60."]
    walked = exam_result(record("walked_out", 90, 90))
    assert not walked.passed and "not resolved (walked out)" in walked.reasons[0]
    assert not exam_result(record("resolved", 90, 90, finished=False)).passed
    assert not exam_result(record("unresolved", None, None)).passed
    assert exam_result(record("resolved", 70, 70), pass_mark=75).reasons[0].endswith("pass mark of 75.")
    # A live Session.to_dict() has no pass mark: the scenario's is passed in.
    assert (
        exam_result({"outcome": "resolved", "scores": {"courtesy": 65, "flexibility": 65}}, 70).passed
        is False
    )


def test_exam_flag_and_pass_mark_are_recorded(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        good, _ = play(store, hotel, "Dana", WARM, exam=True, seed=exam_seed(hotel))
        bad, _ = play(store, hotel, "Omar", RUDE, exam=True, seed=exam_seed(hotel))
        practice, _ = play(store, hotel, "Li", WARM)
        assert store.load(good)["exam"] and store.load(good)["passed"] is True
        assert store.load(good)["seed"] == exam_seed(hotel)
        assert store.load(good)["pass_mark"] == hotel.pass_mark
        assert store.load(bad)["passed"] is False
        assert store.load(practice)["exam"] is False and "passed" not in store.load(practice)
