"""Shared fixtures. Every test gets its own data directory, so none touches the real home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.grading.embeddings import ENV_VAR as GRADER_WEIGHTS_VAR
from simulator.grading.embeddings import find_model_dir
from simulator.loader import load_scenario
from simulator.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"
# Found before any test's own data directory is set: where `simulator models install`
# put the grader's weights. Tests use them there (or rules alone if there are none)
# rather than fetching them into every test's empty models folder.
GRADER_WEIGHTS = os.environ.get(GRADER_WEIGHTS_VAR) or str(find_model_dir() or "off")


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(data))
    monkeypatch.delenv("SIMULATOR_MODELS_DIR", raising=False)
    monkeypatch.delenv("SIMULATOR_SCENARIOS_DIR", raising=False)
    monkeypatch.delenv("SIMULATOR_VOICE", raising=False)
    monkeypatch.setenv(GRADER_WEIGHTS_VAR, GRADER_WEIGHTS)
    monkeypatch.delenv("SIMULATOR_VOICE_SERVER", raising=False)
    return data


@pytest.fixture
def hotel() -> Scenario:
    return load_scenario(SCENARIOS / "china-hotel-beds.yaml")


@pytest.fixture
def tow() -> Scenario:
    return load_scenario(SCENARIOS / "tow-truck-ride.yaml")
