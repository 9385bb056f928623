"""FastLlama's key/value cache: one preallocated tensor per layer, written in place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from simulator.voice.fast_llama import LlamaShape

CACHE_BLOCK = 256  # the cache grows in steps of this many positions
ROW_BLOCK = 64  # ... and the rows' own part after a shared prompt in steps of this many


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
