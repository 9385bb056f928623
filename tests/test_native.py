"""The native kernels (decoder.c) compute what the torch decoder computes.

Built here with the machine's compiler, the same way `simulator models install`
builds them; skipped where there is no C compiler.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tiny_models import build_llama_dir

torch = pytest.importorskip("torch")

from simulator.voice import native  # noqa: E402
from simulator.voice.fast_llama import ROW_BLOCK, FastLlama, pack_tiles  # noqa: E402

needs_compiler = pytest.mark.skipif(native._compiler() is None, reason="no C compiler")


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("native-models")


@pytest.fixture(scope="module")
def kernels(models_dir: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIMULATOR_MODELS_DIR", str(models_dir))
        mp.setattr(native, "_loaded", None)
        mp.setattr(native, "_why_not", "")
        loaded = native.load()
        if loaded is None:
            pytest.skip(f"native kernels unavailable: {native.status()}")
        yield loaded


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_dir(tmp_path_factory.mktemp("tiny-native") / "llama")


@pytest.fixture(scope="module")
def pair(tiny_dir: Path, kernels):
    """The tiny model on the native kernels, and the same in float32 through torch."""
    mine = FastLlama.load(tiny_dir)
    assert mine.engine == f"native ({kernels.name})"
    return mine, FastLlama.load(tiny_dir, int8=False)


def _ids(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(3, 300, (1, n), generator=torch.Generator().manual_seed(seed))


def _close(a: torch.Tensor, b: torch.Tensor) -> float:
    return torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0).item()


@needs_compiler
def test_prompt_and_steps_stay_close_to_float(pair) -> None:
    mine, exact = pair
    ids = _ids(40, seed=4)
    cache_m, cache_e = mine.new_cache(), exact.new_cache()
    first_m, first_e = mine(ids, cache_m), exact(ids, cache_e)
    assert first_m.shape == first_e.shape == (1, mine.shape.vocab)
    assert _close(first_m, first_e) > 0.99
    assert not torch.allclose(first_m, first_e)  # it really is quantized
    token = torch.tensor([[7]])
    for _ in range(10):  # the decode steps run in C
        step_m, step_e = mine(token, cache_m), exact(token, cache_e)
        assert _close(step_m, step_e) > 0.99
        token = step_e.argmax(dim=-1, keepdim=True)
    assert cache_m.length == cache_e.length == 50


@needs_compiler
def test_the_c_step_computes_what_the_torch_code_computes_with_the_same_products(pair) -> None:
    mine, _ = pair
    cache = mine.new_cache()
    mine(_ids(33, seed=5), cache)
    twin = cache.copy()
    in_c = mine(torch.tensor([[9]]), cache)
    step, mine._model = mine._model, None  # the torch code, with the kernels' int8 products
    try:
        in_torch = mine(torch.tensor([[9]]), twin)
    finally:
        mine._model = step
    assert torch.allclose(in_c, in_torch, atol=1e-4)
    assert torch.allclose(cache.layers[0][:, :, :34], twin.layers[0][:, :, :34], atol=1e-5)


@needs_compiler
def test_a_prompt_in_c_equals_the_torch_code_and_one_token_at_a_time(pair) -> None:
    mine, _ = pair
    ids = _ids(23, seed=8)
    torch_cache = mine.new_cache()
    through_torch = mine(ids, torch_cache)
    # decoder.c takes several positions at once (the product sends it one at a
    # time); called directly here so its multi-position attention stays checked.
    c_cache = mine.new_cache()
    c_cache.reserve(10)
    in_c = mine._native_forward(ids[:, :10], c_cache)  # in two pieces: the second attends to the first
    c_cache.reserve(13)
    in_c = mine._native_forward(ids[:, 10:], c_cache)
    stepwise = mine.new_cache()
    for i in range(ids.shape[1]):
        one_at_a_time = mine(ids[:, i : i + 1], stepwise)
    assert torch.allclose(in_c, through_torch, atol=1e-4)
    assert torch.allclose(in_c, one_at_a_time, atol=1e-4)
    assert torch.allclose(c_cache.layers[1][:, :, :23], torch_cache.layers[1][:, :, :23], atol=1e-5)


@needs_compiler
def test_rows_from_a_shared_prompt_equal_rows_decoded_alone(pair) -> None:
    mine, _ = pair
    ids = _ids(30, seed=6)
    rows = torch.tensor([[5], [6], [11]])
    alone = []
    for row in rows:
        cache = mine.new_cache()
        mine(ids, cache)
        alone.append([mine(row[None], cache) for _ in range(3)])
    cache = mine.new_cache()
    mine(ids, cache)
    cache.batch_repeat_interleave(3)
    for step in range(3):
        together = mine(rows, cache)
        for r in range(3):
            assert torch.allclose(together[r], alone[r][step][0], atol=1e-4)
    for _ in range(ROW_BLOCK + 5):  # the rows' own part grows past its first block
        logits = mine(rows, cache)
    assert cache.length == 30 + 3 + ROW_BLOCK + 5 <= cache.capacity
    assert torch.isfinite(logits).all()


def _quantized_reference(x: torch.Tensor, w: torch.Tensor, scale: torch.Tensor, norm: bool, eps: float):
    """decoder.c's linear() written out in torch: per-row u8 activations, int8 weights."""
    step = x.abs().amax(dim=1, keepdim=True) / 127.0
    v = x * (1.0 / step)  # the same float32 operations as the C code, so the same rounding
    q = torch.trunc(v + torch.where(v >= 0, 0.5, -0.5))
    y = (q @ w.float().T) * scale * step
    if norm:
        y = y / (x.pow(2).mean(dim=1, keepdim=True) + eps).sqrt()
    return y


