"""The simulator as a user installs it: a built wheel in a fresh venv, used from another
folder; and the offline classroom kit, installed with no network at all.

Slow (each makes a fresh venv with torch: a minute or two from pip's cache; the kit
also builds the kernels), so marked `install`; they run in CI like every other test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from simulator import locations
from simulator.model_catalogue import load_catalogue

# Read before the per-test data directory is set: where `simulator models install` put
# the models (.ci/run installs them first), which the kit copies.
REAL_MODELS = locations.models_dir()
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
    env.pop("SIMULATOR_EMBEDDING_MODEL", None)  # set for the tests by conftest
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


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_classroom_kit_installs_with_no_network(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    if not (catalogue.get().installed(REAL_MODELS) and catalogue.grader.installed(REAL_MODELS)):
        pytest.skip(f"the default model and grader weights are not installed in {REAL_MODELS}")
    if not _unshare_works():
        pytest.skip("`unshare -rn` (a namespace with no network) is not permitted here")
    kit = tmp_path / "kit"
    made = run(
        [sys.executable, "-m", "simulator", "kit", str(kit)],
        tmp_path,
        clean_env(SIMULATOR_MODELS_DIR=str(REAL_MODELS), SIMULATOR_DATA_DIR=str(tmp_path / "here")),
    )
    assert "Wrote the classroom kit" in made.stdout
    assert (kit / "INSTALL.txt").is_file()
    assert any(kit.joinpath("wheels").glob("torch-*.whl"))

    classroom = tmp_path / "classroom"
    classroom.mkdir()
    (classroom / "replies.txt").write_text("\n".join(REPLIES) + "\n", encoding="utf-8")
    # No pip configuration at all: this machine's own wheel folder and indexes stay out.
    env = {k: v for k, v in clean_env().items() if not k.startswith(("PIP_", "SIMULATOR_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, SIMULATOR_DATA_DIR=str(classroom / "data"))
    script = " && ".join(
        [
            "python3 -m venv .venv",
            f".venv/bin/pip install --quiet --no-index --find-links {kit}/wheels cs-simulator",
            f".venv/bin/simulator models install --from {kit}",
            ".venv/bin/simulator validate",
            ".venv/bin/simulator models list",
            ".venv/bin/simulator rehearse china-hotel-beds --replies replies.txt --voice model",
        ]
    )
    out = run(["unshare", "-rn", "bash", "-c", script], classroom, env, timeout=1500).stdout
    assert "7 valid, 0 invalid" in out
    assert f"Installed {catalogue.default} in {classroom / 'data' / 'models'}" in out
    # The kit carries every model this machine has installed, the default at least.
    listed = next(line for line in out.splitlines() if line.startswith(f"{catalogue.default} (default): "))
    assert listed.split("; ")[-1].startswith("installed")
    assert "all-MiniLM-L6-v2: " in out
    # The model voiced the rehearsal (a voice that could not load would have been the scripted one).
    assert "(china-hotel-beds), voice: model" in out


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    assert len(blocks) == 2 and all("\n" not in b for b in blocks), "two one-line commands"
    run_command, test_command = blocks
    assert run_command.startswith("python3 -m venv .venv && .venv/bin/pip install torch==2.13.0 ")
    assert test_command.endswith(".venv/bin/python -m pytest")
    last = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert last == test_command


def test_an_installed_wheel_packs_itself_again_for_a_kit(installed: Path, tmp_path: Path) -> None:
    """Outside a checkout `simulator kit` has no source to build from: it packs the
    installed files again, and that wheel must install like the original."""
    env = clean_env()
    code = "import sys; from pathlib import Path; from simulator.kit import _own_wheel; print(_own_wheel(Path(sys.argv[1])))"
    (tmp_path / "w").mkdir()
    wheel = Path(
        run([str(installed / "python"), "-c", code, str(tmp_path / "w")], tmp_path, env).stdout.strip()
    )
    assert wheel.name == "cs_simulator-0.1.0-py3-none-any.whl"
    target = tmp_path / "target"
    run(
        [
            str(installed / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        tmp_path,
        env,
    )
    assert (target / "simulator" / "scenarios" / "china-hotel-beds.yaml").is_file()
    assert (target / "simulator" / "models" / "catalogue.yaml").is_file()
    assert (target / "bin" / "simulator").is_file()  # the console script comes back from the metadata
