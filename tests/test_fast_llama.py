"""Our own Llama decoder computes what transformers computes, with its cache tricks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tiny_models import build_llama_dir

torch = pytest.importorskip("torch")

from simulator.voice.fast_llama import CACHE_BLOCK, ROW_BLOCK, FastLlama, supports  # noqa: E402


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-fast") / "llama")


@pytest.fixture(scope="module")
def reference(tiny_dir: Path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32, trust_remote_code=False).eval()


def _ids(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(3, 300, (1, n), generator=torch.Generator().manual_seed(seed))


def test_prefill_in_pieces_gives_transformers_logits(tiny_dir: Path, reference) -> None:
    ids = _ids(40)
    with torch.inference_mode():
        expected = reference(ids).logits[0]
    model = FastLlama.load(tiny_dir, int8=False)
    cache = model.new_cache()
    got = [model(ids[:, :17], cache), model(ids[:, 17:39], cache), model(ids[:, 39:], cache)]
    assert cache.length == 40
    for logits, position in zip(got, (16, 38, 39), strict=True):
        assert torch.allclose(logits[0], expected[position], atol=1e-4)


def test_rows_decoding_from_a_shared_prompt_match_transformers(tiny_dir: Path, reference) -> None:
    from transformers import DynamicCache

    ids = _ids(30, seed=1)
    steps = torch.tensor([[[5], [6], [7]], [[9], [9], [11]], [[4], [8], [12]]])  # 3 steps, 3 rows
    with torch.inference_mode():
        past = DynamicCache(config=reference.config)
        reference(ids, past_key_values=past)
        past.batch_repeat_interleave(3)
        expected = [reference(step, past_key_values=past).logits[:, -1] for step in steps]
    model = FastLlama.load(tiny_dir, int8=False)
    cache = model.new_cache()
    model(ids, cache)
    cache.batch_repeat_interleave(3)
    assert cache.base == 30 and cache.batch == 3
    for step, want in zip(steps, expected, strict=True):
        assert torch.allclose(model(step, cache), want, atol=1e-4)
    # The rows' own part grows past its first block like the rest.
    more = torch.tensor([[3], [4], [5]])
    for _ in range(ROW_BLOCK + 5):
        logits = model(more, cache)
    assert cache.length == 30 + 3 + ROW_BLOCK + 5 <= cache.capacity
    assert torch.isfinite(logits).all()


def test_a_copied_cache_is_independent_and_grows(tiny_dir: Path) -> None:
    model = FastLlama.load(tiny_dir, int8=False)
    cache = model.new_cache()
    model(_ids(10), cache)
    twin = cache.copy()
    first = model(torch.tensor([[5]]), cache)
    again = model(torch.tensor([[5]]), twin)
    assert torch.equal(first, again)
    long = _ids(CACHE_BLOCK + 20, seed=2)
    model(long, twin)  # past one block: the cache grows
    assert twin.length == 11 + CACHE_BLOCK + 20 <= twin.capacity
    assert cache.length == 11


def test_int8_stays_close_to_float(tiny_dir: Path) -> None:
    ids = _ids(25, seed=3)
    exact = FastLlama.load(tiny_dir, int8=False)(ids, FastLlama.load(tiny_dir, int8=False).new_cache())
    int8 = FastLlama.load(tiny_dir, int8=True)
    rough = int8(ids, int8.new_cache())
    cosine = torch.nn.functional.cosine_similarity(exact, rough).item()
    assert cosine > 0.99
    assert not torch.allclose(exact, rough)  # it really is quantized


def test_supports_plain_llama_only(tiny_dir: Path, tmp_path: Path) -> None:
    assert supports(tiny_dir)
    config = json.loads((tiny_dir / "config.json").read_text())
    for change in (
        {"model_type": "gemma3_text"},
        {"rope_scaling": {"rope_type": "llama3"}},
        {"mlp_bias": True},
    ):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({**config, **change}))
        assert not supports(folder)
    assert not supports(tmp_path / "missing")


def test_light_tokenizer_matches_transformers(tiny_dir: Path) -> None:
    import random

    from transformers import AutoTokenizer

    from simulator.voice.light_tokenizer import LightTokenizer

    full, light = AutoTokenizer.from_pretrained(tiny_dir, trust_remote_code=False), LightTokenizer(tiny_dir)
    for name in ("bos_token_id", "eos_token_id", "pad_token_id", "bos_token", "eos_token"):
        assert getattr(light, name) == getattr(full, name), name
    for text in ("Customer: It's 11 p.m.!  We're five\npeople.", "<|im_start|>user\nhi<|im_end|>", "Ça va?"):
        assert light(text).input_ids == full(text, add_special_tokens=False).input_ids
    rng = random.Random(0)
    for _ in range(100):
        ids = [rng.randrange(len(full)) for _ in range(rng.randrange(1, 20))]
        for skip in (True, False):
            assert light.decode(torch.tensor(ids), skip_special_tokens=skip) == full.decode(
                ids, skip_special_tokens=skip
            )


def test_a_damaged_weights_file_is_a_value_error(tiny_dir: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_dir, broken)
    weights = next(broken.glob("*.safetensors"))
    data = bytearray(weights.read_bytes())
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [*header[name]["shape"], 2]  # claims twice the bytes it has
    text = json.dumps(header).encode()
    weights.write_bytes(len(text).to_bytes(8, "little") + text + data[8 + size :])
    with pytest.raises(ValueError, match="damaged"):
        FastLlama.load(broken)
