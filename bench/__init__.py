"""Benchmarks: each ``bench_*.py`` prints the project's figure, a floor measured in the same run, and the ratio.

``python -m bench`` (``make bench``) runs them all and appends the output to ``bench/results.md``.
"""
