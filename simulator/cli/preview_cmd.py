"""`simulator preview SCENARIO_ID`: the scenario as a trainer reads it.

Plain text, in the order the conversation uses it: what the trainee sees (the
brief, the opening, the desk), what only the customer knows, what they need and
on what conditions, how they react, how it ends, and every sample script in
full. A trainer checks a scenario's logic here without reading YAML. Every
piece of text from the file is made safe for the terminal first.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from simulator.cli import common
from simulator.loader import SCENARIO_SUFFIXES, load_scenario
from simulator.scenario import Desk, Ending, Need, SampleReply, Scenario, Trigger
from simulator.tui.literal import clean

WIDTH = 88

# What each act means in a sentence: "when the trainee is rude", not "the trainee rude".
ACT_PHRASES = {
    "greets": "greets the customer",
    "thanks": "thanks the customer",
    "apologises": "apologises",
    "empathises": "acknowledges the customer's feelings",
    "asks": "asks a question",
    "offers": "offers a solution",
    "owns": "takes ownership",
    "goes_beyond": "goes beyond (an unrequested extra)",
    "refuses": "refuses flatly",
    "cites_policy": "cites policy",
    "sends_away": "sends the customer away",
    "defers": "puts it off with no action",
    "commands": "gives orders",
    "blames": "blames the customer",
    "rude": "is rude",
    "ignores_feelings": "ignores the customer's feelings",
    "repeats_rejected": "offers again what was turned down",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview", help="print a scenario as a trainer reads it")
    p.add_argument("scenario", metavar="SCENARIO_ID", help="a scenario id, or the path of a scenario file")
    p.set_defaults(run=run)


def _wrap(text: str, indent: int = 2) -> list[str]:
    pad = " " * indent
    text = clean(" ".join(text.split()))
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad) or [pad]


def _item(label: str, text: str, indent: int = 2) -> list[str]:
    """`label: text`, wrapped under itself."""
    pad = " " * indent
    first = clean(f"{pad}{label}: ")
    return textwrap.wrap(
        clean(" ".join(text.split())), WIDTH, initial_indent=first, subsequent_indent=pad + "  "
    )


def _quoted(lines: list[str], indent: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(_wrap(f'"{line}"', indent))
    return out


def _condition(trigger: Trigger) -> str:
    parts: list[str] = []
    if trigger.when:
        parts.append(f"the trainee {ACT_PHRASES.get(trigger.when, trigger.when.replace('_', ' '))}")
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


def _desk(desk: Desk) -> list[str]:
    out: list[str] = []
    for record in desk.records:
        out.append(clean(f"  {record.title}"))
        for name, value in record.fields.items():
            out += _item(name, value, 4)
    if desk.policy:
        out.append("  Policy:")
        for rule in desk.policy:
            out += _wrap(f"- {rule}", 4)
    if desk.may_authorise:
        out.append("  What the trainee may authorise:")
        for item in desk.may_authorise:
            out += _wrap(f"- {item}", 4)
    if desk.lookups:
        out.append("  Lookups (typed in the reply box; the answer is shown only when asked for):")
        for lookup in desk.lookups:
            typed = f"/{lookup.command}" + (f" {lookup.argument}" if lookup.argument else "")
            if lookup.argument is None and any(x.argument for x in desk.lookup(lookup.command)):
                typed += " (anything else)"
            out += _item(f"- {typed}", lookup.title, 4)
            out += [f"      | {line}" for line in (clean(x) for x in lookup.shows)]
            if lookup.reveals:
                out += _wrap(f"reveals the facts: {', '.join(lookup.reveals)}", 6)
    return out


def _conditions(need: Need) -> str:
    """When a need counts as met, beyond a reply that offers one of its solutions."""
    parts = ["a reply offers one of its solutions"]
    if need.min_courtesy:
        parts.append(f"with courtesy at least {need.min_courtesy} (min_courtesy)")
    if need.commit is not None:
        wanted = []
        if need.commit.time:
            wanted.append("a time")
        if need.commit.item:
            wanted.append("one of the items " + ", ".join(need.commit.item))
        if need.commit.action:
            wanted.append("one of the actions " + ", ".join(need.commit.action))
        parts.append("and commits to " + " and ".join(wanted))
    return "Met when " + " ".join(parts) + "."


def _reply_text(reply: str | SampleReply) -> str:
    if isinstance(reply, str):
        return reply
    bands = [
        f"{name} {band}" for name in ("courtesy", "flexibility") if (band := getattr(reply.expect, name))
    ]
    return f"{reply.text}  (expect {', '.join(bands)})" if bands else reply.text


def describe(scenario: Scenario, source: Path | None = None) -> list[str]:
    """The preview, one printed line per item."""
    s, c = scenario, scenario.customer
    out: list[str] = [clean(f"{s.title} ({s.id})")]
    if source is not None:
        out.append(clean(f"  file: {source}"))
    out.append(
        clean(
            f"  {s.difficulty}, skills: {', '.join(s.skills)}, language: {s.language}, pass mark {s.pass_mark}"
        )
    )

    out += ["", "== WHAT THE TRAINEE SEES =="]
    out += ["", "BRIEF", *_wrap(s.brief), *_item("Trainee's role", s.trainee_role)]
    out += ["", f"OPENING (the customer's first line; {c.name} starts at mood {c.start_mood}/100)"]
    out += _quoted([s.opening], 2)
    out += [""]
    if s.desk is None:
        out += ["DESK: (none; add a desk: section so the trainee has something to look things up in)"]
    else:
        out += ["DESK (beside the conversation; F2 shows or hides it)", *_desk(s.desk)]

    out += ["", "== WHAT ONLY THE CUSTOMER (AND THE MODEL VOICE) KNOWS =="]
    out += ["", "SETTING", *_wrap(s.setting)]
    out += ["", f"CUSTOMER: {clean(c.name)} (starts at mood {c.start_mood}/100)"]
    out += _item("Background", c.background)
    out += _item("Personality", c.personality)
    out += _item("Speech", c.speech)
    if c.facts:
        out.append("  Facts, told only when asked:")
        for fact in c.facts:
            out += _item(f"- {fact.id}", fact.text, 4)
            out += _wrap(f"asked by: {', '.join(fact.asked_by)}", 6)
            out += _quoted(fact.lines, 6)

    out += ["", "NEEDS (all required ones met, and mood high enough, resolves it)"]
    for need in s.needs:
        kind = "required" if need.required else "optional"
        out += _item(f"- {need.id} ({kind}, {_signed(need.mood_when_met)} mood when met)", need.description)
        out += _wrap(_conditions(need), 6)
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
        if need.commit is not None and need.commit.missing_lines:
            out.append("    To an offer without the commitment:")
            out += _quoted(need.commit.missing_lines, 6)
        out.append(
            "    When met ({time}, {item}, {action} are the trainee's own words):"
            if need.commit
            else "    When met:"
        )
        out += _quoted(need.met_lines, 6)
        out.append("    Nudges while unmet:")
        out += _quoted(need.nudge_lines, 6)

    if s.asks:
        out += ["", "THE CUSTOMER'S OWN QUESTIONS (asks)"]
        for ask in s.asks:
            when = [
                f"once '{ask.after_need}' is met" if ask.after_need else "as soon as nothing else is said"
            ]
            if ask.min_turn > 1:
                when.append(f"from turn {ask.min_turn}")
            must = "; must be answered before it resolves" if ask.required else ""
            out += _item(f"- {ask.id}", f"asked {', '.join(when)}{must}")
            out += _quoted(ask.lines, 6)
            out += _wrap(f"answered by: {', '.join(ask.answered_by)}", 6)
            if ask.again_lines:
                out.append("      Asked again:")
                out += _quoted(ask.again_lines, 6)

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

    out += ["", "MODEL ANSWERS (shown in the debrief)"]
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
        out.append(clean(f"  - {sample.name}: {len(sample.replies)} repl{plural}, must end {sample.outcome}"))
        for number, reply in enumerate(sample.replies, 1):
            out += _wrap(f"{number}. {_reply_text(reply)}", 6)
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
