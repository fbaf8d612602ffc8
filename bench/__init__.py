"""Benchmarks of the runner; run all with `make bench` (python -m bench)."""
