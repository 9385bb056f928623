"""`simulator preview` as a trainer reads it: who sees what, the desk, conditions, samples in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.loader import discover
from tests.conftest import SCENARIOS


def preview(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["preview", *args]) == 0
    return capsys.readouterr().out


def test_preview_says_what_the_trainee_sees_and_what_only_the_customer_knows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = preview(capsys, "china-hotel-beds")
    sees, knows = out.index("WHAT THE TRAINEE SEES"), out.index("WHAT ONLY THE CUSTOMER")
    assert sees < out.index("BRIEF") < out.index("OPENING") < out.index("DESK") < knows
    assert knows < out.index("SETTING") < out.index("CUSTOMER:") < out.index("NEEDS")


def test_preview_prints_the_desk_under_a_desk_heading(capsys: pytest.CaptureFixture[str]) -> None:
    out = preview(capsys, "china-hotel-beds")
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("DESK ("))
    desk = "\n".join(lines[heading : heading + 40])
    assert "Room 1408" in desk and "Made up for: 3 guests" in desk
    assert "Rollaway beds: for suites only." in desk
    assert "/storeroom: Storeroom inventory, floor 14" in desk
    assert "| Spare mattresses (single): 4" in desk


def test_preview_shows_the_needs_conditions_and_min_courtesy(capsys: pytest.CaptureFixture[str]) -> None:
    out = " ".join(preview(capsys, "tech-support-router").split())
    assert "Met when a reply offers one of its solutions with courtesy at least 50 (min_courtesy)." in out
    out = " ".join(preview(capsys, "tow-truck-ride").split())
    assert "Met when a reply offers one of its solutions and commits to a time." in out
    assert "- if-late: asked once 'tow' is met; must be answered before it resolves" in out


def test_preview_names_acts_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    out = " ".join(preview(capsys, "china-hotel-beds").split())
    assert "when the trainee is rude" in out
    assert "the trainee rude" not in out
    assert "when the trainee ignores the customer's feelings" in out


def test_preview_prints_each_sample_script_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    out = " ".join(preview(capsys, "repeat-fault").split())
    scenario = discover().scenarios["repeat-fault"]
    for sample in scenario.samples:
        assert f"- {sample.name}: " in out and f"must end {sample.outcome}" in out
        for number, reply in enumerate(sample.texts, 1):
            assert f"{number}. {' '.join(reply.split())}" in out


def test_preview_makes_file_text_safe_for_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8")
    text = text.replace("        Guest: Levi\n", '        Guest: "Levi\\e[2J\\e]0;owned\\a"\n')
    path = tmp_path / "escape.yaml"
    path.write_text(text, encoding="utf-8")
    out = preview(capsys, str(path))
    assert "\x1b" not in out and "\x07" not in out
    assert "Guest: Levi␛[2J␛]0;owned␇" in out
