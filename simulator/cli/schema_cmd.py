"""`simulator schema [--write]`: the JSON Schema of the scenario format."""

from __future__ import annotations

import argparse
import json
from typing import Any

from simulator import locations
from simulator.scenario import Scenario

SCHEMA_FILE = "scenario.schema.json"


def scenario_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Customer-service training scenario"
    return schema


def schema_text() -> str:
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.add_argument("--write", action="store_true", help=f"write it to scenarios/{SCHEMA_FILE}")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.write:
        target = locations.builtin_scenarios_dir() / SCHEMA_FILE
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    else:
        print(text, end="")
    return 0
