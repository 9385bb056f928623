"""Adversarial cases (issue #17): hostile model folders, data files, terminals and disks.

Each test is one failure that was reproduced against the program; it stays here
so the failure stays fixed. None needs the network or root; the full-disk cases
need a user mount namespace (`unshare -rm`) and skip cleanly without one.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from simulator.errors import UserError
from simulator.scenario import Scenario
from simulator.storage import Store
from tests.recorded import MILD, play

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulator"


def one_sentence(text: str) -> bool:
    text = text.strip()
    return text.count("\n") == 0 and text.endswith(".") and "Traceback" not in text


# -- 1. no code from a model folder --------------------------------------------------


def _python_sources() -> list[Path]:
    """The program, its tools and its tests (whose tiny models are loaded the same way)."""
    import os

    skip = {".venv", ".git", "build", "dist", "node_modules", "__pycache__"}
    found: list[Path] = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".")]
        found += [Path(folder) / f for f in files if f.endswith(".py") and f != "test_adversarial.py"]
    return sorted(found)


def test_the_package_never_trusts_remote_code_or_loads_a_pickle() -> None:
    offenders: list[str] = []
    for file in _python_sources():
        text = file.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{file.relative_to(ROOT)}:{number}"
            if re.search(r"trust_remote_code\s*=\s*(?!False\b)", line):
                offenders.append(f"{where}: trust_remote_code other than False")
            if re.search(r"\bpickle\.loads?\(|\bcPickle\b|\bjoblib\.load\(", line):
                offenders.append(f"{where}: pickle load")
            if re.search(r"\btorch\.load\(", line) and "weights_only=True" not in line:
                offenders.append(f"{where}: torch.load without weights_only=True")
            if re.search(r"use_safetensors\s*=\s*False", line):
                offenders.append(f"{where}: allows pickle weights")
            if re.search(r"allow_pickle\s*=\s*True|\bshelve\.open\(|\bmarshal\.loads?\(", line):
                offenders.append(f"{where}: loads pickled or marshalled data")
    assert offenders == []


def test_every_from_pretrained_says_trust_remote_code_false() -> None:
    missing: list[str] = []
    for file in _python_sources():
        text = file.read_text(encoding="utf-8")
        for match in re.finditer(r"\.from_pretrained\(", text):
            # The call's arguments: up to the matching closing parenthesis.
            depth, end = 0, match.end() - 1
            for end in range(match.end() - 1, len(text)):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
            if "trust_remote_code=False" not in text[match.end() : end]:
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{file.relative_to(ROOT)}:{line}")
    assert missing == []


def _model_folder(tmp_path: Path, config: dict, tokenizer_config: dict | None = None) -> Path:
    folder = tmp_path / "evil-model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    (folder / "evil.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('ran')\n", encoding="utf-8")
    if tokenizer_config is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config), encoding="utf-8")
    return folder


@pytest.mark.parametrize("where", ["config", "tokenizer_config"])
def test_a_model_folder_with_auto_map_is_refused_in_one_sentence(tmp_path: Path, where: str) -> None:
    from simulator.voice.model_voice import resolve_model_path

    auto_map = {"auto_map": {"AutoTokenizer": ["evil.EvilTokenizer", None]}}
    config = {"model_type": "llama", **(auto_map if where == "config" else {})}
    folder = _model_folder(tmp_path, config, auto_map if where == "tokenizer_config" else {})
    with pytest.raises(UserError) as err:
        resolve_model_path(folder)
    assert one_sentence(str(err.value)) and "auto_map" in str(err.value)
    assert not (tmp_path / "ran").exists()


def test_rehearse_with_a_custom_code_model_never_asks_and_never_runs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.cli import main

    config = {"model_type": "llama", "auto_map": {"AutoConfig": "evil.EvilConfig"}}
    folder = _model_folder(tmp_path, config)
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello, how can I help?\n", encoding="utf-8")
    # Anyone reading the terminal would get an answer: the program must not ask.
    monkeypatch.setattr("builtins.input", lambda *a: pytest.fail("the program asked a question"))
    code = main(["rehearse", "china-hotel-beds", "--replies", str(replies), "--model", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "auto_map" in err and one_sentence(err.removeprefix("error: "))
    assert not (tmp_path / "ran").exists()


# -- 2. the rescue file is data, never SQL -------------------------------------------


def _rescue_path(db: Path, stamp: str = "20250101-000000-000000") -> Path:
    return db.with_name(f"{db.stem}.unsaved-{stamp}.jsonl")


def test_sql_in_a_rescue_file_is_never_run(tmp_path: Path, hotel: Scenario) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        sid, _ = play(store, hotel, "Dana", MILD)
    rescue = _rescue_path(db)
    rescue.write_text(
        json.dumps({"sql": "DELETE FROM turns", "params": []})
        + "\n"
        + json.dumps({"sql": "UPDATE sessions SET courtesy = 100", "params": []})
        + "\n",
        encoding="utf-8",
    )
    with Store.open(db) as store:
        record = store.load(sid)
        assert len(record["turns"]) == len(MILD)
        assert record["scores"]["courtesy"] != 100
        assert store.notice and rescue.name in store.notice and "line 1, 2" in store.notice
    assert not rescue.exists() and rescue.with_suffix(".rejected").exists()
    # The rejected file is kept for a person, and never replayed again.
    with Store.open(db) as store:
        assert store.notice is None


def test_a_rescue_file_is_replayed_record_by_record(tmp_path: Path, hotel: Scenario) -> None:
    db = tmp_path / "s.sqlite3"
    store = Store.open(db, timeout=0.1)
    sid, session = play(store, hotel, "Dana", MILD[:1], finish=False)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    session.reply(MILD[1])
    session.end()
    store.close()
    holder.rollback()
    holder.close()
    (rescue,) = tmp_path.glob("s.unsaved-*.jsonl")
    lines = rescue.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["turn", "end"]
    assert all("sql" not in json.loads(line) for line in lines)
    # A forged turn for a session that does not exist, one with a string score,
    # a deep JSON line and a non-object are each skipped; the good ones are saved.
    forged = json.loads(lines[0])
    bad_score = {**forged, "turn": {**forged["turn"], "index": 9, "courtesy": "100"}}
    lines += [
        json.dumps({**forged, "session": "no-such-session"}),
        json.dumps(bad_score),
        "[" * 100_000 + "]" * 100_000,
        "5",
    ]
    rescue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store.open(db) as again:
        record = again.load(sid)
        assert [t["index"] for t in record["turns"]] == [1, 2] and record["finished"]
        assert again.notice and "line 3, 4, 5, 6" in again.notice


# -- 3. no reply lost on a full disk or a read-only data folder ----------------------

# Played in a child process whose data folder is a tiny tmpfs in a user mount
# namespace: the disk really fills, no root needed. The disk is filled after the
# first reply, so three of the four replies cannot be stored.
_FULL_DISK_SESSION = """
import asyncio, json, os, sys, tempfile
from pathlib import Path
from simulator.storage import Store
from tests.test_tui_app import make_app, reply, settle

