"""The voice through a real engine: llama.cpp's OpenAI-compatible server on the SmolLM2 GGUF.

Marked `server`. It starts `python -m llama_cpp.server` (llama-cpp-python, in the
`test` extra) on a free loopback port and rehearses through it; it skips only when
llama-cpp-python is not installed. Like the local model's test, it checks
behaviour with no deadline: what is said, not how fast this machine says it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import locations
from simulator.grading import default_grader
from simulator.model_catalogue import load_catalogue
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.base import SERVER_UNREACHABLE, LineRequest
from simulator.voice.model_voice import ModelVoice
from simulator.voice.server_engine import ServerEngine, ServerSettings

pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.server
# Read before the per-test data directory is set, as in test_voice_real_model.
REAL_MODELS = locations.models_dir()
STARTUP_S = 600.0  # loading a 100 MB model takes seconds, on a busy machine minutes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    import http.client

    host, port = url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=2)
    try:
        conn.request("GET", "/v1/models")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    from simulator.benchmarks.bench import bench_gguf

    mp = pytest.MonkeyPatch()
    mp.setenv("SIMULATOR_MODELS_DIR", str(REAL_MODELS))
    try:
        gguf: Path = bench_gguf(load_catalogue().get())
    finally:
        mp.undo()
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    # By default it cuts a running request short when another arrives: one trainee's
    # line would end another's (and the voice asks for its candidates at once).
    command += ["--interrupt_requests", "False"]
    # llama.cpp's repacked 4-bit kernels read a prompt wrongly here when it is taken in
    # chunks of 32 tokens or more (test_the_server_reads_the_prompt_as_written).
    command += ["--n_ubatch", "16"]
    # Its log goes to a file: llama.cpp logs more while loading than a pipe holds, and
    # a pipe nobody reads would stop the server before it listens.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    try:
        started = time.monotonic()
        while not ready(url):
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"llama.cpp's server stopped: {log.read().decode(errors='replace')[-500:]}")
            if time.monotonic() - started > STARTUP_S:
                pytest.fail("llama.cpp's server did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_the_server_reads_the_prompt_as_written(llama_server: str, hotel: Scenario) -> None:
    """Greedy, the model goes on from the customer's opening words in every beat.

    On this machine llama.cpp's repacked Q4_1 kernels (AVX-512) misread a prompt taken
    in chunks of 32 tokens or more: the model then ended most lines right after the
    opening words (16 of 25 beats here, 25 of 25 with chunks of 16)."""
    import http.client

    from simulator.voice.server_engine import chatml_prompt

    engine = ServerEngine(llama_server)
    engine.load()
    heard = ("customer", hotel.opening), ("trainee", "I see. Let me check what I can do.")
    requests = [
        LineRequest(hotel, t.intent or "go on", tuple(t.lines), f"trigger:{t.id}", heard)
        for t in hotel.triggers
    ] + [
        LineRequest(hotel, "thank the agent", tuple(n.met_lines), f"need:{n.id}:met", heard)
        for n in hotel.needs
    ]
    host, port = llama_server.split("//")[1].split("/")[0].split(":")
    went_on = 0
    for request in requests:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        body = {"prompt": chatml_prompt(request, 1).text, "max_tokens": 12, "temperature": 0, "stop": ["\n"]}
        conn.request("POST", "/v1/completions", json.dumps(body), {"Content-Type": "application/json"})
        text = json.loads(conn.getresponse().read())["choices"][0]["text"]
        conn.close()
        went_on += len(text.split()) >= 2
    assert went_on >= 0.9 * len(requests), f"{went_on} of {len(requests)}"


def test_a_rehearsal_through_llama_cpp_is_voiced_in_role(llama_server: str, hotel: Scenario) -> None:
    engine = ServerEngine(llama_server, settings=ServerSettings(deadline_s=None))
    voice = ModelVoice(seed=2, backend=engine)
    voice.load()
    assert engine.model and engine.model.endswith(".gguf")  # the first model it lists
    assert engine.prompt_mode == "chatml"  # a tiny ChatML model gets the local voice's prompt
    turns = []
    streamed: list[str] = []
    # Every sample conversation: whether one given line passes the verifier is chance.
    for sample in hotel.samples:
        session = Session(hotel, voice, default_grader(), seed=2)
        for reply in sample.texts:
            if session.finished:
                break
            session.reply(reply, on_token=streamed.append)
        session.end()
        turns += session.turns
    sources = [t.customer_source for t in turns]
    assert "model" in sources, [t.voice_notes for t in turns]
    assert streamed  # tokens reached the screen as they came
    # A line the model did not voice is one the verifier turned down, never a server failure.
    for turn in turns:
        if turn.customer_source == "script":
            assert turn.fallback is None and turn.voice_notes[0].startswith("rejected"), turn.voice_notes


def test_cli_rehearse_through_llama_cpp(
    llama_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], hotel: Scenario
) -> None:
    from simulator.cli import main

    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(hotel.samples[0].texts), encoding="utf-8")
    code = main(
        ["rehearse", "china-hotel-beds", "--replies", str(replies), "--voice-server", llama_server, "--json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["voice"] == "model"
    assert {t["customer_source"] for t in data["turns"]} <= {"model", "script"}
    assert all(t["fallback"] != SERVER_UNREACHABLE for t in data["turns"])
