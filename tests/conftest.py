"""Shared fixtures. Every test gets its own data directory, so none touches the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.loader import load_scenario
from simulator.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(data))
    monkeypatch.delenv("SIMULATOR_MODELS_DIR", raising=False)
    monkeypatch.delenv("SIMULATOR_SCENARIOS_DIR", raising=False)
    monkeypatch.delenv("SIMULATOR_VOICE", raising=False)
    monkeypatch.delenv("SIMULATOR_VOICE_SERVER", raising=False)
    return data


@pytest.fixture
def hotel() -> Scenario:
    return load_scenario(SCENARIOS / "china-hotel-beds.yaml")


@pytest.fixture
def tow() -> Scenario:
    return load_scenario(SCENARIOS / "tow-truck-ride.yaml")
