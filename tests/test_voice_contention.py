"""A line sized to what the machine can give it: threads, deadline, candidates, the prompt.

Behaviour only: the machine's load is given as text, and "the time is up" is a
deadline already in the past, so nothing here depends on how fast this machine is.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from simulator.scenario import Scenario
from simulator.voice import cpu_share as cpu
from simulator.voice.base import TOO_SLOW, LineRequest
from simulator.voice.model_voice import BUSY_DEADLINE_S, GenerationSettings, ModelVoice
from tests.tiny_models import build_llama_dir

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-contention") / "llama")


def test_free_cores_come_from_the_runnable_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "usable_cores", lambda: 2)
    # Only this thread runnable: both cores are free.
    idle = cpu.cpu_share(loadavg="0.10 0.20 0.30 1/300 999")
    assert (idle.threads, idle.busy) == (2, False)
    # Two busy loops beside it: one thread, and the machine counts as busy.
    busy = cpu.cpu_share(loadavg="2.00 2.00 2.00 3/300 999")
    assert (busy.threads, busy.busy) == (1, True)
    # Never fewer than one thread, never more than asked for.
    assert cpu.cpu_share(loadavg="9 9 9 25/300 999").threads == 1
    assert cpu.cpu_share(max_threads=1, loadavg="0 0 0 1/300 999").threads == 1


def test_a_moment_of_this_process_own_spinning_is_not_another_program(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cpu, "usable_cores", lambda: 2)
    monkeypatch.setattr(cpu.time, "sleep", lambda s: None)
    # A pool thread still spinning at the first read, asleep at the next: both cores.
    reads = iter([1.0, 0.0, 0.0])
    monkeypatch.setattr(cpu, "runnable_others", lambda text=None: next(reads))
    assert cpu.cpu_share().threads == 2
    # Another program is there at every read: one thread.
    monkeypatch.setattr(cpu, "runnable_others", lambda text=None: 1.0)
    assert cpu.cpu_share().threads == 1


def test_unreadable_load_falls_back_to_the_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cpu.runnable_others("garbage") is None
    monkeypatch.setattr(cpu, "usable_cores", lambda: 4)
    monkeypatch.setattr(cpu.os, "getloadavg", lambda: (3.0, 0.0, 0.0))
    assert cpu.cpu_share(loadavg="garbage").threads == 1


def test_a_busy_machine_gets_fewer_threads_and_a_longer_but_bounded_wait(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from simulator.voice import local_engine

    voice = ModelVoice(tiny_dir)
    voice.load()
    engine = voice.backend
    monkeypatch.setattr(
        local_engine, "cpu_share", lambda max_threads=None: cpu.CpuShare(cores=2, others=40.0, threads=1)
    )
    deadline_s = engine.line_deadline_s()
    assert torch.get_num_threads() == 1
    assert GenerationSettings().deadline_s is not None
    assert GenerationSettings().deadline_s < deadline_s <= BUSY_DEADLINE_S
    monkeypatch.setattr(
        local_engine, "cpu_share", lambda max_threads=None: cpu.CpuShare(cores=2, others=0.0, threads=2)
    )
    assert engine.line_deadline_s() == GenerationSettings().deadline_s
    assert torch.get_num_threads() == 2


def test_fewer_candidates_when_time_is_short_rather_than_none(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir)
    voice.load()
    engine = voice.backend
    assert engine.candidates_for(4, None) == 4  # no deadline: all of them
    engine._step_s = 0.01
    assert engine.candidates_for(4, time.perf_counter() + 3600) == 4
    engine._step_s = 10.0  # a step takes longer than the time left
    assert engine.candidates_for(4, time.perf_counter() + 1.0) == 1


def test_a_prompt_the_deadline_cuts_is_finished_by_the_next_line(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(deadline_s=None))
    voice.load()
    engine = voice.backend
    prefix = tuple(range(5, 5 + 80))  # three chunks of the fixed part
    ids = (*prefix, 90, 91, 92)
    passed = time.perf_counter() - 1
    assert engine._cache_for(prefix, ids, passed) is None  # one chunk read, then the time was up
    assert engine._partial is not None and engine._partial[2] == 32
    assert engine._cache_for(prefix, ids, passed) is None
    cache = engine._cache_for(prefix, ids, None)
    assert cache is not None and engine._partial is None
    assert cache.length == len(ids) - 1
    # The same cache as reading the prompt in one go.
    fresh = ModelVoice(tiny_dir, settings=GenerationSettings(deadline_s=None))
    fresh.load()
    whole = fresh.backend._cache_for(prefix, ids, None)
    import torch

    last = torch.tensor([[ids[-1]]])
    assert torch.allclose(engine._forward(last, cache), fresh.backend._forward(last, whole), atol=1e-4)


def test_a_line_out_of_time_is_no_line_marked_too_slow(tiny_dir: Path, hotel: Scenario) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(deadline_s=0.0, max_new_tokens=30))
    request = LineRequest(
        scenario=hotel,
        intent="Ask for beds.",
        authored=("We need beds for the children tonight, please.",),
        beat="need:beds:nudge",
        history=(("trainee", "How can I help?"),),
    )
    line = voice.speak(request)
    assert line.source == "script" and line.fallback == TOO_SLOW
    assert line.text == ""  # the session's one fallback says the authored line


def test_the_whole_wait_is_bounded_even_when_a_step_outlasts_the_deadline(
    tiny_dir: Path, hotel: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.voice import model_voice

    voice = ModelVoice(tiny_dir, settings=GenerationSettings(deadline_s=0.0))
    voice.load()
    release = threading.Event()
    monkeypatch.setattr(model_voice, "BUSY_DEADLINE_S", 0.0)
    monkeypatch.setattr(model_voice, "GRACE_S", 0.0)
    # A model step that never ends by itself, as on a machine with no core to spare.
    monkeypatch.setattr(voice.backend, "generate", lambda *a, **k: [""] * (1 + release.wait(60)))
    shown: list[str] = []
    request = LineRequest(
        scenario=hotel,
        intent="Ask for beds.",
        authored=("We need beds for the children tonight, please.",),
        beat="need:beds:nudge",
        history=(("trainee", "How can I help?"),),
    )
    line = voice.speak(request, on_token=shown.append)
    release.set()
    assert line.source == "script" and line.fallback == TOO_SLOW
    assert line.text == "" and shown == []  # the session's one fallback says the authored line
