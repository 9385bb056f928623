"""A Llama-architecture decoder written for decoding on a CPU.

transformers' forward pass is general: per token it builds masks, walks a
DynamicCache, dispatches through hooks and wrappers. For a 135M model on two
cores that bookkeeping costs more than the arithmetic (about 45 ms of every
token, measured). This module runs the same mathematics with the fewest torch
calls we could manage:

- weights are read straight from the model folder's safetensors (no
  transformers model is built, so loading is quick and nothing is held twice);
- q/k/v and gate/up are each one matrix, so a layer makes four matrix calls;
- every linear is int8 per output channel through fbgemm (a quarter of the
  bytes read per token, which is what bounds decoding), or float32 when asked;
- the KV cache is one preallocated tensor per layer, written in place, so a
  conversation's prefix can be computed once and copied for each line.

It supports plain Llama checkpoints (SmolLM2 and the like): rotary embeddings
of the default kind, RMSNorm, SiLU MLP, grouped-query attention, no biases.
`supports()` says whether a folder qualifies; anything else goes through
transformers as before.

Imports torch lazily in the sense that only the voice imports this module, and
the voice is only imported once a model is loaded.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from simulator.voice import native

CACHE_BLOCK = 256  # the cache grows in steps of this many positions
ROW_BLOCK = 64  # ... and the rows' own part after a shared prompt in steps of this many


@dataclass(frozen=True)
class LlamaShape:
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    eps: float
    rope_theta: float
    tied: bool

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LlamaShape:
        hidden = int(config["hidden_size"])
        heads = int(config["num_attention_heads"])
        rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
        theta = rope.get("rope_theta", config.get("rope_theta", 10000.0))
        return cls(
            layers=int(config["num_hidden_layers"]),
            hidden=hidden,
            heads=heads,
            kv_heads=int(config.get("num_key_value_heads") or heads),
            head_dim=int(config.get("head_dim") or hidden // heads),
            intermediate=int(config["intermediate_size"]),
            vocab=int(config["vocab_size"]),
            eps=float(config.get("rms_norm_eps", 1e-6)),
            rope_theta=float(theta),
            tied=bool(config.get("tie_word_embeddings", False)),
        )


def supports(model_dir: Path) -> bool:
    """Whether the folder holds a plain Llama checkpoint this decoder runs exactly."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if config.get("model_type") != "llama" or config.get("hidden_act", "silu") != "silu":
        return False
    if config.get("attention_bias") or config.get("mlp_bias"):
        return False
    for key in ("rope_parameters", "rope_scaling"):
        rope = config.get(key) or {}
        if rope.get("rope_type", rope.get("type", "default")) != "default":
            return False  # scaled rotary embeddings (llama3, yarn...) are not implemented here
    return not config.get("pretraining_tp", 1) > 1


