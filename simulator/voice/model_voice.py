"""The customer voiced by a local language model, kept in role by the verifier.

The script has decided what the customer means; this voice asks the model for a
few candidate phrasings in one batched `generate` call, streams the first one as
it is produced, and keeps the best candidate the verifier passes. If none passes,
the authored line is said instead and the line is marked `script`.

torch and transformers are imported when a model is loaded, never at import time.
Loading is offline by construction: safetensors only, `local_files_only`, no
`trust_remote_code`.
"""

from __future__ import annotations

import copy
import os
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import UserError
from simulator.model_catalogue import Progress, is_model_dir, prepare_gguf
from simulator.voice.base import CustomerLine, LineRequest, TokenCallback
from simulator.voice.prompt import (
    PROMPT_STYLES,
    Prompt,
    PromptStyle,
    chat_messages,
    line_lead,
    transcript_prompt,
)
from simulator.voice.scripted import pick_authored
from simulator.voice.verifier import MAX_SENTENCES, MAX_WORDS, Verdict, Verifier, clean, sentences

CANDIDATES = 4  # on a CPU a batch of 4 costs little more than 1, and one usually passes
MAX_NEW_TOKENS = 48  # two short sentences; longer output is cut anyway
DEADLINE_S = 0.85  # from the start of speaking; with grading, a line within about a second
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
    # "auto": our own decoder (fast_llama) for plain Llama checkpoints, transformers
    # for anything else; "transformers" always uses transformers' model.
    engine: str = "auto"


def _quiet(stage: str, fraction: float) -> None:
    pass


def resolve_model_path(path: Path, on_progress: Progress = _quiet) -> Path:
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
    return path


