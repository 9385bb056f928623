"""Engines that run the model in this process: our own decoder, or transformers'.

Both tokenize the prompt, keep the conversation's fixed prefix in a KV cache, and
sample a few candidates in one batch; they differ only in the forward pass and
the cache (`FastLlamaEngine`, `TransformersEngine`). `local_engine()` picks the
one a model folder needs.

On a shared machine each line is sized to what the machine can give it now
(cpu_share.py): as many threads as cores are free, fewer candidates when the
time left is short, and a deadline that bounds the prompt as well as decoding.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from pathlib import Path
from typing import Any

from simulator.errors import UserError
from simulator.model_catalogue import StageProgress
from simulator.voice.base import LineRequest
from simulator.voice.cpu_share import CpuShare, cpu_share
from simulator.voice.engine import LineStream, Passes
from simulator.voice.model_voice import (
    BUSY_DEADLINE_S,
    RANK_GRACE_TOKENS,
    GenerationSettings,
    _config_eos,
    _eos_list,
    _LineWatcher,
    _quiet,
    penalised,
    quantize_int8,
    refuse_remote_code,
    sampling_distribution,
)
from simulator.voice.prompt import (
    PROMPT_STYLES,
    Prompt,
    PromptStyle,
    chat_messages,
    line_lead,
    transcript_prompt,
)
from simulator.voice.scripted import pick_authored

PREFILL_CHUNK = 32  # prompt tokens per forward call, so a busy machine's deadline is checked between
LINE_TOKENS = 24  # a typical customer line, for sizing the batch to the time left


def local_engine(
    model_dir: Path,
    settings: GenerationSettings,
    prompt_style: PromptStyle | None = None,
    on_progress: StageProgress = _quiet,
) -> LocalEngine:
    """Our decoder for plain Llama checkpoints, transformers for anything else."""
    from simulator.voice import fast_llama

    fast = fast_llama.supports(model_dir) and (Path(model_dir) / "tokenizer.json").is_file()
    if settings.engine == "auto" and fast:
        return FastLlamaEngine(model_dir, settings, prompt_style, on_progress)
    return TransformersEngine(model_dir, settings, prompt_style, on_progress)


class LocalEngine:
    """What both local engines share: loading, prompts, the prefix cache, the sampler."""

    def __init__(
        self,
        model_dir: Path,
        settings: GenerationSettings,
        prompt_style: PromptStyle | None = None,
        on_progress: StageProgress = _quiet,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.settings = settings
        self.requested_style = prompt_style
        self.on_progress = on_progress
        self.model: Any = None
        self.tokenizer: Any = None
        self.torch: Any = None
        self.eos: list[int] = []
        self.load_seconds = 0.0
        self.share: CpuShare | None = None  # how the last line was sized
        self._threads = 0  # threads set in torch and the kernels
        self._max_threads = 1  # the settings' threads, else torch's default (one per physical core)
        self._step_s: float | None = None  # recent seconds per decoding step, per row
        self._prefix: tuple[tuple[int, ...], Any] | None = None  # token ids and their KV cache
        self._partial: tuple[tuple[int, ...], Any, int] | None = None  # a prefix read in part
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.model is not None

    @property
    def name(self) -> str:
        return "not loaded" if self.model is None else self._kernels_name()

    def _kernels_name(self) -> str:
        return "transformers"

    def load(self) -> None:
        with self._lock:
            if self.model is None:
                self._load()

    def _load(self) -> None:
        started = time.perf_counter()
        refuse_remote_code(self.model_dir)
        stage = f"Loading {self.model_dir.name}"
        self.on_progress(stage, 0.0)
        # Belt and braces: nothing below may reach the model hub, even by a fallback path.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch

        # Dequantized 4-bit weights contain denormal floats, which are many times
        # slower on x86 CPUs; flushing them to zero changes no output that matters.
        torch.set_flush_denormal(True)
        self.on_progress(stage, 0.3)
        try:
            tokenizer, model, eos = self._load_model(torch, stage)
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(
                f"The model in {self.model_dir} could not be loaded ({type(exc).__name__}); "
                "run `simulator models install` again or give another --model."
            ) from None
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.eos = _eos_list(eos if eos is not None else tokenizer.eos_token_id)
        self.torch, self.tokenizer, self.model = torch, tokenizer, model
        self._max_threads = self.settings.threads or torch.get_num_threads()
        self._set_threads(self._max_threads)
        self.load_seconds = time.perf_counter() - started
        self.on_progress(stage, 1.0)

    def _load_model(self, torch: Any, stage: str) -> tuple[Any, Any, Any]:
        raise NotImplementedError

    def _set_threads(self, threads: int) -> None:
        if threads != self._threads:
            self.torch.set_num_threads(threads)
            self._threads = threads

    # -- prompts --------------------------------------------------------------

    @property
    def prompt_style(self) -> PromptStyle:
        if self.requested_style in PROMPT_STYLES:
            return self.requested_style
        # A model without a chat template is a base model: it continues a script.
        return "chat" if getattr(self.tokenizer, "chat_template", None) else "transcript"

    def build_prompt(self, request: LineRequest, seed: int) -> Prompt:
        if self.prompt_style == "transcript":
            return transcript_prompt(request, seed)
        messages = chat_messages(request, seed)
        tok = self.tokenizer
        full = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        head = tok.apply_chat_template(messages[:1], tokenize=False)
        # The assistant's reply starts with the customer's own first words.
        lead = line_lead(request, pick_authored(request, seed))
        full += lead
        if isinstance(head, str) and full.startswith(head):
            return Prompt(head, full[len(head) :], lead)
        return Prompt("", full, lead)

    # -- the machine's share -------------------------------------------------------

    def line_deadline_s(self) -> float | None:
        """The settings' deadline; longer while other programs hold the cores.

        Sized before the line, so the threads and the deadline agree: on a busy
        machine a line at a quarter of the speed is still worth waiting a little
        longer for, and BUSY_DEADLINE_S bounds the wait however busy it is.
        """
        s = self.settings
        if self.model is None:
            self.load()
        self.share = share = cpu_share(self._max_threads)
        self._set_threads(share.threads)
        if s.deadline_s is None or not share.busy:
            return s.deadline_s
        return max(s.deadline_s, min(BUSY_DEADLINE_S, s.deadline_s * (1 + share.others / share.cores)))

    def candidates_for(self, n: int, deadline: float | None) -> int:
        """Fewer candidates when the time left is short: one line in time beats four late."""
        if deadline is None or self._step_s is None:
            return n
        left = deadline - time.perf_counter()
        while n > 1 and left < LINE_TOKENS * self._step_s * _batch_cost(n):
            n -= 1
        return n

    # -- sampling ---------------------------------------------------------------

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
        torch, tok = self.torch, self.tokenizer
        n = n or self.settings.candidates
        prefix_ids = tuple(tok(prompt.prefix, add_special_tokens=False).input_ids) if prompt.prefix else ()
        suffix_ids = tuple(tok(prompt.suffix, add_special_tokens=False).input_ids)
        bos = (tok.bos_token_id,) if self._wants_bos(prompt) else ()
        ids = bos + prefix_ids + suffix_ids
        cache = self._cache_for(bos + prefix_ids, ids, deadline)
        if cache is None:  # the prompt alone used up the time
            return [""] * n
        n = self.candidates_for(n, deadline)
        cache.batch_repeat_interleave(n)
        input_ids = torch.tensor([ids] * n, dtype=torch.long)
        markers = ("\n", "<|im_end|>", "<end_of_turn>", "<eos>", *(f"{label}:" for label in labels))
        watcher = _LineWatcher(tok, len(ids), n, markers, cancel, stream, prompt.lead, labels)  # type: ignore[arg-type]
        torch.manual_seed(seed)
        lead = prompt.lead + " " if prompt.lead else ""
        with torch.inference_mode():
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

    def _sample(
        self,
        input_ids: Any,
        cache: Any,
        watcher: Any,
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
        torch, s = self.torch, self.settings
        n, prompt_len = input_ids.shape
        pad = self.tokenizer.pad_token_id
        eos = self.eos
        unfinished = torch.ones(n, dtype=torch.long)
        judged: dict[int, bool] = {}  # rows ended, and whether the verifier passed them
        if deadline is None and s.deadline_s is not None:
            deadline = time.perf_counter() + s.deadline_s
        sequences = input_ids
        tokens = input_ids[:, -1:]
        passed_at: int | None = None  # the step at which a candidate first passed
        for step in range(s.max_new_tokens):
            step_started = time.perf_counter()
            logits = self._forward(tokens, cache)
            self._note_step(time.perf_counter() - step_started, n)
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

    def _note_step(self, seconds: float, rows: int) -> None:
        """Keep a running estimate of one step's time for one row (for `candidates_for`)."""
        per_row = seconds / _batch_cost(rows)
        self._step_s = per_row if self._step_s is None else 0.7 * self._step_s + 0.3 * per_row

    def decode_timed(self, text: str, tokens: int) -> tuple[list[float], float]:
        """Greedy, batch 1, `tokens` new tokens through the engine's own loop (for `simulator bench`).

        Returns each token's arrival time and the start time (time.perf_counter).
        """
        self.load()
        torch, tok = self.torch, self.tokenizer
        with self._lock, torch.inference_mode():
            # The engine's speed, not the last line's share of a machine that was busy then.
            self._set_threads(self._max_threads)
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
        bos = self.tokenizer.bos_token
        # Gemma and Llama-style tokenizers expect BOS first; ChatML templates bring their own.
        return bool(bos) and not prompt.text.startswith(bos) and self.prompt_style == "transcript"

    def _cache_for(self, prefix: tuple[int, ...], ids: tuple[int, ...], deadline: float | None = None) -> Any:
        """A KV cache covering ids[:-1], reusing the conversation's fixed prefix; None if
        `deadline` passed while the prompt was being read.

        The prefix (who the customer is, the setting) is the same for every line of
        a scenario, so it is computed once and copied; only the per-line part is new.
        The rest is read in chunks, so a busy machine cannot hold the line past its
        deadline on the prompt alone.
        """
        torch = self.torch
        with torch.inference_mode():
            if self._prefix is None or self._prefix[0] != prefix or len(prefix) >= len(ids):
                self._prefix = None
                if 0 < len(prefix) < len(ids):
                    # Read in chunks too; what a passed deadline leaves unread is read by
                    # the next line, so even a very busy machine gets there.
                    if self._partial is None or self._partial[0] != prefix:
                        self._partial = (prefix, self._new_cache(), 0)
                    _, cache, done = self._partial
                    while done < len(prefix):
                        self._forward(torch.tensor([prefix[done : done + PREFILL_CHUNK]]), cache)
                        done += PREFILL_CHUNK
                        if done < len(prefix) and _passed(deadline):
                            self._partial = (prefix, cache, done)
                            return None
                    self._partial = None
                    self._prefix = (prefix, cache)
            if self._prefix is not None:
                cache = self._copy_cache(self._prefix[1])
                rest = ids[len(prefix) : -1]
            else:
                cache, rest = self._new_cache(), ids[:-1]
            for start in range(0, len(rest), PREFILL_CHUNK):
                if start and _passed(deadline):
                    return None
                self._forward(torch.tensor([rest[start : start + PREFILL_CHUNK]]), cache)
        return cache

    def _new_cache(self) -> Any:
        raise NotImplementedError

    def _copy_cache(self, cache: Any) -> Any:
        raise NotImplementedError

    def _forward(self, tokens: Any, cache: Any) -> Any:
        """Logits at the last position of each row, the cache extended by `tokens`."""
        raise NotImplementedError


