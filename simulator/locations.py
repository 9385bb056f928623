"""Where the program keeps its data, models, config and user scenarios, and where
the files it ships (scenarios, their schema, the model catalogue) are.

Every location it writes can be redirected by an environment variable so that
tests and classrooms never touch the real home directory. The shipped files are
the top-level `scenarios/` and `models/` folders in a source checkout (so an edit
there is seen at once), and package data inside an installed wheel, where
setup.py maps those folders to `simulator/scenarios/` and `simulator/models/`.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "cs-simulator"

_PACKAGE_DIR = Path(__file__).resolve().parent
# A checkout has pyproject.toml beside the package; an installed wheel does not.
_CHECKOUT = _PACKAGE_DIR.parent if (_PACKAGE_DIR.parent / "pyproject.toml").is_file() else None


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


def cache_dir() -> Path:
    """What can be computed again and is kept only to start faster."""
    return data_dir() / "cache"


def config_file() -> Path:
    """Small settings such as the remembered trainee name."""
    return data_dir() / "config.json"


def database_file() -> Path:
    """The SQLite file holding every session."""
    return data_dir() / "sessions.sqlite3"


def source_checkout() -> Path | None:
    """The source tree the program runs from, if it is not an installed wheel."""
    return _CHECKOUT


def _shipped(folder: str) -> Path:
    if _CHECKOUT is not None and (_CHECKOUT / folder).is_dir():
        return _CHECKOUT / folder
    # pip always unpacks a wheel, so the package data is a real folder on disk.
    return Path(str(resources.files("simulator").joinpath(folder)))


def builtin_scenarios_dir() -> Path:
    """The scenarios that ship with the program (and their JSON Schema)."""
    return _shipped("scenarios")


def catalogue_file() -> Path:
    """The model catalogue that ships with the program."""
    return _shipped("models") / "catalogue.yaml"
