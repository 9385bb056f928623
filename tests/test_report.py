"""The cohort report: per trainee and scenario, outcomes, averages and first vs best; files merged."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.errors import UserError
from simulator.export import bundle
from simulator.report import build, merge, read_export_dir, render_report, select
from simulator.scenario import Scenario
from simulator.storage import Store
from tests.recorded import MILD, RUDE, WARM, play
from tests.test_export import check_self_contained_html

HOTEL = ("china-hotel-beds", "Five guests, beds for three")
TOW = ("tow-truck-ride", "The tow truck has no seat")


def rec(
    uid: str,
    trainee: str,
    day: int,
    courtesy: int,
    flexibility: int,
    outcome: str = "resolved",
    scenario: tuple[str, str] = HOTEL,
    finished: bool = True,
    exam: bool = False,
    turns: int = 3,
) -> dict:
    """A record shaped like Store.load()'s, with only what the report reads filled in."""
    record = {
        "uuid": uid,
        "trainee": trainee,
        "scenario": scenario[0],
        "title": scenario[1],
        "started_at": f"2025-03-{day:02d}T10:00:00.000+00:00",
        "finished": finished,
        "outcome": outcome if finished else "unresolved",
        "scores": {"courtesy": courtesy, "flexibility": flexibility},
        "turns": [{"index": i + 1} for i in range(turns)],
        "exam": exam,
        "pass_mark": 60 if exam else None,
        "machine": "pc-01",
    }
    return record


COHORT = [
    rec("d1", "Dana", 1, 50, 40, "unresolved"),
    rec("d3", "Dana", 3, 80, 70),
    rec("d5", "Dana", 5, 70, 60),
    rec("d2", "Dana", 2, 60, 60, "walked_out", scenario=TOW),
    rec("o2", "Omar", 2, 30, 20, "walked_out"),
    rec("o4", "Omar", 4, 45, 50, "unresolved"),
    rec("o6", "Omar", 6, 90, 90, finished=False, turns=1),
    rec("o7", " omar ", 7, 40, 40, "walked_out"),
    rec("l3", "Li", 3, 70, 65, exam=True),
    rec("l4", "Li", 4, 70, 55, exam=True),
]


def csv_rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["trainee"], r["scenario"]): r for r in csv.DictReader(io.StringIO(text))}


def test_csv_per_trainee_and_scenario_with_first_versus_best() -> None:
    rows = csv_rows(render_report(build(merge(COHORT)), "csv"))
    assert set(rows) == {
        ("Dana", "china-hotel-beds"),
        ("Dana", "tow-truck-ride"),
        ("Li", "china-hotel-beds"),
        ("Omar", "china-hotel-beds"),
    }
    dana = rows["Dana", "china-hotel-beds"]
    assert (dana["sessions"], dana["resolved"], dana["unresolved"], dana["walked_out"]) == (
        "3",
        "2",
        "1",
        "0",
    )
    assert (dana["avg_courtesy"], dana["avg_flexibility"]) == ("66.7", "56.7")
    assert (dana["first_courtesy"], dana["first_flexibility"]) == ("50", "40")
    assert (dana["best_courtesy"], dana["best_flexibility"]) == ("80", "70")
    assert (dana["courtesy_gain"], dana["flexibility_gain"]) == ("30", "30")
    assert dana["first_date"].startswith("2025-03-01") and dana["best_date"].startswith("2025-03-03")
    # " omar " and "Omar" are one trainee; the unfinished session is counted, not averaged.
    omar = rows["Omar", "china-hotel-beds"]
    assert (omar["sessions"], omar["unfinished"], omar["walked_out"]) == ("4", "1", "2")
    assert (omar["avg_courtesy"], omar["avg_flexibility"]) == ("38.3", "36.7")
    assert (omar["best_courtesy"], omar["best_flexibility"]) == ("45", "50")
    li = rows["Li", "china-hotel-beds"]
    assert (li["exams"], li["exams_passed"]) == ("2", "1")


def test_filters() -> None:
    entries = merge(COHORT)
    since = csv_rows(render_report(build(select(entries, since=date(2025, 3, 3))), "csv"))
    dana = since["Dana", "china-hotel-beds"]
    assert dana["sessions"] == "2" and dana["first_courtesy"] == "80" and dana["courtesy_gain"] == "0"
    assert ("Dana", "tow-truck-ride") not in since
    assert set(csv_rows(render_report(build(select(entries, trainee="OMAR")), "csv"))) == {
        ("Omar", "china-hotel-beds")
    }
    assert set(csv_rows(render_report(build(select(entries, scenario="tow-truck-ride")), "csv"))) == {
        ("Dana", "tow-truck-ride")
    }


