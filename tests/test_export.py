"""Debrief exports: Markdown, JSON and a self-contained, well-formed HTML page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.export import render
from simulator.report import read_export
from simulator.scenario import Scenario
from simulator.storage import Store
from tests.recorded import MILD, RUDE, WARM, FixedGrader, play

NASTY = "<script>alert('x')</script> & [bold]hi[/bold] *stars* 😀 שלום עולם"
VOID = {"meta", "br", "hr", "img", "input", "link"}


class TagBalance(HTMLParser):
    """Checks what a browser's parser sees: every opened element closed, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with {self.stack[-3:]}")
        else:
            self.stack.pop()


def check_self_contained_html(page: str) -> ET.Element:
    assert page.startswith("<!DOCTYPE html>")
    checker = TagBalance()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    tags = {t for t, _ in checker.tags}
    assert not tags & {"script", "link", "img", "iframe", "object"}, "no scripts and nothing fetched"
    for _, attrs in checker.tags:
        assert not {"src", "href"} & attrs.keys()
    assert "http://" not in page and "https://" not in page
    # Strictly well-formed XML as well (XHTML-valid markup).
    return ET.fromstring(page.split("\n", 1)[1])


def texts(root: ET.Element) -> str:
    return " ".join(" ".join(el.itertext()) for el in root.iter())


@pytest.fixture
def record(tmp_path: Path, hotel: Scenario) -> dict:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = play(store, hotel, "Noa <blink>", [NASTY, *RUDE])
        return store.load(sid)


def test_html_is_well_formed_self_contained_and_shows_the_numbers(record: dict) -> None:
    page = render(record, "html")
    root = check_self_contained_html(page)
    svgs = root.findall(".//svg")
    assert len(svgs) == 2  # mood, then courtesy and flexibility
    mood_labels = [t.text for t in svgs[0].iter("text")]
    for mood in [record["start_mood"], *(t["mood"] for t in record["turns"])]:
        assert str(mood) in mood_labels
    score_labels = [t.text for t in svgs[1].iter("text")]
    for turn in record["turns"]:
        assert str(turn["courtesy"]) in score_labels and str(turn["flexibility"]) in score_labels
    fields = {td.get("data-field"): td.text for td in root.iter("td") if td.get("data-field")}
    assert fields["courtesy"] == str(record["scores"]["courtesy"])
    assert fields["flexibility"] == str(record["scores"]["flexibility"])
    assert fields["trainee"] == "Noa <blink>"
    assert fields["outcome"] == "The customer walked out"
    for i, turn in enumerate(record["turns"], start=1):
        section = root.find(f".//section[@id='turn-{i}']")
        assert section is not None
        bold = [b.text for b in section.iter("b")]
        assert bold[:2] == [str(turn["courtesy"]), str(turn["flexibility"])]


def test_html_shows_trainee_text_as_text(record: dict) -> None:
    page = render(record, "html")
    assert "<script>" not in page and "<blink>" not in page
    assert "&lt;blink&gt;" in page and "&lt;script&gt;" in page
    root = check_self_contained_html(page)
    first = root.find(".//section[@id='turn-1']/p")
    assert first is not None and first.get("dir") == "auto"
    assert NASTY in "".join(first.itertext())


def test_markdown_escapes_markup_and_lists_the_scores(record: dict) -> None:
    md = render(record, "md")
    assert "<script>" not in md and "[bold]" not in md and "\\<script\\>" in md and "\\[bold\\]" in md
    assert "😀 שלום עולם" in md
    for turn in record["turns"]:
        assert f"| {turn['index']} | {turn['courtesy']} | {turn['flexibility']} | {turn['mood']} |" in md
    assert f"| Courtesy | {record['scores']['courtesy']} |" in md


def test_json_is_the_record(record: dict) -> None:
    assert json.loads(render(record, "json")) == record


def test_unfinished_session_is_marked(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = play(store, hotel, "Li", MILD[:2], finish=False)
        record = store.load(sid)
    page = render(record, "html")
    check_self_contained_html(page)
    assert "never ended" in page and "after 2 turns" in page
    assert "never ended" in render(record, "md")


def test_exam_verdict_and_reasons(tmp_path: Path, hotel: Scenario) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        good, _ = play(store, hotel, "Dana", WARM, exam=True)
        bad, _ = play(store, hotel, "Omar", RUDE, exam=True)
        passed, failed = store.load(good), store.load(bad)
    assert passed["passed"] is True and failed["passed"] is False
    root = check_self_contained_html(render(failed, "html"))
    verdict = root.find(".//p[@class='fail']")
    assert verdict is not None and verdict.text and verdict.text.startswith("Not passed")
    assert "is below the pass mark of 60" in texts(root)
    assert "Passed (pass mark 60" in render(passed, "md")


def test_live_session_dict_renders_too(hotel: Scenario) -> None:
    from simulator.session import Session
    from simulator.voice.scripted import ScriptedVoice

    session = Session(hotel, ScriptedVoice(), FixedGrader())
    session.reply(WARM[0])
    check_self_contained_html(render(session.to_dict(), "html"))
    assert "Resolved" in render(session.to_dict(), "md")


def test_export_command_writes_each_format(tmp_path: Path, hotel: Scenario, capsys) -> None:
    with Store.open() as store:
        sid, _ = play(store, hotel, "Dana", WARM)
        play(store, hotel, "Omar", RUDE)
    for fmt in ("md", "json", "html"):
        out = tmp_path / f"debrief.{fmt}"
        assert main(["export", str(sid), "--format", fmt, "--output", str(out)]) == 0
        assert out.read_text(encoding="utf-8").strip()
    check_self_contained_html((tmp_path / "debrief.html").read_text(encoding="utf-8"))
    assert main(["export", str(sid)]) == 0
    assert capsys.readouterr().out.startswith("# Debrief: Five guests")
    bundle = tmp_path / "machine.json"
    assert main(["export", "--all", "--format", "json", "--output", str(bundle)]) == 0
    records = read_export(bundle)
    assert [r["trainee"] for r in records] == ["Dana", "Omar"]
    assert all(r["turns"] for r in records)


def test_export_to_an_unwritable_place_is_one_sentence(tmp_path: Path, hotel: Scenario, capsys) -> None:
    with Store.open() as store:
        sid, _ = play(store, hotel, "Dana", WARM)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", str(sid), "--output", str(blocker / "sub" / "d.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "choose another --output" in err
