"""all-MiniLM-L6-v2 in numpy: the BERT forward pass and mean pooling, nothing else.

Why not transformers + torch: importing them costs seconds (tens of seconds on a
busy classroom laptop), and grading must be ready at once. The model is six
small layers; numpy runs a reply in a few milliseconds, loads in well under a
second, and keeps the grader free of torch. A test checks the vectors against
transformers' BertModel.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 128  # replies are a few sentences; longer text adds time, not meaning
CHUNK = 16  # sentences per batch when many are encoded at once


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU uses erf; the tanh form differs by < 1e-3 and numpy has no erf.
    # The clip matters for speed: numpy's float32 tanh is ~50x slower far out in
    # the tails, where it is ±1 anyway.
    inner = np.clip(0.7978845608028654 * (x + 0.044715 * x * x * x), -9.0, 9.0)
    return 0.5 * x * (1.0 + np.tanh(inner))


class MiniLM:
    """Sentence embeddings (unit vectors, float32) from a BERT folder of safetensors."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.w = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in self.w else ""
        self.w = {k.removeprefix(prefix): v.astype(np.float32) for k, v in self.w.items()}
        # Pre-transpose once so every matmul is x @ W.
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and ".dense." in name + ".":
                self.w[name] = np.ascontiguousarray(self.w[name].T)
            elif name.endswith((".query.weight", ".key.weight", ".value.weight")):
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) > CHUNK:
            # A scenario's phrases: similar lengths together, so little padding is
            # computed (attention and every layer pay for the longest in a batch).
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.empty((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
            for start in range(0, len(order), CHUNK):
                chunk = order[start : start + CHUNK]
                out[chunk] = self._encode([texts[i] for i in chunk])
            return out
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        w = self.w
        positions = np.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        x = x.astype(np.float32, copy=False)
        batch, length, hidden = x.shape
        head_dim = hidden // self.heads
        attn_bias = ((1.0 - mask)[:, None, None, :] * -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def proj(name: str, inp: np.ndarray, p: str = p) -> np.ndarray:
                # One 2-D GEMM over every token: numpy's batched 3-D matmul runs a
                # small GEMM per sentence, which costs more than the arithmetic here.
                flat = inp.reshape(-1, inp.shape[-1]) @ w[f"{p}{name}.weight"] + w[f"{p}{name}.bias"]
                return flat.reshape(*inp.shape[:-1], flat.shape[-1])

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, head_dim).transpose(0, 2, 1, 3)

            q = split(proj("attention.self.query", x))
            k = split(proj("attention.self.key", x))
            v = split(proj("attention.self.value", x))
            # A Python float keeps float32; a numpy float64 scalar would promote every
            # later matmul to mixed precision, which numpy runs without BLAS (10x slower).
            scores = q @ k.transpose(0, 1, 3, 2) * float(head_dim**-0.5) + attn_bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                proj("attention.output.dense", context) + x,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(proj("intermediate.dense", x))
            x = _layer_norm(
                proj("output.dense", inner) + x,
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                self.eps,
            )
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
