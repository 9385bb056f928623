"""A session's debrief as Markdown, JSON or a self-contained HTML page.

`render(record, fmt)` takes a record as `Store.load()` returns it (or a live
`Session.to_dict()`, which lacks only the who and when). `bundle(records)` is
the `export --all` file a classroom machine hands to the trainer's report.
"""

from __future__ import annotations

import json
import re
import socket
from typing import Any

from simulator.errors import UserError
from simulator.exam import exam_result
from simulator.htmldoc import esc, line_chart, local_time, page

FORMATS = ("md", "json", "html")
BUNDLE_FORMAT = "cs-simulator-sessions"  # marks an `export --all` file; report.py checks it
BUNDLE_VERSION = 1

OUTCOME_WORDS = {
    "resolved": "Resolved",
    "unresolved": "Unresolved",
    "walked_out": "The customer walked out",
}


def render(record: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return to_markdown(record)
    if fmt == "html":
        return to_html(record)
    raise UserError(f"'{fmt}' is not an export format; use md, json or html.")


def bundle(records: list[dict[str, Any]], exported_at: str) -> str:
    """Many sessions in one JSON file, for `simulator report --from DIR`."""
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "machine": socket.gethostname() or "unknown",
        "exported_at": exported_at,
        "sessions": records,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def outcome_text(record: dict[str, Any]) -> str:
    if record.get("finished", True) is False:
        n = len(record.get("turns", []))
        return f"Not finished (interrupted or still going) after {n} turn{'' if n == 1 else 's'}"
    outcome = str(record.get("outcome") or "unresolved")
    return OUTCOME_WORDS.get(outcome, outcome)


def exam_lines(record: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The exam verdict and why, or None for practice."""
    if not record.get("exam"):
        return None
    result = exam_result(record)
    return result.summary(), result.reasons


def _facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    scores = record.get("scores") or {}
    facts = [
        ("Trainee", record.get("trainee") or ""),
        ("Scenario", f"{record.get('title', '')} ({record.get('scenario', '')})"),
        ("Date", local_time(record.get("started_at"))),
        ("Outcome", outcome_text(record)),
        ("Courtesy", _num(scores.get("courtesy"))),
        ("Flexibility", _num(scores.get("flexibility"))),
        ("Mood", f"{record.get('start_mood')} → {record.get('end_mood')}"),
        ("Turns", str(len(record.get("turns", [])))),
        ("Voice", f"{record.get('voice', '')} (seed {record.get('seed', '')})"),
        ("Session", str(record.get("uuid") or record.get("id") or "")),
    ]
    if record.get("exam"):
        facts.insert(4, ("Mode", f"Exam, pass mark {exam_result(record).pass_mark}"))
    else:
        facts.insert(4, ("Mode", "Practice"))
    return [(k, v) for k, v in facts if v.strip()]


def _num(value: object) -> str:
    return "–" if value is None else str(value)


# -- Markdown -----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_text(text: object) -> str:
    """Trainee and customer text as literal Markdown: one line, every markup character escaped."""
    one_line = " ".join(str(text or "").split())
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line)
    # A leading "1." or "-" would start a list inside a cell or quote.
    return re.sub(r"^(\d+)\.", r"\1\\.", escaped).replace("\n", " ")


def to_markdown(record: dict[str, Any]) -> str:
    out: list[str] = [f"# Debrief: {md_text(record.get('title', ''))}", ""]
    if record.get("finished", True) is False:
        out += [
            "> **This session never ended** (the program was closed or is still running); "
            "every committed turn is shown.",
            "",
        ]
    out += ["| | |", "| --- | --- |"]
    out += [f"| {k} | {md_text(v)} |" for k, v in _facts(record)]
    out.append("")
    verdict = exam_lines(record)
    if verdict is not None:
        summary, reasons = verdict
        out += [f"**{md_text(summary)}**", ""]
        out += [f"- {md_text(r)}" for r in reasons]
        if reasons:
            out.append("")
    turns = record.get("turns", [])
    if turns:
        out += [
            "## Scores by turn",
            "",
            "| Turn | Courtesy | Flexibility | Mood |",
            "| ---: | ---: | ---: | ---: |",
        ]
        out.append(f"| start | | | {record.get('start_mood')} |")
        out += [f"| {t['index']} | {t['courtesy']} | {t['flexibility']} | {t['mood']} |" for t in turns]
        out.append("")
    out += ["## Conversation", "", f"**Customer:** {md_text(record.get('opening', ''))}", ""]
    for t in turns:
        out.append(f"### Turn {t['index']}")
        out.append("")
        for item in t.get("lookups", []):
            shown = "; ".join(str(line) for line in item.get("lines", []))
            out += [f"*Desk /{md_text(item.get('command', ''))}:* {md_text(shown)}", ""]
        out.append(f"**You:** {md_text(t.get('trainee', ''))}")
        out.append("")
        out.append(
            f"Courtesy **{t['courtesy']}**, flexibility **{t['flexibility']}**, "
            f"mood {t.get('mood_before', '')} → {t['mood']}"
        )
        out.append("")
        for e in t.get("evidence", []):
            sign = "+" if e.get("effect", 0) >= 0 else ""
            out.append(
                f"- {md_text(e.get('dimension', ''))} {sign}{e.get('effect', '')}: "
                f"“{md_text(e.get('phrase', ''))}” ({md_text(e.get('reason', ''))})"
            )
        if t.get("evidence"):
            out.append("")
        if t.get("tip"):
            out += [f"*Tip:* {md_text(t['tip'])}", ""]
        if t.get("model_answer"):
            out += [f"*A stronger reply:* {md_text(t['model_answer'])}", ""]
        out += [f"**Customer:** {md_text(t.get('customer', ''))}", ""]
    return "\n".join(out).rstrip() + "\n"


# -- HTML ---------------------------------------------------------------------


def mood_chart(record: dict[str, Any]) -> str:
    turns = record.get("turns", [])
    labels = ["start", *(str(t["index"]) for t in turns)]
    moods = [record.get("start_mood"), *(t["mood"] for t in turns)]
    return line_chart("Customer's mood, turn by turn (0-100)", labels, [("Mood", moods)])


def scores_chart(record: dict[str, Any]) -> str:
    turns = record.get("turns", [])
    labels = [str(t["index"]) for t in turns]
    return line_chart(
        "Courtesy and flexibility, turn by turn (0-100)",
        labels,
        [("Courtesy", [t["courtesy"] for t in turns]), ("Flexibility", [t["flexibility"] for t in turns])],
    )


def to_html(record: dict[str, Any]) -> str:
    title = f"Debrief: {record.get('title', '')}"
    body: list[str] = [f'<h1 dir="auto">{esc(title)}</h1>']
    trainee = record.get("trainee")
    if trainee:
        body.append(
            f'<p class="sub" dir="auto">{esc(trainee)} · {esc(local_time(record.get("started_at")))}</p>'
        )
    if record.get("finished", True) is False:
        body.append(
            '<p class="warn">This session never ended (the program was closed or is still running); '
            "every committed turn is shown.</p>"
        )
    rows = "".join(
        f'<tr><th>{esc(k)}</th><td dir="auto" data-field="{esc(k.lower())}">{esc(v)}</td></tr>'
        for k, v in _facts(record)
    )
    body.append(f"<table>{rows}</table>")
    verdict = exam_lines(record)
    if verdict is not None:
        summary, reasons = verdict
        cls = "fail" if reasons else "pass"
        body.append(f'<p class="{cls}">{esc(summary)}</p>')
        if reasons:
            body.append("<ul>" + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>")
    turns = record.get("turns", [])
    body.append("<h2>Mood</h2>")
    body.append(mood_chart(record))
    if turns:
        body.append("<h2>Scores</h2>")
        body.append(scores_chart(record))
    body.append("<h2>Conversation</h2>")
    body.append(f'<p dir="auto"><span class="who">Customer:</span> {esc(record.get("opening", ""))}</p>')
    for t in turns:
        parts = [f'<section class="turn" id="turn-{int(t["index"])}">', f"<h3>Turn {int(t['index'])}</h3>"]
        for item in t.get("lookups", []):
            shown = "; ".join(str(line) for line in item.get("lines", []))
            parts.append(
                f'<p class="desk" dir="auto"><i>Desk /{esc(item.get("command", ""))}:</i> {esc(shown)}</p>'
            )
        parts.append(f'<p dir="auto"><span class="who">You:</span> {esc(t.get("trainee", ""))}</p>')
        parts.append(
            f'<p class="grade">Courtesy <b>{esc(t["courtesy"])}</b>, flexibility <b>{esc(t["flexibility"])}</b>, '
            f"mood {esc(t.get('mood_before', ''))} → {esc(t['mood'])}</p>"
        )
        evidence = t.get("evidence", [])
        if evidence:
            items = []
            for e in evidence:
                sign = "+" if e.get("effect", 0) >= 0 else ""
                items.append(
                    f'<li dir="auto">{esc(e.get("dimension", ""))} {sign}{esc(e.get("effect", ""))}: '
                    f"“{esc(e.get('phrase', ''))}” ({esc(e.get('reason', ''))})</li>"
                )
            parts.append('<ul class="grade">' + "".join(items) + "</ul>")
        if t.get("tip"):
            parts.append(f'<p class="tip" dir="auto"><b>Tip:</b> {esc(t["tip"])}</p>')
        if t.get("model_answer"):
            parts.append(f'<p dir="auto"><i>A stronger reply:</i> {esc(t["model_answer"])}</p>')
        parts.append(f'<p dir="auto"><span class="who">Customer:</span> {esc(t.get("customer", ""))}</p>')
        parts.append("</section>")
        body.append("\n".join(parts))
    body.append(
        f"<footer>Customer-service training simulator · session {esc(record.get('uuid', ''))}</footer>"
    )
    return page(title, "\n".join(body))
