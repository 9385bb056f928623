"""`simulator explain --scenario ID "REPLY" [--customer "LINE"]`: why a reply got its grades."""

from __future__ import annotations

import argparse

from simulator.cli import common
from simulator.grading.base import Evidence, GradeContext
from simulator.grading.flexibility import RIGID_BY_MEANING, SOLUTION_BY_MEANING, SOLUTION_WITH_RULE
from simulator.grading.rubric import RubricGrader
from simulator.tui.literal import one_line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="show every rule and scenario phrase that moved a reply's grades",
        description="Grade one reply and say, in plain words, what moved each score.",
    )
    p.add_argument("reply", help="the trainee's reply, in quotes")
    p.add_argument("--scenario", metavar="ID", required=True, help="the scenario the reply belongs to")
    p.add_argument(
        "--customer", metavar="LINE", help="the customer's line the reply answers (default: the opening)"
    )
    p.add_argument("--turn", type=int, default=1, help="which reply of the conversation it is (default 1)")
    p.set_defaults(run=run)


def _line(e: Evidence) -> str:
    sign = "+" if e.effect > 0 else ""
    points = f"{sign}{e.effect}" if e.effect else " 0"
    said = f' - "{one_line(e.phrase)}"' if e.phrase else ""
    return f"  {points:>4}  {one_line(e.reason)}{said}"


def explain(reply: str, scenario_id: str, customer: str | None, turn: int, args: argparse.Namespace) -> str:
    scenario = common.scenario(args, scenario_id)
    grader = common.grader()
    line = customer if customer is not None else scenario.opening
    grade = grader.grade(reply, GradeContext(scenario=scenario, customer_line=line, turn=max(1, turn)))
    out = [f'Reply: "{one_line(reply)}"', f'Answering: "{one_line(line)}"', ""]
    for dimension in ("courtesy", "flexibility"):
        items = [e for e in grade.evidence if e.dimension == dimension]
        out.append(f"{dimension.capitalize()} {getattr(grade, dimension)}:")
        out.extend(_line(e) for e in items)
        total = sum(e.effect for e in items)
        out.append(f"  {'=':>4}  {total} (the points above add up to the score)")
        out.append("")
    if isinstance(grader, RubricGrader):
        nearest = grader.nearest_phrases(reply, scenario)
        if nearest:
            out.append("Closest scenario phrases, by meaning (cosine similarity, 1.0 = same meaning):")
            for clause, bank, text, sim in nearest:
                out.append(f'  {sim:.2f}  {bank} "{one_line(text)}"  <-  "{one_line(clause)}"')
            out.append(
                f"  A clause shaped like an offer counts as a solution from {SOLUTION_WITH_RULE:.2f}, any other "
                f"clause from {SOLUTION_BY_MEANING:.2f}; a rigid response counts from {RIGID_BY_MEANING:.2f}."
            )
            out.append("")
        else:
            out.append(
                "(Graded by rules alone: the embedding model is not installed, so no phrase similarities.)"
            )
            out.append("")
    if grade.needs_met:
        out.append(f"Needs met: {', '.join(grade.needs_met)}")
    if grade.rigid:
        out.append(f"Like a rigid response of: {', '.join(grade.rigid)}")
    out.append(f"Acts: {', '.join(sorted(grade.acts)) or 'none'}")
    out.append(f"Graded by: {grade.extra.get('method', 'rules')}")
    if grade.tip:
        out.append(f"Tip: {one_line(grade.tip)}")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    if not args.reply.strip():
        print("The reply is empty; give the trainee's reply in quotes.")
        return 2
    print(explain(args.reply, args.scenario, args.customer, args.turn, args), end="")
    return 0
