"""Errors a user can cause, each carrying one sentence that says what to do."""


class UserError(Exception):
    """An error the user can fix; its message is one clear sentence shown as is."""


class ScenarioError(UserError):
    """A scenario file that cannot be used; `problems` lists every line to show."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(problems[0] if problems else f"{path}: invalid scenario.")
