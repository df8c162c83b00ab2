"""One module per app measured by ``manage.py bench``; each defines ``BENCHMARKS``, a list of
callables returning ``tools.benchmarking.Figure`` rows."""

MODULES = ("guarantees", "members", "claims", "notifications", "directory", "assistant", "portal")
