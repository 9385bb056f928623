"""The customer voiced by an OpenAI-compatible inference server (`--voice-server URL`).

One machine on the local network (llama.cpp's server, vLLM, Ollama, LM Studio)
can voice every trainee with a larger model than a laptop runs. The line goes
through the same beat planning, verifier and authored fallback as the local
voice; only the text comes from the server.

- Nothing is sent anywhere unless a URL is given, and nothing beyond that URL.
- Only the standard library (http.client): no new dependency.
- Tokens stream (server-sent events) to the screen as they arrive; a cancelled
  turn or a passed deadline closes the connection at once (a watcher shuts the
  socket, so a server that stops answering cannot hold the line).
- A server that is down, slow or answers garbage raises `VoiceUnavailable` with
  one sentence; the voice then says the authored line. After a failure the
  server is not asked again for a few seconds, so a classroom whose server has
  gone away does not wait on it for every line.

Three prompts. Tiny models get the customer's opening words already written
(`/completions`), which keeps them in role: a tiny ChatML model (SmolLM2, Qwen)
gets exactly the text the local voice gives it (the chat messages in ChatML, the
assistant's turn started on the opening words), so a server says what the local
voice would; another tiny model gets the play-script. Larger instruction models
get the persona and the beat's intent as chat messages (`/chat/completions`) and
phrase the line freely.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from simulator.errors import UserError
from simulator.voice.base import SERVER_FAILED, SERVER_UNREACHABLE, LineRequest
from simulator.voice.engine import LineStream, Passes, VoiceUnavailable
from simulator.voice.prompt import Prompt, chat_messages, line_lead, transcript_prompt
from simulator.voice.scripted import pick_authored
from simulator.voice.verifier import settled

ENV_URL = "SIMULATOR_VOICE_SERVER"
PromptMode = Literal["auto", "transcript", "chatml", "chat"]
# Model names that mean a tiny model, which needs the opening words written for it.
TINY_MODEL = re.compile(r"smol|135m|270m|360m|0\.1b|0\.2b|0\.3b", re.IGNORECASE)
# Tiny models whose chat template is ChatML (and that are instruction-tuned).
CHATML_MODEL = re.compile(r"smol|qwen", re.IGNORECASE)
LIST_TIMEOUT_S = 5.0  # listing the server's models, when the voice is made
CONNECT_TIMEOUT_S = 3.0  # a server on the local network answers a connection at once
NO_DEADLINE_S = 60.0  # the longest any one request may take when no deadline is set
RETRY_AFTER_S = 10.0  # after a failure, the authored lines are said this long without asking again
MAX_BODY = 1 << 20  # a models list larger than this is not a models list


@dataclass(frozen=True)
class ServerSettings:
    candidates: int = 3  # asked one after another until one passes the verifier
    max_tokens: int = 48
    temperature: float = 0.6
    top_p: float = 0.92
    # From the start of speaking: the trainee's wait for a line, network included.
    deadline_s: float | None = 1.8
    prompt: PromptMode = "auto"


@dataclass(frozen=True)
class ChatPrompt(Prompt):
    """A prompt the server's own chat template turns into text."""

    messages: tuple[tuple[str, str], ...] = ()


def chatml_prompt(request: LineRequest, seed: int) -> Prompt:
    """The local voice's chat prompt as text, as a ChatML template renders it, with the
    assistant's turn started on the customer's own first words."""
    messages = chat_messages(request, seed)
    rendered = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    lead = line_lead(request, pick_authored(request, seed))
    return Prompt(rendered[0], "".join(rendered[1:]) + "<|im_start|>assistant\n" + lead, lead)


