"""The voice's C kernels (decoder.c): built once per machine, loaded with ctypes.

The library is compiled on the machine that runs it (`cc -O3 -march=native
-fopenmp`), so it uses that CPU's widest integer dot products, and is kept in the
models folder under a name made from the source, the compiler and the CPU: a new
version of the program, another compiler or a models folder shared with another
kind of machine gets its own build. `simulator models install` builds it; a voice
that finds none builds it while the model loads (a second or two).

No compiler, a failed build, a build never measured faster than torch (without
OpenMP, or without the x86 int8 dot products), or `SIMULATOR_NATIVE=0` leave the
voice on its torch path (fbgemm int8 on x86, float32 elsewhere): the same model,
slower. `status()` says which and why, for `simulator models install|list` and
`simulator bench`.

Nothing here imports torch: tensors are passed in as data pointers by fast_llama.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from simulator import locations

SOURCE = Path(__file__).with_name("decoder.c")
# No fused multiply-add contraction: the quantizing step then rounds exactly as torch
# would (the tests compare the two), and a product is not where the time goes.
FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=gnu11", "-ffp-contract=off"]
ENV_SWITCH = "SIMULATOR_NATIVE"  # "0" keeps the voice on torch's kernels
ALIGN = 64  # decoder.c's ALIGN: weight rows are padded to a multiple of this many bytes
TILE = 16  # decoder.c's TILE: output rows per packed tile


class Matrix(ctypes.Structure):
    _fields_ = [
        ("w", ctypes.c_void_p),
        ("scale", ctypes.c_void_p),
        ("rowsum", ctypes.c_void_p),
        ("n", ctypes.c_int),
        ("k", ctypes.c_int),
        ("kp", ctypes.c_int),
    ]


class Model(ctypes.Structure):
    _fields_ = [
        ("layers", ctypes.c_int),
        ("hidden", ctypes.c_int),
        ("heads", ctypes.c_int),
        ("kv_heads", ctypes.c_int),
        ("head_dim", ctypes.c_int),
        ("inter", ctypes.c_int),
        ("vocab", ctypes.c_int),
        ("eps", ctypes.c_float),
        ("qkv", ctypes.POINTER(Matrix)),
        ("o", ctypes.POINTER(Matrix)),
        ("gate_up", ctypes.POINTER(Matrix)),
        ("down", ctypes.POINTER(Matrix)),
        ("lm_head", ctypes.POINTER(Matrix)),
    ]


_POINTER = ctypes.c_void_p
_INT = ctypes.c_int


class Kernels:
    """The loaded library, with its functions' argument types declared."""

    def __init__(self, path: Path) -> None:
        self.path = path
        lib = ctypes.CDLL(str(path))
        lib.kernel_name.restype = ctypes.c_char_p
        lib.linear.argtypes = [
            _POINTER,
            _INT,
            _INT,
            ctypes.POINTER(Matrix),
            ctypes.c_float,
            _INT,
            _POINTER,
            _INT,
            _INT,
        ]
        lib.linear.restype = _INT
        lib.forward.argtypes = [
            ctypes.POINTER(Model),
            _POINTER,
            _INT,
            _INT,
            _POINTER,
            _INT,
            _INT,
            _POINTER,
            _INT,
            _POINTER,
            _POINTER,
            _INT,
            _POINTER,
        ]
        lib.forward.restype = _INT
        lib.set_threads.argtypes = [_INT]
        self.lib = lib
        self.name = lib.kernel_name().decode()
        self.set_threads(os.cpu_count() or 1)  # until the voice says how many torch uses

    def set_threads(self, threads: int) -> None:
        self.lib.set_threads(max(1, threads))


_lock = threading.Lock()
_loaded: Kernels | None = None
_why_not = ""  # set once a build or load has failed: not retried in this process


def _compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return name
    return None


