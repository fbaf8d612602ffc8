"""One BLAS thread per process for notebook runs that execute side by side.

Kept free of numpy imports: it must act before numpy starts its thread pool.
"""

from __future__ import annotations

import os

# Parallel processes each with a BLAS pool oversubscribe the cores: a cold build of the collection
# took about 15% longer with them, with the same recorded results. A value the caller set is kept.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_thread_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: this process's environment) asking BLAS for one thread."""
    env = dict(os.environ if base is None else base)
    for name in BLAS_THREAD_VARIABLES:
        env.setdefault(name, "1")
    return env
