"""A Llama-architecture decoder written for decoding on a CPU.

transformers' forward pass is general: per token it builds masks, walks a
DynamicCache, dispatches through hooks and wrappers. For a 135M model on two
cores that bookkeeping costs more than the arithmetic (see the README's Speed
section). This module runs the same mathematics with the fewest torch
calls we could manage:

- weights are read straight from the model folder's safetensors (no
  transformers model is built, so loading is quick and nothing is held twice);
- q/k/v and gate/up are each one matrix, so a layer makes four matrix calls;
- every linear is int8 per output channel through fbgemm (a quarter of the
  bytes read per token, which is what bounds decoding), or float32 when asked;
- the KV cache is one preallocated tensor per layer, written in place, so a
  conversation's prefix can be computed once and copied for each line.

The pieces live beside it: the KV cache in kv_cache.py, the linears in
quantized_linear.py, reading and writing weights in weight_files.py.

It supports plain Llama checkpoints (SmolLM2 and the like): rotary embeddings
of the default kind, RMSNorm, SiLU MLP, grouped-query attention, no biases.
`supports()` says whether a folder qualifies; anything else goes through
transformers.

Imports torch lazily in the sense that only the voice imports this module, and
the voice is only imported once a model is loaded.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from simulator.voice import native
from simulator.voice.kv_cache import CACHE_BLOCK, ROW_BLOCK, KVCache
from simulator.voice.quantized_linear import FBGEMM, _FloatLinear, _Int8Linear, _NativeLinear, pack_tiles
from simulator.voice.weight_files import (
    PREPARED_VERSION,
    _forget_older,
    _freed_memory_returned,
    _read_tensor,
    _safetensors_header,
    _write_tensors,
    prepared_file,
)

__all__ = [
    "CACHE_BLOCK",
    "PREPARED_VERSION",
    "ROW_BLOCK",
    "FastLlama",
    "KVCache",
    "LlamaShape",
    "pack_tiles",
    "prepared_file",
    "supports",
]


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


@dataclass
class _Layer:
    qkv: Any
    o: Any
    gate_up: Any
    down: Any


def native_fits(shape: LlamaShape) -> bool:
    """Whether decoder.c takes this shape: its products fill whole tiles of 16 output rows."""
    s = shape
    outs = ((s.heads + 2 * s.kv_heads) * s.head_dim, s.hidden, 2 * s.intermediate)
    return all(n % native.TILE == 0 for n in outs) and s.heads % s.kv_heads == 0  # (the vocabulary is padded)


class FastLlama:
    """Logits for the last position of each row, given new tokens and a KVCache.

    With the native kernels (decoder.c) a decode step is a single C call, and a
    prompt goes through the torch code below with the kernels' products: decoder.c's
    attention, one dot product at a time, is slower over many new positions than
    torch's batched one. Without the kernels,
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
        kernels (`prepared_file`) and read back from then on, so loading does no
        arithmetic.
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
        if self._model is not None and steps == 1:
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
        assert self.kernels is not None and self._model is not None  # only called when both were built
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
