"""`simulator bench --together N`: several trainees rehearsing at once on this machine.

A classroom sharing one machine (over SSH, or through one voice server) is the
case that used to fall apart, so it is measured as it happens: N `simulator
rehearse --voice model --json` processes at once, each playing every sample
conversation of the seed scenarios (each starting at a different one), with
`--busy-loops K` programs spinning beside them if asked, and `--voice-server`
passed through to every rehearsal. From the rehearsals' own JSON:

- the share of customer lines the model voiced (the rest are authored lines);
- the share of model-voiced lines the verifier, asked again, keeps in role;
- the customer line's `seconds` (the voice's time for the line), p50 and p95;
- why the script spoke, counted by reason.

This is a separate run from the idle figures: they need the machine to themselves.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TOGETHER_KEYS = (
    "together_rehearsals",
    "together_busy_loops",
    "together_lines",
    "together_model_voiced_share",
    "together_in_role_share",
    "together_line_p50_s",
    "together_line_p95_s",
)
REHEARSAL_TIMEOUT_S = 900.0  # one rehearsal on a very busy machine; past it, it counts as failed

Say = Callable[[str], None]


def _silent(message: str) -> None:
    pass


def _busy_loop() -> subprocess.Popen[bytes]:
    """Another program that wants a whole core, as a trainee's machine often has."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run_together(
    rehearsals: int,
    busy_loops: int = 0,
    scenario_ids: Sequence[str] = ("china-hotel-beds", "tow-truck-ride"),
    server: str | None = None,
    server_model: str | None = None,
    say: Say = _silent,
) -> dict[str, Any]:
    """Run the rehearsals at once; the figures (TOGETHER_KEYS) and the details."""
    from simulator.benchmarks.bench import machine_load, percentile
    from simulator.loader import discover

    library = discover([])
    scenarios = [library.get(s) for s in scenario_ids]
    plays = [(sc, sample) for sc in scenarios for sample in sc.samples]
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()
    load_before = machine_load()
    with tempfile.TemporaryDirectory(prefix="simulator-together-") as tmp:
        files = []
        for i, (sc, sample) in enumerate(plays):
            path = Path(tmp) / f"{i}.txt"
            path.write_text("\n".join(sample.texts), encoding="utf-8")
            files.append((sc.id, path))

        def trainee(number: int) -> None:
            # Each trainee starts at a different conversation, so their lines interleave.
            order = files[number % len(files) :] + files[: number % len(files)]
            for seed, (scenario_id, path) in enumerate(order, start=1 + 100 * number):
                argv = [sys.executable, "-m", "simulator", "rehearse", scenario_id, "--replies", str(path)]
                argv += ["--voice", "model", "--json", "--seed", str(seed)]
                if server:
                    argv += ["--voice-server", server]
                    if server_model:
                        argv += ["--voice-server-model", server_model]
                try:
                    done = subprocess.run(
                        argv, capture_output=True, text=True, timeout=REHEARSAL_TIMEOUT_S, check=False
                    )
                    data = json.loads(done.stdout) if done.returncode == 0 else None
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    data, done = None, None
                    with lock:
                        errors.append(f"{scenario_id}: {type(exc).__name__}")
                with lock:
                    if data is not None:
                        results.append(data)
                    elif done is not None:
                        errors.append(f"{scenario_id}: {done.stderr.strip()[:200]}")
                say(f"  trainee {number + 1}: {scenario_id} done")

        loops = [_busy_loop() for _ in range(busy_loops)]
        try:
            threads = [threading.Thread(target=trainee, args=(n,)) for n in range(rehearsals)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for loop in loops:
                loop.kill()
                loop.wait()
    load_after = machine_load()

    by_id = {sc.id: sc for sc in scenarios}
    seconds: list[float] = []
    sources: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    in_role = model_lines = verbatim = 0
    for data in results:
        turns = data.get("turns", [])
        in_role_now, model_now = _in_role(by_id[data["scenario"]], data["opening"], turns)
        in_role += in_role_now
        model_lines += model_now
        verbatim += _verbatim(by_id[data["scenario"]], turns)
        for turn in turns:
            seconds.append(float(turn["seconds"]))
            sources[turn["customer_source"]] += 1
            if turn.get("fallback"):
                reasons[turn["fallback"]] += 1
    lines = sum(sources.values())
    figures: dict[str, Any] = {
        "together_rehearsals": rehearsals,
        "together_busy_loops": busy_loops,
        "together_lines": lines,
        "together_model_voiced_share": round(sources["model"] / lines, 3) if lines else None,
        "together_in_role_share": round(in_role / model_lines, 3) if model_lines else None,
        "together_line_p50_s": _round(percentile(seconds, 50)),
        "together_line_p95_s": _round(percentile(seconds, 95)),
    }
    details = {
        "together_voice": f"server {server}" if server else "local model",
        "together_fallbacks": dict(reasons),
        # Model-voiced, but word for word a line of the scenario file: a small model
        # often reads its script back; that is in role, and no new wording.
        "together_verbatim_share": round(verbatim / model_lines, 3) if model_lines else None,
        "together_failed": errors,
        "together_load": f"before {load_before}, after {load_after}",
        "together_line_s": sorted(round(x, 2) for x in seconds),
    }
    return {"figures": figures, "details": details}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _verbatim(scenario: Any, turns: list[dict[str, Any]]) -> int:
    """Model lines that appear word for word in the scenario's authored text."""
    from simulator.voice.verifier import Verifier

    def plain(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'")))

    authored = plain(Verifier.scenario_text(scenario))
    return sum(1 for t in turns if t["customer_source"] == "model" and plain(t["customer"]) in authored)


def _in_role(scenario: Any, opening: str, turns: list[dict[str, Any]]) -> tuple[int, int]:
    """(model lines the verifier keeps in role, model lines), each checked against what the
    voice saw at that turn: the conversation so far and the lines said before."""
    from simulator.session import HISTORY_TURNS
    from simulator.voice.base import LineRequest
    from simulator.voice.verifier import Verifier

    verifier = Verifier(scenario)
    history: list[tuple[str, str]] = [("customer", opening)]
    said: list[str] = []
    kept = model = 0
    for turn in turns:
        history.append(("trainee", turn["trainee"]))
        if turn["customer_source"] == "model":
            model += 1
            request = LineRequest(
                scenario=scenario,
                intent="",
                authored=(turn["customer"],),
                beat=turn["beat"],
                history=tuple(history[-HISTORY_TURNS:]),
                said_before=tuple(said),
            )
            kept += verifier.check(turn["customer"], request).ok
        history.append(("customer", turn["customer"]))
        said.append(turn["customer"])
    return kept, model


def format_together(result: dict[str, Any]) -> str:
    f, d = result["figures"], result["details"]

    def show(value: Any, unit: str = "") -> str:
        return "n/a" if value is None else f"{value:g}{unit}"

    share = f["together_model_voiced_share"]
    role = f["together_in_role_share"]
    verbatim = d.get("together_verbatim_share")
    lines = [
        f"{f['together_rehearsals']} rehearsals at once ({d['together_voice']}), "
        f"{f['together_busy_loops']} busy loops beside them",
        f"  customer lines:            {f['together_lines']}",
        f"  voiced by the model:       {'n/a' if share is None else f'{share:.0%}'}",
        f"  model lines in role:       {'n/a' if role is None else f'{role:.0%}'}",
        f"  ... word for word authored: {'n/a' if verbatim is None else f'{verbatim:.0%}'}",
        f"  line p50 / p95:            {show(f['together_line_p50_s'], ' s')} / {show(f['together_line_p95_s'], ' s')}",
        f"  the script spoke because:  {d['together_fallbacks'] or 'it never had to'}",
        f"  machine load (1/5/15 min): {d['together_load']}",
    ]
    if d["together_failed"]:
        lines.append(f"  rehearsals that failed:    {len(d['together_failed'])}: {d['together_failed'][0]}")
    if d["together_line_s"]:
        lines.append(f"  each line, sorted (s): {' '.join(f'{x:g}' for x in d['together_line_s'])}")
    return "\n".join(lines)
