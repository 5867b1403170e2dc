"""opsuite sweep: accuracy in ULPs, cell verdicts against bent backends, the command's files
and its answers to bad input."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.overrides import TorchFunctionMode

from suite import accuracy, opinfos, sweep, sweep_known, validate
from suite.backends import Backend
from suite.runner import Runner

ROOT = Path(__file__).resolve().parent.parent


# -- accuracy --------------------------------------------------------------------------------

def test_an_ulp_is_the_spacing_of_the_dtype_at_the_value():
    ref = torch.tensor([1.0, 1.5, 2.0, 0.75, 0.0], dtype=torch.float64)
    assert accuracy.ulp(ref, torch.float32).tolist()[:4] == [2**-23, 2**-23, 2**-22, 2**-24]
    assert accuracy.ulp(ref, torch.float16)[0].item() == 2**-10
    tiny = torch.finfo(torch.float32).tiny * torch.finfo(torch.float32).eps
    assert accuracy.ulp(ref, torch.float32)[4].item() == tiny  # subnormal spacing at zero


def test_errors_count_ulps_and_treat_matching_nan_and_inf_as_exact():
    ref = torch.tensor([1.0, math.nan, math.inf, 2.0, 4.0], dtype=torch.float64)
    got = torch.tensor([1.0 + 2 * 2**-23, math.nan, math.inf, math.nan, -math.inf])
    ulps, rel = accuracy.errors(got, ref)
    assert ulps[:3].tolist() == [2.0, 0.0, 0.0]
    assert math.isinf(ulps[3]) and math.isinf(ulps[4])
    assert rel[0].item() == pytest.approx(2 * 2**-23)
    summary = accuracy.summary([ulps[:3]], [rel[:3]])
    assert summary["max_ulp"] == 2.0 and summary["median_ulp"] == 0.0 and summary["elements"] == 3


def test_within_allows_the_dtype_tolerance_plus_twice_the_cpu_error():
    ref = torch.tensor([1.0], dtype=torch.float64)
    rtol, atol = accuracy.tolerance(torch.float32)
    just_out = torch.tensor([1.0 + 2 * (atol + rtol)], dtype=torch.float32)
    assert not accuracy.within(just_out, ref, None).all()
    cpu_as_far = torch.tensor([1.0 + (atol + rtol)], dtype=torch.float32)
    assert accuracy.within(just_out, ref, cpu_as_far).all()


def test_integer_results_are_exact():
    ulps, _ = accuracy.errors(torch.tensor([3, 4]), torch.tensor([3, 5]))
    assert ulps.tolist() == [0.0, 1.0]


def test_complex_results_are_judged_by_the_modulus_as_assert_close():
    ref = torch.tensor([1000 + 0.001j], dtype=torch.complex128)
    assert accuracy.within(torch.tensor([1000 + 0.0011j], dtype=torch.complex64), ref, None).all()
    assert not accuracy.within(torch.tensor([1000.1 + 0.001j], dtype=torch.complex64), ref, None).all()


def test_an_overflow_to_inf_is_no_error_where_the_reference_is_beyond_the_dtype():
    ulps, _ = accuracy.errors(torch.tensor([math.inf, 65504.0], dtype=torch.float16),
                              torch.tensor([162754.8, 65504.0], dtype=torch.float64))
    assert ulps.tolist() == [0.0, 0.0]


def test_large_integers_differing_by_one_are_an_error():
    ulps, _ = accuracy.errors(torch.tensor([2**62 + 1]), torch.tensor([2**62]))
    assert ulps.tolist() == [1.0]


def test_a_nonfinite_cpu_result_allows_only_itself():
    ref = torch.tensor([1.0], dtype=torch.float64)
    assert not accuracy.within(torch.tensor([math.nan]), ref, torch.tensor([math.inf])).all()
    overflow = torch.tensor([math.inf], dtype=torch.float16)  # exp(12) in float16, as the cpu
    assert accuracy.within(overflow, torch.tensor([162754.8], dtype=torch.float64), overflow).all()


# -- verdicts --------------------------------------------------------------------------------

class Bend(TorchFunctionMode):
    """torch.add on this backend: relatively off by `rel`, or raising."""
    rel, raises = 0.0, False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func is torch.add:
            if self.raises:
                raise RuntimeError("add is not implemented on this device")
            if self.rel and out.is_floating_point():
                with torch._C.DisableTorchFunction():
                    out = out * (1 + self.rel)
        return out


class OffByMilli(Bend):
    rel = 1e-3


class Raising(Bend):
    raises = True


class _GradientOffByTenth(torch.autograd.Function):
    """The identity forward; the backward scales the gradient by 1.1."""
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 1.1


def _wrong_gradient(fn):
    def call(*args, **kwargs):
        out = fn(*args, **kwargs)
        return _GradientOffByTenth.apply(out) if isinstance(out, torch.Tensor) and out.requires_grad else out
    return call


# a backend whose forward is right and whose gradients are 10 % off (plugged in by the CLI test)
WRONG_GRADIENT = Backend("wrong-gradient", "cpu", wrap=_wrong_gradient)


def _cell(op, dtype, backend, limit=4):
    entry = opinfos.select([op])[0]
    return sweep.evaluate(entry, dtype, Runner(backend), limit=limit)


def test_a_correct_backend_works_with_its_accuracy_recorded():
    rec = _cell("add", torch.float32, Backend("cpu", "cpu"))
    assert rec["verdict"] == "works" and rec["reference"] == "cpu, float64"
    assert rec["forward"]["accuracy"]["max_ulp"] <= 1.5
    assert rec["backward"]["verdict"] == "works"


def test_the_reference_is_cpu_float64_else_the_numpy_ref_else_the_cpu_in_the_same_dtype():
    from types import SimpleNamespace

    no_float64 = {torch.float16, torch.float32}
    with_ref = SimpleNamespace(supported_dtypes=lambda device: no_float64, ref=lambda *a: None)
    without = SimpleNamespace(supported_dtypes=lambda device: no_float64, ref=None)
    add = opinfos.select(["add"])[0]
    assert sweep.reference_kind(add, torch.float16) == "cpu, float64"
    assert sweep.reference_kind(with_ref, torch.float16) == "numpy ref"
    assert sweep.reference_kind(without, torch.float16) == "cpu, same dtype"
    assert sweep.reference_kind(add, torch.float64) == sweep.reference_kind(add, torch.int32) == "cpu, same dtype"
    assert _cell("broadcast_shapes", torch.float32, Backend("cpu", "cpu"))["reference"] == "numpy ref"


def test_an_entry_whose_samples_cannot_be_built_is_skipped_with_the_reason():
    from types import SimpleNamespace

    def sample_inputs(device, dtype, requires_grad=False):
        raise RuntimeError("needs a newer scipy")
        yield

    broken = SimpleNamespace(name="broken", variant_test_name="", supported_dtypes=lambda device: {torch.float32},
                             ref=None, sample_inputs=sample_inputs)
    rec = sweep.evaluate(broken, torch.float32, Runner(Backend("cpu", "cpu")), limit=4)
    assert rec["verdict"] == "skipped"
    assert rec["message"] == "its samples could not be built (RuntimeError: needs a newer scipy)"


def test_meta_compares_shapes_and_dtypes_only():
    rec = _cell("add", torch.float32, Backend("meta", "meta"))
    assert rec["verdict"] == "works" and rec["values_not_compared"] == "meta has no values"


def test_a_relative_error_of_1e_3_is_wrong_with_the_sample_and_the_worst_element():
    rec = _cell("add", torch.float32, Backend("bent", "cpu", context=OffByMilli))
    assert rec["verdict"] == "wrong", rec
    assert rec["sample"] == 0 and "where the reference gives" in rec["message"]
    assert rec["input"].startswith("torch.add(")
    assert rec["forward"]["accuracy"]["max_rel"] == pytest.approx(1e-3, rel=0.01)


def test_an_error_on_the_backend_is_raises_with_its_first_line():
    rec = _cell("add", torch.int64, Backend("raising", "cpu", context=Raising))
    assert rec["verdict"] == "raises"
    assert rec["message"] == "RuntimeError: add is not implemented on this device"


class FlipsSingularVectors(TorchFunctionMode):
    """linalg.svd with U's and V's columns negated: as valid a decomposition as the cpu's."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func is torch.linalg.svd:
            with torch._C.DisableTorchFunction():
                return type(out)((-out[0], out[1], -out[2]))
        return out


