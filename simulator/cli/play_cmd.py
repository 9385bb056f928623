"""`simulator play [SCENARIO_ID]`: the training room in the terminal UI."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from simulator.cli import common
from simulator.voice.base import Voice

Progress = Callable[[float | None, str], None]
Notice = Callable[[str], None]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="open the training room (the default command)")
    p.add_argument("scenario_id", nargs="?", metavar="SCENARIO_ID", help="open this scenario directly")
    p.add_argument("--trainee", metavar="NAME", help="the trainee's name (remembered for next time)")
    p.add_argument(
        "--exam",
        action="store_true",
        help="exam mode: grades are hidden until the debrief and the seed is fixed",
    )
    common.add_voice_options(p, default="model")
    p.set_defaults(run=run)


def voice_factory(args: argparse.Namespace) -> Callable[[Progress, Notice], Voice]:
    """A factory the app calls (in a worker when it loads a model)."""
    url = common.voice_server(args)
    # Only given when asked for, so nothing about a server reaches a local voice.
    server: dict[str, Any] = (
        {"server": url, "server_model": getattr(args, "voice_server_model", None)} if url else {}
    )

    def make(report: Progress, notice: Notice) -> Voice:
        from simulator.voice.factory import make_voice

        def progress(stage: str, fraction: float) -> None:
            # The loaders report -1 when they cannot tell how far along they are.
            report(fraction if fraction >= 0 else None, stage)

        # make_voice loads the weights here, in the app's loading worker, with the
        # progress bar showing.
        return make_voice(
            common.voice_kind(args),
            model_path=args.model,
            seed=args.seed,
            on_progress=progress,
            on_notice=notice,
            **server,
        )

    return make


def run(args: argparse.Namespace) -> int:
    from simulator.tui.app import TrainingApp

    common.voice_server(args)  # a malformed URL is one sentence here, not a notice in the UI
    library = common.library(args)
    if args.scenario_id:
        library.get(args.scenario_id)  # an unknown id is one sentence here, not a crash in the UI
    app = TrainingApp(
        library,
        voice_factory(args),
        common.grader(),
        scenario_id=args.scenario_id,
        trainee=args.trainee,
        seed=args.seed,
        exam=args.exam,
        voice_kind=common.voice_kind(args),
    )
    app.run()
    return app.return_code or 0
