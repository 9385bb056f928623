"""FastLlama's linear layers: int8 through fbgemm, float32, or decoder.c's int8 tiles."""

from __future__ import annotations

import ctypes
import warnings
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from simulator.voice import native

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


def pack_tiles(ints: torch.Tensor) -> torch.Tensor:
    """int8 rows [n, kp] in decoder.c's layout: tiles of 16 rows, in each the 16 rows'
    4 bytes per group of 4 columns together ([n / 16][kp / 4][16][4])."""
    n, kp = ints.shape
    return ints.view(n // native.TILE, native.TILE, kp // 4, 4).transpose(1, 2).contiguous()
