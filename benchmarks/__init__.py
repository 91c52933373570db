"""Benchmarks: one module per measured workload, each with a ``main()``.

Run them with ``python -m benchmarks`` (all) or ``python -m benchmarks NAME`` (one).
"""
