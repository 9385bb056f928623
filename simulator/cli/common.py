"""Helpers shared by several commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from simulator.errors import UserError
from simulator.grading import Grader, default_grader
from simulator.loader import Library, discover
from simulator.rehearsal import MAX_REPLY_CHARS
from simulator.safe_io import SafeReadError, read_text
from simulator.scenario import Scenario
from simulator.voice.base import Voice

Notice = Callable[[str], None]


def extra_dirs(args: argparse.Namespace) -> list[Path]:
    dirs: list[Path] = list(getattr(args, "scenarios", []) or [])
    return dirs


def library(args: argparse.Namespace) -> Library:
    return discover(extra_dirs(args))


def scenario(args: argparse.Namespace, scenario_id: str) -> Scenario:
    return library(args).get(scenario_id)


def grader() -> Grader:
    from simulator.cli.models_cmd import ensure_grader_weights

    ensure_grader_weights()  # the first run that grades fetches the weights once
    return default_grader()


def add_voice_options(parser: argparse.ArgumentParser, default: str = "scripted") -> None:
    """`default` is the command's own: the training room speaks through the model,
    headless rehearsals through the script (fast and repeatable)."""
    parser.add_argument(
        "--voice",
        choices=["scripted", "model"],
        default=None,
        help=f"who voices the customer: the authored lines, or a local language model "
        f"(default: {default}, or $SIMULATOR_VOICE; --model implies model)",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        type=Path,
        default=None,
        help="a local Hugging Face model folder or .gguf file for --voice model",
    )
    add_server_options(parser)
    parser.add_argument("--seed", type=int, default=0, help="makes the customer reproducible")
    parser.set_defaults(default_voice=default)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--voice-server",
        metavar="URL",
        default=None,
        help="voice the customer through an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 "
        "(also $SIMULATOR_VOICE_SERVER; nothing is sent anywhere without it)",
    )
    parser.add_argument(
        "--voice-server-model",
        metavar="NAME",
        default=None,
        help="the server's model to use (default: the first one it lists)",
    )


def voice_server(args: argparse.Namespace) -> str | None:
    """--voice-server, else $SIMULATOR_VOICE_SERVER; checked, or None."""
    from simulator.voice.server_engine import ENV_URL, check_url

    url = getattr(args, "voice_server", None) or os.environ.get(ENV_URL, "").strip()
    return check_url(url) if url else None


def voice_kind(args: argparse.Namespace) -> str:
    if args.voice:
        return str(args.voice)
    if args.model is not None or voice_server(args):
        return "model"
    env = os.environ.get("SIMULATOR_VOICE", "").strip().lower()
    if env in ("scripted", "model"):
        return env
    return str(getattr(args, "default_voice", "scripted"))


def voice(args: argparse.Namespace, on_notice: Notice | None = None) -> Voice:
    from simulator.voice.factory import make_voice

    return make_voice(
        voice_kind(args),
        model_path=args.model,
        seed=args.seed,
        on_notice=on_notice,
        server=voice_server(args),
        server_model=getattr(args, "voice_server_model", None),
    )


def read_text_file(path: Path, what: str, limit: int = 10_000_000) -> str:
    """A regular UTF-8 text file named on the command line, read with a size limit."""
    try:
        return read_text(path, limit)
    except SafeReadError as exc:
        raise UserError(f"The {what} file {path} {exc.reason}; {exc.advice}.") from None


def cap_reply(reply: str, where: str) -> str:
    """A reply cut to the length the training room accepts, saying so on stderr."""
    if len(reply) <= MAX_REPLY_CHARS:
        return reply
    print(
        f"note: {where} is longer than {MAX_REPLY_CHARS:,} characters (the most the training room "
        f"accepts); only its first {MAX_REPLY_CHARS:,} were used.",
        file=sys.stderr,
    )
    return reply[:MAX_REPLY_CHARS]