def test_html_report_is_well_formed_and_shows_the_numbers() -> None:
    page = render_report(build(merge(COHORT)), "html")
    root = check_self_contained_html(page)
    table = root.find(".//table")
    assert table is not None
    rows = {}
    for tr in table.iter("tr"):
        cells = ["".join(td.itertext()) for td in tr.findall("td")]
        if cells:
            rows[cells[0], cells[1]] = cells
    dana = rows["Dana", HOTEL[1]]
    assert dana[2:9] == ["3", "2", "1", "0", "0", "66.7", "56.7"]
    assert dana[9:12] == ["50 / 40", "80 / 70", "+30 / +30"]
    assert rows["Li", HOTEL[1]][12] == "1 of 2"
    # Progress charts carry every scored session's numbers.
    charts = {svg.findtext("title"): svg for svg in root.iter("svg")}
    dana_chart = charts["Dana, Five guests, beds for three: scores per session"]
    labels = [t.text for t in dana_chart.iter("text")]
    for value in ("50", "40", "80", "70", "60"):
        assert value in labels
    assert "Exams" in [h.text for h in root.iter("h2")]


def test_html_escapes_names() -> None:
    page = render_report(build(merge([rec("x1", "<script>x</script>", 1, 50, 50)])), "html")
    check_self_contained_html(page)
    assert "<script>" not in page


def test_csv_neutralises_spreadsheet_formulas() -> None:
    text = render_report(build(merge([rec("x1", "=HYPERLINK(1)", 1, 50, 50)])), "csv")
    assert "'=HYPERLINK(1)" in text


def test_merging_the_same_files_twice_does_not_double_count(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "pc-01.json").write_text(bundle(COHORT[:4], "2025-03-09T00:00:00+00:00"), encoding="utf-8")
    shutil.copy(folder / "pc-01.json", folder / "pc-01 (copy).json")
    # An earlier export of pc-02 caught Omar's o4 unfinished; the later one has it finished.
    early = rec("o4", "Omar", 4, 45, 50, finished=False, turns=1)
    (folder / "pc-02-monday.json").write_text(bundle([early], "x"), encoding="utf-8")
    (folder / "pc-02.json").write_text(bundle(COHORT[4:], "x"), encoding="utf-8")
    (folder / "single.json").write_text(json.dumps(COHORT[0]), encoding="utf-8")  # one-session export
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    records = read_export_dir(folder)
    assert len(records) == 4 + 4 + 1 + 6 + 1
    entries = merge(records)
    assert len(entries) == len(COHORT)
    o4 = next(e for e in entries if e.uuid == "o4")
    assert o4.finished and o4.outcome == "unresolved"
    assert csv_rows(render_report(build(entries), "csv")) == csv_rows(
        render_report(build(merge(COHORT)), "csv")
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"hello": 1}', "is not a simulator export"),
        ('[{"no": "uuid"}]', "is not a simulator export"),
    ],
)
def test_bad_export_files_are_one_sentence(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_export_dir(tmp_path)
    assert message in str(err.value) and "bad.json" in str(err.value)
    assert str(err.value).endswith(".") and "\n" not in str(err.value)


def test_empty_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no \.json export files"):
        read_export_dir(tmp_path)


def test_classroom_of_two_machines_end_to_end(
    tmp_path: Path, hotel: Scenario, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = tmp_path / "usb-stick"
    # Machine 1: Dana practises twice, improving.
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(tmp_path / "pc-01"))
    with Store.open() as store:
        play(store, hotel, "Dana", RUDE)
        play(store, hotel, "Dana", WARM)
    assert main(["export", "--all", "--format", "json", "--output", str(exports / "pc-01.json")]) == 0
    # Machine 2: Omar, and an exam for Li.
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(tmp_path / "pc-02"))
    with Store.open() as store:
        play(store, hotel, "Omar", MILD)
        play(store, hotel, "Li", WARM, exam=True)
    assert main(["export", "--all", "--format", "json", "--output", str(exports / "pc-02.json")]) == 0
    capsys.readouterr()
    # The trainer's report on machine 2: its own database plus the stick, which holds pc-02 too.
    assert main(["report", "--from", str(exports), "--format", "csv"]) == 0
    rows = csv_rows(capsys.readouterr().out)
    assert {t for t, _ in rows} == {"Dana", "Omar", "Li"}
    dana = rows["Dana", "china-hotel-beds"]
    assert (dana["sessions"], dana["walked_out"], dana["resolved"]) == ("2", "1", "1")
    assert int(dana["courtesy_gain"]) > 0 and int(dana["flexibility_gain"]) > 0
    assert rows["Omar", "china-hotel-beds"]["sessions"] == "1"  # not doubled by pc-02.json
    assert (rows["Li", "china-hotel-beds"]["exams"], rows["Li", "china-hotel-beds"]["exams_passed"]) == (
        "1",
        "1",
    )
    out = tmp_path / "report.html"
    assert (
        main(
            ["report", "--from", str(exports), "--trainee", "dana", "--format", "html", "--output", str(out)]
        )
        == 0
    )
    root = check_self_contained_html(out.read_text(encoding="utf-8"))
    assert "1 trainee, 2 sessions" in "".join(root.itertext())


def test_report_on_the_local_database_alone(hotel: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        play(store, hotel, "Dana", WARM)
        play(store, hotel, "Omar", RUDE)
        play(store, hotel, "Omar", MILD[:1], finish=False)
    assert main(["report", "--format", "csv", "--scenario", "china-hotel-beds"]) == 0
    rows = csv_rows(capsys.readouterr().out)
    assert rows["Omar", "china-hotel-beds"]["unfinished"] == "1"
    assert rows["Dana", "china-hotel-beds"]["resolved"] == "1"
