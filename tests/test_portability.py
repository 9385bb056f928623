"""Other laptops: nothing the program imports at load time is Unix-only, and the voice's
torch path has an int8 engine only where torch offers fbgemm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Modules Windows has not; each is blocked, then every simulator module is imported.
UNIX_ONLY = ["resource", "fcntl", "termios", "pwd", "grp", "pty"]


def test_every_module_imports_without_unix_only_modules() -> None:
    code = f"""
import sys, pkgutil, importlib
for name in {UNIX_ONLY!r}:
    sys.modules[name] = None  # `import name` now raises ImportError, as on Windows
import simulator
failed = []
for info in pkgutil.walk_packages(simulator.__path__, "simulator."):
    if info.name.endswith("__main__"):
        continue  # importing it runs the program
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        if exc.name in {UNIX_ONLY!r}:
            failed.append(f"{{info.name}}: {{exc}}")
print("\\n".join(failed))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_peak_memory_where_resource_is_missing(monkeypatch) -> None:
    from simulator.benchmarks import bench

    monkeypatch.setitem(sys.modules, "resource", None)
    assert bench.peak_rss_mb() == 0.0


def test_without_fbgemm_the_torch_path_is_float(monkeypatch, tmp_path: Path) -> None:
    from simulator.voice import fast_llama
    from tests.tiny_models import build_llama_dir

    folder = build_llama_dir(tmp_path / "llama")
    torch_path = fast_llama.FastLlama.load(folder, use_native=False).engine
    assert torch_path == ("fbgemm int8" if fast_llama.FBGEMM else "float32")
    monkeypatch.setattr(fast_llama, "FBGEMM", False)  # as on an ARM laptop
    assert fast_llama.FastLlama.load(folder, use_native=False).engine == "float32"
