"""The customer voiced by a language model, kept in role by the verifier.

The script has decided what the customer means; this voice asks its engine
(engine.py: our decoder, transformers, or an inference server) for a few
candidate phrasings, streams the first one as it is produced, and keeps the best
candidate the verifier passes. If none passes, or the engine cannot speak in
time, the authored line is said instead, the line is marked `script` and its
`fallback` says why.

torch and transformers are imported when a local model is loaded, never at import
time. Loading is offline by construction: safetensors only, `local_files_only`,
no `trust_remote_code`.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import UserError
from simulator.model_catalogue import StageProgress, is_model_dir, prepare_gguf
from simulator.voice.base import LOAD_FAILED, TOO_SLOW, CustomerLine, LineRequest, TokenCallback
from simulator.voice.engine import Engine, VoiceUnavailable
from simulator.voice.prompt import (
    Prompt,
    PromptStyle,
)
from simulator.voice.verifier import Verdict, Verifier, clean, settled

CANDIDATES = 4  # on a CPU a batch of 4 costs little more than 1, and one usually passes
MAX_NEW_TOKENS = 48  # two short sentences; longer output is cut anyway
DEADLINE_S = 0.85  # from the start of speaking; with grading, a line within about a second
_CONFIG_LIMIT = 10_000_000  # bytes; a real config (even with a chat template) is far smaller
# The most a busy machine stretches the deadline to (local_engine.line_deadline_s): a
# model line a little later is better than an authored one, but not past two seconds.
BUSY_DEADLINE_S = 2.0
GRACE_S = 0.3  # past the longest deadline, what the line's last step and the verifier may take
# Once one candidate has passed, the others get this many more tokens (within the
# deadline) to finish, so the best of several is said rather than the first to end.
RANK_GRACE_TOKENS = 10
STREAMED_MARGIN = 0.05  # how much closer another candidate must be to replace the streamed one


@dataclass(frozen=True)
class GenerationSettings:
    candidates: int = CANDIDATES
    max_new_tokens: int = MAX_NEW_TOKENS
    temperature: float = 0.8
    top_p: float = 0.92
    top_k: int = 50  # transformers' default, which `generate()` applied before top-p
    # Off: transformers applies it to every prompt token too, so it pushed the model
    # away from the scenario's own words (and the end-of-turn token) into nonsense.
    repetition_penalty: float = 1.0
    # Linear layers as int8 (per output channel, activations quantized on the fly):
    # a quarter of the bytes read per token, which is what bounds decoding on a CPU.
    # The weights come from a 4-bit GGUF, so 8 bits lose nothing that matters.
    int8: bool = True
    # Torch threads; None keeps torch's default (one per physical core).
    threads: int | None = None
    # Seconds from the start of speaking (the prompt's new part, then decoding) after
    # which a line is settled on: the first candidate that has passed the verifier,
    # else the authored line. A trainee waiting longer than a second for the
    # customer loses the thread; None waits for every candidate.
    deadline_s: float | None = DEADLINE_S
    # Which local engine (local_engine.py): "auto" is our own decoder (fast_llama) for
    # plain Llama checkpoints, transformers for anything else; "transformers" always
    # uses transformers' model.
    engine: str = "auto"


def _quiet(stage: str, fraction: float) -> None:
    pass


def resolve_model_path(path: Path, on_progress: StageProgress = _quiet) -> Path:
    """A loadable safetensors folder for --model PATH (a folder, or a .gguf to convert once)."""
    path = path.expanduser()
    if not path.exists():
        raise UserError(f"The model path {path} does not exist; give a model folder or a .gguf file.")
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise UserError(f"{path} is not a .gguf file; give a .gguf file or a Hugging Face model folder.")
        return prepare_gguf(path, on_progress)
    if not (path / "config.json").is_file():
        raise UserError(f"{path} has no config.json; give a Hugging Face model folder or a .gguf file.")
    if not is_model_dir(path):
        raise UserError(
            f"{path} has no .safetensors weights; only safetensors are loaded, so convert the model first."
        )
    refuse_remote_code(path)
    return path


def refuse_remote_code(model_dir: Path) -> None:
    """Refuse a folder that asks for its own Python code (`auto_map`), whatever it is called.

    transformers only runs such code when asked to trust it, which this program
    never does; refusing up front also keeps it from asking the trainee on the terminal.
    """
    for name in ("config.json", "tokenizer_config.json"):
        file = model_dir / name
        if not file.is_file():
            continue
        try:
            with file.open("rb") as fh:
                raw = fh.read(_CONFIG_LIMIT + 1)
            data = json.loads(raw) if len(raw) <= _CONFIG_LIMIT else None
        except (OSError, ValueError, RecursionError):
            data = None
        if data is None:
            raise UserError(f"{file} cannot be read as a model configuration; give another --model.")
        if isinstance(data, dict) and "auto_map" in data:
            raise UserError(
                f"{model_dir} asks to run its own code ({name} has auto_map), which the simulator "
                "never does; give a model folder without custom code."
            )


class ModelVoice:
    """A `Voice` backed by a language model: an engine (engine.py) says candidate lines,
    the verifier keeps one in role, the authored line stands in when none passes."""

    name = "model"

    def __init__(
        self,
        model_dir: Path | None = None,
        seed: int = 0,
        prompt_style: PromptStyle | None = None,
        settings: GenerationSettings | None = None,
        on_progress: StageProgress | None = None,
        verifier_factory: Callable[[Any], Verifier] | None = None,
        backend: Engine | None = None,
    ) -> None:
        self.seed = seed
        self.settings = settings or GenerationSettings()
        self.verifier_factory = verifier_factory or Verifier
        if backend is None:
            if model_dir is None:
                raise ValueError("a model voice needs a model folder or an engine")
            from simulator.voice.local_engine import local_engine

            backend = local_engine(Path(model_dir), self.settings, prompt_style, on_progress or _quiet)
        self.backend: Engine = backend
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self._lock = threading.Lock()
        self._verifiers: dict[str, Verifier] = {}

    # -- loading -------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.backend.loaded

    @property
    def engine(self) -> str:
        """What decodes: "native (avx512-vnni)", "fbgemm int8", "transformers", "server ..."."""
        return self.backend.name

    @property
    def load_seconds(self) -> float:
        return float(getattr(self.backend, "load_seconds", 0.0))

    def load(self) -> None:
        """Get the engine ready (idempotent, thread-safe); a UI calls it in a worker."""
        with self._lock:
            self.backend.load()

    # -- speaking ------------------------------------------------------------

    def verifier(self, request: LineRequest) -> Verifier:
        key = request.scenario.id
        if key not in self._verifiers:
            self._verifiers[key] = self.verifier_factory(request.scenario)
        return self._verifiers[key]

    def build_prompt(self, request: LineRequest) -> Prompt:
        return self.backend.build_prompt(request, self.seed)

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        # The line's deadline runs from here: the prompt's new part counts too.
        started = time.perf_counter()
        try:
            self.load()
        except VoiceUnavailable as exc:
            return self._authored(exc.reason, exc.detail)
        except UserError as exc:
            return self._authored(LOAD_FAILED, str(exc))
        limit = getattr(self.backend, "settings", self.settings).deadline_s
        if limit is None:
            return self._speak(request, on_token, cancel, started)
        # The bound on the whole wait: a machine so busy that one step of the model
        # outlasts the deadline still gets its line in time, the authored one. The
        # abandoned generation stops at its next step and shows nothing more.
        abandoned = _AnyOf(cancel)

        def guarded(token: str) -> None:
            if not abandoned.is_set():
                if on_token is not None:
                    on_token(token)

        result: list[CustomerLine] = []
        worker = threading.Thread(
            target=lambda: result.append(
                self._speak(request, guarded if on_token is not None else None, abandoned, started)
            ),
            name="voice-line",
            # Not a daemon: an abandoned line stops at its next step, and the process
            # waits for that at exit rather than tearing down torch's threads under it.
            daemon=False,
        )
        worker.start()
        worker.join(max(0.0, started + max(limit, BUSY_DEADLINE_S) + GRACE_S - time.perf_counter()))
        if result:
            return result[0]
        abandoned.set()
        return self._authored(TOO_SLOW, "no line within the time")

    def _speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None,
        cancel: threading.Event | None,
        started: float,
    ) -> CustomerLine:
        verifier = self.verifier(request)
        stream = _Stream(on_token, verifier.labels) if on_token is not None else None
        with self._lock:
            deadline_s = self.backend.line_deadline_s()
            deadline = None if deadline_s is None else started + deadline_s
            prompt = self.build_prompt(request)
            try:
                raws = self.backend.generate(
                    prompt,
                    line_seed(self.seed, request),
                    stream,
                    cancel,
                    labels=verifier.labels,
                    passes=lambda raw, lead: verifier.check(raw, request, lead=lead).ok,
                    deadline=deadline,
                )
            except VoiceUnavailable as exc:
                return self._authored(exc.reason, exc.detail)
        if cancel is not None and cancel.is_set():
            return CustomerLine("", "script", ("cancelled",))  # the session's fallback says the line
        verdicts = [verifier.check(raw, request, lead=prompt.lead) for raw in raws]
        chosen = choose(verdicts, streamed=0 if stream is not None else None)
        if chosen is None:
            # No line: the session's one fallback says the authored line, keeping these notes.
            notes = tuple(f"rejected: {v.text[:60]!r} ({v.reason})" for v in verdicts)
            # A candidate cut off by the deadline: the machine, not the model, is why.
            return CustomerLine(
                "", "script", notes, fallback=TOO_SLOW if any(not raw for raw in raws) else None
            )
        text = verdicts[chosen].text
        if stream is not None and (chosen == 0 or not stream.sent):
            # Finish the streamed line, or type out the chosen one if nothing was shown yet.
            stream.finish(text)
        return CustomerLine(text, "model")

    @staticmethod
    def _authored(reason: str, detail: str) -> CustomerLine:
        """No line, because the engine could not speak (`reason`): the session's one
        fallback says the authored line and keeps the reason."""
        return CustomerLine("", "script", (detail,), fallback=reason)

    def generate(self, prompt: Prompt, seed: int, **kwargs: Any) -> list[str]:
        """The engine's raw candidates for a prompt (tests and tools)."""
        self.load()
        return self.backend.generate(prompt, seed, **kwargs)

    def decode_timed(self, text: str, tokens: int) -> tuple[list[float], float]:
        """Greedy decoding through a local engine's own loop (for `simulator bench`)."""
        timed = getattr(self.backend, "decode_timed", None)
        if timed is None:
            raise UserError("Decoding speed is measured for a local model only; drop --voice-server.")
        result: tuple[list[float], float] = timed(text, tokens)
        return result


