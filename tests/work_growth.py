"""How the work of a call grows, measured so that a busy machine cannot fail a test.

Wall-clock time stretches whenever the machine is busy and the test waits for
a core; the CPU time of this process (`time.process_time`: every thread of it,
nothing of other processes) counts the work done here. Each figure is the best
of a few runs, and tests compare two figures -- twice the input, or a
reference workload -- as a ratio with wide margins, never as seconds. Speed
targets live in ``bench/``.

Import with ``from work_growth import cpu_time, growth``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

FLOOR = 0.005
"""CPU seconds below which a figure counts as this much: a quick call's noise cannot make a ratio."""


def cpu_time(run: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of *repeat* calls of *run*, in seconds (at least `FLOOR`)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return max(best, FLOOR)


def growth(run: Callable[[object], object], small: object, large: object, repeat: int = 3) -> float:
    """How many times more CPU time ``run(large)`` takes than ``run(small)`` (best of *repeat* each)."""
    run(small)  # warm caches and lazy imports
    return cpu_time(lambda: run(large), repeat) / cpu_time(lambda: run(small), repeat)
