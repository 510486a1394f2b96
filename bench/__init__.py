"""The national-scale benchmark (`make bench`): a generated log, measured against baselines.

Not part of the tests; `tests/integration/test_bench.py` runs it at a tiny scale so it keeps
working. See `bench/RESULTS.md` for the figures and `python -m bench --help` for the options.
"""
