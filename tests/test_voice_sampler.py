"""The voice's own sampling loop: the same lines as transformers' sampler, and its shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.voice.model_voice import GenerationSettings, ModelVoice, _LineWatcher
from simulator.voice.prompt import Prompt
from tests.tiny_models import build_llama_dir

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-sampler") / "llama")


PROMPT = Prompt("Customer: It is so late.\nClerk: Good evening.\n", "Customer:")


@pytest.mark.parametrize(
    ("int8", "engine"),
    [
        (False, "auto"),  # our decoder and sampler against transformers' model and generate()
        (False, "transformers"),  # our sampler over transformers' model
        (True, "transformers"),  # the same with int8 layers (ours quantizes differently)
    ],
)
def test_own_loop_samples_what_generate_samples(tiny_dir: Path, int8: bool, engine: str) -> None:
    settings = GenerationSettings(candidates=3, max_new_tokens=12, int8=int8, engine=engine, deadline_s=None)
    voice = ModelVoice(tiny_dir, settings=settings, prompt_style="transcript")
    voice.load()
    assert voice._fast == (engine == "auto")
    ours = voice.generate(PROMPT, seed=5)
    # A repetition penalty of exactly 1.0 but not equal to it sends the call through generate().
    reference = GenerationSettings(
        candidates=3, max_new_tokens=12, int8=int8, engine="transformers", repetition_penalty=1.0 + 1e-12
    )
    through_generate = ModelVoice(tiny_dir, settings=reference, prompt_style="transcript")
    through_generate.load()
    assert not through_generate._fast
    assert ours == through_generate.generate(PROMPT, seed=5)


def test_our_repetition_penalty_is_transformers(tiny_dir: Path) -> None:
    penalised = dict(candidates=3, max_new_tokens=12, int8=False, repetition_penalty=1.3, deadline_s=None)
    ours = ModelVoice(tiny_dir, settings=GenerationSettings(**penalised), prompt_style="transcript")
    ours.load()
    reference = ModelVoice(
        tiny_dir, settings=GenerationSettings(**penalised, engine="transformers"), prompt_style="transcript"
    )
    reference.load()
    assert ours.generate(PROMPT, seed=7) == reference.generate(PROMPT, seed=7)


def test_int8_swaps_every_linear_layer(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(int8=True, engine="transformers"))
    voice.load()
    linears = [m for m in voice._model.modules() if type(m) is torch.nn.Linear]
    assert linears == []


def test_decode_timed_gives_one_time_per_token(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir)
    times, started = voice.decode_timed("Good evening", 10)
    assert len(times) == 10
    assert started <= times[0] <= times[-1]


def test_a_line_too_long_to_pass_stops_early(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir)
    voice.load()
    tok = voice._tokenizer
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
    voice._eos = []  # only the watcher stand-in ends rows (a random model may say EOS early)
    ids = tuple(voice._tokenizer("Customer: It is late.", add_special_tokens=False).input_ids)
    cache = voice._cache_for((), ids)
    cache.batch_repeat_interleave(n)
    return torch.tensor([ids] * n), cache, len(ids)


def test_the_first_candidate_to_pass_ends_the_wait(tiny_dir: Path) -> None:
    voice = ModelVoice(
        tiny_dir, settings=GenerationSettings(candidates=3, max_new_tokens=30, deadline_s=None)
    )
    voice.load()
    input_ids, cache, prompt_len = _sampling_inputs(voice, 3)
    seen: list[int] = []

    def accept(row) -> bool:
        seen.append(len(row))
        return True

    sequences, cut = voice._sample(input_ids, cache, _EndsRow(prompt_len, 3, row=1, after=4), accept)
    assert sequences.shape[1] == prompt_len + 4  # not 30: row 1 ended and passed after 4
    assert cut == {0, 2}  # unfinished, so never said
    assert seen == [4]


def test_past_the_deadline_nothing_more_is_waited_for(tiny_dir: Path) -> None:
    voice = ModelVoice(tiny_dir, settings=GenerationSettings(candidates=2, max_new_tokens=30, deadline_s=0.0))
    voice.load()
    input_ids, cache, prompt_len = _sampling_inputs(voice, 2)
    sequences, cut = voice._sample(input_ids, cache, _EndsRow(prompt_len, 2, row=0, after=99))
    assert sequences.shape[1] == prompt_len + 1
    assert cut == {0, 1}