def test_singular_vectors_of_either_sign_work():
    rec = _cell("linalg.svd", torch.float32, Backend("flips", "cpu", context=FlipsSingularVectors), limit=3)
    assert rec["verdict"] == "works", rec


def test_random_entries_compare_shapes_not_values():
    rec = _cell("rand_like", torch.float32, Backend("cpu", "cpu"))
    assert rec["verdict"] == "works" and rec["values_not_compared"] == "the result is drawn at random"


# -- known divergences -----------------------------------------------------------------------

def test_a_known_divergence_explains_its_cells_and_is_stale_when_they_work(tmp_path):
    f = tmp_path / "known.toml"
    f.write_text('[[divergence]]\nop = "nonzero"\nbackend = "meta"\nverdict = "raises"\n'
                 'reason = "data-dependent shape"\n')
    known = sweep_known.load(f)
    raising = {"op": "nonzero", "dtype": "float32", "backend": "meta", "verdict": "raises"}
    assert sweep_known.match(known, raising).reason == "data-dependent shape"
    assert sweep_known.match(known, raising | {"backend": "cpu"}) is None
    assert sweep_known.stale(known, [raising]) == []
    assert sweep_known.stale(known, [raising | {"verdict": "works"}]) == known


def test_a_known_divergence_without_a_reason_is_refused(tmp_path):
    f = tmp_path / "known.toml"
    f.write_text('[[divergence]]\nop = "nonzero"\nbackend = "meta"\nverdict = "raises"\n')
    with pytest.raises(sweep_known.KnownError, match="divergence 1 has no reason"):
        sweep_known.load(f)


