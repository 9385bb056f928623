"""Customer-service training simulator."""

__version__ = "0.1.0"

import os as _os

# The grader's sentence encoder multiplies small matrices. Two BLAS threads
# halve a grade on a quiet 2-core laptop (p50 38 -> 28 ms) and grading never
# overlaps generation (a turn grades, then voices); more threads only add
# start-up cost on bigger machines. Must be set before numpy is first imported.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
