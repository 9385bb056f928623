"""`simulator preview SCENARIO_ID`: the scenario as a trainer reads it.

Plain text, in the order the conversation uses it: who the customer is, what
they need, how they react, how it ends. A trainer checks a scenario's logic
here without reading YAML.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from simulator.cli import common
from simulator.loader import SCENARIO_SUFFIXES, load_scenario
from simulator.scenario import Ending, Scenario, Trigger

WIDTH = 88


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview", help="print a scenario as a trainer reads it")
    p.add_argument("scenario", metavar="SCENARIO_ID", help="a scenario id, or the path of a scenario file")
    p.set_defaults(run=run)


def _wrap(text: str, indent: int = 2) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=pad, subsequent_indent=pad) or [pad]


def _item(label: str, text: str, indent: int = 2) -> list[str]:
    """`label: text`, wrapped under itself."""
    pad = " " * indent
    first = f"{pad}{label}: "
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=pad + "  ")


def _quoted(lines: list[str], indent: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(_wrap(f'"{line}"', indent))
    return out


def _condition(trigger: Trigger) -> str:
    parts: list[str] = []
    if trigger.when:
        parts.append(f"the trainee {trigger.when.replace('_', ' ')}")
    if trigger.says:
        said = " / ".join(f'"{p}"' for p in trigger.says)
        parts.append(f"the reply means {said}")
    text = " or ".join(parts)
    limits = []
    if trigger.need:
        limits.append(f"while '{trigger.need}' is unmet")
    if trigger.min_turn > 1:
        limits.append(f"from turn {trigger.min_turn}")
    if trigger.after:
        limits.append(f"after '{trigger.after}'")
    if trigger.once:
        limits.append("once")
    return text + (f" ({', '.join(limits)})" if limits else "")


def _signed(value: int) -> str:
    return f"{value:+d}"


def describe(scenario: Scenario, source: Path | None = None) -> list[str]:
    """The preview, one printed line per item."""
    s, c = scenario, scenario.customer
    out: list[str] = [f"{s.title} ({s.id})"]
    if source is not None:
        out.append(f"  file: {source}")
    out.append(
        f"  {s.difficulty}, skills: {', '.join(s.skills)}, language: {s.language}, pass mark {s.pass_mark}"
    )
    out += ["", "BRIEF (shown to the trainee)", *_wrap(s.brief)]
    out += ["", "SETTING", *_wrap(s.setting), *_item("Trainee's role", s.trainee_role)]

    out += ["", f"CUSTOMER: {c.name} (starts at mood {c.start_mood}/100)"]
    out += _item("Background", c.background)
    out += _item("Personality", c.personality)
    out += _item("Speech", c.speech)
    if c.facts:
        out.append("  Facts, told only when asked:")
        for fact in c.facts:
            out += _item(f"- {fact.id}", fact.text, 4)
            out += _wrap(f"asked by: {', '.join(fact.asked_by)}", 6)

    out += ["", "OPENING", *_quoted([s.opening], 2)]

    out += ["", "NEEDS (all required ones met, and mood high enough, resolves it)"]
    for need in s.needs:
        kind = "required" if need.required else "optional"
        out += _item(f"- {need.id} ({kind}, {_signed(need.mood_when_met)} mood when met)", need.description)
        out.append("    Solutions:")
        for sol in need.solutions:
            mark = " [beyond]" if sol.beyond else ""
            out += _wrap(f"* {sol.text}{mark}", 6)
            for example in sol.examples:
                out += _wrap(f'e.g. "{example}"', 8)
        if need.rigid_responses:
            out.append("    Rigid responses (fail it):")
            out += _quoted(need.rigid_responses, 6)
        if need.customer_proposals:
            out.append("    The customer proposes, after the first nudge:")
            out += _quoted(need.customer_proposals, 6)
        out.append("    When met:")
        out += _quoted(need.met_lines, 6)
        out.append("    Nudges while unmet:")
        out += _quoted(need.nudge_lines, 6)

    out += ["", "TRIGGERS (first match in this order wins)"]
    if not s.triggers:
        out.append("  (none)")
    for trigger in s.triggers:
        effect = f"mood {_signed(trigger.mood)}"
        if trigger.ends:
            effect += f", ENDS {trigger.ends}"
        out += _item(f"- {trigger.id}", f"when {_condition(trigger)} -> {effect}")
        out += _wrap(f"means: {trigger.intent}", 6)
        out += _quoted(trigger.lines, 6)

    end = s.end
    out += ["", "END CONDITIONS"]
    out.append(
        f"  resolved: every required need met and mood at least {end.resolve_mood}; "
        f"walks out: mood {end.walk_out_mood} or below; turn limit: {end.max_turns}"
    )
    endings: list[tuple[str, Ending]] = [
        ("resolved", end.resolved),
        ("walked out", end.walked_out),
        ("turn limit", end.turn_limit),
    ]
    for label, ending in endings:
        out.append(f"  {label}:")
        if ending.intent:
            out += _wrap(f"means: {ending.intent}", 6)
        out += _quoted(ending.lines, 6)

    out += ["", "MODEL ANSWERS"]
    for answer in s.model_answers:
        out += _item("- When", answer.situation)
        out += _wrap(f'say: "{answer.answer}"', 6)
        out += _wrap(f"why: {answer.why}", 6)

    out += ["", "DEBRIEF NOTES"]
    for note in s.debrief_notes:
        out += _wrap(f"- {note}", 2)

    out += ["", "SAMPLE SCRIPTS (checked by: simulator validate --rehearse)"]
    if not s.samples:
        out.append("  (none yet; add some so --rehearse can check the scenario)")
    for sample in s.samples:
        plural = "y" if len(sample.replies) == 1 else "ies"
        out.append(f"  - {sample.name}: {len(sample.replies)} repl{plural}, must end {sample.outcome}")
    return out


def run(args: argparse.Namespace) -> int:
    wanted: str = args.scenario
    as_path = Path(wanted)
    if as_path.suffix in SCENARIO_SUFFIXES or as_path.is_file():
        # A trainer editing a file anywhere can preview it before filing it away.
        scenario, source = load_scenario(as_path), as_path
    else:
        lib = common.library(args)
        scenario, source = lib.get(wanted), lib.paths[wanted]
    for line in describe(scenario, source):
        print(line)
    return 0