def test_the_shipped_known_divergences_load():
    assert all(k.reason for k in sweep_known.load(sweep_known.DEFAULT_FILE))


# -- the command -----------------------------------------------------------------------------

def opsuite(tmp_path, *args, timeout=300):
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "suite", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, message", [
    (["--ops", "no_such_op*"], "opsuite: no OpInfo entry matches 'no_such_op*'"),
    (["--ops", "add", "--dtypes", "float33"], "opsuite: unknown dtype 'float33'"),
    (["--ops", "add", "--backend", "tpu"], "opsuite: unknown backend 'tpu'"),
    (["--ops", "add", "--samples", "0"], "opsuite: --samples must be a number of at least 1, or all, not '0'"),
], ids=["op", "dtype", "backend", "samples"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    result = opsuite(tmp_path, "sweep", *args, "--output", str(tmp_path / "out.json"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(message)
    assert not list(tmp_path.glob("*.json*"))


def test_a_run_writes_one_sweep_file_and_a_crash_costs_only_its_cell(tmp_path):
    out = tmp_path / "sweep.json"
    result = opsuite(tmp_path, "sweep", "--ops", "argmax,add", "--dtypes", "float32",
                     "--backend", "cpu", "--backend", "tests.faulty:SEGFAULT", "--output", str(out))
    assert result.returncode == 1, result.stdout + result.stderr  # the crash is a cell that does not work
    data = json.loads(out.read_text())
    assert data["schema"] == "opsuite.sweep/1" and data["complete"] is True
    assert data["torch"]["version"] == torch.__version__
    cells = {(r["op"], r["backend"]): r for r in data["records"]}
    assert {v["verdict"] for (op, b), v in cells.items() if b == "cpu"} == {"works"}
    crashed = cells[("argmax", "segfault")]
    assert crashed["verdict"] == "crashed" and "SIGSEGV" in crashed["message"]
    assert crashed["input"].startswith("sample 0 of")
    assert cells[("add", "segfault")]["verdict"] == "works"
    assert "argmax" in result.stdout and "crashed" in result.stdout
    assert not list(tmp_path.glob("*.partial.jsonl"))


def test_a_cell_past_the_time_limit_is_timed_out_and_one_with_nothing_to_compare_is_skipped(tmp_path):
    out = tmp_path / "sweep.json"
    result = opsuite(tmp_path, "sweep", "--ops", "argmax,jiterator_unary", "--dtypes", "float32",
                     "--backend", "cpu", "--backend", "tests.faulty:SLOW", "--backend", "tests.faulty:HANG",
                     "--output", str(out), "--", "--timeout", "3")
    assert result.returncode == 1, result.stdout + result.stderr
    cells = {(r["op"], r["backend"]): r for r in json.loads(out.read_text())["records"]}
    for backend in ("slow", "hang"):  # Python sleeping; native code holding the GIL
        assert cells["argmax", backend]["verdict"] == "timed out", cells["argmax", backend]
        assert "timed out after 3 s" in cells["argmax", backend]["message"]
    assert cells["argmax", "cpu"]["verdict"] == "works"
    skipped = cells["jiterator_unary", "cpu"]  # CUDA-only: it raises on the cpu too
    assert skipped["verdict"] == "skipped" and skipped["message"] == "every sample raises on the cpu too"


def test_by_default_a_run_lands_in_a_new_file_under_results_sweep_machine(tmp_path):
    from suite.machine import machine_name

    # results/ of the current folder, as where opsuite is installed, not of this checkout
    script = ("import pathlib, suite.results as r; r.results_root = lambda: pathlib.Path.cwd() / 'results'; "
              "from suite.cli import main; raise SystemExit(main(['sweep', '--ops', 'add', '--dtypes', 'float32', "
              "'--no-backward']))")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    (written,) = (tmp_path / "results" / "sweep" / machine_name()).glob("*.json")
    assert f"results: {written}" in result.stdout


def test_conformance_runs_without_the_opinfo_database(tmp_path):
    # torch.testing._internal is not public API: only the sweep may need it
    script = (
        "import sys\n"
        "for name in ('torch.testing._internal.common_methods_invocations', 'torch.testing._internal.opinfo'):\n"
        "    sys.modules[name] = None  # importing them fails\n"
        "import pytest\n"
        f"sys.exit(pytest.main(['-p', 'suite.plugin', '-p', 'no:cacheprovider', '-n', '0', '-q', '--backend', 'cpu',"
        f" '--backend', 'meta', '--output', {str(tmp_path / 'run.json')!r}, {str(ROOT / 'conformance')!r}]))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads((tmp_path / "run.json").read_text())["complete"] is True


def test_a_wrong_gradient_is_a_cell_that_does_not_work(tmp_path):
    rec = _cell("mul", torch.float32, WRONG_GRADIENT, limit=2)
    assert rec["verdict"] == "works" and rec["backward"]["verdict"] == "wrong", rec
    assert validate.cell_verdict(rec) == "wrong"
    out = tmp_path / "sweep.json"
    result = opsuite(tmp_path, "sweep", "--ops", "mul", "--dtypes", "float32", "--samples", "2",
                     "--backend", "tests.test_sweep:WRONG_GRADIENT", "--output", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mul" in result.stdout and "wrong     backward: element" in result.stdout, result.stdout
    known = tmp_path / "known.toml"
    known.write_text('[[divergence]]\nop = "mul"\nbackend = "wrong-gradient"\nverdict = "wrong"\n'
                     'reason = "its gradients are 10 % off"\n')
    result = opsuite(tmp_path, "sweep", "--ops", "mul", "--dtypes", "float32", "--samples", "2",
                     "--backend", "tests.test_sweep:WRONG_GRADIENT", "--known-divergences", str(known),
                     "--output", str(tmp_path / "again.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((tmp_path / "again.json").read_text())["records"][0]["known"] == "its gradients are 10 % off"


@pytest.mark.parametrize("args, message", [
    (["--ops", "add,no_such_op"], "opsuite: no OpInfo entry matches 'no_such_op'"),
    (["--ops", "atan2", "--dtypes", "complex64"], "opsuite: no cell to run"),
    (["--ops", "add", "extra"], "opsuite: unexpected argument 'extra' (arguments for pytest go after --)"),
], ids=["one-pattern-of-two", "no-cell", "stray-argument"])
def test_more_bad_input(tmp_path, args, message):
    result = opsuite(tmp_path, "sweep", *args, "--output", str(tmp_path / "out.json"))
    assert result.returncode == 2 and result.stderr.startswith(message), result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_crashed_cells_id_is_read_with_the_longest_backend_name_first():
    from suite.backends import Selected
    from suite.sweep_plugin import State, _from_nodeid

    state = State([Selected(Backend("cpu", "cpu"), "cpu"), Selected(Backend("compile-cpu", "cpu"), "compile-cpu")],
                  None, None, "default", [], Path("k.toml"), None)
    assert _from_nodeid("sweep_cells.py::test_cell[add-float32-compile-cpu]", state) == \
        {"op": "add", "dtype": "float32", "backend": "compile-cpu"}


def test_progress_names_the_last_cells_still_running_instead_of_an_estimate():
    from suite.backends import Selected
    from suite.sweep_plugin import State, last_cells

    state = State([Selected(Backend("cpu", "cpu"), "cpu"), Selected(Backend("meta", "meta"), "meta")],
                  None, None, "default", [], Path("k.toml"), None)
    cell = "sweep_cells.py::test_cell[{}]".format
    started = {cell("abs-float32-cpu"): 0.0, cell("grid_sampler_3d-float16-cpu"): 10.0,
               cell("add-int64-meta"): 95.0}
    finished = {cell("abs-float32-cpu"): {}}
    assert last_cells(started, finished, 3, state, now=100.0) is None  # one cell has not started
    assert last_cells(started, finished, 2, state, now=100.0) == \
        "grid_sampler_3d float16 on cpu (1 min 30 s), add int64 on meta (5 s)"


def test_list_names_the_entries_and_their_dtypes(tmp_path):
    result = opsuite(tmp_path, "sweep", "--list", "nn.functional.interp*")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines[:-1]]
    assert "nn.functional.interpolate.bilinear" in names and "float32" in result.stdout
    assert lines[-1].startswith(f"{len(names)} entries; cells (entry x dtype): ")


def test_list_follows_ops_dtypes_and_backends(capsys):
    from suite import cli

    assert cli.main(["sweep", "--list", "--ops", "add,linalg.det", "--dtypes", "float32,int64",
                     "--backend", "cpu", "--backend", "meta"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["add                                              cpu: int64 float32",
                   "add                                              meta: int64 float32",
                   "linalg.det                                       cpu: float32",
                   "linalg.det                                       meta: float32",
                   "2 entries; cells (entry x dtype): 3 on cpu, 3 on meta"]
    assert cli.main(["sweep", "--list", "--backend", "nope"]) == 2
    assert cli.main(["sweep", "--list", "--dtypes", "float33"]) == 2


def test_a_second_run_reuses_every_cell_and_no_cache_runs_them_again(tmp_path):
    args = ["sweep", "--ops", "add", "--dtypes", "float32", "--backend", "cpu"]
    first = opsuite(tmp_path, *args, "--output", str(tmp_path / "first.json"))
    second = opsuite(tmp_path, *args, "--output", str(tmp_path / "second.json"))
    fresh = opsuite(tmp_path, *args, "--no-cache", "--output", str(tmp_path / "fresh.json"))
    assert first.returncode == second.returncode == fresh.returncode == 0, second.stdout
    records = {name: json.loads((tmp_path / f"{name}.json").read_text())["records"]
               for name in ("first", "second", "fresh")}
    assert [r["reused_from"] for r in records["second"]] == ["first.json"]
    assert "1 of 1 cells reused from earlier sweeps" in second.stdout
    assert "reused_from" not in records["fresh"][0]
    assert records["second"][0]["forward"] == records["first"][0]["forward"]


# -- reading sweeps back ---------------------------------------------------------------------

def _document(records, backends=("cpu", "compile-cpu")):
    return {"schema": "opsuite.sweep/1", "machine": {"name": "box"},
            "backends": [{"name": b, "device": "cpu", "available": True} for b in backends],
            "records": [dict(zip(("op", "dtype", "backend", "verdict"), r),
                             forward={"accuracy": {"p99_ulp": p, "max_ulp": p, "max_rel": 0.0}})
                        for r, p in records]}


def test_differences_support_matrix_and_atlas_from_records():
    from suite import sweep_report

    doc = _document([(("add", "float32", "cpu", "works"), 0.5), (("add", "float32", "compile-cpu", "wrong"), 900),
                     (("linalg.det", "float32", "cpu", "works"), 3.0),
                     (("linalg.det", "float32", "compile-cpu", "works"), 2.0)])
    runs = [sweep_report.Sweep("box", Path("x.json"), doc)]
    differ = sweep_report.differences(runs)
    assert differ[["op", "dtype"]].values.tolist() == [["add", "float32"]]
    assert differ["box:compile-cpu"].tolist() == ["wrong"]
    matrix = sweep_report.support_matrix(doc, "compile-cpu")
    assert matrix.loc["torch", "float32"] == 0.0 and matrix.loc["linalg", "float32"] == 1.0
    atlas = sweep_report.atlas(doc)
    assert atlas[atlas["backend"] == "compile-cpu"]["op"].tolist() == ["add", "linalg.det"]


def test_a_cell_whose_backward_does_not_work_is_counted_and_charted_as_not_working():
    from suite import sweep_report

    doc = _document([(("mul", "float16", "cpu", "works"), 0.5), (("mul", "float16", "compile-cpu", "works"), 0.5)])
    doc["records"][1]["backward"] = {"verdict": "wrong", "message": "element 3 is ..."}
    runs = [sweep_report.Sweep("box", Path("x.json"), doc)]
    counts = sweep_report.counts(runs).set_index("backend")
    assert counts.loc["compile-cpu", "wrong"] == 1 and counts.loc["compile-cpu", "works"] == 0
    assert sweep_report.support_matrix(doc, "compile-cpu").loc["torch", "float16"] == 0.0
    assert sweep_report.differences(runs)["box:compile-cpu"].tolist() == ["works; backward wrong"]
    assert sweep_report.atlas(doc)["backend"].tolist() == ["compile-cpu", "cpu"]  # the forward's accuracy


def test_accuracy_gaps_name_the_far_less_accurate_of_two_working_columns():
    from suite import sweep_report

    def cell(op, backend, max_ulp, samples, verdict="works", dtype="float32"):
        return {"op": op, "dtype": dtype, "backend": backend, "verdict": verdict,
                "reference": "cpu, same dtype" if dtype == "float64" else "cpu, float64",
                "forward": {"samples_compared": samples, "accuracy": {"p99_ulp": 1, "max_ulp": max_ulp,
                                                                      "max_rel": 0.0}}}

    doc = _document([])
    doc["records"] = [cell("erf", "cpu", 0.7, 32), cell("erf", "compile-cpu", 1038.0, 1),
                      cell("exp", "cpu", 0.5, 32), cell("exp", "compile-cpu", 99.0, 1),  # under 100
                      cell("tan", "cpu", 20.0, 32), cell("tan", "compile-cpu", 150.0, 1),  # 7.5 times
                      # the cpu's 400 may come from a sample compile-cpu never ran: not compared
                      cell("kron", "cpu", 400.0, 32), cell("kron", "compile-cpu", 0.5, 1),
                      cell("sub", "cpu", 0.5, 1), cell("sub", "compile-cpu", "inf", 1),
                      cell("mul", "cpu", 0.5, 32), cell("mul", "compile-cpu", 5000.0, 1, verdict="wrong"),
                      # float64: the cpu is the reference, a reordered sum is hundreds of ULPs from it
                      cell("sum", "cpu", 0.0, 32, dtype="float64"),
                      cell("sum", "compile-cpu", 500.0, 1, dtype="float64"),
                      cell("hardsigmoid", "cpu", 0.0, 32, dtype="float64"),
                      cell("hardsigmoid", "compile-cpu", 2.7e8, 1, dtype="float64")]
    gaps = sweep_report.accuracy_gaps([sweep_report.Sweep("box", Path("x.json"), doc)])
    assert gaps[["op", "less accurate", "than"]].values.tolist() == [
        ["sub", "box:compile-cpu", "box:cpu"], ["hardsigmoid", "box:compile-cpu", "box:cpu"],
        ["erf", "box:compile-cpu", "box:cpu"]]
    assert gaps["times"].tolist()[2] == 1038.0


def test_compile_cells_are_set_against_pytorchs_inductor_lists(tmp_path):
    from suite import sweep_report

    lists = tmp_path / "lists.json"
    lists.write_text(json.dumps({
        "lists": {"cpu": {"xfail": {"add": ["float32"], "mul": ["int64"]}, "skip": {"sub": ["float32"]}}},
        "tested_dtypes": ["float32", "int64"], "tested_dtypes_by_op": {"upsample": ["float32", "int64", "uint8"]},
        "entries": {"cpu": {"xfail": {"abs": ["float32", "bfloat16"]}}, "cuda": {"skip": {"neg": ["float32"]}}},
        "tolerances": {"cpu": {"exp": {"float32": {"atol": 1, "rtol": 0}}, "empty": {"*": {"assert_equal": False}},
                               "cos": {"float32": {"reference_in_float": True}}}}}))
    doc = _document([(("add", "float32", "compile-cpu", "wrong"), 9), (("div", "float32", "compile-cpu", "raises"), 0),
                     (("exp", "float32", "compile-cpu", "wrong"), 1), (("empty", "int64", "compile-cpu", "wrong"), 0),
                     (("cos", "float32", "compile-cpu", "wrong"), 3),  # a wider reference loosens nothing
                     (("mul", "int64", "compile-cpu", "works"), 0), (("sub", "float32", "compile-cpu", "skipped"), 0),
                     (("add", "float32", "cpu", "works"), 0), (("abs", "float32", "compile-cpu", "raises"), 0),
                     (("abs", "bfloat16", "compile-cpu", "raises"), 0), (("neg", "float32", "compile-cpu", "works"), 0),
                     (("upsample", "uint8", "compile-cpu", "raises"), 0), (("any", "uint8", "compile-cpu", "raises"), 0)])
    table = sweep_report.against_inductor_lists(doc, lists)
    found = {(r.op, r.dtype): (r._5, r._6) for r in table.itertuples()}
    assert found == {("add", "float32"): ("xfail", "both"), ("div", "float32"): ("-", "opsuite only"),
                     ("mul", "int64"): ("xfail", "lists only"),
                     ("abs", "float32"): ("xfail (OpInfo entry)", "both"),
                     ("abs", "bfloat16"): ("-", "opsuite only (PyTorch's test does not run bfloat16)"),
                     ("exp", "float32"): ("tolerance atol=1, rtol=0", "both"),
                     ("empty", "int64"): ("values not compared", "both"),
                     ("cos", "float32"): ("-", "opsuite only"),
                     ("upsample", "uint8"): ("-", "opsuite only"),  # the test runs uint8 for it alone
                     ("any", "uint8"): ("-", "opsuite only (PyTorch's test does not run uint8)")}
