"""`opsuite report`: results folders crafted to differ in known ways, the page, the charts, and
every bad-input path."""

import io
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest

from suite import charts, compare, report
from suite.cli import main
from suite.machine import PROJECT_ROOT
from tests.crafted import asv_families, asv_folder, conformance_file, record

SORT = "conformance/indexing/test_sort.py::test_stable"
ARGMAX = "conformance/reductions/test_argmax.py::test_first_index"
MEDIAN = "conformance/reductions/test_median.py::test_lower"
PNG = b"\x89PNG\r\n\x1a\n"


def records(sort_outcome, median_index):
    return [
        record(SORT, "cpu", sort_outcome, op="torch.sort", claim="stable keeps the order"),
        record(SORT, "meta", "skipped", op="torch.sort", claim="stable keeps the order"),
        record(ARGMAX, "cpu", "passed", op="torch.argmax", claim="first index on ties"),
        record(ARGMAX, "meta", "passed", op="torch.argmax", claim="first index on ties"),
        record(MEDIAN, "cpu", "xfailed", {"index": median_index}, op="torch.median",
               claim="lower of the two middle values"),
        record(MEDIAN, "meta", "skipped", op="torch.median", claim="lower of the two middle values"),
    ]


@pytest.fixture
def results(tmp_path):
    """results/ of two machines: laptop (an older and a newer run) and gpu, each with asv."""
    root = tmp_path / "results"
    conformance_file(root, "laptop", [record(SORT, "cpu", "failed", op="torch.sort")],
                     name="conformance/laptop/20260101T000000Z-aaaaaaaa.json")
    conformance_file(root, "laptop", records("passed", 1), backends=("cpu", "meta"),
                     name="conformance/laptop/20260202T000000Z-bbbbbbbb.json")
    conformance_file(root, "gpu", records("failed", 2), backends=("cpu", "meta"),
                     name="conformance/gpu/20260103T000000Z-cccccccc.json")
    asv_folder(root, "laptop", [0.004], torch="2.13.0")
    asv_folder(root, "gpu", [0.001], torch="2.13.0")
    (root / "asv" / "unrun").mkdir()
    (root / "asv" / "unrun" / "machine.json").write_text("{}")
    return root


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["report", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


def test_the_newest_run_of_each_machine_and_every_asv_folder_with_results_are_read(results):
    assert [p.relative_to(results).as_posix() for p in report.newest_inputs(results)] == [
        "conformance/gpu/20260103T000000Z-cccccccc.json",
        "conformance/laptop/20260202T000000Z-bbbbbbbb.json",
        "asv/gpu", "asv/laptop"]


def test_outcomes_are_counted_per_machine_and_backend_in_the_runs_order(results):
    runs = [i for i in compare.load_all(report.newest_inputs(results))
            if isinstance(i, compare.Conformance)]
    counts = report.outcome_counts(runs)
    assert counts.values.tolist() == [
        ["gpu", "cpu", 1, 1, 0, 0, 1], ["gpu", "meta", 1, 0, 0, 2, 0],
        ["laptop", "cpu", 2, 0, 0, 0, 1], ["laptop", "meta", 1, 0, 0, 2, 0]]


def test_the_conformance_map_tells_failures_from_known_divergences(results):
    runs = [i for i in compare.load_all(report.newest_inputs(results))
            if isinstance(i, compare.Conformance)]
    states = charts.op_states(runs)
    assert list(states.columns) == ["gpu:cpu", "gpu:meta", "laptop:cpu", "laptop:meta"]
    assert states.loc["torch.argmax"].tolist() == ["upheld"] * 4
    assert states.loc["torch.sort", ["gpu:cpu", "laptop:cpu"]].tolist() == ["broken", "upheld"]
    assert states.loc["torch.median", ["gpu:cpu", "laptop:cpu"]].tolist() == ["known", "known"]
    assert states.loc["torch.sort", "laptop:meta"] == "not judged"  # skipped there
    figure = charts.conformance_map(states)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == list(states.index)
    assert [t.get_text() for t in axes.get_xticklabels()] == list(states.columns)
    assert axes.get_title() and [t.get_text() for t in figure.legends[0].get_texts()] == [
        text for _, text, _ in charts.STATES]
    assert min(t.get_fontsize() for t in axes.get_yticklabels()) >= 8


def _speed(root, machine):
    return next(i for i in compare.load_all([root / "asv" / machine]) if isinstance(i, compare.Speed))


def test_each_machine_gets_the_projects_own_comparisons(tmp_path):
    root = tmp_path / "results"
    asv_families(root, "box")
    table = _speed(root, "box").table
    cdist = charts.cdist_modes(table, "box")
    forward = cdist.axes[0]
    # per size, the three modes side by side: 4 sizes x 3 modes, in ms
    heights = [bar.get_height() for bar in forward.patches]
    assert len(heights) == 12 and heights[:4] == pytest.approx([1, 2, 3, 4])
    assert [t.get_text() for t in forward.get_legend().get_texts()] == list(charts.MODE_LABEL.values())
    linear = charts.linear_layouts(table, "box").axes[0]
    assert [line.get_label() for line in linear.get_lines()] == ["3 × Linear(1024, 128)",
                                                                "Linear(1024, 384) + chunk"]
    assert list(linear.get_lines()[1].get_xdata()) == [8, 64, 256]
    focal = charts.focal_implementations(table, "box").axes[0]
    # fused against vectorized: 0.03 / 0.005 = 6x; bars start at 1
    (bar,) = focal.patches
    assert bar.get_x() == 1 and bar.get_x() + bar.get_width() == pytest.approx(6)
    for figure in (cdist, charts.linear_layouts(table, "box"), charts.focal_implementations(table, "box")):
        assert figure.get_suptitle().endswith(")") or "faster" in figure.get_suptitle()


def test_a_figure_above_the_measured_ceiling_is_flagged_not_drawn_past_it(tmp_path):
    root = tmp_path / "results"
    asv_families(root, "box", matmul_seconds=50.0)  # a ceiling measured far too low
    axes = charts.roofline(_speed(root, "box").table, "box").axes[0]
    assert max(bar.get_width() for bar in axes.patches) <= 100
    assert any("above the measured ceiling" in t.get_text() for t in axes.texts)
    assert axes.get_xlim() == (0, 100)


def test_the_speed_charts_plot_ratio_to_the_baseline_and_percent_of_roofline(results):
    timed = [i for i in compare.load_all(report.newest_inputs(results))
             if isinstance(i, compare.Speed)]
    frames = report.speed_frames(compare.speed_tables(timed, compare.baseline_of(timed, "laptop")))
    assert frames["ratio"].loc["linear cpu-8-fused-forward"].tolist() == [0.25, 1.0]
    roof = frames["% of roofline"].loc["linear cpu-8-fused-forward"]
    assert roof["gpu"] == pytest.approx(4 * roof["laptop"])


def test_report_writes_the_page_and_the_charts_it_links(results):
    asv_families(results, "lab", scale=0.5)
    asv_families(results, "workstation")
    code, out, err = run("--results", results, "--baseline", "laptop")
    assert (code, err) == (0, "")
    page = (results / "README.md").read_text()
    drawn = {p.name for p in (results / "charts").iterdir()}
    assert drawn == {"conformance.png", "speed-ratio.png", "gpu-linear.png", "laptop-linear.png",
                     *(f"{m}-{c}.png" for m in ("lab", "workstation")
                       for c in ("cdist", "linear", "focal-loss", "roofline"))}
    for link in [f"charts/{name}" for name in drawn] + [
            "conformance/laptop/20260202T000000Z-bbbbbbbb.json"]:
        assert f"({link})" in page
        assert (results / link).is_file()
    for chart in drawn:
        assert (results / "charts" / chart).read_bytes().startswith(PNG)
    assert "20260101T000000Z" not in page  # only the newest run of a machine
    # the sort spec differs between the machines; argmax does not
    assert f"| {SORT} | failed | skipped | passed | skipped | stable keeps the order |" in page
    assert ARGMAX not in page.split("outcomes that differ")[1].split("observations")[0]
    assert f"| {MEDIAN} | index | 2 | - | 1 | - |" in page
    ratios = page.split("### time / time on laptop")[1].split("###")[0]
    assert "### Against laptop" in page and "| case | params | gpu | lab | laptop | workstation |" in ratios
    assert "| linear | cpu-8-fused-forward | 0.25 | 0.008 | 1 | 0.016 |" in ratios
    assert str(results / "README.md") in out


def test_other_torch_versions_are_listed_apart(results):
    asv_folder(results, "old", [0.002], torch="2.6.0")
    assert run("--results", results, "--baseline", "laptop")[0] == 0
    page = (results / "README.md").read_text()
    assert "| old | linear | cpu-8-fused-forward | 0.002 |" in page
    assert "torch 2.6.0 vs 2.13.0" in page


def test_a_bad_newest_file_stops_the_report_and_keeps_the_previous_one(results):
    assert run("--results", results)[0] == 0
    before = (results / "README.md").read_bytes()
    bad = results / "conformance" / "gpu" / "20260301T000000Z-dddddddd.json"
    bad.write_text("{not json")
    code, out, err = run("--results", results)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(bad) in err
    assert (results / "README.md").read_bytes() == before

    code, out, err = run("--results", results, "--skip-bad")
    assert code == 0 and "warning: skipped" in err and str(bad) in err
    page = (results / "README.md").read_text()  # gpu's previous run stands in for the bad one
    assert "(conformance/gpu/20260103T000000Z-cccccccc.json)" in page


@pytest.mark.parametrize(("content", "says"), [
    ('{"schema": "something-else/1"}', "is not an opsuite conformance results file"),
    ('{"schema": "opsuite.conformance/9"}', "has schema opsuite.conformance/9"),
    ('{"schema": "opsuite.conformance/1", "machine": {"name": "gpu"}, "records": [], '
     '"backends": ["cpu"]}', "is a malformed conformance results file: backends[0] is 'cpu'"),
])
def test_a_foreign_newer_or_corrupt_run_is_one_line_naming_it(results, content, says):
    bad = results / "conformance" / "gpu" / "20260301T000000Z-dddddddd.json"
    bad.write_text(content)
    code, out, err = run("--results", results)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert str(bad) in err and says in err


def test_a_corrupt_asv_file_is_named_even_when_it_is_not_the_newest(results):
    bad = results / "asv" / "gpu" / "00000000-env.json"
    bad.write_text("{truncated")
    code, _, err = run("--results", results)
    assert code == 2 and err.count("\n") == 1 and str(bad) in err


def test_json_files_that_are_not_runs_are_not_taken_for_the_newest(results):
    (results / "conformance" / "laptop" / "junit.json").write_text("{}")
    (results / "conformance" / "laptop" / "zz-my-output.json").write_text("{}")
    assert [p.name for p in report.newest_inputs(results)][:2] == [
        "20260103T000000Z-cccccccc.json", "20260202T000000Z-bbbbbbbb.json"]
    assert run("--results", results)[0] == 0


def test_the_outcome_and_roofline_tables_are_on_the_page(results):
    assert run("--results", results, "--baseline", "gpu")[0] == 0
    page = (results / "README.md").read_text()
    assert "| gpu | cpu | 1 | 1 | 0 | 0 | 1 |" in page
    assert "| laptop | meta | 1 | 0 | 0 | 2 | 0 |" in page
    roofline = page.split("### % of the machine's own roofline")[1].split("###")[0]
    assert "| linear | cpu-8-fused-forward | 36.6 | 9.16 |" in roofline


def test_asv_results_alone_give_the_speed_part_only(tmp_path):
    root = tmp_path / "results"
    asv_folder(root, "solo", [0.004], torch="2.13.0")
    assert run("--results", root)[0] == 0
    page = (root / "README.md").read_text()
    assert "## Speed" in page and "## Conformance" not in page
    assert sorted(p.name for p in (root / "charts").iterdir()) == ["solo-linear.png"]


def test_unavailable_backends_are_named_with_the_reason_not_counted(tmp_path):
    root = tmp_path / "results"
    conformance_file(root, "m", [record(SORT, "cpu", "passed", op="torch.sort"),
                                 record(SORT, "cuda", "skipped", op="torch.sort")],
                     backends=({"name": "cpu", "available": True},
                               {"name": "cuda", "available": False,
                                "reason": "torch was built without CUDA"}),
                     name="conformance/m/20260101T000000Z-aaaaaaaa.json")
    assert run("--results", root)[0] == 0
    page = (root / "README.md").read_text()
    assert "| m | cpu | 1 | 0 | 0 | 0 | 0 |" in page and "| m | cuda |" not in page
    assert "Unavailable, nothing ran there: m: cuda (torch was built without CUDA)." in page
    assert "m:cuda" not in page


def test_a_run_that_judged_nothing_draws_no_heat_map(tmp_path):
    root = tmp_path / "results"
    conformance_file(root, "m", [record(SORT, "meta", "skipped", op="torch.sort")],
                     name="conformance/m/20260101T000000Z-aaaaaaaa.json")
    code, _, err = run("--results", root)
    assert (code, err) == (0, "")
    assert not (root / "charts" / "conformance.png").exists()
    assert "charts/conformance.png" not in (root / "README.md").read_text()


def test_charts_a_report_no_longer_draws_are_removed(results):
    assert run("--results", results)[0] == 0
    for machine in ("laptop", "gpu", "unrun"):
        for file in (results / "asv" / machine).iterdir():
            file.unlink()
    assert run("--results", results)[0] == 0
    assert sorted(p.name for p in (results / "charts").iterdir()) == ["conformance.png"]
    assert "## Speed" not in (results / "README.md").read_text()


@pytest.mark.parametrize("crash_at", [1, 2, 3])
def test_a_crash_while_writing_leaves_the_previous_report_whole(results, monkeypatch, crash_at):
    assert run("--results", results)[0] == 0
    before = {p: p.read_bytes() for p in [results / "README.md", *(results / "charts").iterdir()]}
    calls = []
    savefig = report._png

    def crash_on_the_nth_chart(figure):
        def write(f):
            calls.append(1)
            if len(calls) == crash_at:
                raise OSError(28, "No space left on device")
            savefig(figure)(f)
        return write

    monkeypatch.setattr(report, "_png", crash_on_the_nth_chart)
    code, _, err = run("--results", results)
    assert code == 2 and "No space left on device" in err and len(calls) == crash_at
    assert {p: p.read_bytes() for p in before} == before
    assert not [p for p in results.rglob(".*.tmp")]


def test_nothing_to_report_and_an_unknown_baseline_are_one_line_and_exit_2(tmp_path, results):
    code, _, err = run("--results", tmp_path / "empty")
    assert code == 2 and err.count("\n") == 1 and "no results under" in err
    code, _, err = run("--results", results, "--baseline", "nosuch")
    assert code == 2 and err.count("\n") == 1 and "--baseline nosuch" in err


def test_the_readme_links_the_report_and_every_link_of_the_report_resolves():
    assert "(results/README.md)" in (PROJECT_ROOT / "README.md").read_text()
    results = PROJECT_ROOT / "results"
    links = re.findall(r"\]\(([^)]+)\)", (results / "README.md").read_text())
    assert "charts/conformance.png" in links and any(l.startswith("conformance/") for l in links)
    assert [link for link in links if not (results / link).is_file()] == []
