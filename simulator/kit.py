"""The offline classroom kit: everything a machine with no network needs, in one folder.

`simulator kit DIR` writes
  DIR/wheels/    the simulator's wheel and a wheel of every runtime dependency, at the
                 versions installed here, for this platform and Python;
  DIR/models/    the installed catalogue models and the grader's weights, as they are
                 in the models folder (the kernels' prepared int8 weights are left out:
                 they depend on the CPU and are made again on the classroom machine);
  DIR/INSTALL.txt the two commands to run there.
On the classroom machine `pip install --no-index --find-links DIR/wheels cs-simulator`
installs the program and `simulator models install --from DIR` copies the models in.

The dependencies are pinned to what is installed here (a constraints file of this
environment), so the kit is the set of versions this machine runs and was tested with.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from simulator import __version__, locations
from simulator.errors import UserError
from simulator.model_catalogue import StageProgress, folder_size, is_model_dir, load_catalogue

DISTRIBUTION = "cs-simulator"
WHEELS = "wheels"
MODELS = "models"
MANIFEST = "kit.json"


def _quiet(stage: str, fraction: float) -> None:
    pass


@dataclass(frozen=True)
class KitSummary:
    folder: Path
    wheels: int
    wheel_bytes: int
    models: tuple[str, ...]
    model_bytes: int


# -- pip --------------------------------------------------------------------------


def _pip(args: list[str], what: str, on_line: Callable[[str], None] | None = None) -> str:
    """Run pip (this Python's), streaming its output lines to on_line; its output."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_PROGRESS_BAR": "off"}
    cmd = [sys.executable, "-m", "pip", *args]
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1
        )
    except OSError as exc:
        raise UserError(f"pip could not be started ({exc.strerror}); reinstall the simulator.") from None
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if on_line is not None:
            on_line(line)
    proc.wait()
    output = "".join(lines)
    if proc.returncode != 0:
        raise _pip_failure(what, output)
    return output


def _pip_failure(what: str, output: str) -> UserError:
    low = output.lower()
    if "no module named pip" in low:
        return UserError(
            "pip is not available to this Python; install it (`python -m ensurepip`) "
            "and run `simulator kit` again."
        )
    if "no space left" in low:
        return UserError("The disk is full; free some space or choose another folder for the kit.")
    if any(s in low for s in ("connection", "network", "temporary failure", "name resolution", "timed out")):
        return UserError(
            f"pip could not download {what} (no network?); connect and run `simulator kit` again."
        )
    last = next((line for line in reversed(output.strip().splitlines()) if line.strip()), "")
    return UserError(f"pip could not {what} ({last.strip()[:200]}); run `simulator kit` again.")


def _check_pip() -> None:
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "--version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        raise UserError(
            "pip is not available to this Python; install it (`python -m ensurepip`) "
            "and run `simulator kit` again."
        ) from None


# -- the simulator's own wheel ------------------------------------------------------


