"""Customer-service training simulator."""

__version__ = "0.1.0"

import os as _os

# The grader's sentence encoder multiplies small matrices. Two BLAS threads
# make a grade about a third faster than one on a quiet 2-core laptop (measured
# p50 24-26 against 34-37 ms with the packed encoder), and grading never overlaps
# generation (a turn grades, then voices); more threads only add start-up cost on
# bigger machines. Must be set before numpy is first imported.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
# ...but OpenBLAS's threads spin for about 0.1 s after each call before they
# sleep, and a turn voices the customer right after grading: the spinning took a
# core from the voice's prompt (a rehearsal's prompts took 2.5-2.7 s against
# 1.6-1.7 s with this). 4 is OpenBLAS's least timeout (2^4 cycles) and cost the
# grader 1-2 ms a reply.
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
