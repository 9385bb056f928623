"""Every session, kept in one SQLite file in the data directory.

Durability comes first: a trainee's work must survive a crash or `kill -9`.
Each turn is written in its own transaction the moment the session records it
(WAL journal, `synchronous=FULL`), so at most the turn being voiced is lost.

Schema versions live in `PRAGMA user_version`; `MIGRATIONS[n]` brings a file
from version n to n + 1 inside one transaction, so an interrupted upgrade leaves
the old version intact. A file written by a newer program is refused rather than
guessed at. A damaged file is moved aside (never deleted) and a fresh one
started; a locked or unwritable one ends in one sentence saying what to do.

Several trainees may share one machine's file (WAL lets one writer and many
readers work at once, and `busy_timeout` queues writers). SQLite must not live
on a network share, so classrooms merge JSON exports instead (see report.py).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import locations
from simulator.errors import UserError
from simulator.records import SessionRecord, mean_score, session_scores

if TYPE_CHECKING:
    from simulator.session import Session, Turn

# -- schema -------------------------------------------------------------------

_V1 = """
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,       -- stable across machines: merging dedupes on it
    machine     TEXT NOT NULL,
    trainee     TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    title       TEXT NOT NULL,
    voice       TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    exam        INTEGER NOT NULL DEFAULT 0,
    pass_mark   INTEGER,                    -- copied from the scenario when the exam starts
    started_at  TEXT NOT NULL,              -- ISO 8601, UTC
    start_mood  INTEGER NOT NULL,
    opening     TEXT NOT NULL,
    ended_at    TEXT,                       -- NULL until the session ends
    outcome     TEXT,
    ended_by    TEXT,
    end_mood    INTEGER,
    courtesy    INTEGER,
    flexibility INTEGER,
    needs_met   TEXT                        -- JSON list
);
CREATE TABLE turns (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    trainee     TEXT NOT NULL,
    customer    TEXT NOT NULL,
    courtesy    INTEGER NOT NULL,
    flexibility INTEGER NOT NULL,
    mood        INTEGER NOT NULL,
    data        TEXT NOT NULL,              -- Turn.to_dict() as JSON: the debrief needs all of it
    PRIMARY KEY (session_id, idx)
);
CREATE INDEX sessions_by_trainee ON sessions (trainee, started_at);
CREATE INDEX sessions_by_scenario ON sessions (scenario, started_at);
"""

# MIGRATIONS[n] upgrades a file at version n to n + 1. Append, never edit.
MIGRATIONS: list[str] = [_V1]

# The only two writes a session makes after its first row; a rescue file holds them as data.
_INSERT_TURN = (
    "INSERT OR REPLACE INTO turns (session_id, idx, recorded_at, trainee, customer, courtesy, "
    "flexibility, mood, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_END_SESSION = (
    "UPDATE sessions SET ended_at = ?, outcome = ?, ended_by = ?, end_mood = ?, courtesy = ?, "
    "flexibility = ?, needs_met = ? WHERE id = ?"
)
RESCUE_LIMIT = 50_000_000  # bytes; a rescue file holds one session's turns
RESCUE_TEXT = 20_000  # characters in one line of dialogue (replies are capped at 2,000)

UNFINISHED = "in progress"  # shown where an outcome would be, for a session that never ended

_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_UNWRITABLE = {"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"}


def schema_version() -> int:
    return len(MIGRATIONS)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_date(text: str, option: str = "--since") -> date:
    """A day given on the command line, as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} needs a date like 2025-03-01, not '{text}'.") from None


def day_start_utc(day: date) -> str:
    """The start of a local calendar day, as a stored UTC timestamp to compare with."""
    local = datetime.combine(day, time.min).astimezone()
    return local.astimezone(UTC).isoformat(timespec="milliseconds")


class DatabaseDamaged(Exception):
    """The file is not a readable SQLite database."""