class _AnyOf(threading.Event):
    """Set when it is set, or when the trainee's cancel event is (engines only ask is_set)."""

    def __init__(self, other: threading.Event | None) -> None:
        super().__init__()
        self.other = other

    def is_set(self) -> bool:
        return super().is_set() or (self.other is not None and self.other.is_set())


def penalised(torch: Any, scores: Any, sequences: Any, penalty: float) -> Any:
    """transformers' repetition penalty: every token seen so far, prompt included."""
    seen = torch.gather(scores, 1, sequences)
    seen = torch.where(seen < 0, seen * penalty, seen / penalty)
    return scores.scatter(1, sequences, seen)


def sampling_distribution(
    torch: Any, scores: Any, temperature: float, top_k: int, top_p: float
) -> tuple[Any, Any]:
    """What transformers' sampler draws from, over the only tokens it can draw.

    Temperature, then top-k, then top-p (nucleus), as `generate(do_sample=True)`
    applies them: returns probabilities [rows, m] and their token ids [rows, m].
    Drawing among the top-k tokens rather than the whole vocabulary gives the same
    distribution (ties at the k-th score aside: transformers keeps them all) for a
    tenth of the time: `torch.multinomial` makes one random draw per vocabulary
    entry (49,152 per row for SmolLM2, ~7 ms a token for 4 rows), and sorting the
    vocabulary took another ~4 ms.
    """
    scores = scores / temperature
    if 0 < top_k < scores.shape[-1]:
        values, ids = torch.topk(scores, top_k)  # descending
    else:
        values, ids = torch.sort(scores, descending=True)
    values, ids = values.flip(-1), ids.flip(-1)  # ascending, as transformers' top-p walks them
    cumulative = values.softmax(dim=-1).cumsum(dim=-1)
    remove = cumulative <= (1 - top_p)
    remove[..., -1:] = False  # the most likely token always stays
    return values.masked_fill(remove, -float("inf")).softmax(dim=-1), ids