def _passed(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _batch_cost(rows: int) -> float:
    """A step for `rows` rows, in steps for one row: reading the weights dominates a
    step on a CPU, and each row adds a little (measured roughly on SmolLM2)."""
    return 1.0 + 0.25 * (rows - 1)


class FastLlamaEngine(LocalEngine):
    """Our own decoder (fast_llama): the native kernels, or fbgemm int8 without them."""

    def _kernels_name(self) -> str:
        return str(self.model.engine)

    def _load_model(self, torch: Any, stage: str) -> tuple[Any, Any, Any]:
        from simulator.voice import fast_llama
        from simulator.voice.light_tokenizer import LightTokenizer

        tokenizer = LightTokenizer(self.model_dir)
        self.on_progress(stage, 0.5)
        model = fast_llama.FastLlama.load(self.model_dir, int8=self.settings.int8)
        return tokenizer, model, _config_eos(self.model_dir)

    def _set_threads(self, threads: int) -> None:
        if threads != self._threads and self.model.kernels is not None:
            self.model.kernels.set_threads(threads)
        super()._set_threads(threads)

    def _new_cache(self) -> Any:
        return self.model.new_cache()

    def _copy_cache(self, cache: Any) -> Any:
        return cache.copy()

    def _forward(self, tokens: Any, cache: Any) -> Any:
        return self.model(tokens, cache)


class TransformersEngine(LocalEngine):
    """transformers' own model, for checkpoints our decoder does not run."""

    def _load_model(self, torch: Any, stage: str) -> tuple[Any, Any, Any]:
        # transformers takes seconds to import: only a model our decoder cannot run pays it.
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        tokenizer = AutoTokenizer.from_pretrained(
            self.model_dir, local_files_only=True, trust_remote_code=False
        )
        self.on_progress(stage, 0.5)
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
        return tokenizer, model, getattr(model.generation_config, "eos_token_id", None)

    def _new_cache(self) -> Any:
        from transformers import DynamicCache

        return DynamicCache(config=self.model.config)

    def _copy_cache(self, cache: Any) -> Any:
        return copy.deepcopy(cache)

    def _forward(self, tokens: Any, cache: Any) -> Any:
        return self.model(input_ids=tokens, past_key_values=cache, use_cache=True).logits[:, -1, :]