def _code(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _user_error(exc: sqlite3.Error, path: Path) -> UserError:
    """One sentence for a database error the user can do something about."""
    code = _code(exc)
    text = str(exc).lower()
    if code in _BUSY or "locked" in text:
        return UserError(
            f"The session database {path} is busy in another program; "
            "close the other copy of the simulator and try again."
        )
    if code == "SQLITE_FULL" or "disk is full" in text:
        return UserError("The disk is full; free some space and try again (your last reply was kept).")
    if code in _UNWRITABLE or "readonly" in text or "unable to open" in text:
        return UserError(
            f"The session database {path} cannot be written; check the folder's permissions "
            "or set SIMULATOR_DATA_DIR to a folder you can write to."
        )
    if code.startswith("SQLITE_IOERR"):
        return UserError(
            f"The session database {path} could not be read or written (input/output error); "
            "check the disk and keep the database on a local drive, not a network share."
        )
    return UserError(f"The session database {path} could not be used ({exc}); ask your trainer for help.")


def _is_damage(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return _code(exc) in _DAMAGED or "malformed" in text or "not a database" in text


# -- the store ----------------------------------------------------------------


class Store:
    """The sessions database. Thread-safe: a UI may record turns from a worker thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, notice: str | None = None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        # One sentence the UI should show once (a damaged file was moved aside).
        self.notice = notice
        # One sentence while some recorded turns could not be written yet.
        self.problem: str | None = None
        # Writes that failed (locked, disk full), retried before the next write.
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        # Called with the problem sentence when a write fails during a session.
        self.on_problem: list[Callable[[str], None]] = []
        # Where close() kept the writes it could not save, if it had to.
        self.rescue_file: Path | None = None

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, timeout: float = 5.0) -> Store:
        """Open (creating or upgrading) the database; see the module docstring."""
        path = Path(path) if path is not None else locations.database_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"The folder {path.parent} cannot be created ({exc.strerror}); "
                "set SIMULATOR_DATA_DIR to a folder you can write to."
            ) from None
        try:
            store = cls(_connect(path, timeout), path)
            store._replay_rescue_files()
            return store
        except DatabaseDamaged:
            backup = _move_aside(path)
            try:
                store = cls(_connect(path, timeout), path)
            except DatabaseDamaged:
                raise UserError(
                    f"A fresh session database could not be created at {path}; check the disk."
                ) from None
            saved = store._salvage(backup)
            rescued = f" ({saved} sessions were rescued from it)" if saved else ""
            store.notice = (
                f"The session database was damaged, so it was moved to {backup.name} "
                f"and a fresh one was started{rescued}; give that file to your trainer."
            )
            return store

    def close(self) -> None:
        """Close, after a last try to save kept writes; what still fails goes to a rescue file."""
        with self._lock:
            if self._pending:
                try:
                    self._flush_pending()
                except sqlite3.Error:
                    self._write_rescue_file()
            self._conn.close()

    def _write_rescue_file(self) -> None:
        # Replayed by the next open() (see _replay_rescue_files), so a lock that
        # outlasted the session still loses nothing. The file holds the turns and
        # session ends as data, never SQL: anyone who can write the data folder
        # could otherwise make the next open() run any statement.
        from simulator.safe_io import write_atomic

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        rescue = self.path.with_name(f"{self.path.stem}.unsaved-{stamp}.jsonl")
        lines = []
        for sql, params in self._pending:
            record = _rescue_record(self._conn, sql, params)
            if record is not None:
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        try:
            write_atomic(rescue, "".join(lines))
        except OSError:
            return  # a full disk: `unsaved` still says how much was not kept
        self._pending.clear()
        self.rescue_file = rescue

    def _replay_rescue_files(self) -> None:
        """Save what an earlier run could not: each record is checked, a bad one skipped and named."""
        from simulator.safe_io import SafeReadError, read_text

        skipped: list[str] = []
        for rescue in sorted(self.path.parent.glob(f"{self.path.stem}.unsaved-*.jsonl")):
            try:
                text = read_text(rescue, RESCUE_LIMIT)
            except SafeReadError as exc:
                skipped.append(f"{rescue.name} ({exc.reason})")
                continue
            bad: list[int] = []
            try:
                for number, line in enumerate(text.splitlines(), 1):
                    if not line.strip():
                        continue
                    write = self._rescued_write(line)
                    if write is None:
                        bad.append(number)
                        continue
                    with self._write() as conn:
                        conn.execute(*write)
            except sqlite3.Error:
                continue  # left in place for the next open
            try:
                if bad:
                    # Kept for a person to look at, but never replayed again.
                    rescue.replace(rescue.with_suffix(".rejected"))
                    lines = ", ".join(map(str, bad[:5])) + (" and more" if len(bad) > 5 else "")
                    skipped.append(f"{rescue.name} line {lines}")
                else:
                    rescue.unlink()
            except OSError:
                pass
        if skipped:
            self.notice = (
                f"Records that were not valid turns were skipped ({'; '.join(skipped)}); "
                "the rest was saved to your history."
            )

    def _rescued_write(self, line: str) -> tuple[str, tuple[Any, ...]] | None:
        """The write for one rescue-file line, or None if it is not a valid turn or session end."""
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        rows = self._conn.execute(
            "SELECT id FROM sessions WHERE uuid = ?", (_text(record.get("session"), 64) or "",)
        ).fetchall()
        if len(rows) != 1:
            return None
        session_id = int(rows[0][0])
        if record.get("kind") == "turn":
            turn = record.get("turn")
            if not isinstance(turn, dict):
                return None
            fields = (
                _count(turn.get("index")),
                _text(record.get("recorded_at"), 40),
                _text(turn.get("trainee"), RESCUE_TEXT),
                _text(turn.get("customer"), RESCUE_TEXT),
                _score(turn.get("courtesy")),
                _score(turn.get("flexibility")),
                _score(turn.get("mood")),
            )
            if any(f is None for f in fields):
                return None
            return _INSERT_TURN, (session_id, *fields, json.dumps(turn, ensure_ascii=False))
        if record.get("kind") == "end":
            needs = record.get("needs_met")
            end = (
                _text(record.get("ended_at"), 40),
                _text(record.get("outcome"), 40),
                _score(record.get("end_mood")),
            )
            ended_by = record.get("ended_by")
            if any(f is None for f in end) or not (ended_by is None or _text(ended_by, 40)):
                return None
            if not isinstance(needs, list) or not all(_text(n, 200) for n in needs):
                return None
            scores = (_optional_score(record.get("courtesy")), _optional_score(record.get("flexibility")))
            if any(s is False for s in scores):
                return None
            ended_at, outcome, end_mood = end
            return _END_SESSION, (
                ended_at,
                outcome,
                ended_by,
                end_mood,
                *scores,
                json.dumps(needs),
                session_id,
            )
        return None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- recording -----------------------------------------------------------

    def attach(self, session: Session, trainee: str | None = None, exam: bool = False) -> int:
        """Record a session from now on: a row now, each turn as it happens, the end when it ends.

        Returns the session's id in this database. Raises UserError if even the
        first row cannot be written, so the trainee learns before they start.
        """
        started = now()
        row = {
            "uuid": str(uuid.uuid4()),
            "machine": socket.gethostname() or "unknown",
            "trainee": clean_name(trainee),
            "scenario": session.scenario.id,
            "title": session.scenario.title,
            "voice": session.voice.name,
            "seed": session.seed,
            "exam": int(bool(exam)),
            "pass_mark": session.scenario.pass_mark if exam else None,
            "started_at": started,
            "start_mood": session.start_mood,
            "opening": session.opening,
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        try:
            with self._write() as conn:
                cur = conn.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks})", tuple(row.values()))
                session_id = int(cur.lastrowid or 0)
        except sqlite3.Error as exc:
            raise _user_error(exc, self.path) from None
        # Turns played before attaching (rare) are recorded too.
        for turn in session.turns:
            self._record_turn(session_id, turn)
        session.on_turn.append(lambda _s, turn: self._record_turn(session_id, turn))
        session.on_end.append(lambda s: self._record_end(session_id, s))
        if session.finished:
            self._record_end(session_id, session)
        return session_id

    def _record_turn(self, session_id: int, turn: Turn) -> None:
        data = turn.to_dict()
        self._execute_or_keep(
            _INSERT_TURN,
            (
                session_id,
                turn.index,
                now(),
                turn.trainee,
                turn.customer,
                turn.grade.courtesy,
                turn.grade.flexibility,
                turn.mood,
                json.dumps(data, ensure_ascii=False),
            ),
        )

    def _record_end(self, session_id: int, session: Session) -> None:
        scores = session.scores()
        self._execute_or_keep(
            _END_SESSION,
            (
                now(),
                session.outcome or "unresolved",
                session.ended_by,
                session.mood,
                scores["courtesy"],
                scores["flexibility"],
                json.dumps(list(session.state.needs_met)),
                session_id,
            ),
        )

    def _execute_or_keep(self, sql: str, params: tuple[Any, ...]) -> None:
        """Write now; if the disk or a lock says no, keep it in memory and retry with the next write.

        A listener must not raise: the session would stop half-way through a
        turn. The problem is reported through `problem` and `on_problem`.
        """
        with self._lock:
            self._pending.append((sql, params))
            try:
                self._flush_pending()
            except sqlite3.Error as exc:
                self.problem = (
                    f"{_user_error(exc, self.path)} "
                    f"({len(self._pending)} recorded changes are waiting to be saved.)"
                )
                for callback in self.on_problem:
                    callback(self.problem)

    def _flush_pending(self) -> None:
        # Each write is its own transaction: what is committed stays committed.
        while self._pending:
            sql, params = self._pending[0]
            with self._write() as conn:
                conn.execute(sql, params)
            self._pending.pop(0)
        self.problem = None

    def flush(self) -> None:
        """Retry writes that failed; raises UserError if they still cannot be saved."""
        with self._lock:
            try:
                self._flush_pending()
            except sqlite3.Error as exc:
                raise _user_error(exc, self.path) from None

    @property
    def unsaved(self) -> int:
        return len(self._pending)

    def unsaved_turns(self, session_id: int) -> int:
        """How many of the session's turns are only in memory, not in the database yet."""
        with self._lock:
            return sum(1 for sql, params in self._pending if sql == _INSERT_TURN and params[0] == session_id)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    # -- reading -------------------------------------------------------------

    def list_sessions(
        self,
        trainee: str | None = None,
        scenario: str | None = None,
        since: date | datetime | str | None = None,
    ) -> list[dict[str, Any]]:
        """One summary per session, newest first (the history table's rows)."""
        where, params = _filters(trainee, scenario, since)
        sql = (
            "SELECT s.*, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) AS turn_count, "
            "(SELECT json_group_array(courtesy) FROM turns t WHERE t.session_id = s.id) AS courtesies, "
            "(SELECT json_group_array(flexibility) FROM turns t WHERE t.session_id = s.id) AS flexibilities, "
            "(SELECT mood FROM turns t WHERE t.session_id = s.id ORDER BY idx DESC LIMIT 1) AS last_mood "
            f"FROM sessions s {where} ORDER BY s.started_at DESC, s.id DESC"
        )
        rows = self._read(sql, params)
        return [_summary(row) for row in rows]

    def trainees(self) -> list[str]:
        rows = self._read("SELECT DISTINCT trainee FROM sessions ORDER BY trainee COLLATE NOCASE", ())
        return [row["trainee"] for row in rows]

    def load(self, session_id: int | str) -> dict[str, Any]:
        """The whole session: session.to_dict()'s shape plus who, when and whether it was an exam.

        SESSION_ID may be the number shown by `simulator history` or the
        session's uuid (or a unique start of it).
        """
        row = self._find(session_id)
        turns = self._read("SELECT data FROM turns WHERE session_id = ? ORDER BY idx", (row["id"],))
        return _record(row, [json.loads(t["data"]) for t in turns])

    def load_all(
        self,
        trainee: str | None = None,
        scenario: str | None = None,
        since: date | datetime | str | None = None,
    ) -> list[dict[str, Any]]:
        """Every matching session in full, oldest first (for `export --all`)."""
        return [self.load(s["id"]) for s in reversed(self.list_sessions(trainee, scenario, since))]

    def _find(self, session_id: int | str) -> sqlite3.Row:
        text = str(session_id).strip()
        rows: list[sqlite3.Row] = []
        if text.isdigit():
            rows = self._read("SELECT * FROM sessions WHERE id = ?", (int(text),))
        # A uuid may start with digits only ("12345678-..."), so try it as one too.
        if not rows and len(text) >= 4:
            rows = self._read("SELECT * FROM sessions WHERE uuid LIKE ? || '%'", (text.lower(),))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise UserError(f"More than one session starts with '{text}'; give more of its id.")
        raise UserError(
            f"There is no session '{text}' in {self.path}; run 'simulator history' to see the session ids."
        )

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                if _is_damage(exc):
                    raise UserError(
                        f"The session database {self.path} is damaged; restart the simulator "
                        "to move it aside and start a fresh one."
                    ) from None
                raise _user_error(exc, self.path) from None

    # -- rescue ----------------------------------------------------------------

    def _salvage(self, backup: Path) -> int:
        """Copy what can still be read from a damaged file; returns how many sessions came back."""
        try:
            old = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            old.row_factory = sqlite3.Row
            if old.execute("PRAGMA user_version").fetchone()[0] != schema_version():
                return 0
        except sqlite3.Error:
            return 0
        saved = 0
        try:
            ids: dict[int, int] = {}
            try:
                for row in old.execute("SELECT * FROM sessions"):
                    data = dict(row)
                    old_id = data.pop("id")
                    cols = ", ".join(data)
                    with self._write() as conn:
                        cur = conn.execute(
                            f"INSERT OR IGNORE INTO sessions ({cols}) VALUES ({', '.join('?' * len(data))})",
                            tuple(data.values()),
                        )
                        if cur.rowcount:
                            ids[old_id] = int(cur.lastrowid or 0)
                            saved += 1
            except sqlite3.Error:
                pass  # read up to the damage; what came back is kept
            try:
                for row in old.execute("SELECT * FROM turns"):
                    data = dict(row)
                    if data["session_id"] not in ids:
                        continue
                    data["session_id"] = ids[data["session_id"]]
                    cols = ", ".join(data)
                    with self._write() as conn:
                        conn.execute(
                            f"INSERT OR IGNORE INTO turns ({cols}) VALUES ({', '.join('?' * len(data))})",
                            tuple(data.values()),
                        )
            except sqlite3.Error:
                pass
        finally:
            old.close()
        return saved


# -- helpers --------------------------------------------------------------------


def _rescue_record(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    """A kept write as data for the rescue file (Store._rescued_write is the way back)."""
    if sql == _INSERT_TURN:
        session_id, _idx, recorded_at, *_columns, data = params
        kind: dict[str, Any] = {"kind": "turn", "recorded_at": recorded_at, "turn": json.loads(data)}
    elif sql == _END_SESSION:
        ended_at, outcome, ended_by, end_mood, courtesy, flexibility, needs, session_id = params
        kind = {
            "kind": "end",
            "ended_at": ended_at,
            "outcome": outcome,
            "ended_by": ended_by,
            "end_mood": end_mood,
            "courtesy": courtesy,
            "flexibility": flexibility,
            "needs_met": json.loads(needs),
        }
    else:
        return None
    try:
        row = conn.execute("SELECT uuid FROM sessions WHERE id = ?", (session_id,)).fetchone()
    except sqlite3.Error:
        return None
    return {"session": row[0], **kind} if row else None


def _text(value: Any, limit: int) -> str | None:
    return value if isinstance(value, str) and len(value) <= limit else None


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100_000
    return value if ok else None


def _score(value: Any) -> int | None:
    # Scores and moods are small integers; anything else in a rescue file was not written by us.
    ok = isinstance(value, int) and not isinstance(value, bool) and -1_000 <= value <= 1_000
    return value if ok else None


def _optional_score(value: Any) -> int | bool | None:
    """A score, None for none, or False for a value no session writes."""
    if value is None:
        return None
    score = _score(value)
    return False if score is None else score


def clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    return name or "anonymous"


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    """Open, check and migrate; DatabaseDamaged for a damaged file, UserError for the rest."""
    conn: sqlite3.Connection | None = None
    try:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in _write),
        # so nothing is ever left uncommitted by the module's implicit transactions.
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise DatabaseDamaged(str(path))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > schema_version():
            raise UserError(
                f"The session database {path} was written by a newer simulator; "
                "update the simulator on this machine."
            )
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # Network file systems cannot do WAL; the classroom workflow is export files.
            raise UserError(
                f"The session database {path} cannot use SQLite's WAL journal there; "
                "keep SIMULATOR_DATA_DIR on a local drive, not a network share."
            )
        # FULL: a committed turn survives power loss too, not only a crash; turns are seconds apart.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, version)
        return conn
    except DatabaseDamaged:
        if conn is not None:
            conn.close()
        raise
    except UserError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if _is_damage(exc):
            raise DatabaseDamaged(str(path)) from exc
        raise _user_error(exc, path) from None


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    for target in range(version + 1, schema_version() + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have just migrated.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= target:
                conn.rollback()
                continue
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(target)}")
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _statements(script: str) -> list[str]:
    """Split a migration script; executescript() would commit on its own and break atomicity."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line.split("--", 1)[0] if "--" in line else line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _move_aside(path: Path) -> Path:
    """Rename a damaged file (and its WAL files) to a timestamped backup beside it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.stem}.damaged-{stamp}-{n}{path.suffix}")
    try:
        path.replace(backup)
        for extra in ("-wal", "-shm"):
            side = Path(f"{path}{extra}")
            if side.exists():
                side.replace(Path(f"{backup}{extra}"))
    except OSError as exc:
        raise UserError(
            f"The session database {path} is damaged and could not be moved aside ({exc.strerror}); "
            "move it away by hand and start again."
        ) from None
    return backup


def _filters(
    trainee: str | None, scenario: str | None, since: date | datetime | str | None
) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    params: list[Any] = []
    if trainee:
        clauses.append("s.trainee = ? COLLATE NOCASE")
        params.append(clean_name(trainee))
    if scenario:
        clauses.append("s.scenario = ?")
        params.append(scenario)
    if since is not None:
        clauses.append("s.started_at >= ?")
        params.append(since_bound(since))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def since_bound(since: date | datetime | str) -> str:
    """The earliest stored timestamp that is on or after SINCE."""
    if isinstance(since, str):
        since = parse_date(since)
    if isinstance(since, datetime):
        moment = since if since.tzinfo else since.astimezone()
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return day_start_utc(since)


def _exam_fields(record: dict[str, Any]) -> None:
    if record["exam"]:
        from simulator.exam import exam_result

        record["passed"] = exam_result(record).passed


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    """A history row. Scores of an unfinished session are the mean of its committed turns."""
    finished = row["ended_at"] is not None
    if finished:
        scores = {"courtesy": row["courtesy"], "flexibility": row["flexibility"]}
    else:
        scores = {
            "courtesy": mean_score(json.loads(row["courtesies"])),
            "flexibility": mean_score(json.loads(row["flexibilities"])),
        }
    summary: dict[str, Any] = {
        "id": row["id"],
        "uuid": row["uuid"],
        "machine": row["machine"],
        "trainee": row["trainee"],
        "scenario": row["scenario"],
        "title": row["title"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "finished": finished,
        "outcome": row["outcome"] if finished else "unresolved",
        "status": row["outcome"] if finished else UNFINISHED,
        "scores": scores,
        "turn_count": row["turn_count"],
        "exam": bool(row["exam"]),
        "pass_mark": row["pass_mark"],
    }
    _exam_fields(summary)
    return summary


def _record(row: sqlite3.Row, turns: list[dict[str, Any]]) -> dict[str, Any]:
    finished = row["ended_at"] is not None
    if finished:
        scores = {"courtesy": row["courtesy"], "flexibility": row["flexibility"]}
        needs_met = json.loads(row["needs_met"] or "[]")
        end_mood = row["end_mood"]
    else:
        scores = session_scores(turns)
        needs_met = [n for t in turns for n in t.get("needs_met", [])]
        end_mood = turns[-1]["mood"] if turns else row["start_mood"]
    record = SessionRecord(
        scenario=row["scenario"],
        title=row["title"],
        voice=row["voice"],
        seed=row["seed"],
        opening=row["opening"],
        start_mood=row["start_mood"],
        end_mood=end_mood,
        outcome=row["outcome"] if finished else "unresolved",
        ended_by=row["ended_by"],
        needs_met=needs_met,
        turns=turns,
        scores=scores,
        # Each turn keeps the desk lookups made before it; lookups after the last reply are not stored.
        lookups=[item for t in turns for item in t.get("lookups", [])],
    ).to_dict()
    record |= {
        # what the stored records add
        "id": row["id"],
        "uuid": row["uuid"],
        "machine": row["machine"],
        "trainee": row["trainee"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "finished": finished,
        # "in progress" for a session that never ended (still going, or the program was killed)
        "status": row["outcome"] if finished else UNFINISHED,
        "exam": bool(row["exam"]),
        "pass_mark": row["pass_mark"],
    }
    _exam_fields(record)
    return record
