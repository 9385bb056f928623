"""Loader messages a trainer understands: the line of the mistake, and what to do about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.loader import load_scenario
from tests.conftest import SCENARIOS

GOOD = (SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8")


def problems_for(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    prefix = f"{path}:"
    assert all(p.startswith(prefix) for p in info.value.problems)
    return [p.removeprefix(prefix) for p in info.value.problems]


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def edit(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def test_after_naming_a_missing_trigger_is_reported_at_its_own_line(tmp_path: Path) -> None:
    text = edit("    after: sent-to-another-hotel\n", "    after: sent-to-other-hotel\n")
    n = line_of(text, "    after: sent-to-other-hotel")
    assert problems_for(tmp_path, text) == [
        f"{n}: triggers[0].after: there is no trigger with the id 'sent-to-other-hotel'; "
        "did you mean 'sent-to-another-hotel'?"
    ]


def test_a_missing_id_with_nothing_close_lists_the_ids_there_are(tmp_path: Path) -> None:
    text = edit("    need: beds\n", "    need: zzz\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(f"{line_of(text, '    need: zzz')}: triggers[")
    assert "use one of the need ids defined in this file ('beds', 'linen')" in problem


def test_a_tab_is_not_allowed(tmp_path: Path) -> None:
    text = edit("  start_mood: 40\n", "\tstart_mood: 40\n")
    assert problems_for(tmp_path, text) == [
        f"{line_of(text, chr(9) + 'start_mood: 40')}: (syntax): a tab is not allowed; use spaces to indent"
    ]


def test_text_with_a_colon_must_be_quoted(tmp_path: Path) -> None:
    text = edit("trainee_role: Night front-desk clerk\n", "trainee_role: Night clerk: front desk\n")
    assert problems_for(tmp_path, text) == [
        f"{line_of(text, 'trainee_role: Night clerk: front desk')}: (syntax): "
        "quote this text, it contains a colon (put it in double quotes)"
    ]


def test_a_list_line_with_a_colon_must_be_quoted(tmp_path: Path) -> None:
    old = '      - "Fine. We\'ll manage somehow, but we will not stay with you again."\n'
    text = edit(old, "      - Note: we will not stay with you again.\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(
        f"{line_of(text, '      - Note: we will not stay with you again.')}: triggers[0].lines[0]:"
    )
    assert "quote this text, it contains a colon" in problem


def test_text_after_a_closing_quote(tmp_path: Path) -> None:
    text = edit('        - "It\'s under Levi, room 1408."\n', '        - "It\'s under Levi," room 1408.\n')
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(
        f"{line_of(text, '        - ' + chr(34) + 'It' + chr(39) + 's under Levi,' + chr(34) + ' room 1408.')}:"
    )
    assert "quote the whole text" in problem and "<scalar>" not in problem


def test_a_time_written_bare_is_read_as_a_number(tmp_path: Path) -> None:
    text = edit('        Checked in: "22:50"\n', "        Checked in: 22:50\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(
        f"{line_of(text, '        Checked in: 22:50')}: desk.records[0].fields.Checked in:"
    )
    assert "put the text in double quotes" in problem


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    when: cites_policy\n",
            "    when: cite_policy\n",
            "`cite_policy` is not an act; did you mean `cites_policy`?",
        ),
        ("  start_mood: 40\n", "  start_mod: 40\n", "unknown key `start_mod`; did you mean `start_mood`?"),
        ("    mood_when_met: 25\n", "    mood_when_mett: 25\n", "did you mean `mood_when_met`?"),
        (
            "skills: [flexibility, courtesy, going_beyond]\n",
            "skills: [flexibilty]\n",
            "did you mean `flexibility`?",
        ),
    ],
)
def test_misspelt_names_get_a_did_you_mean(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = edit(old, new)
    problems = problems_for(tmp_path, text)  # a misspelt required key is also reported missing
    problem = next((p for p in problems if p.endswith(expected)), problems)
    assert str(problem).startswith(f"{line_of(text, new.rstrip(chr(10)))}:"), problems


def test_a_fact_line_that_leaves_out_the_facts_number(tmp_path: Path) -> None:
    text = edit(
        '        - "It\'s under Levi, room 1408."\n',
        '        - "It\'s under Levi, in the fourteenth-floor room."\n',
    )
    n = line_of(text, '        - "It\'s under Levi, in the fourteenth-floor room."')
    assert problems_for(tmp_path, text) == [
        f"{n}: customer.facts[1].lines[1]: this line leaves out the fact's number 1408; "
        "write it in digits, as in the fact's text"
    ]


def test_a_key_written_twice(tmp_path: Path) -> None:
    text = edit("  start_mood: 40\n", "  start_mood: 40\n  start_mood: 30\n")
    assert problems_for(tmp_path, text) == [
        f"{line_of(text, '  start_mood: 30')}: start_mood: this key is also on line "
        f"{line_of(text, '  start_mood: 40')}, and only one can count; remove or rename one of them"
    ]


def test_a_met_line_placeholder_needs_a_commitment(tmp_path: Path) -> None:
    old = '      - "Thank you. The sheets and blankets will help the children settle."\n'
    text = edit(old, '      - "Thank you. {time} is fine."\n')
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(
        f"{line_of(text, '      - ' + chr(34) + 'Thank you. {time} is fine.' + chr(34))}: needs[1].met_lines[0]:"
    )
    assert "add 'time' to the need's 'commit:'" in problem


def test_a_sample_lookup_must_be_on_the_desk(tmp_path: Path) -> None:
    old = "      - I do apologise, but I cannot change the booking tonight.\n"
    text = edit(old, "      - /roms\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(f"{line_of(text, '      - /roms')}: samples[2].replies[1]:")
    assert "/roms is not a lookup on this desk (/booking, /rooms, /storeroom)" in problem


def test_a_lookup_revealing_an_unknown_fact(tmp_path: Path) -> None:
    text = edit("      reveals: [booking]\n", "      reveals: [bookings]\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.startswith(f"{line_of(text, '      reveals: [bookings]')}: desk.lookups[0].reveals[0]:")
    assert "did you mean 'booking'?" in problem


def test_the_old_hyphenated_skill_names_are_still_read(tmp_path: Path) -> None:
    text = edit(
        "skills: [flexibility, courtesy, going_beyond]\n",
        "skills: [flexibility, going-beyond, de-escalation]\n",
    )
    path = tmp_path / "old.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).skills == ["flexibility", "going_beyond", "de_escalation"]
