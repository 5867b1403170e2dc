"""pytest-benchmark over the cases: saved runs under results/pytest-benchmark, and each case's
achieved rate and roofline fraction printed after the run."""

import pytest

ROWS: list[dict] = []  # filled by test_benchmarks.py, one row per timed case
DEFAULT_STORAGE = "file://./.benchmarks"


@pytest.hookimpl(tryfirst=True)  # before pytest-benchmark opens its storage
def pytest_configure(config):
    # Saved runs in their own folder, apart from asv's results/asv (unless one is chosen).
    if getattr(config.option, "benchmark_storage", None) == DEFAULT_STORAGE:
        config.option.benchmark_storage = "file://results/pytest-benchmark"


def pytest_terminal_summary(terminalreporter):
    if not ROWS:
        return
    import pandas as pd

    table = pd.DataFrame(ROWS).set_index("case")
    terminalreporter.section("achieved rate and % of this machine's roofline")
    terminalreporter.write_line(table.to_string(float_format=lambda v: f"{v:.3g}"))
