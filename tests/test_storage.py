"""The session database: every turn committed as it happens, survives kill -9, damage and locks."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulator import locations, storage
from simulator.cli import main
from simulator.errors import UserError
from simulator.scenario import Scenario
from simulator.storage import Store
from tests.recorded import MILD, RUDE, WARM, play

ROOT = Path(__file__).resolve().parent.parent


def one_sentence(text: str) -> bool:
    text = text.strip()
    return text.count("\n") == 0 and text.endswith(".") and "Traceback" not in text


# -- recording and loading --------------------------------------------------------


def test_open_creates_wal_database_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "s.sqlite3"
    with Store.open(path) as store:
        assert store.notice is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == storage.schema_version()


def test_default_location_is_the_data_dir(_isolated_data: Path) -> None:
    with Store.open() as store:
        assert store.path == locations.database_file()
        assert store.path.parent == _isolated_data
    assert (_isolated_data / "sessions.sqlite3").exists()


def test_load_matches_the_live_session(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, session = play(store, hotel, "Dana Levi", RUDE)
        record = store.load(sid)
    live = session.to_dict()
    for key, value in live.items():
        assert record[key] == value, key
    assert record["trainee"] == "Dana Levi"
    assert record["finished"] is True and record["status"] == "walked_out"
    assert record["exam"] is False and "passed" not in record
    assert record["started_at"] <= record["ended_at"]


def test_every_turn_is_committed_as_it_happens(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        sid, session = play(store, hotel, "Omar", MILD[:2], finish=False)
        # A second connection (another process, in effect) sees both turns now.
        other = sqlite3.connect(path)
        rows = other.execute(
            "SELECT idx, trainee FROM turns WHERE session_id = ? ORDER BY idx", (sid,)
        ).fetchall()
        assert rows == [(1, MILD[0]), (2, MILD[1])]
        assert other.execute("SELECT outcome FROM sessions").fetchone()[0] is None
        record = store.load(sid)
        assert record["finished"] is False and record["status"] == "in progress"
        assert record["outcome"] == "unresolved"
        assert record["end_mood"] == session.mood
        assert record["scores"] == session.scores()
        session.end()
        assert other.execute("SELECT outcome, ended_by FROM sessions").fetchone() == ("unresolved", "trainee")


def test_list_sessions_filters(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        play(store, hotel, "Dana", WARM)
        play(store, hotel, "Omar", RUDE)
        play(store, hotel, "dana", RUDE, exam=True)
        assert len(store.list_sessions()) == 3
        assert {r["trainee"] for r in store.list_sessions(trainee="DANA")} == {"Dana", "dana"}
        assert store.list_sessions(scenario="nope") == []
        assert len(store.list_sessions(since=date.today() - timedelta(days=1))) == 3
        assert store.list_sessions(since=date.today() + timedelta(days=1)) == []
        newest = store.list_sessions()[0]
        assert newest["exam"] is True and newest["passed"] is False and newest["pass_mark"] == hotel.pass_mark
        assert store.trainees() == ["dana", "Dana", "Omar"] or set(store.trainees()) == {
            "Dana",
            "dana",
            "Omar",
        }


def test_load_by_uuid_prefix_and_bad_ids(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = play(store, hotel, "Dana", WARM)
        uuid = store.load(sid)["uuid"]
        assert store.load(uuid[:8])["id"] == sid
        for bad in ("42", "zzzz", ""):
            with pytest.raises(UserError) as err:
                store.load(bad)
            assert one_sentence(str(err.value)) and "simulator history" in str(err.value)


def test_text_is_stored_exactly(tmp_path: Path, hotel: Scenario) -> None:
    reply = "<script>alert('x')</script> [bold]hi[/bold] 😀 שלום עולם \x1b[31m"
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = play(store, hotel, "נועה 🙂", [reply], finish=False)
        record = store.load(sid)
    assert record["turns"][0]["trainee"] == reply
    assert record["trainee"] == "נועה 🙂"


def test_several_processes_share_one_database(tmp_path: Path) -> None:
    """Two trainees on one machine: two programs writing at once lose nothing."""
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from simulator.loader import load_scenario
        from simulator.storage import Store
        from tests.recorded import MILD, play
        hotel = load_scenario(Path({str(ROOT / "scenarios" / "china-hotel-beds.yaml")!r}))
        with Store.open({str(path)!r}) as store:
            for _ in range(5):
                play(store, hotel, sys.argv[1], MILD, finish=True)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, name], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for name in ("Ana", "Ben")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store.open(path) as store:
        rows = store.list_sessions()
        assert len(rows) == 10
        assert all(r["finished"] and r["turn_count"] == 3 for r in rows)


# -- kill -9 ---------------------------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from simulator.grading import default_grader
from simulator.loader import load_scenario
from tests.recorded import FixedGrader
from simulator.session import Session
from simulator.storage import Store
from simulator.voice.scripted import ScriptedVoice

STALL_AT = int(sys.argv[2])

class StallingVoice(ScriptedVoice):
    # The customer's line for turn STALL_AT never comes: that turn is in flight when killed.
    def speak(self, request, on_token=None, cancel=None):
        if request.turn == STALL_AT:
            print("voicing", request.turn, flush=True)
            time.sleep(600)
        return super().speak(request, on_token, cancel)

hotel = load_scenario(Path(sys.argv[3]))
grader = default_grader() if sys.argv[4] == "default" else FixedGrader()
store = Store.open(sys.argv[1])
replies = sys.argv[5:]
round_ = 0
while True:
    session = Session(hotel, StallingVoice(), grader)
    sid = store.attach(session, trainee=f"trainee {round_}")
    for reply in replies:
        if session.finished:
            break
        turn = session.reply(reply)
        # Printed only after the listener committed it: everything printed must survive.
        print("committed", sid, turn.index, flush=True)
    session.end()
    print("ended", sid, flush=True)
    round_ += 1
"""


