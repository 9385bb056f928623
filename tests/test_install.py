"""The simulator as a user installs it: a built wheel in a fresh venv, used from another folder.

Slow (a fresh venv with torch: a minute or two from pip's cache), so marked `install`;
it runs in CI like every other test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.install
TORCH = "torch==2.13.0"  # the README's CPU build
REPLIES = [
    "Good evening, I'm so sorry about the beds. Let me sort this out for you right away.",
    "I can bring an extra mattress to your room within ten minutes, or move you to a twin room.",
    "Thank you for your patience, is there anything else I can do?",
]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no trace of the test's venv or checkout."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env.update(extra)
    return env


def run(
    cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def make_venv(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(folder)
    return folder / ("Scripts" if sys.platform == "win32" else "bin")


def built_wheel(dest: Path) -> Path:
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(ROOT)],
        cwd=dest.parent,
        env=clean_env(),
    )
    (wheel,) = dest.glob("cs_simulator-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the built wheel (not the checkout) installed; its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = built_wheel(tmp / "dist")
    bin_dir = make_venv(tmp / "venv")
    run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", TORCH, str(wheel)],
        cwd=tmp,
        env=clean_env(),
    )
    return bin_dir


def test_wheel_carries_its_data(tmp_path: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(built_wheel(tmp_path / "dist")).namelist())
    shipped = {f"simulator/scenarios/{p.name}" for p in (ROOT / "scenarios").iterdir()}
    assert shipped <= names
    assert {
        "simulator/models/catalogue.yaml",
        "simulator/voice/native/decoder.c",
        "simulator/tui/app.tcss",
    } <= names


def test_installed_wheel_works_from_another_folder(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(SIMULATOR_DATA_DIR=str(tmp_path / "data"), SIMULATOR_EMBEDDING_MODEL="off")
    where = run(
        [str(installed / "python"), "-c", "import simulator; print(simulator.__file__)"], elsewhere, env
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), "the checkout was imported"

    validated = run([str(installed / "simulator"), "validate"], elsewhere, env).stdout
    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert len(shipped) == 7
    for scenario in shipped:
        assert f"({scenario})\n" in validated
    assert "7 valid, 0 invalid" in validated

    listed = run([str(installed / "simulator"), "models", "list"], elsewhere, env).stdout
    assert "smollm2-135m-instruct (default)" in listed

    replies = elsewhere / "replies.txt"
    replies.write_text("\n".join(REPLIES) + "\n", encoding="utf-8")
    cmd = ["rehearse", "china-hotel-beds", "--replies", str(replies), "--voice", "scripted", "--json"]
    result = json.loads(run([str(installed / "simulator"), *cmd], elsewhere, env).stdout)
    assert result["scenario"] == "china-hotel-beds"
    assert len(result["turns"]) == len(REPLIES)
    assert {t["customer_source"] for t in result["turns"]} == {"script"}