class ModelVoice:
    """A `Voice` backed by a causal language model loaded once and kept."""

    name = "model"

    def __init__(
        self,
        model_dir: Path,
        seed: int = 0,
        prompt_style: PromptStyle | None = None,
        settings: GenerationSettings | None = None,
        on_progress: Progress | None = None,
        verifier_factory: Callable[[Any], Verifier] | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.seed = seed
        self.settings = settings or GenerationSettings()
        self.requested_style = prompt_style
        self.on_progress = on_progress or _quiet
        self.verifier_factory = verifier_factory or Verifier
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._torch: Any = None
        self._verifiers: dict[str, Verifier] = {}
        self._prefix: tuple[tuple[int, ...], Any] | None = None  # token ids and their KV cache
        self._fast = False  # the model is our own decoder (fast_llama), not transformers'
        self._eos: list[int] = []
        self.load_seconds = 0.0

    # -- loading -------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def engine(self) -> str:
        """What decodes: "native (avx512-vnni)", "fbgemm int8"... or "transformers"."""
        if self._model is None:
            return "not loaded"
        return self._model.engine if self._fast else "transformers"

    def load(self) -> None:
        """Load weights and tokenizer (idempotent, thread-safe); a UI calls it in a worker."""
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        started = time.perf_counter()
        stage = f"Loading {self.model_dir.name}"
        self.on_progress(stage, 0.0)
        # Belt and braces: nothing below may reach the model hub, even by a fallback path.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch

        from simulator.voice import fast_llama

        fast = (
            self.settings.engine == "auto"
            and fast_llama.supports(self.model_dir)
            and (self.model_dir / "tokenizer.json").is_file()
        )
        if not fast:
            # transformers takes seconds to import: only a model our decoder cannot run pays it.
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        # Dequantized 4-bit weights contain denormal floats, which are many times
        # slower on x86 CPUs; flushing them to zero changes no output that matters.
        torch.set_flush_denormal(True)
        self.on_progress(stage, 0.3)
        try:
            if fast:
                from simulator.voice.light_tokenizer import LightTokenizer

                tokenizer: Any = LightTokenizer(self.model_dir)
            else:
                tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
            self.on_progress(stage, 0.5)
            if fast:
                model: Any = fast_llama.FastLlama.load(self.model_dir, int8=self.settings.int8)
                eos = _config_eos(self.model_dir)
            else:
                model = AutoModelForCausalLM.from_pretrained(
                    self.model_dir,
                    local_files_only=True,
                    use_safetensors=True,
                    trust_remote_code=False,
                    dtype=torch.float32,  # float32 matmuls are the fast path on CPUs
                )
                model.eval()
                if self.settings.int8:
                    model = quantize_int8(model)
                eos = getattr(model.generation_config, "eos_token_id", None)
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(
                f"The model in {self.model_dir} could not be loaded ({type(exc).__name__}); "
                "run `simulator models install` again or give another --model."
            ) from None
        if self.settings.threads:
            torch.set_num_threads(self.settings.threads)
            if fast and model.kernels is not None:
                model.kernels.set_threads(self.settings.threads)
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._eos = _eos_list(eos if eos is not None else tokenizer.eos_token_id)
        self._fast = fast
        self._torch, self._tokenizer, self._model = torch, tokenizer, model
        self.load_seconds = time.perf_counter() - started
        self.on_progress(stage, 1.0)

    @property
    def prompt_style(self) -> PromptStyle:
        if self.requested_style in PROMPT_STYLES:
            return self.requested_style
        # A model without a chat template is a base model: it continues a script.
        return "chat" if getattr(self._tokenizer, "chat_template", None) else "transcript"

    # -- speaking ------------------------------------------------------------

    def verifier(self, request: LineRequest) -> Verifier:
        key = request.scenario.id
        if key not in self._verifiers:
            self._verifiers[key] = self.verifier_factory(request.scenario)
        return self._verifiers[key]

    def build_prompt(self, request: LineRequest) -> Prompt:
        if self.prompt_style == "transcript":
            return transcript_prompt(request, self.seed)
        messages = chat_messages(request, self.seed)
        tok = self._tokenizer
        full = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        head = tok.apply_chat_template(messages[:1], tokenize=False)
        # The assistant's reply starts with the customer's own first words.
        lead = line_lead(request, pick_authored(request, self.seed))
        full += lead
        if isinstance(head, str) and full.startswith(head):
            return Prompt(head, full[len(head) :], lead)
        return Prompt("", full, lead)

    def speak(
        self,
        request: LineRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CustomerLine:
        self.load()
        verifier = self.verifier(request)
        stream = _Stream(on_token, verifier.labels) if on_token is not None else None
        deadline_s = self.settings.deadline_s
        # The line's deadline runs from here: the prompt's new part counts too.
        deadline = None if deadline_s is None else time.perf_counter() + deadline_s
        with self._lock:
            prompt = self.build_prompt(request)
            raws = self.generate(
                prompt,
                line_seed(self.seed, request),
                stream,
                cancel,
                labels=verifier.labels,
                passes=lambda raw, lead: verifier.check(raw, request, lead=lead).ok,
                deadline=deadline,
            )
        if cancel is not None and cancel.is_set():
            return CustomerLine(
                pick_authored(request, self.seed), "script", ("cancelled",), replaces_preview=True
            )
        verdicts = [verifier.check(raw, request, lead=prompt.lead) for raw in raws]
        chosen = choose(verdicts, streamed=0 if stream is not None else None)
        if chosen is None:
            notes = tuple(f"rejected: {v.text[:60]!r} ({v.reason})" for v in verdicts)
            text, source = pick_authored(request, self.seed), "script"
        else:
            notes, text, source = (), verdicts[chosen].text, "model"
        replaced = False
        if stream is not None:
            # Finish the streamed line, or type out the chosen one if nothing was shown yet;
            # if the preview differs from what is said, the UI must replace it.
            if chosen == 0 or not stream.sent:
                stream.finish(text)
            replaced = stream.sent != text
        return CustomerLine(text, source, notes, replaces_preview=replaced)  # type: ignore[arg-type]

    def generate(
        self,
        prompt: Prompt,
        seed: int,
        stream: _Stream | None = None,
        cancel: threading.Event | None = None,
        n: int | None = None,
        labels: tuple[str, ...] = (),
        passes: Callable[[str, str], bool] | None = None,
        deadline: float | None = None,
    ) -> list[str]:
        """Raw candidate continuations of the prompt, sampled in one batched call.

        `passes` (the verifier: line, lead -> ok) lets sampling stop at the first
        candidate that passes; `deadline` (a time.perf_counter() value) overrides
        the settings' deadline counted from now.
        """
        torch, tok, model = self._torch, self._tokenizer, self._model
        n = n or self.settings.candidates
        prefix_ids = tuple(tok(prompt.prefix, add_special_tokens=False).input_ids) if prompt.prefix else ()
        suffix_ids = tuple(tok(prompt.suffix, add_special_tokens=False).input_ids)
        bos = (tok.bos_token_id,) if self._wants_bos(prompt) else ()
        ids = bos + prefix_ids + suffix_ids
        cache = self._cache_for(bos + prefix_ids, ids)
        cache.batch_repeat_interleave(n)
        input_ids = torch.tensor([ids] * n, dtype=torch.long)
        markers = ("\n", "<|im_end|>", "<end_of_turn>", "<eos>", *(f"{label}:" for label in labels))
        watcher = _LineWatcher(tok, len(ids), n, markers, cancel, stream, prompt.lead, labels)
        torch.manual_seed(seed)
        s = self.settings
        lead = prompt.lead + " " if prompt.lead else ""
        with torch.inference_mode():
            if s.repetition_penalty != 1.0 and not self._fast:
                out = model.generate(
                    input_ids=input_ids,
                    attention_mask=torch.ones_like(input_ids),
                    past_key_values=cache,
                    do_sample=True,
                    temperature=s.temperature,
                    top_p=s.top_p,
                    top_k=s.top_k,
                    repetition_penalty=s.repetition_penalty,
                    max_new_tokens=s.max_new_tokens,
                    stopping_criteria=[watcher],
                    pad_token_id=tok.pad_token_id,
                )
            else:
                accept = None
                if passes is not None:
                    check = passes

                    def accept(row: Any) -> bool:
                        return check(lead + tok.decode(row, skip_special_tokens=True).lstrip(), prompt.lead)

                out, cut = self._sample(input_ids, cache, watcher, accept, deadline)
                # A candidate cut off unfinished is no line at all: it must not be chosen.
                return [
                    "" if i in cut else lead + tok.decode(row[len(ids) :], skip_special_tokens=True).lstrip()
                    for i, row in enumerate(out)
                ]
        return [lead + tok.decode(row[len(ids) :], skip_special_tokens=True).lstrip() for row in out]

    def _sample(
        self,
        input_ids: Any,
        cache: Any,
        watcher: _LineWatcher,
        accept: Any = None,
        deadline: float | None = None,
    ) -> tuple[Any, set[int]]:
        """`generate(do_sample=True)` with temperature, top-k and top-p, without its per-token overhead.

        The same distribution as transformers' sampler (see sampling_distribution),
        and a seed gives the same lines. With `accept` (the verifier) the candidates still
        running get RANK_GRACE_TOKENS more once one has ended and passed, so the voice can
        say the best of them, not the first; the trainee is waiting, so not longer. Past
        the deadline nothing more is waited for. Returns the sequences and the rows cut off unfinished.
        """
        torch, s = self._torch, self.settings
        n, prompt_len = input_ids.shape
        pad = self._tokenizer.pad_token_id
        eos = self._eos
        unfinished = torch.ones(n, dtype=torch.long)
        judged: dict[int, bool] = {}  # rows ended, and whether the verifier passed them
        if deadline is None and s.deadline_s is not None:
            deadline = time.perf_counter() + s.deadline_s
        sequences = input_ids
        tokens = input_ids[:, -1:]
        passed_at: int | None = None  # the step at which a candidate first passed
        for step in range(s.max_new_tokens):
            logits = self._forward(tokens, cache)
            scores = logits.float()
            if s.repetition_penalty != 1.0:
                scores = penalised(torch, scores, sequences, s.repetition_penalty)
            probs, ids = sampling_distribution(torch, scores, s.temperature, s.top_k, s.top_p)
            next_tokens = ids.gather(1, torch.multinomial(probs, num_samples=1)).squeeze(1)
            next_tokens = next_tokens * unfinished + pad * (1 - unfinished)
            sequences = torch.cat([sequences, next_tokens[:, None]], dim=-1)
            tokens = next_tokens[:, None]
            stop = watcher(sequences, None)
            if eos:
                stop = stop | torch.isin(next_tokens, torch.tensor(eos))
            unfinished = unfinished & ~stop
            if unfinished.max() == 0:
                break
            if accept is not None:
                for row in range(n):
                    if row not in judged and not unfinished[row]:
                        judged[row] = accept(sequences[row, prompt_len:])
                if any(judged.values()):
                    passed_at = step if passed_at is None else passed_at
                    if step - passed_at >= RANK_GRACE_TOKENS:
                        return sequences, {row for row in range(n) if unfinished[row]}
            if deadline is not None and time.perf_counter() > deadline:
                return sequences, {row for row in range(n) if unfinished[row]}
        return sequences, set()

    def decode_timed(self, text: str, tokens: int) -> tuple[list[float], float]:
        """Greedy, batch 1, `tokens` new tokens through the voice's own loop (for `simulator bench`).

        Returns each token's arrival time and the start time (time.perf_counter).
        """
        self.load()
        torch, tok = self._torch, self._tokenizer
        with self._lock, torch.inference_mode():
            started = time.perf_counter()
            ids = torch.tensor([tok(text, add_special_tokens=False).input_ids])
            cache = self._new_cache()
            times: list[float] = []
            for _ in range(tokens):
                logits = self._forward(ids, cache)
                ids = logits.argmax(dim=-1, keepdim=True)
                times.append(time.perf_counter())
        return times, started

    def _wants_bos(self, prompt: Prompt) -> bool:
        bos = self._tokenizer.bos_token
        # Gemma and Llama-style tokenizers expect BOS first; ChatML templates bring their own.
        return bool(bos) and not prompt.text.startswith(bos) and self.prompt_style == "transcript"

    def _cache_for(self, prefix: tuple[int, ...], ids: tuple[int, ...]) -> Any:
        """A KV cache covering ids[:-1], reusing the conversation's fixed prefix.

        The prefix (who the customer is, the setting) is the same for every line of
        a scenario, so it is computed once and copied; only the per-line part is new.
        """
        torch = self._torch
        with torch.inference_mode():
            if self._prefix is None or self._prefix[0] != prefix or len(prefix) >= len(ids):
                self._prefix = None
                if 0 < len(prefix) < len(ids):
                    cache = self._new_cache()
                    self._forward(torch.tensor([prefix]), cache)
                    self._prefix = (prefix, cache)
            if self._prefix is not None:
                cache = self._prefix[1].copy() if self._fast else copy.deepcopy(self._prefix[1])
                rest = ids[len(prefix) : -1]
            else:
                cache, rest = self._new_cache(), ids[:-1]
            if rest:
                self._forward(torch.tensor([rest]), cache)
        return cache

    def _new_cache(self) -> Any:
        if self._fast:
            return self._model.new_cache()
        from transformers import DynamicCache

        return DynamicCache(config=self._model.config)

    def _forward(self, tokens: Any, cache: Any) -> Any:
        """Logits at the last position of each row, the cache extended by `tokens`."""
        if self._fast:
            return self._model(tokens, cache)
        return self._model(input_ids=tokens, past_key_values=cache, use_cache=True).logits[:, -1, :]


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
        """More tokens cannot change what the verifier makes of this line: it has begun a
        sentence past the ones kept, or is already too long to pass (one word of margin,
        as the last may be the start of a speaker label that cuts it)."""
        text = clean(self.lead + body, self.labels)
        return len(sentences(self.lead + body)) > MAX_SENTENCES or len(text.split()) > MAX_WORDS + 1
