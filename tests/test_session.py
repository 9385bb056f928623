"""The engine's transitions, with a table grader so only the engine is under test."""

from __future__ import annotations

import pytest

from simulator.grading import default_grader
from simulator.grading.base import Grade
from simulator.rehearsal import rehearse
from simulator.session import Session
from simulator.voice.scripted import ScriptedVoice
from tests.fakes import BrokenVoice, RecordingVoice, TableGrader

OFFER_BED = Grade(courtesy=85, flexibility=90, acts=frozenset({"offers", "owns"}), needs_met=("beds",))
OFFER_LINEN = Grade(courtesy=85, flexibility=85, acts=frozenset({"offers"}), needs_met=("linen",))
RUDE_AWAY = Grade(courtesy=5, flexibility=5, acts=frozenset({"rude", "sends_away"}))
POLITE_NO = Grade(courtesy=75, flexibility=20, acts=frozenset({"apologises", "refuses"}))
ASK_NAME = Grade(courtesy=80, flexibility=55, acts=frozenset({"asks"}), facts_asked=("name",))
NEUTRAL = Grade(courtesy=55, flexibility=50)

TABLE = {
    "bed": OFFER_BED,
    "linen": OFFER_LINEN,
    "rude": RUDE_AWAY,
    "no": POLITE_NO,
    "name?": ASK_NAME,
    "hmm": NEUTRAL,
}


def make(scenario, voice=None) -> Session:
    return Session(scenario, voice or RecordingVoice(), TableGrader(TABLE))


def test_meeting_every_need_resolves_and_lifts_the_mood(hotel) -> None:
    session = make(hotel)
    first = session.reply("bed")
    assert first.beat == "need:beds:met"
    assert first.customer in hotel.need("beds").met_lines
    assert first.mood > hotel.customer.start_mood
    assert not session.finished
    last = session.reply("linen")
    assert last.beat == "end:resolved"
    assert session.outcome == "resolved"
    assert session.mood > hotel.customer.start_mood
    with pytest.raises(RuntimeError):
        session.reply("more")


def test_rude_rigid_trainee_makes_the_customer_walk_out(hotel) -> None:
    session = make(hotel)
    moods = []
    while not session.finished:
        moods.append(session.reply("rude").mood)
    assert session.outcome == "walked_out"
    assert moods == sorted(moods, reverse=True)
    assert session.mood <= hotel.end.walk_out_mood or session.turns[-1].beat.startswith("trigger:")


def test_first_matching_trigger_speaks(hotel) -> None:
    session = make(hotel)
    turn = session.reply("rude")
    # sends_away comes before rude in the file, so it wins.
    assert turn.beat == "trigger:sent-to-another-hotel"


def test_after_trigger_fires_on_the_second_offence(hotel) -> None:
    session = make(hotel)
    beats = []
    while not session.finished:
        session.state.mood = 100  # keep the customer in the room to watch triggers
        beats.append(session.reply("rude").beat)
    # The general trigger first; the one that ends it needs it to have fired.
    assert beats == ["trigger:sent-to-another-hotel", "trigger:sent-away-twice"]
    assert session.outcome == "walked_out"


def test_min_turn_and_once_are_respected(hotel) -> None:
    session = make(hotel)
    assert session.reply("hmm").beat == "need:beds:nudge"  # felt-ignored waits for turn 2
    ignored = Grade(courtesy=50, flexibility=50, acts=frozenset({"ignores_feelings"}))
    session.grader.table["cold"] = ignored
    assert session.reply("cold").beat == "trigger:felt-ignored"