REPLIES = ["Hello, how can I help?", "I am sorry to hear that.", "Let me check the rooms.", "Thank you."]

def fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"x" * 4096)
        except OSError:
            pass

async def main() -> None:
    # As the temporary folder: Python would otherwise pick /tmp when TMPDIR is full.
    tempfile.tempdir = os.environ["TMPDIR"]
    app = make_app(scenario_id="china-hotel-beds", trainee="Ana", store_opener=Store.open)
    async with app.run_test(size=(100, 30)) as pilot:
        await reply(pilot, REPLIES[0], type_it=False)
        await settle(pilot)
        if os.environ.get("FILL"):
            fill(Path(os.environ["FILL"]))
        for text in REPLIES[1:]:
            await reply(pilot, text, type_it=False)
            await settle(pilot)
        await pilot.press("ctrl+c")
    print(json.dumps({"message": app.left_message}))

asyncio.run(main())
"""


def _mount_namespace_works(probe: Path) -> bool:
    import shutil
    import subprocess

    if shutil.which("unshare") is None:
        return False
    probe.mkdir(exist_ok=True)
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs '{probe}'"],
        capture_output=True,
        timeout=30,
    )
    return result.returncode == 0


def _play_in_a_namespace(
    tmp_path: Path, *, tmp_on_disk: bool, fill: bool, read_only: bool
) -> tuple[str, Path]:
    """Play the session above with the data folder on a 1 MB tmpfs; the message shown on leaving
    and the temporary folder. TMP_ON_DISK puts the temporary and current folders there too."""
    import os
    import subprocess
    import sys

    if not _mount_namespace_works(tmp_path / "probe"):
        pytest.skip("needs a user mount namespace (unshare -rm) for a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    data = disk / "data"
    other_tmp = disk / "tmp" if tmp_on_disk else tmp_path / "tmp"
    cwd = disk / "cwd" if tmp_on_disk else tmp_path / "cwd"
    script = tmp_path / "session.py"
    script.write_text(_FULL_DISK_SESSION, encoding="utf-8")
    steps = [
        f"mount -t tmpfs -o size=1m tmpfs '{disk}'",
        f"mkdir -p '{data}' '{other_tmp}' '{cwd}'",
        f"cd '{cwd}'",
    ]
    if read_only:
        # A history from an earlier day, then the whole disk becomes read-only.
        steps.append(f"'{sys.executable}' -c 'from simulator.storage import Store; Store.open().close()'")
        steps.append(f"mount -o remount,ro '{disk}'")
    steps.append(f"exec '{sys.executable}' '{script}'")
    env = {
        **os.environ,
        "SIMULATOR_DATA_DIR": str(data),
        "TMPDIR": str(other_tmp),
        "FILL": str(disk) if fill else "",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", " && ".join(steps)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    message = json.loads(result.stdout.strip().splitlines()[-1])["message"]
    return message, other_tmp


def test_a_filling_disk_keeps_every_reply_and_says_where(tmp_path: Path) -> None:
    message, other_tmp = _play_in_a_namespace(tmp_path, tmp_on_disk=False, fill=True, read_only=False)
    assert "is kept in your history" not in message
    assert "Only 1 of your 4 replies" in message and "the disk is full" in message
    (copy,) = other_tmp.glob("*.json")
    assert str(copy) in message
    turns = json.loads(copy.read_text(encoding="utf-8"))["turns"]
    assert [t["trainee"] for t in turns][-1] == "Thank you." and len(turns) == 4
    assert oct(copy.stat().st_mode & 0o777) == oct(0o600)  # a shared temporary folder


def test_when_no_folder_can_take_a_copy_the_replies_go_to_the_terminal(tmp_path: Path) -> None:
    message, _ = _play_in_a_namespace(tmp_path, tmp_on_disk=True, fill=True, read_only=False)
    assert "Only 1 of your 4 replies" in message and "no folder could take a copy" in message
    for text in (
        "Hello, how can I help?",
        "I am sorry to hear that.",
        "Let me check the rooms.",
        "Thank you.",
    ):
        assert f"Ana: {text}" in message


def test_a_read_only_data_folder_saves_elsewhere_and_says_where(tmp_path: Path) -> None:
    message, other_tmp = _play_in_a_namespace(tmp_path, tmp_on_disk=False, fill=False, read_only=True)
    (copy,) = other_tmp.glob("*.json")
    assert f"(4 replies) could not be kept in your history, so it was saved to {copy}" in message
    turns = json.loads(copy.read_text(encoding="utf-8"))["turns"]
    assert turns[0]["trainee"] == "Hello, how can I help?" and len(turns) == 4


def test_a_read_only_disk_with_nowhere_to_write_prints_the_replies(tmp_path: Path) -> None:
    message, _ = _play_in_a_namespace(tmp_path, tmp_on_disk=True, fill=False, read_only=True)
    assert "could not be kept in your history or saved, and no folder could take a copy" in message
    assert "Ana: Thank you." in message


# -- 4. nothing from a file or a user reaches the terminal raw -------------------------

TITLE = "\x1b]0;owned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
CSI = "\x9b31m"  # a one-byte CSI
BIDI = "\u202e"  # right-to-left override
HOSTILE = f"Ana{TITLE}{CLEAR}{CSI}{BIDI}"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _assert_visible(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the terminal in {text[:300]!r}"


def _hostile_scenario(folder: Path) -> Path:
    """The hotel scenario with escape sequences in its customer's name and its title."""
    import yaml

    source = ROOT / "scenarios" / "china-hotel-beds.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["id"] = "hostile-hotel"
    data["title"] = f"Hotel {TITLE}"
    data["customer"]["name"] = f"Dana {CLEAR}{CSI}"
    folder.mkdir(exist_ok=True)
    target = folder / "hostile-hotel.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    return target


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from simulator.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_shows_escape_sequences_from_a_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_scenario(tmp_path / "mine")
    code, out, err = _run(["--scenarios", str(tmp_path / "mine"), "preview", "hostile-hotel"], capsys)
    assert code == 0, err
    _assert_visible(out + err)
    assert "\\u001b" in out  # shown, not dropped


