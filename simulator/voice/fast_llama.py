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

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - the usual name

CACHE_BLOCK = 256  # the cache grows in steps of this many positions


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

    All rows advance together (the candidates of a line start from one prompt; a
    finished row is fed padding), so one `length` serves them all. Positions before
    `base` are the prompt the rows share: stored once (`shared_*`, one row, never
    written again) rather than once per row, as reading them is most of the work of
    attention when four candidates decode a long prompt.
    """

    def __init__(
        self,
        keys: list[torch.Tensor],
        values: list[torch.Tensor],
        length: int = 0,
        shared: tuple[list[torch.Tensor], list[torch.Tensor]] | None = None,
        base: int = 0,
    ) -> None:
        self.keys = keys  # per layer: [batch, kv_heads, capacity, head_dim], from position `base`
        self.values = values
        self.length = length
        self.shared = shared  # per layer: [1, kv_heads, base, head_dim], positions before `base`
        self.base = base

    @classmethod
    def empty(cls, shape: LlamaShape, batch: int = 1, capacity: int = CACHE_BLOCK) -> KVCache:
        size = (batch, shape.kv_heads, capacity, shape.head_dim)
        return cls(
            [torch.zeros(size) for _ in range(shape.layers)],
            [torch.zeros(size) for _ in range(shape.layers)],
        )

    @property
    def batch(self) -> int:
        return self.keys[0].shape[0]

    @property
    def capacity(self) -> int:
        return self.base + self.keys[0].shape[2]

    def reserve(self, positions: int) -> None:
        """Room for `positions` more tokens, growing by whole blocks (copying once)."""
        if self.length + positions <= self.capacity:
            return
        self._resize(self.batch, self.length - self.base + positions)

    def _resize(self, batch: int, room: int) -> None:
        capacity = -(-room // CACHE_BLOCK) * CACHE_BLOCK
        filled = self.length - self.base
        for store in (self.keys, self.values):
            for i, old in enumerate(store):
                new = old.new_zeros((batch, old.shape[1], capacity, old.shape[3]))
                new[:, :, :filled] = old[:, :, :filled]  # broadcasts one row to many
                store[i] = new

    def copy(self) -> KVCache:
        """An independent copy (the shared prefix, never written, is not duplicated)."""
        filled = self.length - self.base
        keys = [k[:, :, : filled + CACHE_BLOCK].clone() for k in self.keys]
        values = [v[:, :, : filled + CACHE_BLOCK].clone() for v in self.values]
        return KVCache(keys, values, self.length, self.shared, self.base)

    def batch_repeat_interleave(self, n: int) -> None:
        """Turn a one-row cache into `n` rows that continue from everything filled so far."""
        if self.batch != 1:
            raise ValueError("only a one-row cache can be repeated")
        filled = self.length - self.base
        keys = [k[:, :, :filled] for k in self.keys]
        values = [v[:, :, :filled] for v in self.values]
        if self.shared is not None:
            keys = [torch.cat([s, k], dim=2) for s, k in zip(self.shared[0], keys, strict=True)]
            values = [torch.cat([s, v], dim=2) for s, v in zip(self.shared[1], values, strict=True)]
        self.shared = ([k.contiguous() for k in keys], [v.contiguous() for v in values])
        self.base = self.length
        size = (n, *self.keys[0].shape[1:2], CACHE_BLOCK, self.keys[0].shape[3])
        self.keys = [torch.zeros(size) for _ in self.keys]
        self.values = [torch.zeros(size) for _ in self.values]

    def get_seq_length(self) -> int:
        return self.length


class _Int8Linear:
    """y = x W^T with W int8 per output channel, activations quantized per call (fbgemm)."""

    def __init__(self, weight: torch.Tensor) -> None:
        w = weight.float()
        scales = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-12).double()
        zero = torch.zeros(w.shape[0], dtype=torch.long)
        with warnings.catch_warnings():
            # Quantized tensors are marked for migration to torchao, another large
            # dependency; fbgemm's packed int8 GEMM behind them is what a CPU needs here.
            warnings.simplefilter("ignore")
            q = torch.quantize_per_channel(w, scales, zero, 0, torch.qint8)
        self.packed = torch.ops.quantized.linear_prepack(q, None)
        self.out_features = w.shape[0]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.quantized.linear_dynamic(x, self.packed, True)


class _FloatLinear:
    def __init__(self, weight: torch.Tensor) -> None:
        self.weight = weight.float().contiguous()
        self.out_features = self.weight.shape[0]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight)


@dataclass
class _Layer:
    attn_norm: torch.Tensor
    qkv: Any
    o: Any
    mlp_norm: torch.Tensor
    gate_up: Any
    down: Any


class FastLlama:
    """Logits for the last position of each row, given new tokens and a KVCache."""

    def __init__(self, shape: LlamaShape, tensors: dict[str, torch.Tensor], int8: bool = True) -> None:
        self.shape = shape
        linear = _Int8Linear if int8 else _FloatLinear
        s = shape

        def take(name: str) -> torch.Tensor:
            return tensors.pop(name)

        self.embed = take("model.embed_tokens.weight").float()
        self.layers: list[_Layer] = []
        for i in range(s.layers):
            p = f"model.layers.{i}."
            qkv = torch.cat([take(p + f"self_attn.{n}_proj.weight") for n in "qkv"])
            gate_up = torch.cat([take(p + "mlp.gate_proj.weight"), take(p + "mlp.up_proj.weight")])
            self.layers.append(
                _Layer(
                    attn_norm=take(p + "input_layernorm.weight").float(),
                    qkv=linear(qkv),
                    o=linear(take(p + "self_attn.o_proj.weight")),
                    mlp_norm=take(p + "post_attention_layernorm.weight").float(),
                    gate_up=linear(gate_up),
                    down=linear(take(p + "mlp.down_proj.weight")),
                )
            )
        self.norm = take("model.norm.weight").float()
        head = tensors.pop("lm_head.weight", None)
        self.lm_head = linear(self.embed if head is None or s.tied else head)
        inv = 1.0 / (s.rope_theta ** (torch.arange(0, s.head_dim, 2, dtype=torch.float32) / s.head_dim))
        self._inv_freq = inv
        self._scale = s.head_dim**-0.5
        self._cos = self._sin = torch.empty(0)
        self._grow_rope(CACHE_BLOCK * 8)

    @classmethod
    def load(cls, model_dir: Path, int8: bool = True) -> FastLlama:
        from safetensors.torch import load_file

        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        tensors: dict[str, torch.Tensor] = {}
        for file in sorted(model_dir.glob("*.safetensors")):
            tensors.update(load_file(file))
        return cls(LlamaShape.from_config(config), tensors, int8=int8)

    def new_cache(self, batch: int = 1, capacity: int = CACHE_BLOCK) -> KVCache:
        return KVCache.empty(self.shape, batch, capacity)

    def _grow_rope(self, positions: int) -> None:
        t = torch.arange(positions, dtype=torch.float32)
        freqs = torch.outer(t, self._inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        half = self.shape.head_dim // 2
        # rotate_half(x) * sin == cat(x2, x1) * (sign * sin): the sign is folded in once here.
        sign = torch.cat([-torch.ones(half), torch.ones(half)])
        self._cos, self._sin = emb.cos(), emb.sin() * sign

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
        cos = self._cos[start:end]  # [T, head_dim], broadcast over batch and heads
        sin = self._sin[start:end]
        half = s.head_dim // 2
        q_width, kv_width = s.heads * s.head_dim, s.kv_heads * s.head_dim
        group = s.heads // s.kv_heads
        own_start, own_end = start - cache.base, end - cache.base
        mask = None
        if steps > 1:
            # Each new position sees the whole cache and the new positions up to itself.
            mask = torch.ones(steps, end, dtype=torch.bool).tril(diagonal=start)
        h = self.embed[tokens]  # [B, T, hidden]
        for i, layer in enumerate(self.layers):
            x = _rms_norm(h, layer.attn_norm, s.eps)
            qkv = layer.qkv(x.view(batch * steps, s.hidden)).view(batch, steps, -1)
            # Rotate q and k together: they sit side by side as heads of width head_dim.
            qk = qkv[..., : q_width + kv_width].view(batch, steps, s.heads + s.kv_heads, s.head_dim)
            qk = qk.transpose(1, 2)  # [B, heads+kv_heads, T, D]
            rotated = torch.cat([qk[..., half:], qk[..., :half]], dim=-1)
            qk = qk * cos + rotated * sin
            keys, values = cache.keys[i], cache.values[i]
            keys[:, :, own_start:own_end] = qk[:, s.heads :]
            values[:, :, own_start:own_end] = qkv[..., q_width + kv_width :].view(
                batch, steps, s.kv_heads, s.head_dim
            ).transpose(1, 2)
            if steps > 1:
                attn = F.scaled_dot_product_attention(
                    qk[:, : s.heads],
                    keys[:, :, :own_end],
                    values[:, :, :own_end],
                    attn_mask=mask,
                    enable_gqa=group > 1,
                )
                attn = attn.transpose(1, 2).reshape(batch * steps, q_width)
            else:
                # One query per row: the query heads that share a key head are that
                # head's "positions", which needs no mask and no repeated keys.
                q = qk[:, : s.heads].reshape(batch, s.kv_heads, group, s.head_dim)
                if cache.shared is None:
                    attn = F.scaled_dot_product_attention(q, keys[:, :, :own_end], values[:, :, :own_end])
                else:
                    attn = self._attend_shared(q, cache, i, own_end)
                attn = attn.reshape(batch, q_width)
            h = h + layer.o(attn).view(batch, steps, s.hidden)
            x = _rms_norm(h, layer.mlp_norm, s.eps).view(batch * steps, s.hidden)
            gate, up = layer.gate_up(x).split(s.intermediate, dim=-1)
            h = h + layer.down(F.silu(gate) * up).view(batch, steps, s.hidden)
        cache.length = end
        last = _rms_norm(h[:, -1], self.norm, s.eps)
        return self.lm_head(last)

    def _attend_shared(self, q: torch.Tensor, cache: KVCache, layer: int, own_end: int) -> torch.Tensor:
        """Attention of each row's query over the shared prompt (read once for all rows)
        and over the row's own tokens, with one softmax across both."""
        assert cache.shared is not None
        batch, kv_heads, group, dim = q.shape
        shared_k, shared_v = cache.shared[0][layer][0], cache.shared[1][layer][0]  # [kv, P, D]
        own_k, own_v = cache.keys[layer][:, :, :own_end], cache.values[layer][:, :, :own_end]
        # All rows' queries against the shared keys in one product: [kv, B*group, P].
        rows = q.transpose(0, 1).reshape(kv_heads, batch * group, dim)
        shared_scores = torch.matmul(rows, shared_k.transpose(1, 2))
        shared_scores = shared_scores.view(kv_heads, batch, group, -1).transpose(0, 1)
        own_scores = torch.matmul(q, own_k.transpose(2, 3))  # [B, kv, group, own]
        probs = torch.cat([shared_scores, own_scores], dim=-1).mul_(self._scale).softmax(dim=-1)
        prefix = shared_k.shape[1]
        shared_probs = probs[..., :prefix].transpose(0, 1).reshape(kv_heads, batch * group, prefix)
        out = torch.matmul(shared_probs, shared_v).view(kv_heads, batch, group, dim).transpose(0, 1)
        return out + torch.matmul(probs[..., prefix:], own_v)

def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    # F.rms_norm costs several times this at batch 1: it round-trips through dtype casts.
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True).add_(eps)) * weight