class KVCache:
    """Keys and values of every layer for a batch of rows, written in place.

    Per layer one tensor [batch, 2 * kv_heads, capacity, head_dim]: the key heads,
    then the value heads, as the fused projection produces them, so a step writes
    both with one copy. All rows advance together (the candidates of a line start
    from one prompt; a finished row is fed padding), so one `length` serves them
    all. Positions before `base` are the prompt the rows share, stored once
    (`shared`, one row, never written again) rather than once per row: reading
    them is most of the work of attention when four candidates decode a long prompt.
    """

    def __init__(
        self,
        layers: list[torch.Tensor],
        length: int = 0,
        shared: list[torch.Tensor] | None = None,
        base: int = 0,
    ) -> None:
        self.layers = layers  # positions from `base` on
        self.length = length
        self.shared = shared  # per layer [1, 2 * kv_heads, base, head_dim]
        self.base = base

    @classmethod
    def empty(cls, shape: LlamaShape, batch: int = 1, capacity: int = CACHE_BLOCK) -> KVCache:
        size = (batch, 2 * shape.kv_heads, capacity, shape.head_dim)
        return cls([torch.zeros(size) for _ in range(shape.layers)])

    @property
    def batch(self) -> int:
        return self.layers[0].shape[0]

    @property
    def capacity(self) -> int:
        return self.base + self.layers[0].shape[2]

    def reserve(self, positions: int) -> None:
        """Room for `positions` more tokens, growing by whole blocks (copying once)."""
        if self.length + positions > self.capacity:
            self._resize(self.batch, self.length - self.base + positions)

    def _resize(self, batch: int, room: int) -> None:
        block = ROW_BLOCK if self.shared is not None else CACHE_BLOCK
        capacity = -(-room // block) * block
        filled = self.length - self.base
        for i, old in enumerate(self.layers):
            new = old.new_zeros((batch, old.shape[1], capacity, old.shape[3]))
            new[:, :, :filled] = old[:, :, :filled]  # broadcasts one row to many
            self.layers[i] = new

    def copy(self) -> KVCache:
        """An independent copy (the shared prefix, never written, is not duplicated)."""
        keep = self.length - self.base + CACHE_BLOCK
        return KVCache([kv[:, :, :keep].clone() for kv in self.layers], self.length, self.shared, self.base)

    def batch_repeat_interleave(self, n: int) -> None:
        """Turn a one-row cache into `n` rows that continue from everything filled so far."""
        if self.batch != 1:
            raise ValueError("only a one-row cache can be repeated")
        filled = [kv[:, :, : self.length - self.base] for kv in self.layers]
        if self.shared is not None:
            filled = [torch.cat([s, kv], dim=2) for s, kv in zip(self.shared, filled, strict=True)]
        self.shared = [kv.contiguous() for kv in filled]
        self.base = self.length
        # A line is a few dozen tokens: a small block, grown like any other if need be.
        size = (n, *self.layers[0].shape[1:2], ROW_BLOCK, self.layers[0].shape[3])
        self.layers = [torch.zeros(size) for _ in self.layers]


ROWS_AT_ONCE = 4096  # rows converted to float at a time while quantizing (memory, not speed)


def _float_rows(
    weight: torch.Tensor, rows: slice, column_scale: torch.Tensor | None, pad: str
) -> torch.Tensor:
    """Some rows of a weight as float32, columns scaled, with the zero column or row
    for the residual stream's constant component (see FastLlama)."""
    w = weight[rows].float()
    if column_scale is not None:
        w = w * column_scale
    if pad == "column":
        w = torch.cat([w, w.new_zeros(w.shape[0], 1)], dim=1)
    return w


def _full(weight: torch.Tensor, column_scale: torch.Tensor | None, pad: str) -> torch.Tensor:
    w = _float_rows(weight, slice(None), column_scale, pad)
    if pad == "row":
        w = torch.cat([w, w.new_zeros(1, w.shape[1])], dim=0)
    return w


def _int8_rows(
    weight: torch.Tensor, column_scale: torch.Tensor | None, pad: str = ""
) -> Iterator[tuple[slice, torch.Tensor, torch.Tensor]]:
    """Each output row as int8 with its step (max |w| / 127), a block of rows at a time:
    the float copy of the vocabulary-sized output matrix alone would be over 100 MB
    of peak memory. Yields (rows, int8 values, steps)."""
    n = weight.shape[0]
    for first in range(0, n, ROWS_AT_ONCE):
        block = slice(first, min(first + ROWS_AT_ONCE, n))
        w = _float_rows(weight, block, column_scale, pad)
        scale = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-12)
        yield block, torch.round(w / scale[:, None]).clamp_(-127, 127).to(torch.int8), scale


