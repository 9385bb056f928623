"""all-MiniLM-L6-v2 in numpy: the BERT forward pass and mean pooling, nothing else.

Why not transformers + torch: importing them costs seconds (tens of seconds on a
busy classroom laptop), and grading must be ready at once. The model is six
small layers: numpy encodes a reply quickly, loads at once, and keeps the grader
free of torch. A test checks the
vectors against transformers' BertModel.

What makes a reply's batch (a few clauses, the pieces of its offers, perhaps the
customer's line: 15-80 tokens) fast on a 2-core laptop:

- Packed, not padded: the sentences' tokens are laid side by side and every
  token-wise step (projections, feed-forward, layer norms) runs on the real
  tokens only; attention stays inside each sentence by a block-diagonal mask.
  A 25-token clause padded for 4-token offer pieces would be mostly padding.
- Feature-major: hidden states are (features, tokens) and each layer is
  `W @ x` with the weights as stored: with few tokens OpenBLAS runs that shape
  faster than `x @ W.T`.
- One matmul for query, key and value; in-place element-wise steps; ufunc
  reductions instead of .mean()/.max(), whose Python wrappers cost more than
  the arithmetic at this size.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Encoding, Tokenizer

MAX_TOKENS = 128  # replies are a few sentences; longer text adds time, not meaning
# Tokens per forward pass when many sentences are encoded at once (a scenario's
# phrases): block-diagonal attention grows with the square of a pass's tokens.
CHUNK_TOKENS = 256


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm of each token (column), in place: x is a fresh sum nobody else holds."""
    n = x.shape[0]
    mean = np.add.reduce(x, axis=0, keepdims=True)
    mean /= n
    x -= mean
    var = np.add.reduce(x * x, axis=0, keepdims=True)
    var /= n
    var += eps
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in place: x is a fresh matmul result nobody else holds."""
    # BERT's exact GELU uses erf; the tanh form differs by < 1e-3 and numpy has no erf.
    # The clip matters for speed: numpy's float32 tanh is ~50x slower far out in
    # the tails, where it is ±1 anyway.
    inner = x * x
    inner *= 0.044715
    inner += 1.0
    inner *= x
    inner *= 0.7978845608028654
    np.clip(inner, -9.0, 9.0, out=inner)
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= 0.5
    x *= inner
    return x


class MiniLM:
    """Sentence embeddings (unit vectors, float32) from a BERT folder of safetensors."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        weights = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        w = {k.removeprefix(prefix): v.astype(np.float32) for k, v in weights.items()}
        self.hidden = w["embeddings.word_embeddings.weight"].shape[1]
        # Query, key and value as one (3 * hidden, hidden) matrix: one matmul, not three.
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            parts = ("query", "key", "value")
            w[f"{p}qkv.weight"] = np.concatenate([w.pop(f"{p}{n}.weight") for n in parts])
            w[f"{p}qkv.bias"] = np.concatenate([w.pop(f"{p}{n}.bias") for n in parts])
        for name, value in w.items():
            # Biases and norm weights as columns, to broadcast over the tokens.
            w[name] = np.ascontiguousarray(value[:, None] if value.ndim == 1 else value)
        self.w = w
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.hidden), np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        start = tokens = 0
        for end, encoding in enumerate(encodings):
            if tokens and tokens + len(encoding.ids) > CHUNK_TOKENS:
                out[start:end] = self._forward(encodings[start:end])
                start, tokens = end, 0
            tokens += len(encoding.ids)
        out[start:] = self._forward(encodings[start:])
        return out

    def _forward(self, encodings: list[Encoding]) -> np.ndarray:
        w = self.w
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.intp)
        total = int(lengths.sum())
        starts = np.zeros(len(lengths), dtype=np.intp)
        np.cumsum(lengths[:-1], out=starts[1:])
        ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.intp, count=total)
        types = np.fromiter((t for e in encodings for t in e.type_ids), dtype=np.intp, count=total)
        sentence = np.repeat(np.arange(len(lengths)), lengths)
        positions = np.arange(total) - starts[sentence]
        x = w["embeddings.word_embeddings.weight"][ids]
        x += w["embeddings.position_embeddings.weight"][positions]
        x += w["embeddings.token_type_embeddings.weight"][types]
        x = _layer_norm(
            np.ascontiguousarray(x.T),
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
            self.eps,
        )
        hidden, heads = self.hidden, self.heads
        head_dim = hidden // heads
        # Each token attends to its own sentence only.
        attn_bias = np.where(sentence[:, None] == sentence[None, :], 0.0, -1e9).astype(np.float32)
        # A Python float keeps float32; a numpy float64 scalar would promote every
        # later matmul to mixed precision, which numpy runs without BLAS (10x slower).
        scale = float(head_dim**-0.5)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = w[f"{p}attention.self.qkv.weight"] @ x
            qkv += w[f"{p}attention.self.qkv.bias"]
            q, k, v = qkv.reshape(3, heads, head_dim, total)  # each (heads, head_dim, tokens)
            scores = q.transpose(0, 2, 1) @ k  # (heads, tokens, tokens)
            scores *= scale
            scores += attn_bias
            scores -= np.maximum.reduce(scores, axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= np.add.reduce(scores, axis=-1, keepdims=True)
            context = (v @ scores.transpose(0, 2, 1)).reshape(hidden, total)
            attended = w[f"{p}attention.output.dense.weight"] @ context
            attended += w[f"{p}attention.output.dense.bias"]
            attended += x
            x = _layer_norm(
                attended,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = w[f"{p}intermediate.dense.weight"] @ x
            inner += w[f"{p}intermediate.dense.bias"]
            out = w[f"{p}output.dense.weight"] @ _gelu(inner)
            out += w[f"{p}output.dense.bias"]
            out += x
            x = _layer_norm(out, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        pooled = np.add.reduceat(x, starts, axis=1).T / lengths[:, None].astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)