def test_need_with_min_courtesy_is_not_met_by_a_barked_offer(hotel) -> None:
    import yaml

    from simulator.loader import parse_scenario_text
    from tests.conftest import SCENARIOS

    data = yaml.safe_load((SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8"))
    data["needs"][0]["min_courtesy"] = 50
    strict = parse_scenario_text(yaml.safe_dump(data), "strict.yaml")
    barked = Grade(courtesy=20, flexibility=80, acts=frozenset({"offers", "commands"}), needs_met=("beds",))
    session = Session(strict, RecordingVoice(), TableGrader({"barked": barked, "bed": OFFER_BED}))
    assert session.reply("barked").needs_met == ()
    assert session.reply("bed").needs_met == ("beds",)


def test_turn_limit_ends_unresolved(hotel) -> None:
    session = make(hotel)
    while not session.finished:
        session.state.mood = 60  # neutral replies would drift down; isolate the limit
        session.reply("hmm")
    assert session.outcome == "unresolved"
    assert len(session.turns) == hotel.end.max_turns
    assert session.turns[-1].beat == "end:turn_limit"


def test_asked_fact_is_revealed_once(hotel) -> None:
    session = make(hotel)
    turn = session.reply("name?")
    assert turn.beat == "fact:name"
    assert "Levi" in turn.customer
    again = session.reply("name?")
    assert again.beat != "fact:name"


def test_nudges_turn_into_the_customers_own_proposals(hotel) -> None:
    session = make(hotel)
    beats = [session.reply("hmm").beat for _ in range(2)]
    assert beats == ["need:beds:nudge", "need:beds:nudge"]
    assert session.turns[0].customer in hotel.need("beds").nudge_lines
    assert session.turns[1].customer in hotel.need("beds").customer_proposals


def test_polite_refusal_is_not_resolution(hotel) -> None:
    session = make(hotel)
    turn = session.reply("no")
    assert turn.beat == "trigger:refused"
    assert turn.mood < hotel.customer.start_mood


def test_voice_gets_intent_history_and_authored_lines(hotel) -> None:
    voice = RecordingVoice()
    session = make(hotel, voice)
    session.reply("name?")
    session.reply("bed")
    request = voice.requests[-1]
    assert request.beat == "need:beds:met"
    assert request.history[0] == ("customer", hotel.opening)
    assert request.history[-1] == ("trainee", "bed")
    assert any("Levi" in fact for fact in request.facts_known)
    assert request.said_before[0] == hotel.opening
    assert session.turns[-1].customer_source == "model"


def test_failing_voice_falls_back_to_the_script(hotel) -> None:
    session = make(hotel, BrokenVoice())
    turn = session.reply("bed")
    assert turn.customer_source == "script"
    assert turn.customer in hotel.need("beds").met_lines


def test_grader_sees_context(hotel) -> None:
    session = make(hotel)
    session.reply("hmm")
    session.reply("hmm")
    context = session.grader.contexts[-1]
    assert context.turn == 2
    assert context.previous_replies == ("hmm",)
    assert context.customer_line == session.turns[0].customer
    assert context.unmet_needs == ("beds", "linen")


def test_listeners_see_every_turn_and_the_end(hotel) -> None:
    session = make(hotel)
    seen: list[int] = []
    ended: list[str | None] = []
    session.on_turn.append(lambda s, t: seen.append(t.index))
    session.on_end.append(lambda s: ended.append(s.outcome))
    rehearse(session, ["hmm", "bed", "linen"])
    assert seen == [1, 2, 3]
    assert ended == ["resolved"]


def test_trainee_can_end_early(hotel) -> None:
    session = make(hotel)
    session.reply("hmm")
    session.end()
    assert session.outcome == "unresolved" and session.ended_by == "trainee"
    data = session.to_dict()
    assert data["outcome"] == "unresolved" and len(data["turns"]) == 1


def test_scripted_voice_is_reproducible(hotel) -> None:
    def play(seed: int) -> list[str]:
        session = Session(hotel, ScriptedVoice(seed), TableGrader(TABLE), seed=seed)
        rehearse(session, ["hmm", "hmm", "no", "hmm"])
        return [t.customer for t in session.turns]

    assert play(3) == play(3)
    assert any(play(other) != play(3) for other in range(4, 12)), "the seed is ignored"


@pytest.mark.parametrize("scenario_name", ["hotel", "tow"])
def test_with_the_real_grader_good_resolves_and_bad_does_not(scenario_name, request) -> None:
    scenario = request.getfixturevalue(scenario_name)
    for sample in scenario.samples:
        session = Session(scenario, ScriptedVoice(), default_grader())
        rehearse(session, sample.texts)
        if sample.outcome == "resolved":
            assert session.outcome == "resolved", sample.name
            assert session.mood > scenario.customer.start_mood
        else:
            assert session.outcome != "resolved", sample.name


def test_what_the_customer_pushes_back_on_is_remembered_as_turned_down(hotel) -> None:
    from simulator.grading.base import Evidence

    away = Grade(
        courtesy=90,
        flexibility=40,
        acts=frozenset({"sends_away"}),
        evidence=(
            Evidence("flexibility", "You could try the inn on the corner", -25, "rigid"),
            Evidence("flexibility", "the inn on the corner", -32, "sends the customer away"),
            Evidence("courtesy", "Sorry", 8, "apology"),
        ),
    )
    bossy = Grade(
        courtesy=50,
        flexibility=60,
        acts=frozenset({"commands"}),
        evidence=(Evidence("flexibility", "Wait in the lobby", -5, "x"),),
    )
    grader = TableGrader({"away": away, "bossy": bossy, "hmm": NEUTRAL})
    session = Session(hotel, RecordingVoice(), grader)
    turn = session.reply("bossy")
    assert turn.beat.startswith("trigger:")  # the customer objects to the manner...
    assert session.state.rejected == []  # ...which turns down nothing
    turn = session.reply("away")
    assert turn.beat.startswith("trigger:")
    session.reply("hmm")
    # The whole clause is kept, not its pieces; courtesy evidence is not a proposal.
    assert grader.contexts[-1].rejected == ("You could try the inn on the corner",)


def test_a_repeated_turned_down_offer_costs_flexibility(tow) -> None:
    grader = default_grader()
    session = Session(tow, RecordingVoice(), grader)
    session.state.rejected.append("I can get you a taxi to the garage tomorrow")
    first = session.plan("I could arrange a taxi to the garage for you tomorrow.")
    fresh = Session(tow, RecordingVoice(), grader).plan(
        "I could arrange a taxi to the garage for you tomorrow."
    )
    assert "repeats_rejected" in first.grade.acts
    assert first.grade.flexibility < fresh.grade.flexibility