def check_url(url: str) -> str:
    """The base URL without a trailing slash; one sentence if it is not an http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"The voice server address {url!r} is not an http:// URL; give one like http://127.0.0.1:8080/v1."
        )
    return url.strip().rstrip("/")


class ServerEngine:
    """An `Engine` that asks an OpenAI-compatible server for the customer's line."""

    def __init__(self, url: str, model: str | None = None, settings: ServerSettings | None = None) -> None:
        self.url = check_url(url)
        parts = urlsplit(self.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._path = parts.path.rstrip("/")
        self.requested_model = model
        self.model: str | None = None
        self.settings = settings or ServerSettings()
        self.load_seconds = 0.0
        self._down_until = 0.0
        self._down: VoiceUnavailable | None = None

    # -- the Engine protocol ----------------------------------------------------------

    @property
    def name(self) -> str:
        return f"server {self.url} ({self.model or self.requested_model or 'model not chosen yet'})"

    @property
    def loaded(self) -> bool:
        return self.model is not None

    def load(self) -> None:
        """Ask the server which models it serves; take the one asked for, else the first."""
        if self.model is not None:
            return
        self._check_up()
        started = time.perf_counter()
        try:
            listed = self._models()
        except VoiceUnavailable as exc:
            self._mark_down(exc)
            raise
        if self.requested_model:
            self.model = self.requested_model
        elif listed:
            self.model = listed[0]
        else:
            empty = VoiceUnavailable(
                SERVER_FAILED, f"The voice server at {self.url} lists no models; load a model into it."
            )
            self._mark_down(empty)
            raise empty
        self.load_seconds = time.perf_counter() - started

    def line_deadline_s(self) -> float | None:
        return self.settings.deadline_s

    @property
    def prompt_mode(self) -> PromptMode:
        if self.settings.prompt != "auto":
            return self.settings.prompt
        name = self.model or self.requested_model or ""
        if not TINY_MODEL.search(name):
            return "chat"
        return "chatml" if CHATML_MODEL.search(name) else "transcript"

    def build_prompt(self, request: LineRequest, seed: int) -> Prompt:
        if self.prompt_mode == "transcript":
            return transcript_prompt(request, seed)
        if self.prompt_mode == "chatml":
            return chatml_prompt(request, seed)
        messages = chat_messages(request, seed)
        return ChatPrompt("", "", "", tuple((m["role"], m["content"]) for m in messages))

    def generate(
        self,
        prompt: Prompt,
        seed: int,
        stream: LineStream | None = None,
        cancel: threading.Event | None = None,
        n: int | None = None,
        labels: tuple[str, ...] = (),
        passes: Passes | None = None,
        deadline: float | None = None,
    ) -> list[str]:
        """Candidates asked one after another (the first streamed) until one passes,
        the time is up or the turn is cancelled; "" for a candidate cut off."""
        self.load()
        lead = prompt.lead + " " if prompt.lead else ""
        stops = [f"{label}:" for label in labels]
        raws: list[str] = []
        for i in range(n or self.settings.candidates):
            if (cancel is not None and cancel.is_set()) or (
                deadline is not None and time.perf_counter() >= deadline
            ):
                break
            text, finished = self._complete(
                prompt, seed + i, stops, stream if i == 0 else None, cancel, deadline, lead, labels
            )
            raws.append(text if finished else "")
            if finished and passes is not None and passes(text, prompt.lead):
                break
        return raws

    # -- requests ---------------------------------------------------------------------

    def _check_up(self) -> None:
        if self._down is not None and time.monotonic() < self._down_until:
            raise self._down

    def _mark_down(self, exc: VoiceUnavailable) -> None:
        self._down, self._down_until = exc, time.monotonic() + RETRY_AFTER_S

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=timeout)

    def _unreachable(self, exc: BaseException) -> VoiceUnavailable:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        return VoiceUnavailable(
            SERVER_UNREACHABLE,
            f"The voice server at {self.url} did not answer ({why}); check that it is running.",
        )

    def _garbage(self, what: str) -> VoiceUnavailable:
        return VoiceUnavailable(
            SERVER_FAILED,
            f"The voice server at {self.url} {what}; check that it is an OpenAI-compatible /v1 address.",
        )

    def _models(self) -> list[str]:
        conn = self._connection(LIST_TIMEOUT_S)
        try:
            conn.request("GET", f"{self._path}/models", headers={"Accept": "application/json"})
            response = conn.getresponse()
            body = response.read(MAX_BODY)
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc) from None
        finally:
            conn.close()
        if status != 200:
            raise self._garbage(f"answered HTTP {status} to a request for its models")
        try:
            data = json.loads(body)
            return [str(m["id"]) for m in data["data"] if isinstance(m, dict) and "id" in m]
        except (ValueError, KeyError, TypeError):
            raise self._garbage("did not answer with a list of models") from None

    def _body(self, prompt: Prompt, seed: int, stops: list[str]) -> tuple[str, dict[str, Any]]:
        s = self.settings
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": s.max_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "seed": seed,
            "stream": True,
            # Only the line break: a speaker label at the very start is the model naming
            # the customer (the verifier removes it), so labels are cut here, after it.
            "stop": ["\n"],
        }
        if isinstance(prompt, ChatPrompt):
            body["messages"] = [{"role": role, "content": content} for role, content in prompt.messages]
            return f"{self._path}/chat/completions", body
        body["prompt"] = prompt.text
        return f"{self._path}/completions", body

    def _complete(
        self,
        prompt: Prompt,
        seed: int,
        stops: list[str],
        stream: LineStream | None,
        cancel: threading.Event | None,
        deadline: float | None,
        lead: str,
        labels: tuple[str, ...] = (),
    ) -> tuple[str, bool]:
        """One streamed completion: (the text with the lead, whether it ended by itself)."""
        self._check_up()
        path, body = self._body(prompt, seed, stops)
        ends_at = deadline if deadline is not None else time.perf_counter() + NO_DEADLINE_S
        conn = self._connection(max(0.05, min(CONNECT_TIMEOUT_S, ends_at - time.perf_counter())))
        stop_watch = threading.Event()
        text, finished = "", False
        try:
            conn.connect()
            # The socket is kept here: http.client hands it to the response and forgets it.
            watcher = threading.Thread(
                target=_close_when,
                args=(conn.sock, cancel, ends_at, stop_watch),
                name="voice-server-watch",
                daemon=True,
            )
            conn.request(
                "POST",
                path,
                body=json.dumps(body).encode("utf-8"),
                headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
            )
            watcher.start()
            response = conn.getresponse()
            if response.status != 200:
                raise self._garbage(f"answered HTTP {response.status}")
            for piece, done in _events(response):
                text += piece
                if stream is not None:
                    stream.update(lead + text.lstrip(), done)
                # Settled: more words would be cut off by the verifier anyway, and the
                # trainee is waiting (the local voice stops its candidates there too).
                if done or _cut_at(text, stops) != text.lstrip() or settled(lead + text.lstrip(), labels):
                    finished = True
                    break
            else:
                # The stream ended without [DONE]: cut off by us (cancel, deadline) or by the server.
                finished = not _was_cut(cancel, ends_at)
        except VoiceUnavailable as exc:
            if not _was_cut(cancel, ends_at):
                self._mark_down(exc)
                raise
        except (OSError, http.client.HTTPException) as exc:
            if not _was_cut(cancel, ends_at):
                error = self._unreachable(exc)
                self._mark_down(error)
                raise error from None
        finally:
            stop_watch.set()
            conn.close()
        line = lead + _cut_at(text, stops)
        if finished and stream is not None:
            stream.update(line, True)
        return line, finished


