"""On-demand benchmarks; run ``python -m tests.benchmarks.core --help``. Not part of the test suite."""
