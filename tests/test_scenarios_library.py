"""The shipped scenario library, and where trainers' own scenarios are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.grading import default_grader
from simulator.loader import discover, load_scenario, scenario_files
from simulator.rehearsal import run_samples
from simulator.scenario import OUTCOMES, Scenario
from tests.conftest import SCENARIOS

SHIPPED = scenario_files(SCENARIOS)
SCHEMA_LINE = "# yaml-language-server: $schema=scenario.schema.json"


def _shipped() -> list[tuple[Path, Scenario]]:
    return [(path, load_scenario(path)) for path in SHIPPED]


def test_at_least_seven_scenarios_ship_and_all_validate() -> None:
    library = discover(files=SHIPPED)
    assert library.errors == {}
    assert len(library.scenarios) >= 7


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_file_is_named_after_its_id_and_points_at_the_schema(path: Path) -> None:
    scenario = load_scenario(path)
    assert path.stem == scenario.id
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_scenario_has_samples_for_every_outcome(path: Path) -> None:
    # A good trainee, a bad one and a polite-but-stuck one each show a
    # different part of the customer; a scenario that cannot be lost, or cannot
    # be won, teaches nothing.
    scenario = load_scenario(path)
    assert {s.outcome for s in scenario.samples} == set(OUTCOMES)


def test_the_library_covers_the_skills_of_the_seed_stories() -> None:
    skills = {skill for _, scenario in _shipped() for skill in scenario.skills}
    for skill in ("flexibility", "going_beyond", "guiding", "honesty", "follow_through", "proactivity"):
        assert skill in skills
    assert {s.difficulty for _, s in _shipped()} == {"easy", "medium", "hard"}


def test_triggers_name_only_their_own_needs_and_ending_triggers_come_first() -> None:
    # The engine takes the first matching trigger, so an ending trigger placed
    # after a general one with the same act could never fire.
    for _, scenario in _shipped():
        seen_acts: set[str] = set()
        for trigger in scenario.triggers:
            if trigger.ends and trigger.when:
                assert trigger.when not in seen_acts, (scenario.id, trigger.id)
            if trigger.when and not trigger.need and trigger.min_turn == 1:
                seen_acts.add(trigger.when)


@pytest.mark.parametrize(
    ("scenario", "sample"),
    [(s, sample.name) for _, s in _shipped() for sample in s.samples],
    ids=lambda v: v.id if isinstance(v, Scenario) else v,
)
def test_each_sample_script_reaches_its_outcome(scenario: Scenario, sample: str) -> None:
    results = {r.name: r for r in run_samples(scenario, default_grader())}
    result = results[sample]
    assert result.outcome == result.expected


def test_validate_rehearse_passes_on_the_shipped_library(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--rehearse", str(SCENARIOS)])
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert code == 0


# -- where trainers' scenarios live ---------------------------------------------


def _copy_as(source: str, target: Path, new_id: str | None = None) -> Path:
    text = (SCENARIOS / f"{source}.yaml").read_text(encoding="utf-8")
    if new_id is not None:
        text = text.replace(f"\nid: {source}\n", f"\nid: {new_id}\n", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_the_user_folder_under_the_data_directory_is_discovered(_isolated_data: Path) -> None:
    _copy_as("china-hotel-beds", _isolated_data / "scenarios" / "mine.yaml", "my-hotel")
    library = discover()
    assert "my-hotel" in library.scenarios
    assert "tow-truck-ride" in library.scenarios


def test_the_scenarios_dir_variable_is_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "classroom"
    _copy_as("china-hotel-beds", folder / "mine.yaml", "classroom-hotel")
    monkeypatch.setenv("SIMULATOR_SCENARIOS_DIR", str(folder))
    assert "classroom-hotel" in discover().scenarios


def test_the_scenarios_option_is_discovered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _copy_as("china-hotel-beds", tmp_path / "extra" / "mine.yaml", "extra-hotel")
    assert main(["--scenarios", str(tmp_path / "extra"), "preview", "extra-hotel"]) == 0
    assert "(extra-hotel)" in capsys.readouterr().out
    assert main(["--scenarios", str(tmp_path / "extra"), "validate"]) == 0
    assert "(extra-hotel)" in capsys.readouterr().out


def test_a_duplicate_id_is_an_error_naming_both_files(
    _isolated_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _copy_as("tow-truck-ride", _isolated_data / "scenarios" / "my-tow.yaml")
    library = discover()
    assert library.paths["tow-truck-ride"] == SCENARIOS / "tow-truck-ride.yaml"
    problem = " ".join(library.errors[copy])
    assert str(copy) in problem and str(SCENARIOS / "tow-truck-ride.yaml") in problem
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert str(copy) in out and "tow-truck-ride" in out


def test_one_broken_file_never_hides_the_others(
    _isolated_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _isolated_data / "scenarios"
    _copy_as("china-hotel-beds", folder / "a-good.yaml", "good-one")
    (folder / "b-broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    (folder / "c-wrong.yaml").write_text("id: wrong\nstart_mod: 3\n", encoding="utf-8")
    _copy_as("tow-truck-ride", folder / "d-good.yaml", "good-two")
    library = discover()
    assert {"good-one", "good-two", "china-hotel-beds", "tow-truck-ride"} <= set(library.scenarios)
    assert set(library.errors) == {folder / "b-broken.yaml", folder / "c-wrong.yaml"}
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "(good-one)" in out and "(good-two)" in out
    assert "b-broken.yaml" in out and "c-wrong.yaml" in out


def test_a_scenario_can_be_played_from_the_user_folder(_isolated_data: Path, tmp_path: Path) -> None:
    _copy_as("tow-truck-ride", _isolated_data / "scenarios" / "tow-copy.yaml", "tow-copy")
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello, I'm sorry to hear that.\n", encoding="utf-8")
    assert main(["rehearse", "tow-copy", "--replies", str(replies), "--json"]) == 0
