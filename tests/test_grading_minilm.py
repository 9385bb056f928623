"""The numpy MiniLM gives the same sentence vectors as transformers' BertModel."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.grading.embeddings import find_model_dir
from simulator.grading.minilm import MiniLM

TEXTS = [
    "I'll bring an extra mattress up to your room myself.",
    "We can't give you a mattress.",
    "Hello",
    "Customers are not allowed in the truck. Book a taxi, and quit phoning us today!!!",
    "שלום, אני מצטער 🙂",
]


@pytest.fixture(scope="module")
def folder():
    found = find_model_dir()
    if found is None:
        pytest.skip("all-MiniLM-L6-v2 is not installed (see the README set-up)")
    return found


def test_matches_transformers(folder) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ours = MiniLM(folder).encode(TEXTS)
    tokenizer = transformers.AutoTokenizer.from_pretrained(
        str(folder), local_files_only=True, trust_remote_code=False
    )
    model = transformers.AutoModel.from_pretrained(
        str(folder), local_files_only=True, trust_remote_code=False
    ).eval()
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    theirs = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.9999, cosine


def test_padding_does_not_change_a_vector(folder) -> None:
    model = MiniLM(folder)
    alone = model.encode([TEXTS[2]])[0]
    batched = model.encode([TEXTS[2], TEXTS[3]])[0]
    assert float(alone @ batched) > 0.9999
    assert model.encode([]).shape == (0, 384)


def test_a_long_batch_in_several_passes_gives_the_same_vectors(folder) -> None:
    model = MiniLM(folder)
    texts = [f"{TEXTS[i % len(TEXTS)]} ({i})" for i in range(40)]  # several passes of packed tokens
    together = model.encode(texts)
    alone = np.stack([model.encode([t])[0] for t in texts])
    assert float((together * alone).sum(axis=1).min()) > 0.9999


def test_a_scenarios_phrases_are_read_back_in_the_next_process(folder, monkeypatch, tmp_path) -> None:
    from simulator.grading import embeddings

    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(tmp_path))
    phrases = ["a folding bed in the room", "I can't do anything about that", "please wait"]
    first = embeddings.Embedder(folder)
    vectors = first.encode(phrases, keep=True)
    assert list((tmp_path / "cache" / embeddings.PHRASE_CACHE).glob("*.npy"))

    second = embeddings.Embedder(folder)  # a new process, as far as the cache knows
    second._ensure_loaded()
    encoded: list[list[str]] = []
    real_run = second._run
    monkeypatch.setattr(second, "_run", lambda texts: encoded.append(texts) or real_run(texts))
    assert np.array_equal(second.encode(phrases, keep=True), vectors)
    assert encoded == []  # read back, not encoded again
    # A reply's sentences are not written: only scenario phrases are worth keeping.
    second.encode(["something a trainee typed"])
    assert encoded == [["something a trainee typed"]]


def test_a_damaged_phrase_file_is_encoded_again(folder, monkeypatch, tmp_path) -> None:
    from simulator.grading import embeddings

    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(tmp_path))
    phrases = ["a taxi to the garage", "the tow truck is on its way"]
    vectors = embeddings.Embedder(folder).encode(phrases, keep=True)
    for path in (tmp_path / "cache" / embeddings.PHRASE_CACHE).glob("*.npy"):
        path.write_bytes(b"not an array")
    assert np.allclose(embeddings.Embedder(folder).encode(phrases, keep=True), vectors, atol=1e-6)


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(folder, monkeypatch, tmp_path) -> None:
    from simulator.grading import embeddings

    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(blocked))
    vectors = embeddings.Embedder(folder).encode(["a room upgrade"], keep=True)
    assert vectors.shape == (1, 384)
