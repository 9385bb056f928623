"""Domain code imports neither textual nor torch (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = [
    "simulator.scenario",
    "simulator.loader",
    "simulator.customer_state",
    "simulator.session",
    "simulator.rehearsal",
    "simulator.grading",
    "simulator.grading.rubric",
    "simulator.grading.embeddings",
    "simulator.grading.minilm",
    "simulator.storage",
    "simulator.export",
    "simulator.report",
    "simulator.exam",
    "simulator.model_catalogue",
    "simulator.voice",
    "simulator.voice.scripted",
    "simulator.voice.factory",
    "simulator.cli",
    "simulator.benchmarks.bench",
    "simulator.cli.bench_cmd",
]


def test_domain_code_imports_neither_textual_nor_torch() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {DOMAIN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'transformers'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"domain code pulled in: {result.stdout.strip()}"


def test_grading_a_reply_needs_no_torch() -> None:
    """The grader's sentence encoder runs in numpy, so grading never loads torch."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from simulator.grading import default_grader\n"
        "from simulator.grading.base import GradeContext\n"
        "from simulator.loader import load_scenario\n"
        "s = load_scenario(Path('scenarios/china-hotel-beds.yaml'))\n"
        "default_grader().grade('I am so sorry, I will bring a mattress up.', GradeContext(scenario=s))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'textual')))\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "[]"


def test_rehearse_with_scripted_voice_needs_no_torch(tmp_path) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text("Good evening, I'm so sorry. Let me help.\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from simulator.cli import main\n"
        f"main(['rehearse', 'china-hotel-beds', '--replies', {str(replies)!r}, '--json'])\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'clean', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip().endswith("clean")
