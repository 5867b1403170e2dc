"""Print each case's achieved rate and roofline fraction after a pytest-benchmark run."""

ROWS: list[dict] = []  # filled by test_benchmarks.py, one row per timed case


def pytest_terminal_summary(terminalreporter):
    if not ROWS:
        return
    import pandas as pd

    table = pd.DataFrame(ROWS).set_index("case")
    terminalreporter.section("achieved rate and % of this machine's roofline")
    terminalreporter.write_line(table.to_string(float_format=lambda v: f"{v:.3g}"))
