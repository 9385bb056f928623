"""The JSON Schema kept in the repo matches the models, and describes the files."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from simulator.cli import main
from simulator.cli.schema_cmd import SCHEMA_FILE, schema_text
from tests.conftest import SCENARIOS


def test_schema_file_is_up_to_date() -> None:
    kept = (SCENARIOS / SCHEMA_FILE).read_text(encoding="utf-8")
    assert kept == schema_text(), "run 'simulator schema --write' and commit the result"


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert {"id", "customer", "needs", "triggers", "end"} <= set(schema["properties"])


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_files_pass_the_schema(path) -> None:
    schema = json.loads((SCENARIOS / SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_schema_rejects_a_typo() -> None:
    schema = json.loads((SCENARIOS / SCHEMA_FILE).read_text(encoding="utf-8"))
    data = yaml.safe_load((SCENARIOS / "china-hotel-beds.yaml").read_text(encoding="utf-8"))
    data["customer"]["start_mod"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
