"""Python's cyclic garbage collector, set for a server process.

Under load the collector's full passes were the save's largest cost: with Python's default
young-generation threshold (700 allocations) the objects of in-flight requests outlive two
young passes, reach the old generation, and trigger a full pass about once a second; each
scanned the ~215,000 objects the imports made (functions, types, constants) besides the
live ones and took 150-190 ms on the two-core machine: a fifth of the CPU and the saves'
p99 of ~200 ms (docs/capacity.md, "The garbage collector"). Freezing what startup made
removes it from every pass; a higher threshold lets most request objects die young.
"""

from __future__ import annotations

import gc


def tune(young_threshold: int) -> None:
    """Freeze every object made so far out of the collector's passes and, unless 0, space
    the young passes `young_threshold` allocations apart."""
    gc.collect()
    gc.freeze()
    if young_threshold:
        gc.set_threshold(young_threshold, 20, 10)