def quantize_int8(model: Any) -> Any:
    """The model with its Linear layers as dynamic int8 (per-channel weights), in place."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao's eager quantization is marked for migration to torchao, which is
        # another large dependency; this API still works and is what a CPU needs here.
        warnings.simplefilter("ignore")
        return quantize_dynamic(
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


def _eos_list(eos: Any) -> list[int]:
    if eos is None:
        return []
    return [int(e) for e in eos] if isinstance(eos, list | tuple) else [int(eos)]


def _config_eos(model_dir: Path) -> Any:
    """The end-of-turn token(s) a model folder declares, as transformers would read them."""
    import json

    for name in ("generation_config.json", "config.json"):
        try:
            eos = json.loads((model_dir / name).read_text(encoding="utf-8")).get("eos_token_id")
        except (OSError, ValueError):
            continue
        if eos is not None:
            return eos
    return None


def line_seed(seed: int, request: LineRequest) -> int:
    """Each line's sampling seed depends on the session seed and the beat, not on earlier lines."""
    return zlib.crc32(f"{seed}:{request.scenario.id}:{request.turn}:{request.beat}".encode())


def choose(verdicts: list[Verdict], streamed: int | None = None) -> int | None:
    """The candidate to say: the passing one closest to the beat's meaning (the verifier's
    `point`), the streamed one when it is about as close (the trainee watched it being
    typed); None if none passed."""
    passing = [i for i, v in enumerate(verdicts) if v.ok]
    if not passing:
        return None
    best = max(passing, key=lambda i: (verdicts[i].point, verdicts[i].topic))
    if (
        streamed is not None
        and streamed in passing
        and verdicts[streamed].point >= verdicts[best].point - STREAMED_MARGIN
    ):
        return streamed
    return best


