"""The real default model, installed by .ci/run (`simulator models install`). Marked `model`.

These check behaviour, not speed: the voice is given no deadline, so what it says
depends on the model and the verifier, never on how busy the machine is. How many
lines are model-voiced in time, and how long they take, are `simulator bench`'s figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import locations
from simulator.grading import default_grader
from simulator.model_catalogue import load_catalogue
from simulator.rehearsal import rehearse
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.verifier import Verifier

# Read before the per-test data directory is set, so this is where `models install` put it.
REAL_MODELS = locations.models_dir()
pytestmark = pytest.mark.model


@pytest.fixture
def real_voice(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(REAL_MODELS))
    entry = load_catalogue().get()
    if not entry.installed():
        pytest.skip(f"the default model is not installed in {REAL_MODELS}; run `simulator models install`")
    from simulator.voice.model_voice import GenerationSettings, ModelVoice

    # No deadline: a busy machine makes lines slower, not different.
    settings = GenerationSettings(deadline_s=None)
    voice = ModelVoice(entry.directory(), prompt_style=entry.prompt, settings=settings)  # type: ignore[arg-type]
    voice.load()
    return voice


def test_rehearsals_stay_in_role_and_are_mostly_model_voiced(real_voice, hotel: Scenario) -> None:
    verifier = Verifier(hotel)
    model_lines = total = 0
    for seed, sample in [(1, hotel.samples[0]), (2, hotel.samples[2]), (3, hotel.samples[1])]:
        real_voice.seed = seed
        session = Session(hotel, real_voice, default_grader(), seed=seed)
        rehearse(session, sample.texts)
        history = session.history()
        for i, turn in enumerate(session.turns):
            total += 1
            if turn.customer_source != "model":
                continue
            model_lines += 1
            # Checked against what the voice saw: the beat's request at that turn.
            request_history = tuple(history[max(0, 2 * i + 2 - 6) : 2 * i + 2])
            said_before = tuple(t.customer for t in session.turns[:i])
            from simulator.voice.base import LineRequest

            request = LineRequest(
                scenario=hotel,
                intent="",
                authored=(turn.customer,),
                beat=turn.beat,
                history=request_history,
                said_before=said_before,
            )
            verdict = verifier.check(turn.customer, request)
            assert verdict.ok, (turn.customer, verdict.reason)
    assert total >= 5
    assert model_lines / total >= 0.5, f"{model_lines} of {total} lines voiced by the model"


def test_cli_rehearse_json_marks_sources(
    real_voice, tmp_path: Path, capsys: pytest.CaptureFixture[str], hotel: Scenario
) -> None:
    import json

    from simulator.cli import main

    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(hotel.samples[0].texts), encoding="utf-8")
    assert (
        main(
            [
                "rehearse",
                "china-hotel-beds",
                "--replies",
                str(replies),
                "--voice",
                "model",
                "--json",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["voice"] == "model"
    assert {t["customer_source"] for t in data["turns"]} <= {"model", "script"}