@needs_compiler
@pytest.mark.parametrize("flags", [["-march=native"], ["-mavx2", "-mfma"], ["-march=x86-64"]])
def test_every_instruction_set_path_gives_the_same_products(flags: list[str], tmp_path: Path) -> None:
    """decoder.c picks AVX-512 VNNI, AVX2 or plain C at compile time: each is checked here
    (on CPUs that can run it), against the arithmetic written out in torch."""
    if flags != ["-march=x86-64"] and "avx2" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("this CPU cannot run AVX2 code")
    lib = tmp_path / "k.so"
    compiler = native._compiler()
    base = [f for f in native.FLAGS if f != "-march=native"]
    subprocess.run([compiler, *base, *flags, "-o", str(lib), str(native.SOURCE), "-lm"], check=True)
    kernels = native.Kernels(lib)
    gen = torch.Generator().manual_seed(0)
    for n, k, m in ((16, 64, 1), (48, 100, 3), (80, 576, 5), (32, 1536, 9), (16, 40, 4)):
        kp = -(-k // native.ALIGN) * native.ALIGN
        w = torch.zeros(n, kp, dtype=torch.int8)
        w[:, :k] = torch.randint(-127, 128, (n, k), generator=gen, dtype=torch.int8)
        scale = torch.rand(n, generator=gen) * 0.01
        rowsum = w.sum(dim=1, dtype=torch.int32)
        packed = pack_tiles(w)
        matrix = native.Matrix(packed.data_ptr(), scale.data_ptr(), rowsum.data_ptr(), n, k, kp)
        x = torch.randn(m, k, generator=gen)
        for norm in (0, 1):
            y = torch.empty(m, n)
            assert (
                kernels.lib.linear(x.data_ptr(), m, k, ctypes.byref(matrix), 1e-5, norm, y.data_ptr(), n, 0)
                == 0
            )
            want = _quantized_reference(x, w[:, :k], scale, bool(norm), 1e-5)
            assert torch.allclose(y, want, rtol=1e-4, atol=1e-4), (flags, n, k, m, norm)


def test_without_a_compiler_the_voice_stays_on_torch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(native, "_loaded", None)
    monkeypatch.setattr(native, "_why_not", "")
    assert native.load() is None
    assert native.status() == "torch (native kernels not used: no C compiler found (install gcc, or set CC))"


def test_a_compiler_that_fails_is_reported_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bin" / "cc"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'cc: error: unrecognized option' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("CC", str(fake))
    monkeypatch.setattr(native, "_loaded", None)
    monkeypatch.setattr(native, "_why_not", "")
    assert native.load() is None
    assert native.status().endswith("could not build the kernels: cc: error: unrecognized option)")
    assert not list((tmp_path / "models" / "native").glob("*.so"))  # no half-built library left behind


def test_the_switch_turns_them_off(monkeypatch: pytest.MonkeyPatch, tiny_dir: Path) -> None:
    monkeypatch.setenv("SIMULATOR_NATIVE", "0")
    monkeypatch.setattr(native, "_loaded", None)
    monkeypatch.setattr(native, "_why_not", "")
    assert native.load() is None
    assert "SIMULATOR_NATIVE=0" in native.status()
    assert FastLlama.load(tiny_dir).engine == "fbgemm int8"


@needs_compiler
def test_one_build_per_source_compiler_and_cpu(
    kernels, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(models_dir))
    built = list((models_dir / "native").glob("decoder-*.so"))
    assert built == [kernels.path]
    assert native.build() == kernels.path  # found, not built again
    assert kernels.name in ("avx512-vnni", "avx2", "portable")
    assert shutil.which(native._compiler())


@needs_compiler
def test_a_compiler_without_openmp_still_builds_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = shutil.which(native._compiler())
    fake = tmp_path / "bin" / "cc"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in *-fopenmp*) echo "clang: error: unsupported option \'-fopenmp\'" >&2; exit 1;; esac\n'
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("CC", str(fake))
    monkeypatch.setattr(native, "_loaded", None)
    monkeypatch.setattr(native, "_why_not", "")
    # Built, but on one core it was never measured faster than torch: torch decodes.
    assert native.load() is None
    assert native.status().startswith("torch (native kernels not used: built without OpenMP")
    from simulator.cli import main

    assert main(["models", "list"]) == 0
    assert "Decoding kernels: torch (native kernels not used: built without OpenMP" in capsys.readouterr().out
    monkeypatch.setattr(native, "_why_not", "")
    monkeypatch.setenv("SIMULATOR_NATIVE", "force")
    kernels = native.load()
    assert kernels is not None and native.status() == f"native ({kernels.name})"
    kernels.set_threads(2)  # a no-op without OpenMP, not an error