class _Stream:
    """Sends the first candidate's words to the UI as they are produced.

    The last word is held back until the next arrives, so a speaker label such as
    "Clerk:" is never shown before it is recognised and cut.
    """

    def __init__(self, on_token: TokenCallback, labels: tuple[str, ...]) -> None:
        self.on_token = on_token
        self.labels = labels
        self.sent = ""
        self.closed = False

    def update(self, raw: str, done: bool) -> None:
        if self.closed:
            return
        text = clean(raw, self.labels)
        if not done:
            cut = text.rfind(" ")
            text = text[: cut + 1] if cut >= 0 else ""
        self._send(text)
        if done:
            self.closed = True

    def finish(self, text: str) -> None:
        self._send(text)
        self.closed = True

    def _send(self, text: str) -> None:
        if text.startswith(self.sent) and len(text) > len(self.sent):
            self.on_token(text[len(self.sent) :])
            self.sent = text


class _LineWatcher:
    """A StoppingCriteria: ends each candidate at its first line break or speaker label,
    stops everything when the cancel event is set, and feeds the stream."""

    def __init__(
        self,
        tokenizer: Any,
        prompt_len: int,
        n: int,
        markers: tuple[str, ...],
        cancel: threading.Event | None,
        stream: _Stream | None,
        lead: str = "",
        labels: tuple[str, ...] = (),
    ) -> None:
        self.lead = lead + " " if lead else ""
        self.labels = labels
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len
        self.markers = markers
        self.cancel = cancel
        self.stream = stream
        self.done = [False] * n

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        n = input_ids.shape[0]
        if self.cancel is not None and self.cancel.is_set():
            return torch.ones(n, dtype=torch.bool, device=input_ids.device)
        for row in range(n):
            if self.done[row]:
                continue
            text = self.tokenizer.decode(input_ids[row, self.prompt_len :], skip_special_tokens=False)
            body = text.lstrip()
            # A stop marker counts once the line has begun; a leading label is the
            # model naming the speaker, which `clean` removes.
            if any(m in body[1:] for m in self.markers if m != "\n") or "\n" in body or self._settled(body):
                self.done[row] = True
            if row == 0 and self.stream is not None:
                self.stream.update(self.lead + text.lstrip(), self.done[row])
        return torch.tensor(self.done, dtype=torch.bool, device=input_ids.device)

    def _settled(self, body: str) -> bool:
        return settled(self.lead + body, self.labels)
