"""Reading scenario files, and finding every scenario the program knows.

Every problem becomes one line `FILE:LINE: field.path: what is wrong` so a
trainer can fix a file without reading a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator import locations
from simulator import scenario as scenario_format
from simulator.errors import ScenarioError, UserError
from simulator.safe_io import SafeReadError, read_limited
from simulator.scenario import LocatedProblems, Scenario

MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 2_000
SCENARIO_SUFFIXES = (".yaml", ".yml")


# libyaml's safe loader when PyYAML has it: parsing the scenarios is most of start-up.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data; a broken file is parsed again by
    the pure-Python loader, whose error messages trainers see."""
    try:
        return yaml.compose(text, Loader=_LOADER), yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)


def _node_at(root: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The YAML node for a pydantic error location, as deep as it exists."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                # An unknown key: point at the key itself.
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return key or node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _duplicate_keys(root: yaml.Node | None, path: str) -> list[str]:
    """A key given twice in one mapping: YAML keeps the last one without a word.

    The tree is walked with a stack, not recursion: nesting is bounded only by
    the parser.
    """
    problems: list[tuple[int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        problems.append(
                            (
                                line,
                                f"{path}:{line}: {key.value}: this key is also on line {seen[key.value]}, "
                                "and only one can count; remove or rename one of them",
                            )
                        )
                    else:
                        seen[key.value] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return [problem for _, problem in sorted(problems)]


def _known_keys() -> list[str]:
    """Every key the format has, for "did you mean" on a misspelt one."""
    keys: set[str] = set()
    for value in vars(scenario_format).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
            for name, info in value.model_fields.items():
                keys.add(info.alias or name)
    return sorted(keys)


# What the allowed values of a field are, in a trainer's words.
_VALUE_NAMES = {"when": "an act", "skills": "a skill", "outcome": "an outcome", "ends": "an outcome"}


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _describe(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        close = _did_you_mean(key, _known_keys())
        if close:
            return f"unknown key `{key}`; did you mean `{close}`?"
        return f"unknown key `{key}`; check the spelling (scenarios.md lists the allowed keys)"
    if kind == "missing":
        return "required key is missing; add it (scenarios.md says what it holds)"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        given = error.get("input")
        field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        what = _VALUE_NAMES.get(field_name, "an allowed value here")
        close = _did_you_mean(str(given), allowed) if isinstance(given, str) else None
        if close:
            return f"`{given}` is not {what}; did you mean `{close}`?"
        return f"`{given}` is not {what}; use one of: {', '.join(allowed)}"
    if kind == "string_type" and isinstance(error.get("input"), dict):
        # `- Note: fine` is read as a key and a value, not as a line of text.
        return "quote this text, it contains a colon followed by a space (put it in double quotes)"
    if kind == "string_type" and isinstance(error.get("input"), (int, float, bool)):
        # `22:50`, `1408` or `yes` are read by YAML as a number or a yes/no.
        return "YAML reads this as a number or yes/no; put the text in double quotes"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _problems(error: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """One error, or the located problems a cross-check raised, each at its own place."""
    loc = tuple(error.get("loc", ()))
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, LocatedProblems):
        return [((*loc, *where), message) for where, message in raised.problems]
    return [(loc, _describe(error))]


# PyYAML's messages, in a trainer's words: (part of the problem, what to do).
_YAML_ADVICE = (
    ("found character '\t'", "a tab is not allowed; use spaces to indent"),
    ("mapping values are not allowed", "quote this text, it contains a colon (put it in double quotes)"),
    (
        "expected <block end>, but found '<scalar>'",
        "text follows a closing quote; quote the whole text (or close a quote left open above)",
    ),
    ("expected <block end>", "this line is indented differently from the lines above it; line it up"),
    (
        "could not find expected ':'",
        "a key is missing its colon, or a text runs over lines: quote it or use >-",
    ),
    ("found unexpected end of stream", "a quote is never closed; end the text with the same quote"),
    ("found undefined alias", "quote this text, it starts with '*'"),
    ("found character '@'", "quote this text, it starts with '@'"),
    ("found character '`'", "quote this text, it starts with '`'"),
    ("found character '%'", "quote this text, it starts with '%'"),
    ("expected alphabetic or numeric character", "quote this text, it starts with '&' or '*'"),
    (
        "found unknown escape character",
        "a backslash in double quotes starts an escape; write \\\\ or use single quotes",
    ),
)


def _yaml_advice(problem: str) -> str:
    for known, advice in _YAML_ADVICE:
        if known in problem:
            return advice
    return f"YAML syntax error ({problem}); check indentation and quotes"


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def parse_scenario_text(text: str, path: str) -> Scenario:
    """Validate scenario YAML text; raise ScenarioError listing every problem."""
    long_lines = [i + 1 for i, line in enumerate(text.splitlines()) if len(line) > MAX_LINE_CHARS]
    if long_lines:
        raise ScenarioError(
            path,
            [
                f"{path}:{n}: (line): line is longer than {MAX_LINE_CHARS} characters; "
                "split it or use a YAML block (|) over several lines"
                for n in long_lines[:5]
            ],
        )
    too_deep = (
        f"{path}: (file): nested too deeply to be a scenario; check the file's indentation and brackets"
    )
    tab_lines = [
        i + 1 for i, line in enumerate(text.splitlines()) if "\t" in line[: len(line) - len(line.lstrip())]
    ]
    if tab_lines:
        # Checked before YAML: the parser reports a tab in indentation as a
        # mistake somewhere else, often on a later line.
        raise ScenarioError(
            path, [f"{path}:{n}: (syntax): a tab is not allowed; use spaces to indent" for n in tab_lines[:5]]
        )
    try:
        root, data = _parse(text)
    except RecursionError:
        # The parser recursed once per level; the error belongs to this file only.
        raise ScenarioError(path, [too_deep]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(path, [f"{where}: (syntax): {_yaml_advice(problem)}"]) from None
    duplicates = _duplicate_keys(root, path)
    if duplicates:
        raise ScenarioError(path, duplicates)
    if data is None:
        raise ScenarioError(
            path, [f"{path}: (top level): the file is empty; write a scenario mapping (see scenarios.md)"]
        )
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError(
            path,
            [f"{path}:1: (top level): expected a mapping of keys (id:, title:, ...), found a {kind}"],
        )
    try:
        return Scenario.model_validate(data)
    except RecursionError:
        raise ScenarioError(path, [too_deep]) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            for loc, message in _problems(error):
                node = _node_at(root, loc)
                line = f":{node.start_mark.line + 1}" if node is not None else ""
                problems.append(f"{path}{line}: {_field_path(loc)}: {message}")
        raise ScenarioError(path, problems) from None


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    shown = str(path)
    try:
        # The kind and size are checked before reading: a named pipe would block
        # for ever and /dev/zero or a huge sparse file would fill the memory.
        raw = read_limited(path, MAX_FILE_BYTES)
    except SafeReadError as exc:
        if not path.exists() and not path.is_symlink():
            raise ScenarioError(shown, [f"{shown}: (file): no such file; check the path"]) from None
        if path.is_dir():
            raise ScenarioError(shown, [f"{shown}: (file): is a folder, not a scenario file"]) from None
        if exc.reason.startswith("is larger"):
            raise ScenarioError(
                shown, [f"{shown}: (file): larger than 1 MB, which no scenario needs; is it the right file?"]
            ) from None
        raise ScenarioError(shown, [f"{shown}: (file): {exc.reason}; {exc.advice}"]) from None
    if b"\x00" in raw:
        raise ScenarioError(
            shown, [f"{shown}: (file): is a binary file, not YAML text; save the scenario as plain text"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(shown, [f"{shown}: (file): is not UTF-8 text; save it as UTF-8"]) from None
    return parse_scenario_text(text, shown)


@dataclass
class Library:
    """Every scenario found, and every file that could not be loaded."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    errors: dict[Path, list[str]] = field(default_factory=dict)

    def get(self, scenario_id: str) -> Scenario:
        if scenario_id in self.scenarios:
            return self.scenarios[scenario_id]
        for path in self.errors:
            if path.stem == scenario_id:
                raise UserError(
                    f"Scenario '{scenario_id}' has errors; run 'simulator validate {path}' to see them."
                )
        known = ", ".join(sorted(self.scenarios)) or "none"
        raise UserError(f"There is no scenario '{scenario_id}'; known scenarios: {known}.")


def scenario_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Built-in scenarios first, then the trainers' own folder(s)."""
    dirs = [locations.builtin_scenarios_dir(), locations.user_scenarios_dir()]
    for d in extra or []:
        if d not in dirs:
            dirs.append(d)
    return dirs


def scenario_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    # Not only regular files: a pipe or a device named *.yaml is reported by
    # load_scenario (without being read) instead of being skipped in silence.
    return sorted(p for p in directory.iterdir() if p.suffix in SCENARIO_SUFFIXES and not p.is_dir())


def discover(extra_dirs: list[Path] | None = None, files: list[Path] | None = None) -> Library:
    """Load every scenario; one broken file never hides the others."""
    library = Library()
    paths = (
        list(files)
        if files is not None
        else [p for d in scenario_dirs(extra_dirs) for p in scenario_files(d)]
    )
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            library.errors[path] = exc.problems
            continue
        if scenario.id in library.scenarios:
            first = library.paths[scenario.id]
            library.errors[path] = [
                f"{path}: id: the id '{scenario.id}' is already used by {first}; give one of them another id"
            ]
            continue
        library.scenarios[scenario.id] = scenario
        library.paths[scenario.id] = path
    return library
