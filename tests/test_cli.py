"""The command-line contracts used by outside checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from tests.conftest import ROOT, SHARED

GOOD = [
    "Good evening, and I'm so sorry about that. I'll bring an extra mattress up to your room myself right away.",
    "Of course, I'll bring sheets, pillows and blankets up with it, and some hot chocolate for the children.",
]
BAD = [
    "This is the room on your reservation. Maybe another hotel has space.",
    "Not my problem. Go to another hotel.",
    "I said no. Go to another hotel.",
    "Stop making a scene and leave.",
    "Not my problem.",
]


def rehearse_json(tmp_path: Path, scenario: str, replies: list[str], capsys) -> dict:
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(replies) + "\n", encoding="utf-8")
    assert main(["rehearse", scenario, "--replies", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rehearse_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = rehearse_json(tmp_path, "china-hotel-beds", GOOD, capsys)
    assert data["scenario"] == "china-hotel-beds"
    assert data["outcome"] == "resolved"
    assert data["outcome"] in ("resolved", "unresolved", "walked_out")
    assert 0 <= data["start_mood"] <= 100
    assert data["turns"]
    for turn in data["turns"]:
        for key in ("trainee", "customer", "customer_source", "courtesy", "flexibility", "mood"):
            assert key in turn
        assert turn["customer_source"] in ("model", "script")
        assert 0 <= turn["courtesy"] <= 100 and 0 <= turn["flexibility"] <= 100
        assert 0 <= turn["mood"] <= 100
    assert set(data["scores"]) >= {"courtesy", "flexibility"}
    assert data["turns"][-1]["mood"] > data["start_mood"]


def test_rude_rigid_trainee_does_not_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = rehearse_json(tmp_path, "china-hotel-beds", BAD, capsys)
    assert data["outcome"] != "resolved"
    assert data["turns"][-1]["mood"] < data["start_mood"]
    good = rehearse_json(tmp_path, "china-hotel-beds", GOOD, capsys)
    assert good["scores"]["courtesy"] > data["scores"]["courtesy"]
    assert good["scores"]["flexibility"] > data["scores"]["flexibility"]


def test_rehearse_plain_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(GOOD), encoding="utf-8")
    assert main(["rehearse", "china-hotel-beds", "--replies", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Customer:" in out and "Courtesy" in out and "Flexibility" in out and "Outcome: resolved" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rehearse", "no-such-scenario", "--replies", "x"], "no scenario 'no-such-scenario'"),
        (["rehearse", "china-hotel-beds", "--replies", "/no/such/file"], "does not exist"),
        (["grade", "--scenario", "china-hotel-beds", "--input", "/no/such/file"], "does not exist"),
    ],
)
def test_user_errors_are_one_sentence(argv, message, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_grade_json_one_object_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        {"reply": "I'm so sorry. I'll bring a mattress up myself.", "customer": "We are five."},
        {"reply": "Not my department."},
        {
            "reply": "Certainly, you can sit in the truck with the driver as far as the garage.",
            "scenario": "tow-truck-ride",
        }
        if (ROOT / "scenarios" / "tow-truck-ride.yaml").exists()
        else {"reply": "Of course."},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert main(["grade", "--scenario", "china-hotel-beds", "--input", str(path), "--json"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(out) == 3
    assert [o["reply"] for o in out] == [x["reply"] for x in lines]
    for o in out:
        assert 0 <= o["courtesy"] <= 100 and 0 <= o["flexibility"] <= 100
        assert isinstance(o["evidence"], list)
    assert out[0]["courtesy"] > out[1]["courtesy"]
    assert out[0]["flexibility"] > out[1]["flexibility"]
    if "scenario" in lines[2]:
        assert out[2]["scenario"] == "tow-truck-ride"


def test_grade_reports_bad_lines_and_carries_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"reply": "Hello"}\nnot json\n{"reply": 3}\n{"reply": "Thanks"}\n', encoding="utf-8")
    assert main(["grade", "--scenario", "china-hotel-beds", "--input", str(path), "--json"]) == 1
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o.get("line") for o in out] == [1, 2, 3, 4]
    assert "error" in out[1] and "error" in out[2] and "courtesy" in out[3]


@pytest.mark.skipif(not (SHARED / "eval" / "replies-dev.jsonl").exists(), reason="shared eval set absent")
def test_grade_runs_on_the_dev_set(capsys: pytest.CaptureFixture[str]) -> None:
    dev = SHARED / "eval" / "replies-dev.jsonl"
    assert main(["grade", "--scenario", "china-hotel-beds", "--input", str(dev), "--json"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(out) == len(dev.read_text(encoding="utf-8").splitlines())
    assert all(o["evidence"] for o in out if o["reply"] != "Hmm. I'll see.")


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    env = {**os.environ, "SIMULATOR_DATA_DIR": str(tmp_path)}
    exe = Path(sys.executable).with_name("simulator")
    for argv in ([str(exe), "validate"], [sys.executable, "-m", "simulator", "validate"]):
        result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "china-hotel-beds" in result.stdout


def test_data_dir_variable_redirects_user_scenarios(tmp_path: Path, capsys) -> None:
    data = Path(os.environ["SIMULATOR_DATA_DIR"])
    (data / "scenarios").mkdir(parents=True)
    (data / "scenarios" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert str(data / "scenarios" / "broken.yaml") in out
    assert "ok " in out  # the shipped ones still validate
