"""`simulator models list|install [NAME] [--from DIR]|path`: the language models that voice
the customer, and the grader's sentence-embedding weights installed beside them."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from simulator import locations
from simulator.errors import UserError
from simulator.model_catalogue import folder_size, install, install_grader, load_catalogue
from simulator.voice import native


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, install or locate the customer's language models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.add_parser("list", help="the supported models and whether each is installed")
    inst = msub.add_parser("install", help="download, verify and convert a model (the default if no NAME)")
    inst.add_argument("name", nargs="?", metavar="NAME")
    inst.add_argument("--force", action="store_true", help="install again even if present")
    inst.add_argument(
        "--from",
        dest="source",
        metavar="DIR",
        type=Path,
        help="copy the models from a classroom kit (`simulator kit DIR`) instead of downloading them",
    )
    msub.add_parser("path", help="print the models folder (SIMULATOR_MODELS_DIR)")
    p.set_defaults(run=run)


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def run(args: argparse.Namespace) -> int:
    action = args.models_command or "list"
    if action == "path":
        print(locations.models_dir())
        return 0
    catalogue = load_catalogue()
    if action == "list":
        for m in catalogue.models:
            default = " (default)" if m.name == catalogue.default else ""
            state = f"installed, {_mb(folder_size(m.directory()))}" if m.installed() else "not installed"
            print(f"{m.name}{default}: {m.title}; {m.licence} licence; {_mb(m.size)} download; {state}")
            print(f"    from PyPI: {', '.join(m.packages)}")
        g = catalogue.grader
        state = f"installed, {_mb(folder_size(g.directory()))}" if g.installed() else "not installed"
        print(f"{g.name}: {g.title}; {g.licence} licence; {_mb(g.size)} download; {state}")
        print(f"    from PyPI: {g.package}")
        built = native.built()
        if not native.enabled():
            print(f"Decoding kernels: {native.status()}.")
        elif built is None:
            print("Decoding kernels: not built yet (`simulator models install` builds them).")
        elif native.load() is not None:  # already built: loading it compiles nothing
            print(f"Decoding kernels: {native.status()}, built for this machine ({built.name}).")
        else:
            print(f"Decoding kernels: {native.status()}.")
        return 0
    if args.source is not None:
        from simulator.kit import install_from_kit

        with progress_bar() as on_progress:
            installed = install_from_kit(args.source, args.name, on_progress=on_progress, force=args.force)
        for path in installed:
            print(f"Installed {path.name} in {path} ({_mb(folder_size(path))}) from {args.source}.")
        if not installed:
            print(f"Everything in {args.source} is already installed in {locations.models_dir()}.")
        model = catalogue.get(args.name)
        if model.installed():
            _kernels(model.directory())
        return 0
    model = catalogue.get(args.name)
    started = time.perf_counter()
    if model.installed() and not args.force:
        print(f"{model.name} is already installed in {model.directory()}.")
    else:
        with progress_bar() as on_progress:
            path = install(model.name, on_progress=on_progress, force=args.force)
        print(
            f"Installed {model.name} in {path} ({_mb(folder_size(path))}, "
            f"{time.perf_counter() - started:.0f} s)."
        )
    grader = catalogue.grader
    if grader.installed() and not args.force:
        print(f"{grader.name} (the grader's weights) is already installed in {grader.directory()}.")
    else:
        started = time.perf_counter()
        with progress_bar() as on_progress:
            path = install_grader(on_progress=on_progress, force=args.force)
        print(
            f"Installed {grader.name} (the grader's weights) in {path} "
            f"({_mb(folder_size(path))}, {time.perf_counter() - started:.0f} s)."
        )
    _kernels(model.directory())
    return 0


def ensure_grader_weights() -> None:
    """Before the first run that grades: fetch the grader's weights if they are nowhere.

    Not when SIMULATOR_EMBEDDING_MODEL names a folder or `off`: then the user chose.
    Without a network the run goes on, graded by the rules alone (the grader says so).
    """
    from simulator.grading import embeddings

    if os.environ.get(embeddings.ENV_VAR) or embeddings.find_model_dir() is not None:
        return
    grader = load_catalogue().grader
    print(
        f"Fetching the grader's weights ({grader.name}, {_mb(grader.size)}) once, into {locations.models_dir()}.",
        file=sys.stderr,
    )
    try:
        with progress_bar() as on_progress:
            install_grader(on_progress=on_progress)
    except UserError as exc:
        print(f"note: {exc}", file=sys.stderr)


def _kernels(model_dir: Path) -> None:
    """Build the voice's decoding kernels for this machine, and prepare the model's
    weights for them, now rather than at the first lesson."""
    started = time.perf_counter()
    if native.enabled() and native.built() is None:
        print(f"Decoding kernels: building them for this machine ({native.build_command()})…", flush=True)
    with progress_bar() as on_progress:
        compiling = native.enabled() and native.built() is None
        if compiling:
            on_progress("Compiling decoder.c", -1.0)
        kernels = native.load()
        if compiling:
            on_progress("Compiling decoder.c", 1.0)
        if kernels is None:
            print(f"Decoding kernels: {native.status()}; the customer's voice works, more slowly.")
            return
        from simulator.voice import fast_llama

        if fast_llama.supports(model_dir) and not fast_llama.prepared_file(model_dir).is_file():
            on_progress("Preparing int8 weights", -1.0)
            try:
                fast_llama.FastLlama.load(model_dir)  # quantizes once and keeps the result
                on_progress("Preparing int8 weights", 1.0)
            except (OSError, ValueError, KeyError) as exc:
                raise UserError(
                    f"The model in {model_dir} could not be prepared for the decoding kernels "
                    f"({type(exc).__name__}); run `simulator models install --force`."
                ) from None
    print(f"Decoding kernels: native ({kernels.name}), ready ({time.perf_counter() - started:.0f} s).")


def progress_bar() -> AbstractContextManager[Callable[[str, float], None]]:
    """A rich progress bar on stderr (stdout may carry JSON), one task per stage."""
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskID,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    @contextmanager
    def bar() -> Iterator[Callable[[str, float], None]]:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
        )
        tasks: dict[str, TaskID] = {}
        # Started on the first report, so a command with nothing to show prints nothing.
        progress = Progress(*columns, console=Console(stderr=True))

        unknown: set[TaskID] = set()  # stages with no known total yet

        def on_progress(stage: str, fraction: float) -> None:
            if not tasks:
                progress.start()
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=100 if fraction >= 0 else None)
                if fraction < 0:
                    unknown.add(tasks[stage])
            if fraction >= 0:
                unknown.discard(tasks[stage])
                progress.update(tasks[stage], total=100, completed=round(fraction * 100))

        try:
            yield on_progress
            for task in unknown:
                progress.update(task, total=100, completed=100)
        finally:
            if tasks:
                progress.stop()

    return bar()
