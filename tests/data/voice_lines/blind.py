"""A blind reading: the model's line and the authored line for the same beat, shuffled.

    blind.py make LABELLED.jsonl      -> blind_reading.md (A/B, no sources) and blind_key.json
    (judge blind_reading.md: write A, B or = after each "judged:", A/B = that one is better)
    blind.py score                    -> how often the model's line is as good or better

The model's line is the one the voice says with the verifier of this checkout
(evaluate.py's simulation); beats where it said the authored line, or a line
identical to one, are left out: there is nothing to compare.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from simulator.loader import discover
from simulator.voice.labelled import beats, load_records, recheck, request_from_json
from simulator.voice.model_voice import choose
from simulator.voice.scripted import pick_authored

HERE = Path(__file__).parent

TABLE = HERE / "blind_reading.md"
KEY = HERE / "blind_key.json"
COUNT = 40


def make(path: Path) -> None:
    records = load_records(path)
    library = discover([])
    verdicts = recheck(records, library.get)
    pairs = []
    for group in beats(records):
        chosen = choose([verdicts[i] for i in group])
        if chosen is None:
            continue
        rec = records[group[chosen]]
        request = request_from_json(rec["request"], library.get(rec["scenario"]))
        authored = pick_authored(request, rec["seed"])
        if rec["text"].strip() in {a.strip() for a in rec["authored"]}:
            continue
        pairs.append((rec, authored))
    rng = random.Random(19)
    rng.shuffle(pairs)
    rows, key = [], []
    for n, (rec, authored) in enumerate(pairs[:COUNT], start=1):
        model_first = rng.random() < 0.5
        a, b = (rec["text"], authored) if model_first else (authored, rec["text"])
        key.append({"n": n, "model": "A" if model_first else "B", "id": rec["id"]})
        rows.append(
            f"### {n}. {rec['scenario']}, {rec['beat']} (mood {rec['mood_before']} -> {rec['mood']})\n"
            f"- trainee: {rec['trainee']}\n- means: {rec['intent']}\n- A: {a}\n- B: {b}\n- judged: \n"
        )
    TABLE.write_text("# Blind reading\n\n" + "\n".join(rows), encoding="utf-8")
    KEY.write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")


def score() -> None:
    judged = dict(re.findall(r"### (\d+)\..*?- judged: *([AB=])", TABLE.read_text(encoding="utf-8"), re.S))
    key = json.loads(KEY.read_text(encoding="utf-8"))
    better = same = worse = 0
    for row in key:
        verdict = judged.get(str(row["n"]))
        if verdict is None:
            continue
        if verdict == "=":
            same += 1
        elif verdict == row["model"]:
            better += 1
        else:
            worse += 1
    total = better + same + worse
    print(
        f"{total} pairs judged: model better {better}, as good {same}, worse {worse}; "
        f"as good or better {better + same}/{total} ({(better + same) / total:.0%})"
        if total
        else "none judged"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make(Path(sys.argv[2]))
    else:
        score()