def _run_child(path: Path, stall_at: int, grader: str, replies: list[str], stop_after: int | None = None):
    hotel = ROOT / "scenarios" / "china-hotel-beds.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(stall_at), str(hotel), grader, *replies],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    try:
        deadline = time.monotonic() + 300  # the default grader loads its model first
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.startswith("voicing") or (stop_after is not None and len(lines) >= stop_after):
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    return lines


def test_sigkill_mid_turn_keeps_every_committed_turn(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    # The default grader, as in a real session.
    lines = _run_child(path, stall_at=3, grader="default", replies=MILD)
    assert lines == ["committed 1 1", "committed 1 2", "voicing 3"]
    with Store.open(path) as store:
        assert store.notice is None
        record = store.load(1)
    assert [t["trainee"] for t in record["turns"]] == MILD[:2]
    assert all(t["customer"] for t in record["turns"])
    assert record["finished"] is False and record["status"] == "in progress"
    assert record["outcome"] == "unresolved"
    assert record["scores"]["courtesy"] is not None


def test_sigkill_at_a_random_moment_loses_nothing_committed(tmp_path: Path) -> None:
    """Sessions played as fast as possible, killed wherever the child happens to be."""
    path = tmp_path / "s.sqlite3"
    lines = _run_child(path, stall_at=99, grader="fixed", replies=MILD + RUDE, stop_after=57)
    committed = [tuple(int(x) for x in line.split()[1:]) for line in lines if line.startswith("committed")]
    ended = {int(line.split()[1]) for line in lines if line.startswith("ended")}
    assert len(committed) > 20 and ended
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Store.open(path) as store:
        stored = {(r["id"], t["index"]) for r in store.list_sessions() for t in store.load(r["id"])["turns"]}
        assert set(committed) <= stored
        for sid in ended:
            assert store.load(sid)["finished"] is True


# -- damage, locks, versions -----------------------------------------------------------


def test_random_bytes_are_moved_aside_and_a_fresh_database_started(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    garbage = os.urandom(20000)
    path.write_bytes(garbage)
    with Store.open(path) as store:
        assert store.notice is not None and one_sentence(store.notice)
        backups = list(tmp_path.glob("s.damaged-*.sqlite3"))
        assert len(backups) == 1 and backups[0].name in store.notice
        assert backups[0].read_bytes() == garbage  # nothing thrown away
        sid, _ = play(store, hotel, "Dana", WARM)
        assert store.load(sid)["finished"]


def test_damaged_pages_are_backed_up_and_readable_sessions_rescued(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        for i in range(40):
            play(store, hotel, f"T{i}", MILD)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    # Wreck one page near the end (turn rows); the schema on page 1 stays readable.
    data[-2 * page + 100 : -page] = os.urandom(page - 100)
    path.write_bytes(bytes(data))
    with Store.open(path) as store:
        assert store.notice is not None and one_sentence(store.notice)
        assert "moved to" in store.notice and "rescued" in store.notice
        assert list(tmp_path.glob("s.damaged-*.sqlite3"))
        rescued = store.list_sessions()
        assert rescued and {r["trainee"] for r in rescued} <= {f"T{i}" for i in range(40)}


def test_locked_database_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UserError) as err:
            Store.open(path, timeout=0.2)
        assert one_sentence(str(err.value)) and "another program" in str(err.value)
        assert not list(tmp_path.glob("*.damaged-*"))  # busy is not damage
    finally:
        holder.rollback()
        holder.close()


def test_a_turn_that_cannot_be_written_is_kept_and_saved_later(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path, timeout=0.1) as store:
        problems: list[str] = []
        store.on_problem.append(problems.append)
        sid, session = play(store, hotel, "Dana", MILD[:1], finish=False)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        session.reply(MILD[1])  # must not raise: the session goes on
        assert store.unsaved == 1 and store.problem and problems
        assert "another program" in problems[0]
        holder.rollback()
        holder.close()
        session.reply(MILD[2])  # the next write saves the kept one first
        assert store.unsaved == 0 and store.problem is None
        assert [t["index"] for t in store.load(sid)["turns"]] == [1, 2, 3]


def test_attach_on_a_locked_database_is_one_sentence(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path, timeout=0.1) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(UserError) as err:
                play(store, hotel, "Dana", WARM)
            assert one_sentence(str(err.value))
        finally:
            holder.rollback()
            holder.close()


def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {storage.schema_version() + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(UserError) as err:
        Store.open(path)
    assert one_sentence(str(err.value)) and "newer" in str(err.value)


def test_migrations_run_once_in_order_and_keep_data(
    tmp_path: Path, hotel: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        sid, _ = play(store, hotel, "Dana", WARM)
    extra = (
        "ALTER TABLE sessions ADD COLUMN room TEXT; -- a future column\nUPDATE sessions SET room = '1408';"
    )
    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, extra])
    with Store.open(path) as store:
        assert store.load(sid)["trainee"] == "Dana"
    Store.open(path).close()  # a second open does not re-run it (ALTER would fail)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT room FROM sessions").fetchone()[0] == "1408"


def test_a_failing_migration_leaves_the_old_version(
    tmp_path: Path, hotel: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        play(store, hotel, "Dana", WARM)
    monkeypatch.setattr(
        storage, "MIGRATIONS", [*storage.MIGRATIONS, "ALTER TABLE sessions ADD COLUMN x; SELEC oops;"]
    )
    with pytest.raises(UserError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    assert "x" not in columns


# -- the history command ---------------------------------------------------------------


def test_history_command_lists_several_trainees(hotel: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        play(store, hotel, "Dana", WARM)
        play(store, hotel, "Omar", RUDE)
        play(store, hotel, "Dana", WARM, exam=True)
        play(store, hotel, "Li", MILD[:1], finish=False)
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "Dana" in out and "Omar" in out and "Li" in out
    assert "walked out" in out and "in progress" in out and "exam: passed" in out
    assert main(["history", "--trainee", "dana", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trainee"] for r in rows] == ["Dana", "Dana"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["history", "--since", "yesterday"], "--since needs a date like"),
        (["export", "77", "--format", "md"], "There is no session '77'"),
        (["export", "--all", "--format", "html"], "--all exports JSON only"),
        (["export"], "Give a SESSION_ID"),
        (
            ["report", "--from", "/nonexistent/folder", "--format", "csv"],
            "The folder /nonexistent/folder does not exist",
        ),
        (["report", "--since", "2025-02-30", "--format", "csv"], "--since needs a date like"),
    ],
)
def test_records_commands_fail_in_one_sentence(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and one_sentence(err)


def test_damaged_database_notice_on_the_command_line(_isolated_data: Path, capsys) -> None:
    locations.database_file().write_bytes(b"definitely not sqlite" * 100)
    assert main(["history"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("note: The session database was damaged")
    assert "No sessions recorded yet" in captured.out


def test_records_modules_import_neither_textual_nor_torch() -> None:
    modules = [
        "simulator.storage",
        "simulator.export",
        "simulator.report",
        "simulator.exam",
        "simulator.cli.history_cmd",
        "simulator.cli.export_cmd",
        "simulator.cli.report_cmd",
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'transformers'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


def test_writes_still_locked_at_close_are_kept_and_replayed(tmp_path: Path, hotel: Scenario) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store.open(path, timeout=0.1)
    sid, session = play(store, hotel, "Dana", MILD[:1], finish=False)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    session.reply(MILD[1])
    session.end()
    assert store.unsaved == 2
    store.close()  # still locked: the two writes go to a rescue file beside the database
    holder.rollback()
    holder.close()
    assert len(list(tmp_path.glob("s.unsaved-*.jsonl"))) == 1
    with Store.open(path) as again:
        record = again.load(sid)
        assert [t["index"] for t in record["turns"]] == [1, 2] and record["finished"]
    assert not list(tmp_path.glob("s.unsaved-*.jsonl"))
