"""`simulator bench --json` on a tiny random model: every key, the right types, no timings asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.benchmarks.bench import KEYS, BenchReport, format_table, percentile
from simulator.cli import main
from tests.tiny_models import build_llama_dir


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-bench") / "llama")


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 95) is None
    assert percentile([3.0], 50) == 3.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 21)], 95) == 19.0


def test_bench_json_prints_every_key_last(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--json", "--model", str(tiny_dir)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert list(figures) == list(KEYS)
    for key in KEYS:
        if key == "llama_cpp_tokens_per_s":
            # A model folder has no GGUF file for llama.cpp to run.
            assert figures[key] is None
        elif key.startswith("labelled_"):
            # The labelled lines were sampled from SmolLM2, not from this random model.
            assert figures[key] is None
        elif key == "model_voiced_share":
            assert isinstance(figures[key], float) and 0.0 <= figures[key] <= 1.0
        else:
            assert isinstance(figures[key], int | float) and figures[key] > 0, key
    assert figures["line_p50_s"] <= figures["line_p95_s"]
    assert any("ours / llama.cpp" in line for line in out)


def test_table_shows_missing_figures_and_ratios() -> None:
    figures = dict.fromkeys(KEYS, 1.0)
    figures["llama_cpp_tokens_per_s"] = None
    figures["tokens_per_s"], figures["naive_tokens_per_s"] = 40.0, 20.0
    table = format_table(BenchReport(figures, {"llama_cpp": "llama-cpp-python is not installed"}))
    assert "2.00x" in table
    assert "llama-cpp-python is not installed" in table
    assert "n/a" in table


def test_bench_without_an_installed_model_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--json"]) == 2
    err = capsys.readouterr().err
    assert "simulator models install" in err
