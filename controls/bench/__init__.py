"""Benchmarks of the controls engine against the reference tool (``make bench``).

Each benchmark module exposes ``run(quick: bool) -> list[BenchRow]``; ``python -m controls.bench``
runs them all in one process and prints one table, so ratios compare like with like.
"""
