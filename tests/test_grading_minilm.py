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