class _Int8Linear:
    """y = x W^T with W int8 per output channel, activations quantized per call (fbgemm)."""

    def __init__(self, weight: torch.Tensor, column_scale: torch.Tensor | None = None, pad: str = "") -> None:
        ints, scales = [], []
        for _, values, scale in _int8_rows(weight, column_scale, pad):
            ints.append(values)
            scales.append(scale)
        if pad == "row":
            ints.append(torch.zeros(1, ints[0].shape[1], dtype=torch.int8))
            scales.append(torch.ones(1))
        values, scale = torch.cat(ints), torch.cat(scales).double()
        zero = torch.zeros(values.shape[0], dtype=torch.long)
        with warnings.catch_warnings():
            # Quantized tensors are marked for migration to torchao, another large
            # dependency; fbgemm's packed int8 GEMM behind them is what a CPU needs here.
            warnings.simplefilter("ignore")
            q = torch._make_per_channel_quantized_tensor(values, scale, zero, 0)
        self.packed = torch.ops.quantized.linear_prepack(q, None)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return _LINEAR_DYNAMIC(x, self.packed, True)

    def normed(self, h: torch.Tensor) -> torch.Tensor:
        """Of the widened stream h, RMS-normalized (see FastLlama)."""
        return self(h / torch.linalg.vector_norm(h, dim=-1, keepdim=True))


# The C++ operator itself: `torch.ops...` runs Python checks on every call, ~10 us
# each, and a token makes 121 of these calls.
_LINEAR_DYNAMIC = torch.ops.quantized.linear_dynamic.default._op
# fbgemm (x86 only) is the int8 engine measured here; where torch has none (ARM
# laptops offer qnnpack, never measured for these shapes) the torch path is float32.
FBGEMM = bool({"fbgemm", "x86"} & set(torch.backends.quantized.supported_engines))


class _FloatLinear:
    def __init__(self, weight: torch.Tensor, column_scale: torch.Tensor | None = None, pad: str = "") -> None:
        self.weight = _full(weight, column_scale, pad).contiguous()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight)

    def normed(self, h: torch.Tensor) -> torch.Tensor:
        return self(h / torch.linalg.vector_norm(h, dim=-1, keepdim=True))


