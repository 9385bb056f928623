"""Grading trainee replies for courtesy and flexibility, with the evidence."""

from simulator.grading.base import Evidence, Grade, GradeContext, Grader

__all__ = ["Evidence", "Grade", "GradeContext", "Grader", "default_grader"]


def default_grader() -> Grader:
    """The grader the program uses unless a test passes its own.

    Rules plus all-MiniLM-L6-v2 embeddings; the model loads on the first grade
    (or `warm_up()`), and if it is missing the grader says so once and uses rules.
    """
    from simulator.grading.rubric import RubricGrader

    return RubricGrader()