def _cpu_signature() -> str:
    """What -march=native depends on: the CPU's feature flags where Linux shows them."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_path(compiler: str) -> Path:
    """Where the build for this source, compiler and CPU lives."""
    try:
        version = subprocess.run(
            [compiler, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        version = compiler
    key = hashlib.sha256()
    for part in (SOURCE.read_bytes(), version.encode(), " ".join(FLAGS).encode(), _cpu_signature().encode()):
        key.update(part)
        key.update(b"\0")
    return locations.models_dir() / "native" / f"decoder-{key.hexdigest()[:16]}.so"


def build_command() -> str:
    """The compiler command a build runs, for telling the user what is happening."""
    return f"{_compiler() or 'cc'} {' '.join(FLAGS)} decoder.c"


def built() -> Path | None:
    """The library already built for this machine, if any (builds nothing)."""
    compiler = _compiler()
    if compiler is None:
        return None
    path = library_path(compiler)
    return path if path.is_file() else None


def build() -> Path:
    """Compile decoder.c for this machine (if not already); the library's path.

    Raises RuntimeError with a one-line reason when it cannot be built.
    """
    compiler = _compiler()
    if compiler is None:
        raise RuntimeError("no C compiler found (install gcc, or set CC)")
    target = library_path(compiler)
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Built under a temporary name and renamed: two processes building at once,
        # or one stopped half-way, never leave a broken library under the real name.
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise RuntimeError(f"cannot write to {target.parent} ({exc.strerror})") from None
    try:
        no_openmp = [f for f in FLAGS if f != "-fopenmp"]
        for flags in (FLAGS, no_openmp, [f for f in no_openmp if f != "-march=native"]):
            # Without OpenMP (Apple's clang has none) the kernels still build, on one
            # core; a compiler that does not know -march=native builds the plain C path.
            result = subprocess.run(
                [compiler, *flags, "-o", tmp, str(SOURCE), "-lm"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if result.returncode == 0:
                break
        if result.returncode != 0:
            first = (result.stderr.strip().splitlines() or ["unknown error"])[0]
            raise RuntimeError(f"{compiler} could not build the kernels: {first}")
        _build_facts(target).write_text(json.dumps({"flags": flags}), encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RuntimeError(f"{compiler} could not build the kernels ({exc})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def load() -> Kernels | None:
    """The kernels, built on first use; None (and `status()` says why) if unavailable."""
    global _loaded, _why_not
    with _lock:
        if _loaded is not None:
            return _loaded
        if _why_not:
            return None
        if not enabled():
            return None
        try:
            path = build()
            kernels = Kernels(path)
        except (RuntimeError, OSError, AttributeError) as exc:
            _why_not = str(exc)
            return None
        slower = _not_measured_faster(kernels, path)
        if slower and not forced():
            _why_not = f"{slower}, never measured faster than torch's; {ENV_SWITCH}=force uses them"
            return None
        _loaded = kernels
        _why_not = ""
        return _loaded


def _build_facts(library: Path) -> Path:
    """Beside each library: the compiler flags it was built with."""
    return library.with_suffix(".json")


def _not_measured_faster(kernels: Kernels, library: Path) -> str:
    """Why this build is not preferred over torch, or "" if it is.

    The kernels were measured faster than torch's fbgemm int8 path (about twice, see
    README) as built with the x86 int8 dot products and OpenMP. A build without
    OpenMP (Apple's clang) decodes on one core, and the plain C one (ARM, or an old
    x86) has no int8 dot products: neither was measured faster, so torch decodes.
    """
    if kernels.name == "portable":
        return "built without x86 int8 dot products (portable C)"
    try:
        flags = json.loads(_build_facts(library).read_text(encoding="utf-8"))["flags"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # built before the flags were kept, by the full command: the usual case
    return "" if "-fopenmp" in flags else "built without OpenMP (one core)"


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "off", "no", "false")


def forced() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() == "force"


def status() -> str:
    """One line: which kernels the voice uses, or why torch's."""
    if _loaded is not None:
        return f"native ({_loaded.name})"
    if not enabled():
        return f"torch (native kernels turned off by {ENV_SWITCH}=0)"
    return f"torch (native kernels not used: {_why_not})" if _why_not else "torch"
