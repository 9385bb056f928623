"""The classroom kit's parts that need no pip and no network (the whole kit: test_install.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import kit
from simulator.cli import main
from simulator.errors import UserError
from simulator.model_catalogue import load_catalogue


def _model_folder(folder: Path, payload: bytes = b"weights") -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "model.safetensors").write_bytes(payload)
    return folder


@pytest.fixture
def a_kit(tmp_path: Path) -> Path:
    root = tmp_path / "kit"
    catalogue = load_catalogue()
    _model_folder(root / "models" / catalogue.default, b"model weights")
    _model_folder(root / "models" / catalogue.grader.name, b"grader weights")
    return root


def test_install_from_kit_copies_models_and_grader(a_kit: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "models"))
    stages: list[tuple[str, float]] = []
    copied = kit.install_from_kit(a_kit, on_progress=lambda s, f: stages.append((s, f)))
    catalogue = load_catalogue()
    assert [p.name for p in copied] == [catalogue.default, catalogue.grader.name]
    assert catalogue.get().installed() and catalogue.grader.installed()
    assert (catalogue.get().directory() / "model.safetensors").read_bytes() == b"model weights"
    assert stages[-1][1] == 1.0 and all(0 <= f <= 1 for _, f in stages)
    assert not list((tmp_path / "models").glob("*.partial"))
    assert kit.install_from_kit(a_kit) == []  # already installed: nothing copied again


def test_install_from_a_folder_that_is_not_a_kit(tmp_path: Path, capsys) -> None:
    assert main(["models", "install", "--from", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a classroom kit" in err and "simulator kit" in err


def test_install_a_model_the_kit_does_not_have(a_kit: Path) -> None:
    with pytest.raises(UserError, match="has no gemma-3-270m"):
        kit.install_from_kit(a_kit, "gemma-3-270m")


def test_models_install_from_kit_cli(a_kit: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SIMULATOR_NATIVE", "0")  # the fake weights cannot be prepared for kernels
    assert main(["models", "install", "--from", str(a_kit)]) == 0
    out = capsys.readouterr().out
    assert f"Installed {load_catalogue().default}" in out and "from " + str(a_kit) in out


def test_kit_without_an_installed_model_is_one_sentence(tmp_path: Path, capsys) -> None:
    assert main(["kit", str(tmp_path / "kit")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run `simulator models install` first" in err


def test_kit_into_a_folder_that_cannot_be_written(a_kit: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(a_kit / "models"))  # "installed" models
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert main(["kit", str(blocker / "kit")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be written" in err and "choose a folder" in err


def test_kit_without_pip_is_one_sentence(a_kit: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(a_kit / "models"))

    def no_pip(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(kit.subprocess, "run", no_pip)
    assert main(["kit", str(tmp_path / "kit")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip is not available" in err


def test_pip_failures_are_one_sentence() -> None:
    full = kit._pip_failure("download the dependencies", "ERROR: [Errno 28] No space left on device\n")
    assert "disk is full" in str(full)
    offline = kit._pip_failure("download the dependencies", "Temporary failure in name resolution\n")
    assert "no network" in str(offline)
