"""Reading and writing FastLlama's weights: safetensors read one tensor at a time, and
the native path's prepared (quantized, packed) weights file."""

from __future__ import annotations

import contextlib
import ctypes
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from simulator.voice import native

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
