"""The trainer's cohort report: who practised what, and how they improved.

Sessions come from this machine's database and/or from JSON files written by
`simulator export --all --format json` on each classroom machine (SQLite must
not live on a network share, so files are how machines meet). A session keeps
its uuid everywhere, so the same session seen twice (the same file copied
twice, or a machine exported on two days) counts once; of two copies the
finished one, then the one with more turns, wins.

Per trainee and scenario: sessions, outcomes, average courtesy and flexibility,
and progress as the first scored session against the best one (best = highest
courtesy + flexibility). Unfinished sessions are counted but their partial
scores are left out of averages and progress.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from simulator.errors import UserError
from simulator.exam import exam_result
from simulator.export import BUNDLE_FORMAT
from simulator.htmldoc import esc, line_chart, local_time, page, table
from simulator.safe_io import SafeReadError, read_text
from simulator.storage import since_bound

REPORT_FORMATS = ("csv", "html")


@dataclass(frozen=True)
class Entry:
    """One session as the report sees it."""

    uuid: str
    trainee: str
    scenario: str
    title: str
    started_at: str
    finished: bool
    outcome: str
    courtesy: int | None
    flexibility: int | None
    exam: bool
    passed: bool | None
    turns: int
    machine: str = ""

    @property
    def scored(self) -> bool:
        return self.finished and self.courtesy is not None and self.flexibility is not None

    @property
    def moment(self) -> datetime:
        return _moment(self.started_at)


def _moment(stamp: str) -> datetime:
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def entry(record: dict[str, Any]) -> Entry:
    """An Entry from a Store summary, a Store.load() record or an exported record."""
    scores = record.get("scores") or {}
    finished = bool(record.get("finished", True))
    exam = bool(record.get("exam"))
    turns = record.get("turn_count")
    if turns is None:
        turns = len(record.get("turns") or [])
    return Entry(
        uuid=str(record.get("uuid") or ""),
        trainee=str(record.get("trainee") or "anonymous"),
        scenario=str(record.get("scenario") or ""),
        title=str(record.get("title") or record.get("scenario") or ""),
        started_at=str(record.get("started_at") or ""),
        finished=finished,
        outcome=str(record.get("outcome") or "unresolved") if finished else "unfinished",
        courtesy=_int(scores.get("courtesy")),
        flexibility=_int(scores.get("flexibility")),
        exam=exam,
        passed=exam_result(record).passed if exam else None,
        turns=int(turns),
        machine=str(record.get("machine") or ""),
    )


def _int(value: object) -> int | None:
    if value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


# -- reading export files ---------------------------------------------------------


EXPORT_LIMIT = 500_000_000  # bytes; a classroom's year of sessions is a few MB


def read_export(path: Path, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """The session records in one export file (`export --all` bundle or a single session).

    A record holding values no simulator writes (a score that is not a number
    from 0 to 100, turns that are not a list...) is left out and named in
    SKIPPED, so one damaged record does not stop the report.
    """
    try:
        data = json.loads(read_text(path, EXPORT_LIMIT))
    except SafeReadError as exc:
        if not path.exists():
            raise UserError(f"The export file {path} does not exist; check the path.") from None
        raise UserError(f"The export file {path} {exc.reason}; {exc.advice}.") from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"The export file {path} is not valid JSON (line {exc.lineno}); "
            "export it again with 'simulator export --all --format json'."
        ) from None
    except (RecursionError, ValueError):
        # Nested thousands deep, or a number with thousands of digits: no export is.
        raise UserError(
            f"The export file {path} is not a simulator export (it is nested too deeply or holds "
            "a number too long); export it again with 'simulator export --all --format json'."
        ) from None
    if isinstance(data, dict) and data.get("format") == BUNDLE_FORMAT:
        records = data.get("sessions")
    elif isinstance(data, dict) and "turns" in data and "scenario" in data:
        records = [data]
    elif isinstance(data, list):
        records = data
    else:
        records = None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and r.get("uuid") and r.get("scenario") for r in records
    ):
        raise UserError(
            f"{path} is not a simulator export; make it with 'simulator export --all --format json'."
        )
    kept = []
    for number, record in enumerate(records, 1):
        problem = record_problem(record)
        if problem is None:
            kept.append(record)
        elif skipped is not None:
            skipped.append(f"skipped record {number} of {path} ({problem})")
    return kept


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def record_problem(record: dict[str, Any]) -> str | None:
    """What in an exported record no simulator would have written, or None if it is usable."""
    for key in ("uuid", "scenario"):
        if not isinstance(record.get(key), str) or len(record[key]) > 200:
            return f"{key} is not a short text"
    for key in ("trainee", "title", "started_at", "outcome", "machine"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"{key} is not text"
    for key in ("finished", "exam"):
        if record.get(key) is not None and not isinstance(record[key], bool | int):
            return f"{key} is not true or false"
    scores = record.get("scores")
    if scores is not None and not isinstance(scores, dict):
        return "scores is not a mapping"
    for name in ("courtesy", "flexibility"):
        value = (scores or {}).get(name)
        if value is not None and not _whole(value, 0, 100):
            return f"scores.{name} is not a whole number from 0 to 100"
    if record.get("pass_mark") is not None and not _whole(record["pass_mark"], 0, 100):
        return "pass_mark is not a whole number from 0 to 100"
    if record.get("turn_count") is not None and not _whole(record["turn_count"], 0, 1_000_000):
        return "turn_count is not a whole number of turns"
    if record.get("turns") is not None and not isinstance(record["turns"], list):
        return "turns is not a list"
    return None


def read_export_dir(
    folder: Path, skipped: list[str] | None = None, origins: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """Every record in the .json files of a folder (or one file); see read_export for SKIPPED.

    ORIGINS, if given, gets the file of each record (by id()), for merge() to name.
    """
    if folder.is_file():
        single = read_export(folder, skipped)
        if origins is not None:
            origins.update((id(r), str(folder)) for r in single)
        return single
    if not folder.is_dir():
        raise UserError(f"The folder {folder} does not exist; give the folder holding the export files.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json" and p.is_file())
    if not files:
        raise UserError(
            f"There are no .json export files in {folder}; copy each machine's "
            "'simulator export --all --format json' file there."
        )
    records: list[dict[str, Any]] = []
    for path in files:
        found = read_export(path, skipped)
        if origins is not None:
            origins.update((id(r), str(path)) for r in found)
        records.extend(found)
    return records


# -- merging and filtering ----------------------------------------------------------


def _rank(e: Entry) -> tuple[bool, int]:
    return (e.finished, e.turns)


def merge(
    records: Iterable[dict[str, Any]],
    notes: list[str] | None = None,
    origins: dict[int, str] | None = None,
) -> list[Entry]:
    """One Entry per session uuid, oldest first.

    Two copies of one session that differ (one exported before the session
    ended, or a file edited by hand) are named in NOTES with the copy kept and
    where each came from (ORIGINS: id() of a record -> its file).
    """
    chosen: dict[str, Entry] = {}
    where: dict[str, str] = {}
    for record in records:
        e = entry(record)
        key = e.uuid or f"{e.machine}:{e.trainee}:{e.started_at}"
        here = (origins or {}).get(id(record), "this machine's database")
        if key in chosen and e != chosen[key] and notes is not None:
            old = chosen[key]
            newer_wins = _rank(e) > _rank(old)
            kept, dropped = (e, old) if newer_wins else (old, e)
            kept_in, dropped_in = (here, where[key]) if newer_wins else (where[key], here)
            notes.append(
                f"session {key} appears twice with different content; kept the copy in {kept_in} "
                f"{_copy_words(kept)}, not the one in {dropped_in} {_copy_words(dropped)}"
            )
        if key not in chosen or _rank(e) > _rank(chosen[key]):
            chosen[key] = e
            where[key] = here
    return sorted(chosen.values(), key=lambda e: (e.moment, e.uuid))


def _copy_words(e: Entry) -> str:
    state = "finished" if e.finished else "unfinished"
    return f"({e.turns} turns, {state}, courtesy {e.courtesy}, flexibility {e.flexibility})"


def name_key(name: str) -> str:
    """Names are matched ignoring case and spacing: 'Dana  Levi' and 'dana levi' are one trainee."""
    return " ".join(name.split()).casefold()


def select(
    entries: Iterable[Entry],
    since: date | None = None,
    scenario: str | None = None,
    trainee: str | None = None,
) -> list[Entry]:
    bound = _moment(since_bound(since)) if since is not None else None
    out = []
    for e in entries:
        if bound is not None and e.moment < bound:
            continue
        if scenario and e.scenario != scenario:
            continue
        if trainee and name_key(e.trainee) != name_key(trainee):
            continue
        out.append(e)
    return out


# -- the report -------------------------------------------------------------------


@dataclass
class Row:
    """One trainee on one scenario."""

    trainee: str
    scenario: str
    title: str
    entries: list[Entry] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for e in self.entries if e.outcome == outcome)

    @property
    def scored(self) -> list[Entry]:
        return [e for e in self.entries if e.scored]

    def average(self, dimension: str) -> float | None:
        values = [getattr(e, dimension) for e in self.scored]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def first(self) -> Entry | None:
        scored = self.scored
        return scored[0] if scored else None

    @property
    def best(self) -> Entry | None:
        scored = self.scored
        # max() keeps the earliest of equals: "best" is when the level was first reached.
        return max(scored, key=lambda e: (e.courtesy or 0) + (e.flexibility or 0)) if scored else None

    def gain(self, dimension: str) -> int | None:
        first, best = self.first, self.best
        if first is None or best is None:
            return None
        return int(getattr(best, dimension)) - int(getattr(first, dimension))

    @property
    def exams(self) -> list[Entry]:
        return [e for e in self.entries if e.exam]


@dataclass
class Report:
    rows: list[Row]
    entries: list[Entry]
    filters: dict[str, str]

    @property
    def trainees(self) -> list[str]:
        seen: dict[str, str] = {}
        for row in self.rows:
            seen.setdefault(name_key(row.trainee), row.trainee)
        return list(seen.values())


def build(entries: list[Entry], filters: dict[str, str] | None = None) -> Report:
    rows: dict[tuple[str, str], Row] = {}
    for e in sorted(entries, key=lambda e: (e.moment, e.uuid)):
        key = (name_key(e.trainee), e.scenario)
        if key not in rows:
            rows[key] = Row(e.trainee, e.scenario, e.title)
        rows[key].entries.append(e)
    ordered = sorted(rows.values(), key=lambda r: (name_key(r.trainee), r.scenario))
    return Report(ordered, entries, filters or {})


CSV_COLUMNS = [
    "trainee",
    "scenario",
    "title",
    "sessions",
    "resolved",
    "unresolved",
    "walked_out",
    "unfinished",
    "avg_courtesy",
    "avg_flexibility",
    "first_date",
    "first_courtesy",
    "first_flexibility",
    "best_date",
    "best_courtesy",
    "best_flexibility",
    "courtesy_gain",
    "flexibility_gain",
    "exams",
    "exams_passed",
]


def _row_values(row: Row) -> dict[str, object]:
    first, best = row.first, row.best
    return {
        "trainee": row.trainee,
        "scenario": row.scenario,
        "title": row.title,
        "sessions": len(row.entries),
        "resolved": row.count("resolved"),
        "unresolved": row.count("unresolved"),
        "walked_out": row.count("walked_out"),
        "unfinished": row.count("unfinished"),
        "avg_courtesy": row.average("courtesy"),
        "avg_flexibility": row.average("flexibility"),
        "first_date": local_time(first.started_at) if first else None,
        "first_courtesy": first.courtesy if first else None,
        "first_flexibility": first.flexibility if first else None,
        "best_date": local_time(best.started_at) if best else None,
        "best_courtesy": best.courtesy if best else None,
        "best_flexibility": best.flexibility if best else None,
        "courtesy_gain": row.gain("courtesy"),
        "flexibility_gain": row.gain("flexibility"),
        "exams": len(row.exams),
        "exams_passed": sum(1 for e in row.exams if e.passed),
    }


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    # CRLF (RFC 4180) also makes the writer quote a cell holding a lone carriage
    # return, which a spreadsheet would otherwise read as the start of a new row.
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in report.rows:
        values = _row_values(row)
        writer.writerow({k: "" if v is None else _csv_safe(v) for k, v in values.items()})
    return buffer.getvalue()


def _csv_safe(value: object) -> object:
    # A name starting with = + - @ would run as a formula in a spreadsheet, and so
    # would one starting with a tab or a carriage return before them (OWASP's list).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _signed(value: int | None) -> str | None:
    return None if value is None else f"{value:+d}"


def to_html(report: Report) -> str:
    title = "Cohort report"
    body: list[str] = [f"<h1>{title}</h1>"]
    described = ", ".join(f"{k} {v}" for k, v in report.filters.items() if v)
    sessions = len(report.entries)
    body.append(
        f'<p class="sub">{_plural(len(report.trainees), "trainee")}, {_plural(sessions, "session")}'
        + (f" ({esc(described)})" if described else "")
        + f" · made {esc(local_time(datetime.now(UTC).isoformat()))}</p>"
    )
    if not report.rows:
        body.append("<p>No sessions match.</p>")
        return page(title, "\n".join(body))
    headers = [
        "Trainee",
        "Scenario",
        "Sessions",
        "Resolved",
        "Unresolved",
        "Walked out",
        "Unfinished",
        "Avg courtesy",
        "Avg flexibility",
        "First (C / F)",
        "Best (C / F)",
        "Gain (C / F)",
        "Exams passed",
    ]
    numeric = [False, False] + [True] * 11
    rows = []
    for row in report.rows:
        v = _row_values(row)
        rows.append(
            [
                row.trainee,
                row.title,
                v["sessions"],
                v["resolved"],
                v["unresolved"],
                v["walked_out"],
                v["unfinished"],
                v["avg_courtesy"],
                v["avg_flexibility"],
                _pair(v["first_courtesy"], v["first_flexibility"]),
                _pair(v["best_courtesy"], v["best_flexibility"]),
                _pair(_signed(row.gain("courtesy")), _signed(row.gain("flexibility"))),
                f"{v['exams_passed']} of {v['exams']}" if v["exams"] else None,
            ]
        )
    body.append("<h2>Summary</h2>")
    body.append(table(headers, rows, numeric))
    body.append("<h2>Progress</h2>")
    for row in report.rows:
        scored = row.scored
        body.append(f'<h3 dir="auto">{esc(row.trainee)} · {esc(row.title)}</h3>')
        if len(scored) < 2:
            body.append(
                f"<p>{_plural(len(scored), 'finished session')}; progress shows from the second one.</p>"
            )
            continue
        labels = [local_time(e.started_at)[5:10] for e in scored]  # MM-DD keeps the axis readable
        body.append(
            line_chart(
                f"{row.trainee}, {row.title}: scores per session",
                labels,
                [
                    ("Courtesy", [e.courtesy for e in scored]),
                    ("Flexibility", [e.flexibility for e in scored]),
                ],
            )
        )
    exams = [e for e in report.entries if e.exam]
    if exams:
        body.append("<h2>Exams</h2>")
        body.append(
            table(
                ["Trainee", "Scenario", "Date", "Outcome", "Courtesy", "Flexibility", "Result"],
                [
                    [
                        e.trainee,
                        e.title,
                        local_time(e.started_at),
                        e.outcome.replace("_", " "),
                        e.courtesy,
                        e.flexibility,
                        "passed" if e.passed else "not passed",
                    ]
                    for e in exams
                ],
                [False, False, False, False, True, True, False],
            )
        )
    body.append(
        "<footer>Averages and progress count finished sessions only; best = highest courtesy + flexibility; "
        "sessions are merged by their id, so a file given twice counts once.</footer>"
    )
    return page(title, "\n".join(body))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _pair(a: object, b: object) -> str | None:
    if a is None and b is None:
        return None
    return f"{'–' if a is None else a} / {'–' if b is None else b}"


def render_report(report: Report, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise UserError(f"'{fmt}' is not a report format; use csv or html.")
