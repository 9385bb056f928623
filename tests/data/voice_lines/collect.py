"""Dump every candidate line the model voice produces, with its context, to JSONL.

Plays each scenario with several trainee styles (sessions with the real grader),
and for every customer beat asks the model for all its candidates (no early stop,
no deadline), so a verifier's precision and recall can be measured on lines it
would otherwise never have seen. Each record also carries the request itself, so
`--replay` can put exactly the same beats to another model (Gemma) or prompt.

    .venv/bin/python tests/data/voice_lines/collect.py --out lines.jsonl
    .venv/bin/python tests/data/voice_lines/collect.py --replay lines.jsonl --model DIR --out g.jsonl

The trainee replies are built from each scenario's own parts (its rigid responses,
its solutions, its facts' questions, its sample conversations) plus a few generic
replies per style, so nothing here is tied to one scenario's wording.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.grading import default_grader
from simulator.loader import discover
from simulator.model_catalogue import load_catalogue
from simulator.scenario import Scenario
from simulator.session import Session
from simulator.voice.base import CustomerLine, LineRequest, TokenCallback
from simulator.voice.labelled import request_from_json
from simulator.voice.model_voice import GenerationSettings, ModelVoice, choose, line_seed

GENERIC = {
    "courteous": [
        "Oh no, I'm really sorry, that sounds awful. Let me sort this out for you right now.",
        "Thank you for bearing with me. I completely understand, and I'll do everything I can.",
    ],
    "rude": [
        "Ugh, what now? Stop whining and get to the point.",
        "That's your problem, not mine. Honestly, some people.",
        "Are you deaf? I already told you.",
    ],
    "curt": ["Name.", "Wait.", "Fine. Next.", "Hold."],
    "off_topic": [
        "Did you catch the football last night?",
        "By the way, we have a great offer on gift cards this month.",
        "Sorry, I was on my lunch. What was it again?",
    ],
}


def styles(scenario: Scenario) -> dict[str, list[str]]:
    needs = scenario.needs
    rigid = [r for n in needs for r in n.rigid_responses[:2]]
    flexible = [s.examples[0] for n in needs for s in n.solutions if s.examples][:3]
    questions = [f"Sorry, {f.asked_by[0]}?" for f in scenario.customer.facts][:3]
    out = {
        "courteous": GENERIC["courteous"] + flexible[:2],
        "rude": GENERIC["rude"][:2] + rigid[:1] + GENERIC["rude"][2:],
        "curt": GENERIC["curt"],
        "rigid": rigid[:4] or ["That's the policy, I'm afraid."],
        "flexible": flexible or GENERIC["courteous"],
        "off_topic": GENERIC["off_topic"],
        "questions": questions + flexible[:1],
        "courteous_then_rigid": GENERIC["courteous"][:1] + rigid[:2],
        "rude_then_flexible": GENERIC["rude"][:1] + flexible[:2],
    }
    for sample in scenario.samples[:2]:
        out[f"sample:{sample.name}"] = list(sample.replies)
    return out


def request_to_json(r: LineRequest) -> dict[str, Any]:
    return {
        "scenario": r.scenario.id,
        "intent": r.intent,
        "authored": list(r.authored),
        "beat": r.beat,
        "history": [list(h) for h in r.history],
        "facts_known": list(r.facts_known),
        "mood": r.mood,
        "mood_before": r.mood_before,
        "turn": r.turn,
        "said_before": list(r.said_before),
    }


class RecordingVoice:
    """Speaks as the model voice would, and records every candidate it sampled."""

    name = "model"

    def __init__(self, voice: ModelVoice, sink: list[dict[str, Any]]) -> None:
        self.voice = voice
        self.sink = sink
        self.context: dict[str, Any] = {}

    def speak(
        self, request: LineRequest, on_token: TokenCallback | None = None, cancel: Any = None
    ) -> CustomerLine:
        text, source = candidates(self.voice, request, self.sink, self.context)
        return CustomerLine(text, source)  # type: ignore[arg-type]


def candidates(
    voice: ModelVoice, request: LineRequest, sink: list[dict[str, Any]], context: dict[str, Any]
) -> tuple[str, str]:
    voice.load()
    verifier = voice.verifier(request)
    prompt = voice.build_prompt(request)
    raws = voice.generate(prompt, line_seed(voice.seed, request), labels=verifier.labels)
    verdicts = [verifier.check(raw, request, lead=prompt.lead) for raw in raws]
    chosen = choose(verdicts)
    for i, v in enumerate(verdicts):
        sink.append(
            {
                **context,
                "scenario": request.scenario.id,
                "beat": request.beat,
                "intent": request.intent,
                "mood_before": request.mood_before,
                "mood": request.mood,
                "trainee": next((t for s, t in reversed(request.history) if s == "trainee"), ""),
                "authored": list(request.authored),
                "lead": prompt.lead,
                "candidate": i,
                "text": v.text,
                "old_ok": v.ok,
                "old_reasons": list(v.reasons),
                "chosen_by_old": chosen == i,
                "request": request_to_json(request),
            }
        )
    if chosen is None:
        from simulator.voice.scripted import pick_authored

        return pick_authored(request, voice.seed), "script"
    return verdicts[chosen].text, "model"


EXTRA_STYLES = ("curt", "off_topic", "flexible", "courteous_then_rigid", "rude_then_flexible", "sample")
MAX_REPLIES = 3


def plan_styles(index: int, scenario: Scenario) -> list[tuple[str, list[str], int]]:
    """Four core styles for every scenario and two of the others in turn, seeds alternating."""
    all_styles = styles(scenario)
    picked = ["courteous", "rude", "rigid", "questions"]
    picked += [
        EXTRA_STYLES[(2 * index) % len(EXTRA_STYLES)],
        EXTRA_STYLES[(2 * index + 1) % len(EXTRA_STYLES)],
    ]
    out = []
    for n, style in enumerate(picked):
        if style == "sample":
            style = next((k for k in all_styles if k.startswith("sample:")), "flexible")
        out.append((style, all_styles[style][:MAX_REPLIES], 1 + (index + n) % 2))
    return out


def sessions(voice: ModelVoice, out: list[dict[str, Any]], wanted: set[str]) -> Iterator[str]:
    library = discover([])
    grader = default_grader()
    recorder = RecordingVoice(voice, out)
    for index, scenario in enumerate(sorted(library.scenarios.values(), key=lambda s: s.id)):
        if wanted and scenario.id not in wanted:
            continue
        for style, replies, seed in plan_styles(index, scenario):
            voice.seed = seed
            session = Session(scenario, recorder, grader, seed=seed)  # type: ignore[arg-type]
            for number, reply in enumerate(replies):
                if session.finished:
                    break
                recorder.context = {"style": style, "seed": seed, "session_turn": number + 1}
                session.reply(reply)
            yield f"{scenario.id} {style} seed {seed}: {len(session.turns)} turns, {len(out)} lines"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, help="a model folder (default: the installed default model)")
    parser.add_argument("--replay", type=Path, help="put the beats of this JSONL to the model instead")
    parser.add_argument("--scenarios", default="", help="comma-separated ids (default: all)")
    args = parser.parse_args(argv)
    if args.model is None:
        entry = load_catalogue().get()
        model_dir, style = entry.directory(), entry.prompt
    else:
        model_dir, style = args.model, None
    settings = replace(GenerationSettings(), deadline_s=None, threads=1)
    voice = ModelVoice(model_dir, seed=1, prompt_style=style, settings=settings)  # type: ignore[arg-type]
    voice.load()
    out: list[dict[str, Any]] = []
    if args.replay:
        library = discover([])
        seen: set[str] = set()
        for line in args.replay.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            key = json.dumps(rec["request"], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            voice.seed = rec["seed"]
            request = request_from_json(rec["request"], library.get(rec["scenario"]))
            ctx = {"style": rec["style"], "seed": rec["seed"], "session_turn": rec["session_turn"]}
            candidates(voice, request, out, ctx)
            write(args.out, out, model_dir.name)
        print(f"{len(seen)} beats, {len(out)} lines", file=sys.stderr)
    else:
        wanted = set(filter(None, args.scenarios.split(",")))
        for progress in sessions(voice, out, wanted):
            print(progress, file=sys.stderr, flush=True)
            write(args.out, out, model_dir.name)  # as it goes: a long run can be read while it runs
    write(args.out, out, model_dir.name)
    return 0


def write(path: Path, out: list[dict[str, Any]], model: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        for n, rec in enumerate(out):
            rec = {"id": n, "model": model, "customer": customer_label_of(rec), **rec}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def customer_label_of(rec: dict[str, Any]) -> str:
    return discover_cached().get(rec["scenario"]).customer.name


_LIBRARY: list[Any] = []


def discover_cached() -> Any:
    if not _LIBRARY:
        _LIBRARY.append(discover([]))
    return _LIBRARY[0]


if __name__ == "__main__":
    sys.exit(main())
