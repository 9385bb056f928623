"""`simulator validate [PATH ...] [--rehearse]`: check scenario files."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.cli import common
from simulator.loader import SCENARIO_SUFFIXES, discover, scenario_files
from simulator.rehearsal import run_samples


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files and report every problem")
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: all known scenarios)"
    )
    p.add_argument(
        "--rehearse",
        action="store_true",
        help="also play each scenario's sample scripts and check their outcomes and expected grades",
    )
    p.set_defaults(run=run)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = scenario_files(path)
            files.extend(found)
        else:
            files.append(path)
    return files


def run(args: argparse.Namespace) -> int:
    if args.paths:
        lib = discover(files=_expand(args.paths))
    else:
        lib = common.library(args)
    bad = 0
    for _path, problems in sorted(lib.errors.items()):
        bad += 1
        for problem in problems:
            print(problem)
    for scenario_id, path in sorted(lib.paths.items(), key=lambda kv: str(kv[1])):
        if path.suffix not in SCENARIO_SUFFIXES:
            print(f"{path}: (file): scenario files end in .yaml or .yml; rename it")
            bad += 1
            continue
        print(f"ok {path} ({scenario_id})")
    failures = 0
    grade_misses = 0
    if args.rehearse:
        grader = common.grader()
        for scenario_id, scenario in sorted(lib.scenarios.items()):
            for result in run_samples(scenario, grader):
                status = "ok" if result.passed else "FAIL"
                print(
                    f"{status} {lib.paths[scenario_id]}: sample '{result.name}': "
                    f"expected {result.expected}, got {result.outcome}"
                )
                failures += 0 if result.passed else 1
                for miss in result.band_misses:
                    # Say which way to go: the grader may be wrong, or the band.
                    print(
                        f"FAIL {lib.paths[scenario_id]}: sample '{result.name}': {miss}; "
                        "check the reply with `simulator explain`, then fix the reply or widen the band"
                    )
                grade_misses += len(result.band_misses)
    total = len(lib.scenarios) + bad
    if total == 0:
        print("No scenario files found; give a file or folder, or see scenarios.md.")
        return 1
    summary = f"{len(lib.scenarios)} valid, {bad} invalid"
    if args.rehearse:
        summary += f", {failures} sample script(s) with the wrong outcome"
        summary += (
            f", {grade_misses} sample repl{'y' if grade_misses == 1 else 'ies'} outside the expected grades"
        )
    print(summary)
    return 1 if bad or failures or grade_misses else 0
