"""The agent's desk, needs with commitments and the customer's own questions, in the core.

A table grader keeps the engine under test; the desk rule is tested on its own too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.commitment import commitments, fill
from simulator.desk import NoSuchLookup, is_lookup, parse
from simulator.grading.base import Evidence, Grade
from simulator.grading.desk import desk_information
from simulator.rehearsal import rehearse
from simulator.scenario import Commitment, Scenario
from simulator.session import Session
from tests.fakes import RecordingVoice, TableGrader

OFFER_TRUCK = Grade(courtesy=80, flexibility=85, acts=frozenset({"offers"}), needs_met=("tow",))
TRUCK_WITH_TIME = "I'm sending a truck; it will be with you in about 25 minutes."
TABLE = {
    "truck": OFFER_TRUCK,
    TRUCK_WITH_TIME: OFFER_TRUCK,
    "In 20 minutes.": Grade(courtesy=55, flexibility=50),
    "ride": Grade(courtesy=80, flexibility=90, acts=frozenset({"offers"}), needs_met=("ride",)),
    "I'll call you back if he is late.": Grade(courtesy=70, flexibility=60),
    "name?": Grade(courtesy=80, flexibility=55, acts=frozenset({"asks"}), facts_asked=("member",)),
}


def play(scenario: Scenario) -> Session:
    return Session(scenario, RecordingVoice(), TableGrader(TABLE))


# -- lookups -------------------------------------------------------------------


def test_a_slash_is_a_lookup_and_its_argument_is_read() -> None:
    assert is_lookup("  /rooms") and not is_lookup("I'll check the rooms / beds")
    assert parse("/Trace #1408 ") == ("trace", "1408")
    assert parse("/rooms") == ("rooms", None)


def test_a_lookup_is_answered_from_the_scenario_and_recorded_with_the_next_reply(tow: Scenario) -> None:
    session = play(tow)
    answer = session.lookup("/trucks")
    assert answer.found and answer.title == "Trucks near the caller"
    assert answer.lines == tuple(next(x for x in tow.desk.lookups if x.command == "trucks").shows)
    assert session.turns == []  # not a reply: nothing graded, the customer said nothing
    turn = session.reply(TRUCK_WITH_TIME)
    assert turn.lookups == (answer,)
    record = session.to_dict()
    assert record["lookups"][0]["command"] == "trucks" and record["lookups"][0]["before_turn"] == 1
    assert record["turns"][0]["lookups"][0]["lines"] == list(answer.lines)
    json.dumps(record)  # the record stays plain JSON


def test_an_argument_picks_its_record_and_an_unknown_one_finds_nothing(tow: Scenario) -> None:
    session = play(tow)
    known = session.lookup("/member 4471-208")
    assert known.found and any("Avi Cohen" in line for line in known.lines)
    unknown = session.lookup("/member 12")
    assert unknown.lines == ("No member with that number.",)  # the scenario's own fallback


def test_a_looked_up_fact_need_not_be_asked(tow: Scenario) -> None:
    session = play(tow)
    session.lookup("/member 4471-208")
    assert "member" in session.state.facts_revealed
    turn = session.reply("name?")
    assert not turn.beat.startswith("fact:")  # the customer does not recite what the screen shows


def test_an_unknown_lookup_is_one_sentence_naming_the_ones_there_are(tow: Scenario, hotel: Scenario) -> None:
    session = play(tow)
    with pytest.raises(NoSuchLookup) as info:
        session.lookup("/rooms")
    assert str(info.value) == "There is no /rooms on this desk; you can look up /member …, /trucks, /garage."
    assert session.lookups == []
    with pytest.raises(NoSuchLookup, match="after /trace"):
        desk = hotel.desk.model_copy(
            update={
                "lookups": [hotel.desk.lookups[0].model_copy(update={"command": "trace", "argument": "9"})]
            }
        )
        Session(hotel.model_copy(update={"desk": desk}), RecordingVoice(), TableGrader({})).lookup("/trace")


# -- the grader's side: reading the desk out is information ----------------------


def test_reading_the_desk_out_is_information_not_an_offer() -> None:
    reply = "The storeroom shows four spare single mattresses."
    grade = Grade(
        courtesy=60,
        flexibility=80,
        evidence=(Evidence("flexibility", "four spare single mattresses", 25, "offers a solution"),),
        acts=frozenset({"offers"}),
        needs_met=("beds",),
    )
    shown = ["Spare mattresses (single): 4", "Bed linen sets: 12"]
    read_out = desk_information(grade, reply, shown)
    assert read_out.needs_met == () and "offers" not in read_out.acts
    assert read_out.flexibility == 55
    assert any("information, not an offer" in e.reason for e in read_out.evidence)


def test_an_offer_beside_the_quote_still_counts() -> None:
    reply = "The storeroom shows four spare single mattresses, and I'll bring one up to you now."
    grade = Grade(
        courtesy=70,
        flexibility=85,
        evidence=(Evidence("flexibility", "I'll bring one up to you now", 30, "concrete offer"),),
        acts=frozenset({"offers"}),
        needs_met=("beds",),
    )
    kept = desk_information(grade, reply, ["Spare mattresses (single): 4"])
    assert kept.needs_met == ("beds",) and kept.flexibility == 85


def test_a_reply_that_does_not_quote_the_desk_is_untouched() -> None:
    grade = Grade(courtesy=70, flexibility=85, needs_met=("beds",), acts=frozenset({"offers"}))
    assert (
        desk_information(grade, "I'll bring a mattress up.", ["Rollaway beds: 2 (for suites only)"]) is grade
    )


# -- needs with commitments -----------------------------------------------------


def test_commitments_are_found_in_the_trainees_own_words() -> None:
    commit = Commitment(time=True, item=["mattress"], action=["bring"])
    given = commitments("I'm bringing two mattresses up by 23:30.", commit)
    assert given == {"time": "by 23:30", "item": "mattresses", "action": "bringing"}
    assert commitments("I'll send a truck now.", Commitment(time=True)) == {}  # "now" is not when it comes
    assert fill("{time}, then. Thank you.", {"time": "in ten minutes"}) == "In ten minutes, then. Thank you."


def test_an_offer_without_the_time_is_not_met_until_the_time_is_given(tow: Scenario) -> None:
    session = play(tow)
    first = session.reply("truck")
    assert first.beat == "need:tow:commit" and first.needs_met == ()
    assert first.customer == tow.need("tow").commit.missing_lines[0]
    second = session.reply("In 20 minutes.")
    assert second.needs_met == ("tow",)
    assert second.customer.startswith("In 20 minutes. OK.")  # the met line says what was promised


def test_the_met_line_repeats_what_was_offered(tow: Scenario) -> None:
    turn = play(tow).reply(TRUCK_WITH_TIME)
    assert turn.needs_met == ("tow",)
    assert turn.customer.startswith("In about 25 minutes. OK.")
    assert "Twenty-five" not in turn.customer


# -- the customer's own questions -------------------------------------------------


def test_the_customers_question_comes_with_the_thanks_and_must_be_answered(tow: Scenario) -> None:
    session = play(tow)
    first = session.reply(TRUCK_WITH_TIME)
    question = tow.asks[0].lines[0]
    assert first.customer.endswith(question)
    assert "if-late" in session.state.asked
    session.state.needs_met.append("company")  # leave only the ride to solve
    second = session.reply("ride")
    # Every need is met, but the question is open: the customer asks again, and waits.
    assert second.beat == "ask:if-late:again" and not session.finished
    third = session.reply("I'll call you back if he is late.")
    assert third.beat == "end:resolved" and session.outcome == "resolved"


def test_an_answer_given_before_the_question_counts(tow: Scenario) -> None:
    session = play(tow)
    session.reply("I'll call you back if he is late.")
    assert "if-late" in session.state.answered
    turn = session.reply(TRUCK_WITH_TIME)
    assert tow.asks[0].lines[0] not in turn.customer


# -- rehearse --------------------------------------------------------------------


def test_rehearse_reads_lookups_from_the_replies_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tow: Scenario
) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("/trucks\n" + TRUCK_WITH_TIME + "\n", encoding="utf-8")
    assert (
        main(["rehearse", "tow-truck-ride", "--replies", str(replies), "--voice", "scripted", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert [t["trainee"] for t in data["turns"]] == [TRUCK_WITH_TIME]
    assert data["lookups"][0]["command"] == "trucks"
    assert main(["rehearse", "tow-truck-ride", "--replies", str(replies), "--voice", "scripted"]) == 0
    out = capsys.readouterr().out
    assert "Desk /trucks: Trucks near the caller" in out
    assert "Truck 7" in out


def test_rehearse_sample_with_a_lookup(tow: Scenario) -> None:
    session = play(tow)
    rehearse(session, ["/garage", TRUCK_WITH_TIME])
    assert [item.command for item in session.lookups] == ["garage"]
    assert len(session.turns) == 1


def test_lookups_reach_the_stored_record_and_the_exports(tow: Scenario) -> None:
    from simulator.export import render
    from simulator.storage import Store

    session = play(tow)
    with Store.open() as store:
        store.attach(session, trainee="Ana")
        session.lookup("/trucks")
        session.reply(TRUCK_WITH_TIME)
        session.end()
        record = store.load(store.list_sessions()[0]["id"])
    assert record["lookups"][0]["command"] == "trucks"
    assert "*Desk /trucks:* Truck 7" in render(record, "md")
    assert "Desk /trucks:</i> Truck 7" in render(record, "html")
