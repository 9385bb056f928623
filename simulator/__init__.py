"""Customer-service training simulator."""

__version__ = "0.1.0"

import os as _os

# The grader's sentence encoder multiplies small matrices. Two BLAS threads
# make a grade about a third faster than one on a quiet 2-core laptop (measured
# p50 24-26 against 34-37 ms with the packed encoder), and grading never overlaps
# generation (a turn grades, then voices); more threads only add start-up cost on
# bigger machines. Must be set before numpy is first imported.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
