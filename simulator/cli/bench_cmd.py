"""`simulator bench [--json]`: how fast the customer answers, beside plain transformers and llama.cpp."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.cli import common
from simulator.errors import UserError


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
    p.add_argument(
        "--together",
        metavar="N",
        type=int,
        default=0,
        help="instead: N model-voiced rehearsals at once (a classroom on this machine); "
        "the share voiced by the model, in role, and line p50/p95",
    )
    p.add_argument(
        "--busy-loops",
        metavar="K",
        type=int,
        default=0,
        help="with --together: K other programs spinning on the cores meanwhile",
    )
    common.add_server_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from simulator.benchmarks.bench import KEYS, format_table, run_bench

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    server = common.voice_server(args)
    if args.together > 0 or server:
        # The rehearsals at once are their own run: the idle figures need the machine to themselves.
        from simulator.benchmarks.together import format_together, run_together

        if not 1 <= (args.together or 1) <= 64 or not 0 <= args.busy_loops <= 64:
            raise UserError("Give --together between 1 and 64 and --busy-loops between 0 and 64.")
        say(f"Rehearsing {args.together or 1} at once...")
        result = run_together(
            args.together or 1,
            args.busy_loops,
            server=server,
            server_model=args.voice_server_model,
            say=say,
        )
        print(format_together(result))
        if args.json:
            print(json.dumps(dict.fromkeys(KEYS) | result["figures"]))
        return 0

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