def test_validate_shows_escape_sequences_in_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (ROOT / "scenarios" / "china-hotel-beds.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(source + '\n"x\\e]0;owned\\a\\u202e": 1\n', encoding="utf-8")
    code, out, err = _run(["validate", str(bad)], capsys)
    assert code != 0
    _assert_visible(out + err)
    assert "\\u001b]0;owned\\u0007" in out + err


def test_rehearse_and_grade_show_escape_sequences_in_replies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text(f"Hello {HOSTILE}, how can I help?\n", encoding="utf-8")
    code, out, err = _run(["rehearse", "china-hotel-beds", "--replies", str(replies)], capsys)
    assert code == 0, err
    _assert_visible(out + err)
    code, out, err = _run(["rehearse", "china-hotel-beds", "--replies", str(replies), "--json"], capsys)
    _assert_visible(out + err)
    assert json.loads(out)["turns"][0]["trainee"] == f"Hello {HOSTILE}, how can I help?"
    lines = tmp_path / "input.jsonl"
    lines.write_text(json.dumps({"reply": f"Sorry {HOSTILE}"}) + "\n", encoding="utf-8")
    for extra in ([], ["--json"]):
        code, out, err = _run(
            ["grade", "--scenario", "china-hotel-beds", "--input", str(lines), *extra], capsys
        )
        assert code == 0, err
        _assert_visible(out + err)


