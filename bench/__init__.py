"""Load harness, baselines, fault drills and component benchmarks (see docs/capacity.md)."""