@needs_compiler
def test_a_matrix_of_any_height_is_padded_to_whole_tiles(kernels) -> None:
    """A vocabulary need not be a multiple of 16: its rows are padded, and cut off again."""
    from simulator.voice.fast_llama import _NativeLinear

    gen = torch.Generator().manual_seed(9)
    weight, x = torch.randn(37, 64, generator=gen), torch.randn(3, 64, generator=gen)
    linear = _NativeLinear(weight, None, kernels, 1e-5)
    assert linear.rows == 48
    y = linear(x)
    want = x @ weight.T
    assert y.shape == (3, 37)
    for row in range(3):  # every row in its place, close to the float product
        assert torch.nn.functional.cosine_similarity(y[row], want[row], dim=0) > 0.999


@needs_compiler
def test_prepared_weights_load_back_the_same_model(
    kernels, tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.voice import fast_llama

    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path))
    ids = _ids(20, seed=11)
    first = FastLlama.load(tiny_dir)
    prepared = fast_llama.prepared_file(tiny_dir)
    assert prepared.is_file()

    def no_quantizing(*args: object, **kwargs: object) -> None:
        raise AssertionError("quantized again instead of read back")

    monkeypatch.setattr(fast_llama._NativeLinear, "__init__", no_quantizing)
    again = FastLlama.load(tiny_dir)
    outputs = []
    for model in (first, again):
        cache = model.new_cache()
        outputs.append((model(ids, cache), model(torch.tensor([[7]]), cache)))
    assert all(torch.equal(a, b) for a, b in zip(*outputs, strict=True))


@needs_compiler
def test_damaged_or_stale_prepared_weights_are_made_again(
    kernels, tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.voice import fast_llama

    monkeypatch.setenv("SIMULATOR_MODELS_DIR", str(tmp_path / "models"))
    model_dir = tmp_path / "llama"
    shutil.copytree(tiny_dir, model_dir)
    fresh = FastLlama.load(model_dir)  # quantizes, and saves the prepared weights
    want = fresh(_ids(9), fresh.new_cache())
    prepared = fast_llama.prepared_file(model_dir)
    prepared.write_bytes(prepared.read_bytes()[: prepared.stat().st_size // 2])  # a half-written file
    model = FastLlama.load(model_dir)
    assert torch.equal(model(_ids(9), model.new_cache()), want)
    fast_llama.FastLlama._from_prepared(model.shape, kernels, prepared)  # whole again: it reads
    # New weights (here: the same bytes, a new time) make a new file and drop the old.
    weights = model_dir / "model.safetensors"
    weights.write_bytes(weights.read_bytes())
    FastLlama.load(model_dir)
    assert fast_llama.prepared_file(model_dir) != prepared
    assert [p.name for p in prepared.parent.glob("*.safetensors")] == [
        fast_llama.prepared_file(model_dir).name
    ]


@needs_compiler
def test_a_damaged_model_at_install_is_one_sentence(kernels, tiny_dir: Path, tmp_path: Path) -> None:
    from simulator.cli.models_cmd import _kernels
    from simulator.errors import UserError

    broken = tmp_path / "llama"
    shutil.copytree(tiny_dir, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(UserError, match=r"could not be prepared .*run `simulator models install --force`\.$"):
        _kernels(broken)
