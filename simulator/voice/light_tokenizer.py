"""The model's tokenizer without transformers: `tokenizers` reading tokenizer.json.

Importing transformers and building its tokenizer class takes seconds on a laptop
and a good share of the voice's memory; the voice only needs text to ids and back
plus the special tokens, which the `tokenizers` library does directly with the
same tokenizer.json. The chat template, needed only by the "chat" prompt style,
is delegated to transformers' tokenizer, built the first time it is asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Encoded:
    input_ids: list[int]


def _token_text(value: Any) -> str | None:
    """tokenizer_config.json writes a special token as a string or as {"content": ...}."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


class LightTokenizer:
    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        try:
            self._tok = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 - tokenizers raises a bare Exception for a damaged file
            raise ValueError(f"tokenizer.json could not be read: {exc}") from None
        try:
            config = json.loads((self.model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            config = {}
        self.bos_token = _token_text(config.get("bos_token"))
        self.eos_token = _token_text(config.get("eos_token"))
        self.pad_token = _token_text(config.get("pad_token"))
        self.chat_template = config.get("chat_template")
        template = self.model_dir / "chat_template.jinja"
        if self.chat_template is None and template.is_file():
            self.chat_template = template.read_text(encoding="utf-8")
        self._full: Any = None

    def _id(self, token: str | None) -> int | None:
        return None if token is None else self._tok.token_to_id(token)

    @property
    def bos_token_id(self) -> int | None:
        return self._id(self.bos_token)

    @property
    def eos_token_id(self) -> int | None:
        return self._id(self.eos_token)

    @property
    def pad_token_id(self) -> int | None:
        return self._id(self.pad_token)

    def __call__(self, text: str, add_special_tokens: bool = False) -> Encoded:
        return Encoded(self._tok.encode(text, add_special_tokens=add_special_tokens).ids)

    def decode(self, ids: Any, skip_special_tokens: bool = False) -> str:
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        return self._tok.decode(ids, skip_special_tokens=skip_special_tokens)

    def apply_chat_template(self, messages: list[dict[str, str]], **kwargs: Any) -> Any:
        if self._full is None:
            from transformers import AutoTokenizer

            self._full = AutoTokenizer.from_pretrained(
                self.model_dir, local_files_only=True, trust_remote_code=False
            )
        return self._full.apply_chat_template(messages, **kwargs)