class _NativeLinear:
    """y = x W^T through decoder.c: W int8 per output row, activations per row.

    `normed(h)` divides each row of h by its root mean square first (RMSNorm; the
    norm's weight is folded into W's columns), inside the same C call.
    """

    def __init__(
        self, weight: torch.Tensor, column_scale: torch.Tensor | None, kernels: Any, eps: float
    ) -> None:
        n, k = weight.shape
        kp = -(-k // native.ALIGN) * native.ALIGN
        rows = -(-n // native.TILE) * native.TILE  # the kernels take whole tiles of rows
        ints = torch.zeros(rows, kp, dtype=torch.int8)  # padding rows and columns stay zero
        self.scale = torch.ones(rows)
        for block, values, scale in _int8_rows(weight, column_scale):
            ints[block, :k] = values
            self.scale[block] = scale
        self.rowsum = ints.sum(dim=1, dtype=torch.int32)
        self.ints = pack_tiles(ints)
        self._bind(n, k, kernels, eps)

    @classmethod
    def prepared(
        cls,
        ints: torch.Tensor,
        scale: torch.Tensor,
        rowsum: torch.Tensor,
        n: int,
        k: int,
        kernels: Any,
        eps: float,
    ) -> _NativeLinear:
        """One read back from the prepared-weights file (see FastLlama.load)."""
        rows, kp = scale.shape[0], ints.shape[1] * ints.shape[3]
        if (
            ints.shape != (rows // native.TILE, kp // 4, native.TILE, 4)
            or rowsum.shape != (rows,)
            or n > rows
        ):
            raise ValueError("prepared weights of the wrong shape")
        self = cls.__new__(cls)
        self.ints, self.scale, self.rowsum = ints, scale, rowsum
        self._bind(n, k, kernels, eps)
        return self

    def _bind(self, n: int, k: int, kernels: Any, eps: float) -> None:
        rows, kp = self.scale.shape[0], self.ints.shape[1] * 4
        self.matrix = native.Matrix(
            self.ints.data_ptr(), self.scale.data_ptr(), self.rowsum.data_ptr(), rows, k, kp
        )
        self.out, self.rows, self.k, self.eps, self._linear = n, rows, k, eps, kernels.lib.linear

    def _run(self, x: torch.Tensor, norm: int) -> torch.Tensor:
        x = x.float().contiguous()
        y = torch.empty(x.shape[0], self.rows)
        if self._linear(
            x.data_ptr(),
            x.shape[0],
            x.shape[1],
            ctypes.byref(self.matrix),
            self.eps,
            norm,
            y.data_ptr(),
            self.rows,
            0,
        ):
            raise MemoryError("out of memory in the voice's kernels")
        return y if self.rows == self.out else y[:, : self.out]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(x, 0)

    def normed(self, h: torch.Tensor) -> torch.Tensor:
        return self._run(h, 1)


@dataclass
class _Layer:
    qkv: Any
    o: Any
    gate_up: Any
    down: Any


def pack_tiles(ints: torch.Tensor) -> torch.Tensor:
    """int8 rows [n, kp] in decoder.c's layout: tiles of 16 rows, in each the 16 rows'
    4 bytes per group of 4 columns together ([n / 16][kp / 4][16][4])."""
    n, kp = ints.shape
    return ints.view(n // native.TILE, native.TILE, kp // 4, 4).transpose(1, 2).contiguous()


def native_fits(shape: LlamaShape) -> bool:
    """Whether decoder.c takes this shape: its products fill whole tiles of 16 output rows."""
    s = shape
    outs = ((s.heads + 2 * s.kv_heads) * s.head_dim, s.hidden, 2 * s.intermediate)
    return all(n % native.TILE == 0 for n in outs) and s.heads % s.kv_heads == 0  # (the vocabulary is padded)


class FastLlama:
    """Logits for the last position of each row, given new tokens and a KVCache.

    With the native kernels (decoder.c) a decode step is a single C call, and a
    prompt goes through the torch code below with the kernels' products: decoder.c
    can take a prompt too (`native_prompts`; the tests compare the two), but its
    attention, one dot product at a time, is slower over many new positions than
    torch's (100 new tokens: 254 ms against 142 ms, measured). Without the kernels,
    fbgemm's int8 products (or float32 ones) and the torch code do everything.

    RMSNorm's weight is folded into the columns of the matrix that follows it.
    On the torch path one more exact rewrite saves calls on every token: the
    residual stream carries one extra component, a constant sqrt(hidden * eps) that
    no layer writes to (the output matrices have a zero row for it): then
    x / |x| * sqrt(hidden) over the widened vector is exactly x / sqrt(mean(x^2) + eps)
    over the real one, so the norm is two torch calls instead of six.
    """

    def __init__(self, shape: LlamaShape, read: Any, int8: bool = True, kernels: Any = None) -> None:
        self.shape = s = shape
        self.kernels = kernels if int8 and native_fits(shape) else None
        linear = _Int8Linear if int8 and FBGEMM else _FloatLinear
        root = s.hidden**0.5

        def widen_in(weight: torch.Tensor, norm: torch.Tensor) -> Any:
            if self.kernels is not None:
                return _NativeLinear(weight, norm.float(), self.kernels, s.eps)
            # Columns scaled by the norm's weight; a zero column for the constant component.
            return linear(weight, column_scale=norm.float() * root, pad="column")

        def widen_out(weight: torch.Tensor) -> Any:
            if self.kernels is not None:
                return _NativeLinear(weight, None, self.kernels, s.eps)
            return linear(weight, pad="row")  # outputs nothing into the constant component

        embed = read("model.embed_tokens.weight")
        if self.kernels is not None:
            self.embed = embed  # kept in the file's precision (float16 for converted models)
        else:
            constant = torch.full((embed.shape[0], 1), (s.hidden * s.eps) ** 0.5, dtype=embed.dtype)
            # Kept in the file's precision (float16 for converted models) and widened per token.
            self.embed = torch.cat([embed, constant], dim=1)
        self.layers: list[_Layer] = []
        for i in range(s.layers):
            p = f"model.layers.{i}."
            attn_norm = read(p + "input_layernorm.weight")
            mlp_norm = read(p + "post_attention_layernorm.weight")
            qkv = torch.cat([read(p + f"self_attn.{n}_proj.weight") for n in "qkv"])
            gate_up = torch.cat([read(p + "mlp.gate_proj.weight"), read(p + "mlp.up_proj.weight")])
            self.layers.append(
                _Layer(
                    qkv=widen_in(qkv, attn_norm),
                    o=widen_out(read(p + "self_attn.o_proj.weight")),
                    gate_up=widen_in(gate_up, mlp_norm),
                    down=widen_out(read(p + "mlp.down_proj.weight")),
                )
            )
        head = None if s.tied else read("lm_head.weight", optional=True)
        self.lm_head = widen_in(embed if head is None else head, read("model.norm.weight"))
        self._finish()

    def _finish(self) -> None:
        s = self.shape
        self._inv_freq = 1.0 / (
            s.rope_theta ** (torch.arange(0, s.head_dim, 2, dtype=torch.float32) / s.head_dim)
        )
        self._scale = s.head_dim**-0.5
        self._cos = self._sin = torch.empty(0)
        self._grow_rope(CACHE_BLOCK * 8)
        self._model = None
        self.native_prompts = False
        if self.kernels is not None:

            def matrices(name: str) -> Any:
                return (native.Matrix * s.layers)(*(getattr(layer, name).matrix for layer in self.layers))

            self._model = native.Model(
                s.layers,
                s.hidden,
                s.heads,
                s.kv_heads,
                s.head_dim,
                s.intermediate,
                s.vocab,
                s.eps,
                matrices("qkv"),
                matrices("o"),
                matrices("gate_up"),
                matrices("down"),
                ctypes.pointer(self.lm_head.matrix),
            )

    @property
    def engine(self) -> str:
        """Which kernels decode: "native (avx512-vnni)", "fbgemm int8" or "float32"."""
        if self.kernels is not None:
            return f"native ({self.kernels.name})"
        return "fbgemm int8" if isinstance(self.lm_head, _Int8Linear) else "float32"

    LINEARS = ("qkv", "o", "gate_up", "down")

    def _prepared_tensors(self) -> tuple[dict[str, torch.Tensor], dict[str, list[int]]]:
        """The native path's ready weights, by name, and each matrix's (n, k)."""
        tensors: dict[str, torch.Tensor] = {"embed": self.embed}
        sizes: dict[str, list[int]] = {}
        named = [(f"{i}.{n}", getattr(layer, n)) for i, layer in enumerate(self.layers) for n in self.LINEARS]
        for name, linear in [*named, ("lm_head", self.lm_head)]:
            tensors.update(
                {f"{name}.ints": linear.ints, f"{name}.scale": linear.scale, f"{name}.rowsum": linear.rowsum}
            )
            sizes[name] = [linear.out, linear.k]
        return tensors, sizes

    @classmethod
    def _from_prepared(cls, shape: LlamaShape, kernels: Any, file: Path) -> FastLlama:
        """The native path's weights as `_prepared_tensors` saved them: nothing to quantize."""
        start, header = _safetensors_header(file)
        sizes = json.loads(header.get("__metadata__", {}).get("sizes", "{}"))

        def read(name: str) -> torch.Tensor:
            return _read_tensor(file, start, header[name])

        def linear(name: str) -> _NativeLinear:
            n, k = sizes[name]
            parts = (read(f"{name}.ints"), read(f"{name}.scale"), read(f"{name}.rowsum"))
            return _NativeLinear.prepared(*parts, n, k, kernels, shape.eps)

        self = cls.__new__(cls)
        self.shape, self.kernels, self.embed = shape, kernels, read("embed")
        if self.embed.shape != (shape.vocab, shape.hidden):
            raise ValueError("prepared weights for another model")
        self.layers = [_Layer(*(linear(f"{i}.{n}") for n in cls.LINEARS)) for i in range(shape.layers)]
        self.lm_head = linear("lm_head")
        self._finish()
        return self

    @classmethod
    def load(cls, model_dir: Path, int8: bool = True, use_native: bool = True) -> FastLlama:
        """Read the folder's safetensors one tensor at a time, so the float weights of
        the whole model are never in memory at once beside the int8 ones.

        On the native path the quantized, packed weights are saved once beside the
        kernels (`prepared_file`) and read back from then on: loading then does no
        arithmetic (3.5 s -> ~0.5 s for SmolLM2, measured).
        """
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        shape = LlamaShape.from_config(config)
        kernels = native.load() if int8 and use_native else None
        if kernels is not None:
            kernels.set_threads(torch.get_num_threads())
        prepared = prepared_file(model_dir) if kernels is not None and native_fits(shape) else None
        if prepared is not None and prepared.is_file():
            try:
                return cls._from_prepared(shape, kernels, prepared)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # damaged or stale: prepared again below
        where: dict[str, tuple[Path, int, dict[str, Any]]] = {}
        for file in sorted(model_dir.glob("*.safetensors")):
            start, header = _safetensors_header(file)
            for name, entry in header.items():
                if name != "__metadata__":
                    where[name] = (file, start, entry)

        def read(name: str, optional: bool = False) -> torch.Tensor:
            if name not in where:
                if optional:
                    return None  # type: ignore[return-value]
                raise KeyError(name)
            return _read_tensor(*where[name])

        with _freed_memory_returned():
            model = cls(shape, read, int8=int8, kernels=kernels)
        if prepared is not None:
            tensors, sizes = model._prepared_tensors()
            with contextlib.suppress(OSError):  # a full disk costs the next load time, nothing else
                _write_tensors(prepared, tensors, {"sizes": json.dumps(sizes)})
                _forget_older(prepared)
        return model

    def new_cache(self, batch: int = 1, capacity: int = CACHE_BLOCK) -> KVCache:
        return KVCache.empty(self.shape, batch, capacity)

    def _grow_rope(self, positions: int) -> None:
        """cos and sin per position for every head of the fused q/k/v output: the value
        heads get cos 1 and sin 0, so one rotation covers the whole projection."""
        s = self.shape
        t = torch.arange(positions, dtype=torch.float32)
        freqs = torch.outer(t, self._inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)  # [positions, head_dim]
        half = s.head_dim // 2
        # rotate_half(x) * sin == roll(x, half) * (sign * sin): the sign is folded in here.
        sign = torch.cat([-torch.ones(half), torch.ones(half)])
        rotated = s.heads + s.kv_heads
        cos = emb.cos()[:, None, :].repeat(1, rotated + s.kv_heads, 1)
        sin = (emb.sin() * sign)[:, None, :].repeat(1, rotated + s.kv_heads, 1)
        cos[:, rotated:] = 1.0
        sin[:, rotated:] = 0.0
        self._cos, self._sin = cos, sin  # [positions, heads + 2 * kv_heads, head_dim]

    @torch.inference_mode()
    def __call__(self, tokens: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """tokens [batch, T] after the cache's filled positions -> logits [batch, vocab] at the last."""
        s = self.shape
        batch, steps = tokens.shape
        start = cache.length
        end = start + steps
        if cache.shared is not None and steps > 1:
            raise ValueError("a cache with a shared prefix takes one token per row at a time")
        cache.reserve(steps)
        if end > self._cos.shape[0]:
            self._grow_rope(2 * end)
        if self._model is not None and (steps == 1 or self.native_prompts):
            return self._native_forward(tokens, cache)
        cos, sin = self._cos[start:end], self._sin[start:end]
        half, heads, kv = s.head_dim // 2, s.heads, s.kv_heads
        group = heads // kv
        rows = batch * steps
        own_start, own_end = start - cache.base, end - cache.base
        mask = None
        if steps > 1:
            # Each new position sees the whole cache and the new positions up to itself.
            mask = torch.ones(steps, end, dtype=torch.bool).tril(diagonal=start)
        h = self.embed[tokens.view(rows)].float()  # [rows, hidden (+ 1 on the torch path)]
        for i, layer in enumerate(self.layers):
            qkv = layer.qkv.normed(h).view(batch, steps, heads + 2 * kv, s.head_dim)
            rotated = torch.cat([qkv.narrow(3, half, half), qkv.narrow(3, 0, half)], dim=3)
            qkv = rotated.mul_(sin).addcmul_(qkv, cos)
            store = cache.layers[i]
            store.narrow(2, own_start, steps).copy_(qkv.narrow(2, heads, 2 * kv).transpose(1, 2))
            if steps > 1:
                q = qkv[:, :, :heads].transpose(1, 2)
                keys, values = store[:, :kv, :own_end], store[:, kv:, :own_end]
                attn = F.scaled_dot_product_attention(q, keys, values, attn_mask=mask, enable_gqa=group > 1)
                attn = attn.transpose(1, 2).reshape(rows, heads * s.head_dim)
            else:
                # One query per row: the query heads that share a key head are that
                # head's "positions", which needs no mask and no repeated keys.
                q = qkv.view(batch, heads + 2 * kv, s.head_dim).narrow(1, 0, heads).view(batch, kv, group, -1)
                filled = store.narrow(2, 0, own_end)
                if cache.shared is None:
                    attn = F.scaled_dot_product_attention(
                        q, filled.narrow(1, 0, kv), filled.narrow(1, kv, kv)
                    )
                else:
                    attn = self._attend_shared(q, cache.shared[i][0], filled)
                attn = attn.reshape(rows, heads * s.head_dim)
            h += layer.o(attn)
            gate_up = layer.gate_up.normed(h)
            inner = s.intermediate
            h += layer.down(F.silu(gate_up.narrow(1, 0, inner)).mul_(gate_up.narrow(1, inner, inner)))
        cache.length = end
        last = h.view(batch, steps, -1)[:, -1]
        return self.lm_head.normed(last)

    def _native_forward(self, tokens: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """The whole model in one call to decoder.c (a prompt, or a decode step)."""
        batch, steps = tokens.shape
        start = cache.length
        h = self.embed[tokens.reshape(-1)].float()
        logits = torch.empty(batch, self.lm_head.rows)
        pointers = ctypes.c_void_p * self.shape.layers
        own = pointers(*(kv.data_ptr() for kv in cache.layers))
        shared = pointers(*(kv.data_ptr() for kv in cache.shared)) if cache.shared is not None else None
        failed = self.kernels.lib.forward(
            ctypes.byref(self._model),
            h.data_ptr(),
            batch,
            steps,
            own,
            start - cache.base,
            cache.layers[0].shape[2],
            shared,
            cache.base if shared is not None else 0,
            self._cos[start, 0].data_ptr(),
            self._sin[start, 0].data_ptr(),
            self._cos.stride(0),
            logits.data_ptr(),
        )
        if failed:
            raise MemoryError("out of memory in the voice's kernels")
        cache.length = start + steps
        return logits if self.lm_head.rows == self.shape.vocab else logits[:, : self.shape.vocab]

    def _attend_shared(self, q: torch.Tensor, shared: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
        """Attention of each row's query over the shared prompt (read once for all rows)
        and over the row's own tokens, with one softmax across both."""
        batch, kv, group, dim = q.shape
        shared_k, shared_v = shared[:kv], shared[kv:]  # [kv, P, D]
        # All rows' queries against the shared keys in one product: [kv, B*group, P].
        rows = q.transpose(0, 1).reshape(kv, batch * group, dim)
        shared_scores = torch.matmul(rows, shared_k.transpose(1, 2))
        shared_scores = shared_scores.view(kv, batch, group, -1).transpose(0, 1)
        own_scores = torch.matmul(q, own[:, :kv].transpose(2, 3))  # [B, kv, group, own]
        probs = torch.cat([shared_scores, own_scores], dim=-1).mul_(self._scale).softmax(dim=-1)
        prefix = shared_k.shape[1]
        shared_probs = probs[..., :prefix].transpose(0, 1).reshape(kv, batch * group, prefix)
        out = torch.matmul(shared_probs, shared_v).view(kv, batch, group, dim).transpose(0, 1)
        return out + torch.matmul(probs[..., prefix:], own[:, kv:])


_DTYPES = {
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I8": torch.int8,
    "I32": torch.int32,
}
PREPARED_VERSION = 1  # raise when what _prepared_tensors saves changes meaning


def prepared_file(model_dir: Path) -> Path:
    """Where the native path keeps a model's quantized, packed weights: named after the
    weights it was made from (their sizes and times), the kernels' source (their layout)
    and this code's version, so anything changed makes a new one."""
    import hashlib

    from simulator import locations

    model_dir = Path(model_dir).resolve()
    folder = hashlib.sha256(str(model_dir).encode()).hexdigest()[:8]
    key = hashlib.sha256(f"{PREPARED_VERSION}\0".encode())
    key.update(native.SOURCE.read_bytes())
    for file in sorted([model_dir / "config.json", *model_dir.glob("*.safetensors")]):
        stat = file.stat()
        key.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return locations.models_dir() / "native" / f"{model_dir.name}-{folder}-{key.hexdigest()[:12]}.safetensors"


def _forget_older(prepared: Path) -> None:
    """Remove the same model folder's earlier prepared weights (~190 MB each for SmolLM2)."""
    folder_prefix = prepared.name.rsplit("-", 1)[0]
    for old in prepared.parent.glob(f"{folder_prefix}-*.safetensors"):
        if old != prepared:
            with contextlib.suppress(OSError):
                old.unlink()


def _write_tensors(file: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """A safetensors file, written under a temporary name and renamed into place."""
    codes = {dtype: code for code, dtype in _DTYPES.items()}
    header: dict[str, Any] = {"__metadata__": metadata}
    offset = 0
    for name, tensor in tensors.items():
        size = tensor.numel() * tensor.element_size()
        header[name] = {
            "dtype": codes[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".partial")
    try:
        with partial.open("wb") as handle:
            handle.write(len(raw).to_bytes(8, "little"))
            handle.write(raw)
            for tensor in tensors.values():
                handle.write(tensor.contiguous().view(torch.uint8).numpy().tobytes())
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)


def _safetensors_header(file: Path) -> tuple[int, dict[str, Any]]:
    """Where a safetensors file's data starts, and its header (name -> dtype, shape, offsets)."""
    with file.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        if not 0 < size < 100_000_000:
            raise ValueError(f"{file.name} is not a safetensors file")
        return 8 + size, json.loads(handle.read(size))


def _read_tensor(file: Path, start: int, entry: dict[str, Any]) -> torch.Tensor:
    """One tensor read with plain file reads: safetensors' own loader maps the whole
    file, and every page touched would count as the voice's memory until unmapped."""
    dtype = _DTYPES.get(entry["dtype"])
    if dtype is None:
        raise ValueError(f"tensors of type {entry['dtype']} are not supported")
    begin, end = entry["data_offsets"]
    count = 1
    for size in entry["shape"]:
        count *= size
    if count * dtype.itemsize != end - begin:
        raise ValueError(f"{file.name} is damaged: a tensor's size does not match its shape")
    with file.open("rb") as handle:
        handle.seek(start + begin)
        data = bytearray(handle.read(end - begin))
    if len(data) != end - begin:
        raise ValueError(f"{file.name} is truncated")
    return (
        torch.frombuffer(data, dtype=dtype).reshape(entry["shape"]) if data else torch.empty(entry["shape"])
    )


@contextlib.contextmanager
def _freed_memory_returned() -> Iterator[None]:
    """While loading, hand freed blocks of 64 KB or more back to the system at once.

    Loading makes many short-lived float copies of weight blocks; glibc keeps freed
    heap memory for reuse (and raises its threshold for using mmap as big blocks
    come and go), so the process's peak memory would count those copies long after
    they are gone: about 230 MB more, measured. Afterwards a fixed 4 MB threshold
    keeps decoding's per-token buffers on the fast heap path. Linux/glibc only.
    """
    libc = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt  # noqa: B018 - musl has no mallopt: then leave malloc alone
    m_mmap_threshold = -3
    if libc is not None:
        libc.mallopt(m_mmap_threshold, 64 * 1024)
    try:
        yield
    finally:
        if libc is not None:
            libc.mallopt(m_mmap_threshold, 4 * 1024 * 1024)
            libc.malloc_trim(0)