def _own_wheel(dest: Path) -> Path:
    """The simulator's wheel: built from the checkout, or packed again from this install."""
    checkout = locations.source_checkout()
    if checkout is not None:
        _pip(
            ["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(checkout)],
            "build the simulator's wheel",
        )
        found = sorted(dest.glob("cs_simulator-*.whl"))
        if not found:
            raise UserError("pip built no wheel of the simulator; run `simulator kit` again.")
        return found[-1]
    return _repack_installed(dest)


def _repack_installed(dest: Path) -> Path:
    """A wheel of the installed simulator, made from its own files and metadata.

    The files are exactly those pip installed from the wheel (its RECORD); the
    RECORD is written again with their hashes, as a wheel's must be.
    """
    import base64
    import hashlib

    dist = metadata.distribution(DISTRIBUTION)
    files = [f for f in dist.files or [] if "__pycache__" not in f.parts and f.suffix != ".pyc"]
    info = next((f.parts[0] for f in files if f.parts[0].endswith(".dist-info")), None)
    if info is None:
        raise UserError("The installed simulator has no metadata to pack; reinstall it from its wheel.")
    skip = {f"{info}/RECORD", f"{info}/INSTALLER", f"{info}/REQUESTED", f"{info}/direct_url.json"}
    wheel = dest / f"cs_simulator-{dist.version}-py3-none-any.whl"
    record: list[str] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            name = "/".join(f.parts)
            if name in skip or name.startswith(".."):
                continue  # `..` paths are console scripts pip wrote outside site-packages
            data = Path(str(f.locate())).read_bytes()
            zf.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


# -- dependencies -------------------------------------------------------------------


def _constraints(path: Path) -> None:
    """Pin every distribution installed here, so the kit holds the versions in use."""
    pins = {}
    for dist in metadata.distributions():
        name = dist.name
        if name and name.lower() != DISTRIBUTION:
            pins[name.lower()] = f"{name}=={dist.version}"
    path.write_text("\n".join(sorted(pins.values())) + "\n", encoding="utf-8")


def _resolve(own: Path, constraints: Path, work: Path) -> list[str]:
    """name==version of every runtime dependency, as pip resolves them for this machine."""
    report = work / "report.json"
    args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report)]
    _pip([*args, "-c", str(constraints), str(own)], "work out the simulator's dependencies")
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        found = [(item["metadata"]["name"], item["metadata"]["version"]) for item in data["install"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(
            "pip's list of dependencies could not be read; update pip and run `simulator kit` again."
        ) from None
    return [f"{name}=={version}" for name, version in found if name.lower() != DISTRIBUTION]


def _fetch_wheels(requirements: list[str], dest: Path, constraints: Path, on_progress: StageProgress) -> None:
    """A wheel of each requirement in dest: the published one, or built here from source."""
    stage = f"Collecting {len(requirements)} dependency wheels"
    done = 0

    def line(text: str) -> None:
        nonlocal done
        if text.startswith(("Collecting ", "Processing ")):
            done += 1
            on_progress(stage, min(done / max(len(requirements), 1), 0.99))

    on_progress(stage, 0.0)
    # pip wheel takes a published wheel as it is and builds one only where a package
    # has none for this platform, so the classroom never needs a compiler for them.
    _pip(
        ["wheel", "--no-deps", "--wheel-dir", str(dest), "-c", str(constraints), *requirements],
        "download the dependencies",
        on_line=line,
    )
    on_progress(stage, 1.0)


# -- models -------------------------------------------------------------------------


def _copy_tree(
    src: Path, dest: Path, stage: str, on_progress: StageProgress, total: int, done: list[int]
) -> None:
    """Copy a folder file by file, adding to done[0] and reporting bytes of total."""
    for root, _dirs, files in os.walk(src):
        for name in sorted(files):
            source = Path(root) / name
            target = dest / source.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as fin, target.open("wb") as fout:
                while block := fin.read(1 << 20):
                    fout.write(block)
                    done[0] += len(block)
                    on_progress(stage, done[0] / total if total else -1.0)
            shutil.copystat(source, target)


def _installed_folders() -> list[Path]:
    catalogue = load_catalogue()
    folders = [m.directory() for m in catalogue.models if m.installed()]
    if catalogue.grader.installed():
        folders.append(catalogue.grader.directory())
    return folders


# -- writing a kit ------------------------------------------------------------------


def write_kit(folder: Path, on_progress: StageProgress = _quiet) -> KitSummary:
    """Write the classroom kit into folder (created if needed)."""
    catalogue = load_catalogue()
    if not catalogue.get().installed():
        raise UserError(
            "The default model is not installed here, so there is nothing to put in the kit; "
            "run `simulator models install` first."
        )
    if not catalogue.grader.installed():
        raise UserError("The grader's weights are not installed here; run `simulator models install` first.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".kit-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(
                f"The disk holding {folder} is full; free some space or choose another folder."
            ) from None
        raise UserError(
            f"The kit folder {folder} cannot be written ({exc.strerror}); choose a folder you can write to."
        ) from None
    sources = _installed_folders()
    model_bytes = sum(folder_size(p) for p in sources)
    # torch alone is about 200 MB as a wheel; the rest of the wheels about as much again.
    needed = model_bytes + (600 << 20)
    if shutil.disk_usage(folder).free < needed:
        raise UserError(
            f"The kit needs about {needed >> 20} MB free in {folder}; free some space or choose another folder."
        )
    _check_pip()
    wheels = folder / WHEELS
    models = folder / MODELS
    try:
        with tempfile.TemporaryDirectory(prefix=".kit-", dir=folder) as tmp:
            work = Path(tmp)
            on_progress("Building the simulator's wheel", -1.0)
            shutil.rmtree(wheels, ignore_errors=True)
            wheels.mkdir()
            own = _own_wheel(wheels)
            on_progress("Building the simulator's wheel", 1.0)
            constraints = work / "constraints.txt"
            _constraints(constraints)
            on_progress("Working out the dependencies", -1.0)
            requirements = _resolve(own, constraints, work)
            on_progress("Working out the dependencies", 1.0)
            _fetch_wheels(requirements, wheels, constraints, on_progress)
            stage = f"Copying the models ({model_bytes >> 20} MB)"
            done = [0]
            shutil.rmtree(models, ignore_errors=True)
            for source in sources:
                _copy_tree(source, models / source.name, stage, on_progress, model_bytes, done)
            on_progress(stage, 1.0)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(
                f"The disk holding {folder} is full; free some space or choose another folder."
            ) from None
        raise
    names = tuple(p.name for p in sources)
    wheel_files = sorted(wheels.glob("*.whl"))
    _write_manifest(folder, names)
    _write_instructions(folder, names)
    return KitSummary(
        folder=folder,
        wheels=len(wheel_files),
        wheel_bytes=sum(w.stat().st_size for w in wheel_files),
        models=names,
        model_bytes=model_bytes,
    )


def _write_manifest(folder: Path, names: tuple[str, ...]) -> None:
    manifest = {
        "simulator": __version__,
        "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}",
        "models": list(names),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _write_instructions(folder: Path, names: tuple[str, ...]) -> None:
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    text = f"""Customer-service training simulator: offline classroom kit

For: Python {py} on {sys.platform} ({platform.machine()}), the machine it was written on.
Holds: the simulator {__version__} and the wheels of everything it needs (wheels/),
and the models {", ".join(names)} (models/). No network is needed.

On each classroom machine, from the folder that holds this kit (called KIT here):

    python3 -m venv .venv && .venv/bin/pip install --no-index --find-links KIT/wheels cs-simulator
    .venv/bin/simulator models install --from KIT

then start the training room with `.venv/bin/simulator`. On Windows use
.venv\\Scripts\\pip and .venv\\Scripts\\simulator. A C compiler (cc, gcc or clang)
lets `models install` build the voice's fast kernels; without one the voice is slower.
"""
    (folder / "INSTALL.txt").write_text(text, encoding="utf-8")


# -- installing from a kit ------------------------------------------------------------


def install_from_kit(
    kit: Path, name: str | None = None, on_progress: StageProgress = _quiet, force: bool = False
) -> list[Path]:
    """Copy models from a kit into the models folder: NAME (or every model the kit has)
    and the grader's weights. The folders copied (those already installed are kept)."""
    source = kit / MODELS
    if not source.is_dir():
        raise UserError(
            f"{kit} is not a classroom kit (it has no {MODELS} folder); give the folder `simulator kit` wrote."
        )
    catalogue = load_catalogue()
    if name is not None:
        wanted = [catalogue.get(name).name]
        if not is_model_dir(source / wanted[0]):
            raise UserError(f"The kit in {kit} has no {wanted[0]}; choose one it has or write the kit again.")
    else:
        wanted = [m.name for m in catalogue.models if is_model_dir(source / m.name)]
        if not wanted:
            raise UserError(f"The kit in {kit} holds no model; write it again with `simulator kit`.")
    grader = catalogue.grader.name
    if (source / grader / "config.json").is_file():
        wanted.append(grader)
    root = locations.models_dir()
    todo = [n for n in wanted if force or not is_model_dir(root / n)]
    total = sum(folder_size(source / n) for n in todo)
    try:
        root.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(root).free < total + (50 << 20):
            raise UserError(
                f"The models need about {total >> 20} MB free in {root}; free some space "
                "or set SIMULATOR_MODELS_DIR to a bigger disk."
            )
        done = [0]
        stage = f"Copying the models from the kit ({total >> 20} MB)"
        for n in todo:
            partial = root / f"{n}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            _copy_tree(source / n, partial, stage, on_progress, total, done)
            shutil.rmtree(root / n, ignore_errors=True)
            partial.rename(root / n)
        if todo:
            on_progress(stage, 1.0)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError("The disk is full; free some space and run the command again.") from None
        raise UserError(
            f"The models folder {root} cannot be written ({exc.strerror}); set SIMULATOR_MODELS_DIR."
        ) from None
    return [root / n for n in todo]
