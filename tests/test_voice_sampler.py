"""The voice's own sampling loop: the distribution transformers' sampler draws from, and its shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.voice.local_engine import FastLlamaEngine
from simulator.voice.model_voice import (
    RANK_GRACE_TOKENS,
    GenerationSettings,
    ModelVoice,
    _LineWatcher,
    penalised,
    sampling_distribution,
)
from simulator.voice.prompt import Prompt
from tests.tiny_models import build_llama_dir

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-sampler") / "llama")


PROMPT = Prompt("Customer: It is so late.\nClerk: Good evening.\n", "Customer:")


def _warped(scores, temperature: float, top_k: int, top_p: float):
    """What transformers' generate(do_sample=True) draws from, with its own processors."""
    from transformers.generation.logits_process import (
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    warpers = [TemperatureLogitsWarper(temperature)]
    if top_k:
        warpers.append(TopKLogitsWarper(top_k))
    warpers.append(TopPLogitsWarper(top_p))
    for warp in warpers:
        scores = warp(None, scores)
    return scores.softmax(dim=-1)


@pytest.mark.parametrize(("temperature", "top_k", "top_p"), [(0.8, 50, 0.92), (1.0, 0, 0.9), (0.5, 5, 1.0)])
def test_we_draw_from_the_distribution_generate_draws_from(
    temperature: float, top_k: int, top_p: float
) -> None:
    scores = torch.randn(4, 3000, generator=torch.Generator().manual_seed(3)) * 1.5
    probs, ids = sampling_distribution(torch, scores, temperature, top_k, top_p)
    ours = torch.zeros_like(scores).scatter(1, ids, probs)
    want = _warped(scores, temperature, top_k, top_p)
    assert torch.allclose(ours, want, atol=1e-6)
    assert ((want > 0).sum(dim=1) > 1).all()  # more than one token could be drawn


def test_our_repetition_penalty_is_transformers() -> None:
    from transformers.generation.logits_process import RepetitionPenaltyLogitsProcessor

    scores = torch.randn(3, 500, generator=torch.Generator().manual_seed(4))
    sequences = torch.randint(0, 500, (3, 40), generator=torch.Generator().manual_seed(5))
    want = RepetitionPenaltyLogitsProcessor(1.3)(sequences, scores.clone())
    assert torch.equal(penalised(torch, scores, sequences, 1.3), want)


def test_our_decoder_says_what_transformers_model_says(tiny_dir: Path) -> None:
    """The same sampler over our float32 decoder and over transformers' model: the same lines."""
    lines = []
    for engine in ("auto", "transformers"):
        settings = GenerationSettings(
            candidates=3, max_new_tokens=12, int8=False, engine=engine, deadline_s=None
        )
        voice = ModelVoice(tiny_dir, settings=settings, prompt_style="transcript")
        voice.load()
        assert isinstance(voice.backend, FastLlamaEngine) == (engine == "auto")
        lines.append(voice.generate(PROMPT, seed=5))
    assert lines[0] == lines[1]
    assert len(set(lines[0])) > 1  # the candidates differ: it really samples


def test_a_seed_says_the_same_lines_again(tiny_dir: Path) -> None:
    voice = ModelVoice(
        tiny_dir, settings=GenerationSettings(candidates=3, max_new_tokens=12, deadline_s=None)
    )
    voice.load()
    assert voice.generate(PROMPT, seed=9) == voice.generate(PROMPT, seed=9)
    assert voice.generate(PROMPT, seed=9) != voice.generate(PROMPT, seed=10)


def test_int8_swaps_every_linear_layer(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(int8=True, engine="transformers"))
    voice.load()
    linears = [m for m in voice.backend.model.modules() if type(m) is torch.nn.Linear]
    assert linears == []


def test_decode_timed_gives_one_time_per_token(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir)
    times, started = voice.decode_timed("Good evening", 10)
    assert len(times) == 10
    assert started <= times[0] <= times[-1]


def test_a_line_too_long_to_pass_stops_early(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir)
    voice.load()
    tok = voice.backend.tokenizer
    watcher = _LineWatcher(tok, 0, 2, ("\n",), None, None)
    long = " ".join(["word"] * 40)
    short = "It is late."
    rows = [tok(t, add_special_tokens=False).input_ids for t in (long, short)]
    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in rows])
    assert watcher(ids, None).tolist() == [True, False]
    four = "One. Two. Three. Four"
    assert _LineWatcher(tok, 0, 1, ("\n",), None, None)(
        torch.tensor([tok(four).input_ids]), None
    ).tolist() == [True]


class _EndsRow:
    """A watcher stand-in: row `row` ends after `after` new tokens, the others run on."""

    def __init__(self, prompt_len: int, n: int, row: int, after: int) -> None:
        self.prompt_len, self.n, self.row, self.after = prompt_len, n, row, after

    def __call__(self, sequences, scores):
        done = [False] * self.n
        done[self.row] = sequences.shape[1] - self.prompt_len >= self.after
        return torch.tensor(done)


def _sampling_inputs(voice: ModelVoice, n: int):
    voice.backend.eos = []  # only the watcher stand-in ends rows (a random model may say EOS early)
    ids = tuple(voice.backend.tokenizer("Customer: It is late.", add_special_tokens=False).input_ids)
    cache = voice.backend._cache_for((), ids)
    cache.batch_repeat_interleave(n)
    return torch.tensor([ids] * n), cache, len(ids)


def test_the_first_candidate_to_pass_starts_a_short_grace(tiny_dir: Path) -> None:
    voice = ModelVoice(
        tiny_dir, settings=GenerationSettings(candidates=3, max_new_tokens=30, deadline_s=None)
    )
    voice.load()
    input_ids, cache, prompt_len = _sampling_inputs(voice, 3)
    seen: list[int] = []

    def accept(row) -> bool:
        seen.append(len(row))
        return True

    sequences, cut = voice.backend._sample(input_ids, cache, _EndsRow(prompt_len, 3, row=1, after=4), accept)
    # Not 30: row 1 ended and passed after 4, the others had RANK_GRACE_TOKENS more to finish.
    assert sequences.shape[1] == prompt_len + 4 + RANK_GRACE_TOKENS
    assert cut == {0, 2}  # unfinished, so never said
    assert seen == [4]


def test_past_the_deadline_nothing_more_is_waited_for(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(candidates=2, max_new_tokens=30, deadline_s=0.0))
    voice.load()
    input_ids, cache, prompt_len = _sampling_inputs(voice, 2)
    sequences, cut = voice.backend._sample(input_ids, cache, _EndsRow(prompt_len, 2, row=0, after=99))
    assert sequences.shape[1] == prompt_len + 1
    assert cut == {0, 1}
