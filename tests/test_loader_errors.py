"""Every broken scenario file gets one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.cli import main
from simulator.errors import ScenarioError
from simulator.loader import discover, load_scenario
from tests.conftest import SCENARIOS

GOOD = (SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str | bytes, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_for(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def test_shipped_scenario_loads(hotel) -> None:
    assert hotel.id == "china-hotel-beds"
    assert hotel.customer.start_mood == 40


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("id: [unclosed\n", "YAML syntax error"),
        ("- id: a\n- id: b\n", "expected a mapping"),
        ("just a string\n", "expected a mapping"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
        (b"id: caf\xe9\n", "not UTF-8"),
        ("title: " + "x" * 3000 + "\n", "longer than 2000 characters"),
    ],
)
def test_unreadable_files_get_one_line(tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = write(tmp_path, content)
    problems = problems_for(path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(path)) for p in problems)


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("  start_mood: 40\n", "  start_mood: 40\n  start_mod: 40\n")
    path = write(tmp_path, text)
    problems = problems_for(path)
    assert len(problems) == 1
    line_no = text.splitlines().index("  start_mod: 40") + 1
    assert problems[0].startswith(f"{path}:{line_no}: customer.start_mod: unknown key")


def test_wrong_type_and_range(tmp_path: Path) -> None:
    text = GOOD.replace("  start_mood: 40\n", "  start_mood: lots\n").replace("max_turns: 8", "max_turns: -1")
    problems = problems_for(write(tmp_path, text))
    assert any("customer.start_mood:" in p and "integer" in p for p in problems)
    assert any("end.max_turns:" in p for p in problems)


def test_missing_required_key(tmp_path: Path) -> None:
    data = yaml.safe_load(GOOD)
    del data["opening"]
    problems = problems_for(write(tmp_path, yaml.safe_dump(data)))
    assert any("opening: required key is missing" in p for p in problems)


def test_misspelt_trigger_act(tmp_path: Path) -> None:
    text = GOOD.replace(
        "when: sends_away\n    intent: Be shocked", "when: sends_awya\n    intent: Be shocked"
    )
    problems = problems_for(write(tmp_path, text))
    line_no = text.splitlines().index("    when: sends_awya") + 1
    assert problems == [
        f"{tmp_path / 'broken.yaml'}:{line_no}: triggers[1].when: `sends_awya` is not an act; "
        "did you mean `sends_away`?"
    ], problems


def test_an_act_nothing_like_any_lists_them_all(tmp_path: Path) -> None:
    text = GOOD.replace("when: sends_away\n    intent: Be shocked", "when: xyzzy\n    intent: Be shocked")
    problems = problems_for(write(tmp_path, text))
    assert any(".when:" in p and "use one of:" in p and "refuses" in p for p in problems), problems


def test_trigger_naming_an_unknown_need(tmp_path: Path) -> None:
    problems = problems_for(write(tmp_path, GOOD.replace("    need: beds\n", "    need: bedz\n")))
    text = GOOD.replace("    need: beds\n", "    need: bedz\n")
    line_no = text.splitlines().index("    need: bedz") + 1
    assert any(
        p.startswith(f"{tmp_path / 'broken.yaml'}:{line_no}: triggers[")
        and "there is no need with the id 'bedz'; did you mean 'beds'?" in p
        for p in problems
    ), problems


def test_duplicate_ids_inside_a_scenario(tmp_path: Path) -> None:
    data = yaml.safe_load(GOOD)
    data["needs"][1]["id"] = "beds"
    data["triggers"] = [t for t in data["triggers"] if t.get("need") != "beds"]
    problems = problems_for(write(tmp_path, yaml.safe_dump(data)))
    assert any("two needs have the id 'beds'" in p for p in problems)


def test_one_broken_file_never_hides_the_others(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "good.yaml")
    write(tmp_path, "id: [\n", "bad.yaml")
    write(tmp_path, GOOD, "same-id.yaml")
    library = discover(files=sorted(tmp_path.glob("*.yaml")))
    assert list(library.scenarios) == ["china-hotel-beds"]
    assert set(p.name for p in library.errors) == {"bad.yaml", "same-id.yaml"}
    duplicate = library.errors[tmp_path / "same-id.yaml"][0]
    assert "already used by" in duplicate and "good.yaml" in duplicate


def test_validate_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, GOOD, "good.yaml")
    assert main(["validate", str(good)]) == 0
    bad = write(tmp_path, "- a list\n", "bad.yaml")
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "expected a mapping" in out
    assert "Traceback" not in out
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 1
    assert "no such file" in capsys.readouterr().out
