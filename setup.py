"""Maps the top-level data folders into the package, so a wheel carries them.

In a checkout the shipped scenarios and the model catalogue stay at the top level
where trainers and reviewers find them; in a wheel they become the package data
`simulator/scenarios/` and `simulator/models/`, which `simulator.locations` finds
with importlib.resources. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

# Listed from the tree rather than by hand, so a new subpackage is never left out.
CODE = find_packages(include=["simulator", "simulator.*"])

setup(
    packages=[*CODE, "simulator.scenarios", "simulator.models"],
    package_dir={"simulator.scenarios": "scenarios", "simulator.models": "models"},
    package_data={
        "simulator": ["tui/*.tcss", "voice/native/*.c", "grading/*.json"],
        "simulator.scenarios": ["*.yaml", "scenario.schema.json"],
        "simulator.models": ["catalogue.yaml"],
    },
)