def test_history_report_and_export_show_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.loader import load_scenario

    hostile = load_scenario(_hostile_scenario(tmp_path / "mine"))
    with Store.open() as store:
        sid, _ = play(store, hostile, HOSTILE, [f"Hello {HOSTILE}"])
    for argv in (
        ["history"],
        ["history", "--json"],
        ["report", "--format", "csv"],
        ["export", str(sid), "--format", "md"],
        ["export", str(sid), "--format", "json"],
    ):
        code, out, err = _run(argv, capsys)
        assert code == 0, (argv, err)
        _assert_visible(out + err)
    # JSON printed keeps its values.
    _, out, _ = _run(["export", str(sid), "--format", "json"], capsys)
    assert json.loads(out)["trainee"] == " ".join(HOSTILE.split())


def test_an_unknown_scenario_id_with_escapes_is_shown_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["preview", f"nope{TITLE}"], capsys)
    assert code == 2
    _assert_visible(out + err)


# -- 5. file kinds and sizes are checked before reading -------------------------------


def _cli(args: list[str], tmp_path: Path, *, timeout: float = 120) -> tuple[int, str, str]:
    """The command in a child process: a read that blocks fails this test instead of hanging it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env=env,
    )
    return result.returncode, result.stdout, result.stderr


def _fifo(path: Path) -> Path:
    import os

    os.mkfifo(path)
    return path


@pytest.fixture
def replies_file(tmp_path: Path) -> Path:
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello, how can I help?\n", encoding="utf-8")
    return replies


def test_a_fifo_or_a_link_to_one_as_a_scenario_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "pipe.yaml")
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    for target in (fifo, link):
        code, out, err = _cli(["validate", str(target)], tmp_path)
        assert code != 0 and "named pipe, not a regular file" in out + err


def test_a_fifo_in_a_scenarios_folder_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    _hostile_scenario(mine)
    _fifo(mine / "pipe.yaml")
    (mine / "zero.yaml").symlink_to("/dev/zero")
    code, out, err = _cli(["validate", str(mine)], tmp_path)
    assert code != 0 and "named pipe" in out + err and "device" in out + err
    assert "ok " in out and "hostile-hotel" in out


def test_dev_zero_as_scenario_replies_or_input_is_refused(tmp_path: Path, replies_file: Path) -> None:
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    for argv in (
        ["validate", str(zero)],
        ["rehearse", "china-hotel-beds", "--replies", "/dev/zero"],
        ["grade", "--scenario", "china-hotel-beds", "--input", "/dev/zero"],
        ["rehearse", "china-hotel-beds", "--replies", str(_fifo(tmp_path / "replies.fifo"))],
    ):
        code, out, err = _cli(argv, tmp_path)
        assert code != 0 and "not a regular file" in out + err, argv
        assert "Traceback" not in err


def test_a_huge_sparse_file_is_refused_by_its_size(tmp_path: Path) -> None:
    for name, argv in (
        ("big.yaml", ["validate"]),
        ("big.txt", ["rehearse", "china-hotel-beds", "--replies"]),
        ("big.jsonl", ["grade", "--input"]),
    ):
        big = tmp_path / name
        with big.open("wb") as fh:
            fh.truncate(8 * 1024**3)  # 8 GB, no disk used
        code, out, err = _cli([*argv, str(big)], tmp_path)
        assert code != 0 and "larger than" in out + err, argv
        big.unlink()


def test_over_long_replies_are_cut_to_the_training_rooms_limit_and_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.rehearsal import MAX_REPLY_CHARS

    long_reply = "I am very sorry about the beds. " * 4_000  # about 128 KB
    replies = tmp_path / "replies.txt"
    replies.write_text(long_reply + "\n", encoding="utf-8")
    code, out, err = _run(["rehearse", "china-hotel-beds", "--replies", str(replies), "--json"], capsys)
    assert code == 0 and "reply 1 is longer than 2,000 characters" in err
    assert len(json.loads(out)["turns"][0]["trainee"]) <= MAX_REPLY_CHARS
    lines = tmp_path / "input.jsonl"
    lines.write_text(json.dumps({"reply": "Sorry. " * 150_000}) + "\n", encoding="utf-8")  # 1 MB
    code, out, err = _run(
        ["grade", "--scenario", "china-hotel-beds", "--input", str(lines), "--json"], capsys
    )
    assert code == 0 and "line 1 is longer than 2,000 characters" in err


# -- 6. a broken file never hides the others ------------------------------------------


def _deep_scenario(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    deep = folder / "deep.yaml"
    # 1,001 levels in lines shorter than the loader's line limit: about 4 KB.
    nesting = "\n".join("[" * 50 for _ in range(21))
    deep.write_text(f"id: deep\ntitle: Deep\nbrief: {nesting}\n{']' * 1050}\n", encoding="utf-8")
    return deep


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["preview", "china-hotel-beds"],
        ["rehearse", "china-hotel-beds", "--replies", "REPLIES"],
    ],
)
def test_a_scenario_nested_1001_deep_is_an_error_in_that_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], replies_file: Path, argv: list[str]
) -> None:
    mine = tmp_path / "mine"
    deep = _deep_scenario(mine)
    _hostile_scenario(mine)
    argv = [str(replies_file) if a == "REPLIES" else a for a in argv]
    if argv == ["validate"]:
        argv = ["validate", str(mine)]
    code, out, err = _run(["--scenarios", str(mine), *argv], capsys)
    assert "RecursionError" not in out + err and "Something went wrong" not in err
    if argv[0] == "validate":
        assert f"{deep}: (file): nested too deeply" in out and "ok " in out and code != 0
    else:
        assert code == 0, err


def test_the_training_room_lists_the_other_scenarios_beside_a_deep_one(tmp_path: Path) -> None:
    from simulator.loader import discover

    library = discover([_deep_scenario(tmp_path / "mine").parent])
    assert "china-hotel-beds" in library.scenarios
    (problems,) = [p for path, p in library.errors.items() if path.name == "deep.yaml"]
    assert "nested too deeply" in problems[0]


# -- 7. no crash with a generic message ------------------------------------------------


@pytest.mark.parametrize("argv", [["play", "--trainee=\udcff\udcfe"], ["history", "--trainee", "\udcff"]])
def test_undecodable_bytes_in_a_name_are_one_sentence(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # What Python makes of `--trainee=$'\xff\xfe'` in argv.
    code, out, err = _run(argv, capsys)
    assert out == ""
    assert code == 2 and "--trainee" in err and "not UTF-8 text" in err
    assert one_sentence(err.removeprefix("error: "))


def test_play_with_undecodable_bytes_in_the_name_from_a_real_argv(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"simulator", b"play", b"--trainee=\xff\xfe"],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and "not UTF-8 text" in err and "Traceback" not in err


def test_grade_skips_a_lone_surrogate_and_a_deep_line_and_grades_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "input.jsonl"
    lines.write_text(
        '{"reply": "\\ud800 hello"}\n'
        + "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"reply": "Sorry about that, let me help."})
        + "\n",
        encoding="utf-8",
    )
    for extra in ([], ["--json"]):
        code, out, err = _run(
            ["grade", "--scenario", "china-hotel-beds", "--input", str(lines), *extra], capsys
        )
        assert code == 1 and "Something went wrong" not in err
        _assert_visible(out)
        assert "line 1 holds a lone surrogate" in out and "line 2 is not a JSON object" in out
        assert "Sorry about that, let me help." in out  # line 3 was graded


def _export_bundle(records: list[dict]) -> dict:
    from simulator.export import BUNDLE_FORMAT

    return {"format": BUNDLE_FORMAT, "sessions": records}


BAD_RECORDS = {
    "pass_mark abc": {"exam": True, "pass_mark": "abc"},
    "score strings": {"scores": {"courtesy": "80", "flexibility": "70"}},
    "scores a list": {"scores": [1, 2]},
    "turn_count x": {"turn_count": "x"},
    "turns 5": {"turns": 5, "turn_count": None},
    "huge int": {"scores": {"courtesy": 10**400, "flexibility": 50}},
    "infinity": {"scores": {"courtesy": 50, "flexibility": "INF"}},
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_report_from_skips_and_names_a_bad_record_and_makes_the_rest(
    tmp_path: Path, hotel: Scenario, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    with Store.open() as store:
        play(store, hotel, "Dana", MILD)
        play(store, hotel, "Eli", MILD)
        good, other = store.load_all()
    bad = {**other, **BAD_RECORDS[case]}
    folder = tmp_path / "exports"
    folder.mkdir()
    text = json.dumps(_export_bundle([good, bad]))
    # JSON cannot say 1e999 and 10**400 through json.dumps' own checks: write them as text.
    text = text.replace('"INF"', "1e999")
    (folder / "room.json").write_text(text, encoding="utf-8")
    code, out, err = _run(["report", "--from", str(folder), "--no-local", "--format", "csv"], capsys)
    assert code == 0, err
    assert f"skipped record 2 of {folder / 'room.json'}" in err
    assert "Dana" in out and "Eli" not in out


def test_report_from_a_100000_deep_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = _run(["report", "--from", str(folder), "--no-local", "--format", "csv"], capsys)
    assert code == 2 and out == "" and "deep.json" in err and "nested too deeply" in err
    assert one_sentence(err.removeprefix("error: "))


# -- 8. CSV formulas --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=1+1", "\t=1+1", "\r=1+1", "\t@SUM(A1)", "\r+1", "-1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(
    tmp_path: Path, hotel: Scenario, name: str
) -> None:
    import csv
    import io

    from simulator.report import build, merge, render_report

    with Store.open() as store:
        store.list_sessions()
        record = dict(store.load(play(store, hotel, "Dana", MILD)[0]))
    record["trainee"] = name
    out = render_report(build(merge([record])), "csv")
    (row,) = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row["trainee"] == "'" + name


# -- 9. --output writes only regular files ------------------------------------------------


def test_output_refuses_a_fifo_a_device_link_and_a_link_to_stdout(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open() as store:
        play(store, hotel, "Dana", MILD)
    fifo = _fifo(tmp_path / "out.fifo")
    to_null = tmp_path / "null"
    to_null.symlink_to("/dev/null")
    to_stdout = tmp_path / "stdout"
    to_stdout.symlink_to("/proc/self/fd/1")
    for target, kind in ((fifo, "named pipe"), (to_null, "device"), (to_stdout, "not a regular file")):
        for argv in (["report", "--format", "csv"], ["export", "--all", "--format", "json"]):
            code, out, err = _cli([*argv, "--output", str(target)], tmp_path)
            assert out == "" and code == 2 and "not a regular file" in err and "Traceback" not in err, (
                target,
                err,
            )
            assert kind in err or kind == "not a regular file"
        assert not target.is_file() or target.is_symlink()
    assert fifo.is_fifo() and to_null.is_symlink() and to_stdout.is_symlink()


def test_output_replaces_a_regular_file_and_keeps_its_mode(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open() as store:
        play(store, hotel, "Dana", MILD)
    existing = tmp_path / "report.csv"
    existing.write_text("old", encoding="utf-8")
    existing.chmod(0o640)
    code, _, err = _cli(["report", "--format", "csv", "--output", str(existing)], tmp_path)
    assert code == 0, err
    assert existing.read_text(encoding="utf-8").startswith("trainee,")
    assert existing.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "new" / "report.html"
    code, _, err = _cli(["report", "--output", str(fresh)], tmp_path)
    assert code == 0 and fresh.is_file() and not list(fresh.parent.glob(".report.html.*"))


# -- 10. nothing silent ----------------------------------------------------------------


def test_a_duplicate_key_in_a_scenario_is_an_error_naming_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (ROOT / "scenarios" / "china-hotel-beds.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("title:"))
    twice = tmp_path / "twice.yaml"
    twice.write_text(source + "\ntitle: Another title\n", encoding="utf-8")
    code, out, err = _run(["validate", str(twice)], capsys)
    last = len(lines) + 2
    assert code != 0 and "Something went wrong" not in err
    assert f"{twice}:{last}: title: this key is also on line {first}" in out


def test_a_duplicate_key_deep_inside_is_found_too(tmp_path: Path) -> None:
    from simulator.errors import ScenarioError
    from simulator.loader import parse_scenario_text

    text = "id: x\ncustomer:\n  name: A\n  name: B\n"
    with pytest.raises(ScenarioError) as err:
        parse_scenario_text(text, "x.yaml")
    assert err.value.problems == [
        "x.yaml:4: name: this key is also on line 3, and only one can count; remove or rename one of them"
    ]


def test_two_exports_of_one_session_with_different_content_are_named(
    tmp_path: Path, hotel: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open() as store:
        sid, _ = play(store, hotel, "Dana", MILD, finish=False)
        early = store.load(sid)
    with Store.open() as store:
        later = store.load(sid)
    later = {**later, "scores": {"courtesy": 99, "flexibility": 99}}
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(_export_bundle([early])), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(_export_bundle([later])), encoding="utf-8")
    (folder / "c.json").write_text(json.dumps(_export_bundle([early])), encoding="utf-8")  # the same: no note
    code, out, err = _run(["report", "--from", str(folder), "--no-local", "--format", "csv"], capsys)
    assert code == 0 and out.count("Dana") == 1
    assert err.count("appears twice with different content") == 1
    assert f"session {early['uuid']}" in err
    assert f"kept the copy in {folder / 'a.json'}" in err and f"not the one in {folder / 'b.json'}" in err


async def test_the_debrief_does_not_claim_history_for_replies_that_were_not_stored(
    tmp_path: Path, _isolated_data: Path
) -> None:
    from textual.widgets import Static

    from simulator.tui.screens.debrief import DebriefScreen
    from tests.test_tui_app import make_app, reply, settle, visible_text

    db = tmp_path / "s.sqlite3"
    app = make_app(
        scenario_id="china-hotel-beds", trainee="Ana", store_opener=lambda: Store.open(db, timeout=0.1)
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await reply(pilot, "Hello, how can I help?", type_it=False)
        await settle(pilot)
        # Another program holds the database from now on: the next reply is kept in memory only.
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        await reply(pilot, "I am sorry to hear that.", type_it=False)
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DebriefScreen)
        saved = str(pilot.app.screen.query_one("#saved", Static).render())
        assert "Only 1 of your 2 replies" in saved and "Kept in your history" not in visible_text(pilot)
        await pilot.press("ctrl+c")
    holder.rollback()
    holder.close()
    # The data folder itself is writable: the copy is in its exports folder.
    (copy,) = (_isolated_data / "exports").glob("*.json")
    assert len(json.loads(copy.read_text(encoding="utf-8"))["turns"]) == 2
    assert app.left_message and "Only 1 of your 2 replies" in app.left_message
