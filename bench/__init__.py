"""Benchmarks run by hand (`python -m bench.fanout`); not part of the test suite."""
