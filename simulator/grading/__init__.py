"""Grading trainee replies for courtesy and flexibility, with the evidence."""

from simulator.grading.base import Evidence, Grade, GradeContext, Grader

__all__ = ["Evidence", "Grade", "GradeContext", "Grader", "default_grader"]


def default_grader() -> Grader:
    """The grader the program uses unless a test passes its own."""
    from simulator.grading.simple import SimpleGrader

    return SimpleGrader()
