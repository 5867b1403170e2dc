import json
import unittest
from pathlib import Path
from types import SimpleNamespace

import torch
from torch.testing._internal.opinfo.core import DecorateInfo

from suite.inductor_lists import (FORMAT, dtypes_run, dtypes_run_by_op, entry_decorations, main, parse_lists,
                                  tolerances)

SWEEP = Path(__file__).resolve().parent.parent / "sweep" / "inductor_lists.json"

# shaped like test/inductor/test_torchinductor_opinfo.py
SOURCE = '''
import torch
from collections import defaultdict

f16 = torch.float16
f32 = torch.float32
f64 = torch.float64
b8 = torch.bool
i64 = torch.int64
_all = {b8, f16, f32, f64, i64}

inductor_skips = defaultdict(dict)
inductor_skips["cpu"] = {
    "linalg.ldl_factor": {f32, f64},  # flaky
    ("index_reduce", "prod"): {f16},
}
if IS_MACOS:
    inductor_skips["cpu"]["rsqrt"] = {b8}
inductor_skips["cuda"] = {"jiterator_unary": _all}

inductor_expected_failures_single_sample = defaultdict(dict)
inductor_expected_failures_single_sample["cpu"] = {
    "normal": {f16} | {f32, f64},
    ("normal", "number_mean"): {f16, torch.double},
}
inductor_expected_failures_single_sample["cpu"]["view_as_complex"] = {f16}
not_handled = {"resize_": {b8, i64}}
inductor_expected_failures_single_sample["cuda"] = {}
inductor_expected_failures_single_sample["cuda"].update(not_handled)

inductor_override_kwargs = defaultdict(dict)
inductor_override_kwargs["cpu"] = {("softmax", f16): {"atol": 1e-4}}

_ops = partial(ops, allowed_dtypes=[f16, f32, f64, b8, i64, torch.uint8])

class TestInductorOpInfo(TestCase):
    def test_comprehensive(self, device, dtype, op):
        allowed_dtypes = [f16, f32, f64, b8, i64]
        if op_name not in ("nn.functional.interpolate.bilinear", "fill"):
            if dtype not in allowed_dtypes:
                raise unittest.SkipTest("Skipped!")
'''


def test_parses_upstream_shaped_source():
    assert parse_lists(SOURCE) == {
        "cpu": {
            "skip": {
                "index_reduce.prod": ["float16"],
                "linalg.ldl_factor": ["float32", "float64"],
            },
            "xfail": {
                "normal": ["float16", "float32", "float64"],
                "normal.number_mean": ["float16", "float64"],
                "view_as_complex": ["float16"],
            },
        },
        "cuda": {
            "skip": {"jiterator_unary": ["bool", "float16", "float32", "float64", "int64"]},
            "xfail": {"resize_": ["bool", "int64"]},
        },
    }


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("inductor_skips = {\n")
    assert main([str(tmp_path / "missing.py")]) == 2
    assert main([str(broken)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 2 and "missing.py" in err and "broken.py" in err


def test_sweep_file_loads_and_has_a_cpu_list():
    data = json.loads(SWEEP.read_text())
    assert data["format"] == FORMAT and data["source"] and data["torch"]
    cpu = data["lists"]["cpu"]
    assert cpu["skip"] and cpu["xfail"]
    assert all(dtypes and dtypes == sorted(dtypes) for ops in cpu.values() for dtypes in ops.values())
    assert data["tested_dtypes"] == ["bool", "float16", "float32", "float64", "int32", "int64"]
    assert "uint8" in data["tested_dtypes_by_op"]["nn.functional.interpolate.bilinear"]
    assert "nonzero_static" in data["entries"]["cpu"]["xfail"]  # the entry's own expectedFailure


def test_tolerances_the_test_loosens_are_read_per_device_op_and_dtype():
    source = SOURCE + '''
inductor_override_kwargs["cpu"].update({"empty": {"assert_equal": False}})
if IS_ARM64:
    inductor_override_kwargs["cpu"].update({("conv1d", f16): {"atol": 0.1}})
inductor_override_kwargs["cuda"] = {("cumsum", f16): {"reference_in_float": True}}
'''
    assert tolerances(source) == {"cpu": {"empty": {"*": {"assert_equal": False}},
                                          "softmax": {"float16": {"atol": 1e-4}}},
                                  "cuda": {"cumsum": {"float16": {"reference_in_float": True}}}}


def test_the_dtypes_the_test_runs_are_every_allowed_dtypes_intersected():
    assert dtypes_run(SOURCE) == ["bool", "float16", "float32", "float64", "int64"]
    assert dtypes_run("x = 1") is None


def test_the_ops_excepted_from_the_narrower_dtypes_run_in_the_widest():
    widest = ["bool", "float16", "float32", "float64", "int64", "uint8"]
    assert dtypes_run_by_op(SOURCE) == {"fill": widest, "nn.functional.interpolate.bilinear": widest}
    assert dtypes_run_by_op("if op_name not in ('a',):\n    pass") == {}  # guards no dtype
    assert dtypes_run_by_op("if op_name not in ('a',):\n    allowed_dtypes.append(u8)") == {}


class _Entry(SimpleNamespace):
    """An OpInfo entry as entry_decorations reads it."""

    def supported_dtypes(self, device_type):
        return {torch.float16, torch.float32}


def test_entries_own_skips_and_expected_failures_for_inductors_test_are_read():
    entries = [
        _Entry(name="a", variant_test_name="", decorators=[
            DecorateInfo(unittest.skip("flaky"), "TestInductorOpInfo", "test_comprehensive",
                         device_type="cpu", dtypes=(torch.float16,)),
            DecorateInfo(unittest.expectedFailure, "TestInductorOpInfo", "test_comprehensive"),
            DecorateInfo(unittest.skip, "TestInductorOpInfo", "test_comprehensive", device_type="cuda"),
            DecorateInfo(unittest.skip("other test"), "TestCommon", "test_out"),  # another test
            DecorateInfo(unittest.skip("rocm"), "TestInductorOpInfo", active_if=False),
            DecorateInfo(lambda f: f, "TestInductorOpInfo"),  # a tolerance, say: no skip
        ]),
        _Entry(name="b", variant_test_name="v", decorators=[
            DecorateInfo(unittest.skip("any test"), device_type="cpu"),  # every test, this one too
            DecorateInfo(unittest.skip("needs kwargs"), active_if=lambda kwargs: kwargs["x"]),
        ]),
        _Entry(name="c", variant_test_name="", decorators=[]),
    ]
    assert entry_decorations(entries, ["cpu", "cuda"]) == {
        "cpu": {"skip": {"a": ["float16"], "b.v": ["float16", "float32"]},
                "xfail": {"a": ["float16", "float32"]}},
        "cuda": {"skip": {"a": ["float16", "float32"]}, "xfail": {"a": ["float16", "float32"]}},
    }
