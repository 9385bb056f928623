"""`simulator play [SCENARIO_ID]`: the training room in the terminal UI."""

from __future__ import annotations

import argparse
import inspect
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


def _as_progress(report: Progress) -> Callable[..., None]:
    """Adapt whatever a loader reports (a fraction, done/total, a message) to `report`."""

    def progress(*args: Any, **kwargs: Any) -> None:
        values = [*args, *kwargs.values()]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        words = [v for v in values if isinstance(v, str)]
        fraction: float | None = None
        if len(numbers) >= 2 and numbers[1]:
            fraction = numbers[0] / numbers[1]
        elif numbers:
            fraction = numbers[0] / 100 if numbers[0] > 1 else numbers[0]
        report(fraction, words[0] if words else "loading")

    return progress


def voice_factory(args: argparse.Namespace) -> Callable[[Progress, Notice], Voice]:
    """A factory the app calls (in a worker when it loads a model)."""

    def make(report: Progress, notice: Notice) -> Voice:
        from simulator.voice.factory import make_voice

        params = inspect.signature(make_voice).parameters
        # Pass the loading-progress and notice callbacks to a factory that takes them.
        extra: dict[str, Any] = {}
        name = next((n for n in ("on_progress", "progress", "progress_callback") if n in params), None)
        if name:
            extra[name] = _as_progress(report)
        if "on_notice" in params:
            extra["on_notice"] = notice
        voice = make_voice(common.voice_kind(args), model_path=args.model, seed=args.seed, **extra)
        # A model that loads lazily would load on the first line, with no progress
        # shown; loading it here keeps that wait in the app's loading worker.
        load = getattr(voice, "load", None)
        if callable(load):
            load()
        return voice

    return make


def run(args: argparse.Namespace) -> int:
    from simulator.tui.app import TrainingApp

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