def _cut_at(text: str, labels: list[str]) -> str:
    """The line up to its first line break, or a speaker label after its first word."""
    body = text.lstrip().split("\n")[0]
    cut = min((i for i in (body.find(label, 1) for label in labels) if i > 0), default=len(body))
    return body[:cut]


def _was_cut(cancel: threading.Event | None, ends_at: float) -> bool:
    return (cancel is not None and cancel.is_set()) or time.perf_counter() >= ends_at


def _close_when(
    sock: socket.socket | None, cancel: threading.Event | None, ends_at: float, done: threading.Event
) -> None:
    """Shut the connection's socket once the turn is cancelled or the time is up.

    A blocked read then returns at once, however the server behaves."""
    while not done.is_set():
        if (cancel is not None and cancel.is_set()) or time.perf_counter() >= ends_at:
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return
        done.wait(min(0.02, max(0.0, ends_at - time.perf_counter())))


def _events(response: http.client.HTTPResponse) -> Any:
    """(text, done) from a server-sent event stream of OpenAI completion chunks."""
    for raw in response:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            yield "", True
            return
        try:
            chunk = json.loads(data)
            choice = chunk["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            raise VoiceUnavailable(
                SERVER_FAILED,
                "The voice server answered something that is not a completion; check its address.",
            ) from None
        if not isinstance(choice, dict):
            raise VoiceUnavailable(
                SERVER_FAILED,
                "The voice server answered something that is not a completion; check its address.",
            )
        delta = choice.get("delta")
        piece = (
            choice.get("text")
            if delta is None
            else (delta.get("content") if isinstance(delta, dict) else None)
        )
        yield (piece if isinstance(piece, str) else ""), choice.get("finish_reason") is not None
