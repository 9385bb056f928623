"""The voice through an OpenAI-compatible server, against a fake one (http.server in a thread).

The error cases a real server rarely shows on demand: down, garbage, slow, a
cancelled turn. None of these waits on the machine's speed: "slow" is a server
that never answers, and the deadline is what ends the wait.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from simulator.errors import UserError
from simulator.rehearsal import rehearse
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.base import SERVER_FAILED, SERVER_UNREACHABLE, TOO_SLOW, LineRequest
from simulator.voice.factory import make_voice
from simulator.voice.model_voice import ModelVoice
from simulator.voice.server_engine import ServerEngine, ServerSettings, check_url
from tests.fakes import TableGrader


class FakeServer:
    """A tiny OpenAI-compatible server. `mode` says how it behaves:
    "ok" streams `line`, "garbage" answers nonsense, "hang" never answers a completion."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.line = "Please, the children are so tired, we need beds tonight."
        self.bodies: list[dict] = []
        self.release = threading.Event()
        self.closed_early = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if outer.mode == "garbage":
                    self._send(200, b"<html>not json</html>", "text/html")
                    return
                self._send(
                    200, json.dumps({"data": [{"id": "fake-7b-instruct"}]}).encode(), "application/json"
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                outer.bodies.append(body)
                if outer.mode == "garbage":
                    self._send(200, b"data: {not json\n\n", "text/event-stream")
                    return
                if outer.mode == "hang":
                    outer.release.wait(30)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                chat = "messages" in body
                try:
                    for word in outer.line.split(" "):
                        piece = " " + word
                        choice = {"delta": {"content": piece}} if chat else {"text": piece}
                        self.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
                        self.wfile.flush()
                        if outer.mode == "trickle":
                            time.sleep(0.05)
                    self.wfile.write(b"data: [DONE]\n\n")
                except OSError:
                    outer.closed_early.set()

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request_for(hotel: Scenario) -> LineRequest:
    return LineRequest(
        scenario=hotel,
        intent="Ask for beds for the children.",
        authored=("We need beds for the children tonight, please.",),
        beat="need:beds:nudge",
        history=(("trainee", "How can I help?"),),
    )


def server_voice(url: str, deadline_s: float | None = 5.0, **kwargs: object) -> ModelVoice:
    return ModelVoice(backend=ServerEngine(url, settings=ServerSettings(deadline_s=deadline_s, **kwargs)))  # type: ignore[arg-type]


def test_the_first_listed_model_is_used_and_the_line_streams(server: FakeServer, hotel: Scenario) -> None:
    voice = server_voice(server.url)
    tokens: list[str] = []
    line = voice.speak(request_for(hotel), on_token=tokens.append)
    assert line.source == "model" and line.fallback is None
    assert line.text == server.line
    assert "".join(tokens) == line.text
    body = server.bodies[0]
    assert body["model"] == "fake-7b-instruct" and body["stream"] is True
    # A larger instruction model is given the persona and the intent as chat messages.
    assert body["messages"][0]["role"] == "system"
    assert "beds" in body["messages"][1]["content"]


def test_a_tiny_model_gets_the_play_script_with_the_opening_words(
    server: FakeServer, hotel: Scenario
) -> None:
    voice = ModelVoice(backend=ServerEngine(server.url, model="SmolLM2-135M-Instruct-Q4_1.gguf"))
    request = request_for(hotel)
    lead = voice.build_prompt(request).lead
    assert lead  # the authored line's opening words
    server.line = "children, they are so tired."
    line = voice.speak(request)
    body = server.bodies[0]
    assert body["model"] == "SmolLM2-135M-Instruct-Q4_1.gguf"
    assert "messages" not in body and body["prompt"].endswith(lead)
    # SmolLM2 is a ChatML model: the server gets the local voice's own chat prompt as text.
    assert body["prompt"].startswith("<|im_start|>system\n")
    assert body["prompt"].endswith(f"<|im_start|>assistant\n{lead}")
    assert line.text == f"{lead} children, they are so tired."


def test_a_tiny_base_model_gets_the_play_script(server: FakeServer, hotel: Scenario) -> None:
    voice = ModelVoice(backend=ServerEngine(server.url, model="gemma-3-270m-Q4_K_M.gguf"))
    request = request_for(hotel)
    lead = voice.build_prompt(request).lead
    server.line = "children, they are so tired."
    voice.speak(request)
    prompt = server.bodies[0]["prompt"]
    assert "<|im_start|>" not in prompt and prompt.endswith(f"Dana Levi: {lead}")


def test_a_server_that_is_down_is_one_sentence_and_no_line(hotel: Scenario) -> None:
    notices: list[str] = []
    voice = make_voice("model", server=f"http://127.0.0.1:{closed_port()}/v1", on_notice=notices.append)
    assert len(notices) == 1 and "did not answer" in notices[0] and "\n" not in notices[0]
    request = request_for(hotel)
    line = voice.speak(request)
    assert line.source == "script" and line.fallback == SERVER_UNREACHABLE
    assert line.text == ""  # the session's one fallback says the authored line


def test_garbage_is_a_fallback_not_a_traceback(server: FakeServer, hotel: Scenario) -> None:
    server.mode = "garbage"
    line = server_voice(server.url).speak(request_for(hotel))
    assert line.source == "script" and line.fallback == SERVER_FAILED
    assert "OpenAI-compatible" in line.notes[0]


def test_garbage_in_the_stream_is_a_fallback(server: FakeServer, hotel: Scenario) -> None:
    voice = server_voice(server.url)
    voice.load()  # the models list is fine...
    server.mode = "garbage"  # ...the completion is not
    line = voice.speak(request_for(hotel))
    assert line.source == "script" and line.fallback == SERVER_FAILED


def test_a_server_that_never_answers_is_left_at_the_deadline(server: FakeServer, hotel: Scenario) -> None:
    voice = server_voice(server.url, deadline_s=0.3)
    voice.load()
    server.mode = "hang"
    line = voice.speak(request_for(hotel))
    # The deadline, not the server, ended the wait: the authored line, marked as such.
    assert line.source == "script"
    assert line.text == ""  # the session's one fallback says the authored line


def test_cancelling_closes_the_stream(server: FakeServer, hotel: Scenario) -> None:
    server.mode = "trickle"
    server.line = " ".join(["word"] * 200)
    voice = server_voice(server.url, deadline_s=None, max_tokens=400)
    cancel = threading.Event()
    tokens: list[str] = []

    def on_token(token: str) -> None:
        tokens.append(token)
        cancel.set()  # the trainee pressed Escape as the first words arrived

    line = voice.speak(request_for(hotel), on_token=on_token, cancel=cancel)
    assert line.source == "script" and line.notes == ("cancelled",)
    # The server noticed the closed connection before it had sent the whole line.
    assert server.closed_early.wait(10)


def test_a_whole_rehearsal_through_the_server(server: FakeServer, hotel: Scenario) -> None:
    session = Session(hotel, server_voice(server.url), TableGrader({}), seed=1)
    rehearse(session, list(hotel.samples[0].texts))
    assert session.turns and all(t.customer_source in ("model", "script") for t in session.turns)
    assert len(server.bodies) >= len(session.turns)


@pytest.mark.parametrize("url", ["ftp://host/v1", "127.0.0.1:8080", "http:///v1", ""])
def test_a_malformed_url_is_one_sentence(url: str) -> None:
    with pytest.raises(UserError, match=re.escape("http://127.0.0.1:8080/v1")):
        check_url(url)


def test_rehearse_through_a_stopped_server_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hotel: Scenario
) -> None:
    from simulator.cli import main

    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(hotel.samples[0].texts), encoding="utf-8")
    url = f"http://127.0.0.1:{closed_port()}/v1"
    code = main(["rehearse", "china-hotel-beds", "--replies", str(replies), "--voice-server", url, "--json"])
    assert code == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert {t["customer_source"] for t in data["turns"]} == {"script"}
    assert {t["fallback"] for t in data["turns"]} == {SERVER_UNREACHABLE}
    assert len(err.strip().splitlines()) == 1 and url in err


def test_a_slow_server_is_named_as_what_was_slow(server: FakeServer, hotel: Scenario) -> None:
    from simulator.rehearsal import fallback_sentence

    server.mode = "hang"
    session = Session(hotel, server_voice(server.url, deadline_s=0.2), TableGrader({}), seed=1)
    rehearse(session, list(hotel.samples[0].texts)[:1])
    assert session.turns[0].fallback == TOO_SLOW
    sentence = fallback_sentence(session)
    assert sentence is not None and "voice server did not answer in time" in sentence
    assert "close other programs" not in sentence


def test_a_rambling_line_is_ended_once_the_verifier_would_cut_it(server: FakeServer, hotel: Scenario) -> None:
    # Three sentences are kept; the fourth's first word settles the line, and the
    # connection is closed then rather than when the model stops of its own accord.
    server.mode = "trickle"
    kept = "The children are asleep on their feet. We need two more beds. Please help us tonight."
    server.line = kept + " " + " ".join(["And"] + ["more"] * 120)
    voice = server_voice(server.url, deadline_s=None, max_tokens=400)
    line = voice.speak(request_for(hotel))
    assert line.source == "model" and line.text == kept
    # The server noticed the closed connection before it had sent the whole answer.
    assert server.closed_early.wait(10)
