"""Where the program keeps its data, models, config and user scenarios.

Every location can be redirected by an environment variable so that tests and
classrooms never touch the real home directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "cs-simulator"

# The scenarios shipped with the program live beside the package, in a source
# checkout (an installed wheel does not carry them).
_PACKAGE_DIR = Path(__file__).resolve().parent


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Root of everything the program writes (`SIMULATOR_DATA_DIR`)."""
    return _env_path("SIMULATOR_DATA_DIR") or Path(user_data_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    """Downloaded and converted model weights (`SIMULATOR_MODELS_DIR`)."""
    return _env_path("SIMULATOR_MODELS_DIR") or data_dir() / "models"


def user_scenarios_dir() -> Path:
    """Trainers' own scenario files (`SIMULATOR_SCENARIOS_DIR`)."""
    return _env_path("SIMULATOR_SCENARIOS_DIR") or data_dir() / "scenarios"


def config_file() -> Path:
    """Small settings such as the remembered trainee name."""
    return data_dir() / "config.json"


def database_file() -> Path:
    """The SQLite file holding every session."""
    return data_dir() / "sessions.sqlite3"


def builtin_scenarios_dir() -> Path:
    """The scenarios that ship with the program."""
    checkout = _PACKAGE_DIR.parent / "scenarios"
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "scenarios"


def catalogue_file() -> Path:
    """The model catalogue that ships with the program."""
    checkout = _PACKAGE_DIR.parent / "models" / "catalogue.yaml"
    if checkout.is_file():
        return checkout
    return _PACKAGE_DIR / "models" / "catalogue.yaml"
