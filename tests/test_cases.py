"""Benchmark cases: static parameters, honest skips, analytic work, roofline arithmetic."""

import pytest
import torch

from suite.cases import Case, Skip, Workload, registry
from suite.cases import cdist, linear
from suite.memory import peak_bytes
from suite.roofline import Ceilings, rate

CASES = registry()


def test_the_three_families_and_the_ceilings_are_registered():
    assert {"cdist", "linear", "focal_loss", "copy_bandwidth", "matmul_throughput"} <= set(CASES)


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_parameters_are_static_and_lead_with_the_device(case):
    assert list(case.params)[0] == "device"
    assert case.params["device"] == ("cpu", "cuda")  # the same on every machine


def test_seed_sizes_are_covered():
    assert cdist.SHAPES["512x512x2"] == (1, 512, 512, 2)
    assert min(cdist.SHAPES["20x20x2"][1:3]) <= 25
    assert (linear.D, linear.K, linear.N) == (1024, 128, 3) and 8 in linear.BATCHES
    assert max(linear.BATCHES) == 4096


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the skip of an absent device")
def test_an_absent_device_is_a_skip_with_its_reason():
    with pytest.raises(Skip, match="no CUDA device"):
        CASES["linear"].workload(device="cuda", batch=8, layout="fused", step="forward")


def test_a_size_that_does_not_fit_is_a_skip_not_a_crash():
    huge = Case("huge", {"device": ("cpu",)}, lambda device: Workload(lambda: None),
                version="1", memory=lambda device: 2**62)
    with pytest.raises(Skip, match="needs .* GiB on cpu"):
        huge.workload(device="cpu")


def test_out_of_memory_while_building_is_a_skip():
    def build(device):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80 GiB")

    with pytest.raises(Skip, match="out of memory on cpu"):
        Case("oom", {"device": ("cpu",)}, build, version="1").workload(device="cpu")


def test_cdist_mode_documentation_is_followed():
    assert cdist.uses_mm("use_mm_for_euclid_dist_if_necessary", 26, 3)
    assert not cdist.uses_mm("use_mm_for_euclid_dist_if_necessary", 25, 25)
    assert not cdist.uses_mm("donot_use_mm_for_euclid_dist", 4096, 4096)


def test_the_matrix_product_loses_digits_far_from_the_origin():
    args = dict(device="cpu", shape="512x512x2", dtype="float32")
    direct = cdist.max_error(mode="donot_use_mm_for_euclid_dist", **args)
    product = cdist.max_error(mode="use_mm_for_euclid_dist", **args)
    assert direct < 1e-4 < product


def test_roofline_names_the_binding_limit():
    limits = Ceilings("cpu", bandwidth=10e9, matmul={"float32": 100e9})
    memory_bound = rate(nbytes=10**9, flops=10**9, dtype=torch.float32, seconds=0.2,
                        ceilings=limits)
    assert memory_bound.bound == "memory" and memory_bound.percent == pytest.approx(50)
    assert memory_bound.gbps == pytest.approx(5)
    compute_bound = rate(nbytes=1, flops=10**11, dtype=torch.float32, seconds=4.0,
                         ceilings=limits)
    assert compute_bound.bound == "compute" and compute_bound.percent == pytest.approx(25)


def test_cpu_peak_memory_sees_a_temporary():
    n = 1 << 20

    def fn():
        t = torch.ones(n)  # 4 MiB, freed before the call returns
        return float(t.sum())

    assert 4 * n <= peak_bytes(fn, "cpu") < 8 * n
