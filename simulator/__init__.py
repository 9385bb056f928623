"""Customer-service training simulator."""

__version__ = "0.1.0"

import os as _os

# The grader's sentence encoder multiplies small matrices: two BLAS threads grade
# faster than one, grading never overlaps generation (a turn grades, then
# voices), and more threads only add start-up cost. Must be set before numpy is
# first imported.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
# OpenBLAS's idle threads spin before they sleep, and a turn voices the customer
# right after grading: the shortest timeout gives the voice its core back at once.
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
