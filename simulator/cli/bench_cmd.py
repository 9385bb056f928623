"""`simulator bench [--json]`: how fast the customer answers, beside plain transformers and llama.cpp."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure start-up, line latency and generation speed against the peers")
    p.add_argument("--json", action="store_true", help="end with one JSON object of the figures")
    p.add_argument(
        "--model",
        metavar="PATH",
        type=Path,
        default=None,
        help="a model folder or .gguf file instead of the installed default model",
    )
    p.add_argument("--no-startup", action="store_true", help="skip the fresh-process start-up measurement")
    p.add_argument("--no-llama-cpp", action="store_true", help="skip llama.cpp even when it is installed")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from simulator.benchmarks.bench import format_table, run_bench

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_bench(
        args.model,
        startup=not args.no_startup,
        llama_cpp=not args.no_llama_cpp,
        say=say,
    )
    print(format_table(report))
    if args.json:
        print(report.to_json())
    return 0
