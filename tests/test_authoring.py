"""Trainer tools: `simulator new`, `simulator preview`, and the guide scenarios.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from simulator.cli.schema_cmd import scenario_schema
from simulator.grading import default_grader
from simulator.loader import discover, load_scenario, parse_scenario_text
from simulator.rehearsal import run_samples
from simulator.scenario import ACTS, SKILLS
from simulator.skeleton import default_title, skeleton
from tests.conftest import ROOT

GUIDE = ROOT / "scenarios.md"


# -- simulator new ---------------------------------------------------------------


def test_new_writes_a_skeleton_into_the_user_folder_that_validates(
    _isolated_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "late-parcel"]) == 0
    target = _isolated_data / "scenarios" / "late-parcel.yaml"
    assert str(target) in capsys.readouterr().out
    scenario = load_scenario(target)
    assert scenario.id == "late-parcel"
    assert scenario.title == "Late parcel"
    # The trainer's first commands must work on it as written.
    assert "late-parcel" in discover().scenarios
    assert main(["validate", "--rehearse", str(target)]) == 0
    assert main(["preview", "late-parcel"]) == 0


def test_the_skeleton_is_commented_and_its_samples_pass() -> None:
    text = skeleton("my-first")
    assert text.count("#") >= 10, "the skeleton should explain itself"
    scenario = parse_scenario_text(text, "my-first.yaml")
    assert all(r.passed for r in run_samples(scenario, default_grader()))


def test_new_refuses_to_overwrite_without_force(
    _isolated_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _isolated_data / "scenarios" / "mine.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("my work\n", encoding="utf-8")
    assert main(["new", "mine"]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and str(target) in err
    assert err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "my work\n"
    assert main(["new", "mine", "--force"]) == 0
    assert load_scenario(target).id == "mine"


def test_new_writes_into_dir_and_says_how_to_find_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "class" / "week1"
    assert main(["new", "week1-intro", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert (folder / "week1-intro.yaml").is_file()
    assert f"--scenarios {folder}" in out
    assert main(["--scenarios", str(folder), "preview", "week1-intro"]) == 0


@pytest.mark.parametrize("bad", ["Late Parcel", "late parcel", "_late", "late.parcel", "x" * 65, "ÉTÉ"])
def test_new_rejects_a_bad_id_in_one_sentence(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", bad]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "late-parcel" in err  # an example of a good id


def test_new_refuses_an_id_another_scenario_uses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "china-hotel-beds"]) == 2
    assert "china-hotel-beds.yaml" in capsys.readouterr().err


def test_default_title() -> None:
    assert default_title("late-parcel") == "Late parcel"
    assert default_title("week_1-intro") == "Week 1 intro"


# -- simulator preview -----------------------------------------------------------


def test_preview_prints_what_a_trainer_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "tow-truck-ride"]) == 0
    out = capsys.readouterr().out
    scenario = discover().scenarios["tow-truck-ride"]
    # Persona.
    for text in (scenario.customer.name, "Anxious and shaken", "starts at mood 35"):
        assert text in out
    # Needs, with their solutions and which are required.
    for need in scenario.needs:
        assert f"- {need.id} (" in out
    assert "(optional" in out and "[beyond]" in out
    # Triggers, their conditions and effects, in file order.
    positions = [out.index(f"- {t.id}:") for t in scenario.triggers]
    assert positions == sorted(positions)
    flat = " ".join(out.split())
    assert (
        "the trainee sends the customer away (after 'sent-away', once) -> mood -10, ENDS walked_out" in flat
    )
    # End conditions and samples.
    assert "END CONDITIONS" in out
    assert "mood at least 35" in out and "mood 10 or below" in out and "turn limit: 8" in out
    assert "must end walked_out" in out


def test_preview_accepts_a_file_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(skeleton("draft"), encoding="utf-8")
    assert main(["preview", str(path)]) == 0
    assert "(draft)" in capsys.readouterr().out


def test_preview_of_an_unknown_id_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "no-such-thing"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tow-truck-ride" in err


# -- scenarios.md ----------------------------------------------------------------


def _field_names(node: Any, schema: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name in the schema, following $ref into $defs."""
    names: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                names |= _field_names(schema["$defs"][name], schema, seen)
        for key, value in node.items():
            if key == "properties":
                names |= set(value)
            names |= _field_names(value, schema, seen)
    elif isinstance(node, list):
        for item in node:
            names |= _field_names(item, schema, seen)
    return names


def test_the_guide_documents_every_field_of_the_schema() -> None:
    schema = scenario_schema()
    fields = _field_names(schema, schema, set())
    assert {"id", "start_mood", "asked_by", "beyond", "min_turn", "resolve_mood", "outcome"} <= fields
    assert set(schema["$defs"]) <= _reachable_defs(schema)
    guide = GUIDE.read_text(encoding="utf-8")
    missing = sorted(name for name in fields if f"`{name}`" not in guide)
    assert not missing, f"scenarios.md does not document: {missing}"


def _reachable_defs(schema: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    _field_names(schema, schema, seen)
    return seen


def test_the_guide_lists_every_act_and_skill() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for name in (*ACTS, *SKILLS):
        assert f"`{name}`" in guide, name


def _walkthrough_yaml() -> str:
    guide = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<!-- walkthrough-scenario -->\s*```yaml\n(.*?)```", guide, re.S)
    assert match, "scenarios.md lost its walkthrough scenario"
    return match.group(1)


def test_the_walkthrough_scenario_validates_and_rehearses(tmp_path: Path) -> None:
    scenario = parse_scenario_text(_walkthrough_yaml(), "wrong-name-cake.yaml")
    assert scenario.id == "wrong-name-cake"
    assert {s.outcome for s in scenario.samples} == {"resolved", "walked_out", "unresolved"}
    results = run_samples(scenario, default_grader())
    assert [r.outcome for r in results] == [r.expected for r in results]


def test_the_guide_names_every_shipped_scenario() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for scenario_id in discover().scenarios:
        assert f"`{scenario_id}`" in guide
