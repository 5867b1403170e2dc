"""One cell of the sweep: an OpInfo entry, in one dtype, on one backend, over its samples.

For each sample the op runs on the backend through the same Backend contract as conformance
(`suite.runner`: inputs copied to the device, its context, its wrap), and outside it, on the
CPU, twice: in the cell's dtype ("same dtype") and in float64 (the reference; complex128 for
complex dtypes). Where the op has no float64 on the CPU, the reference is the entry's NumPy
``ref``, else the CPU in the same dtype; the record says which.

The verdict of a cell:
  works      every sample ran and matched: outputs of the same structure, shapes and dtypes
             as the CPU's, integer and bool values equal to the CPU's, floating values within
             atol + rtol·|ref| + 2·|cpu − ref| of the reference (accuracy.within): the dtype's
             tolerance, and as far from the exact value as the CPU's own result, twice over
  raises     the op raised on the backend for a sample on which it ran on the CPU
  wrong      a result that does not match, with the sample, the worst element and the input
  skipped    no sample to compare (none built, or every one raises on the CPU too), with why
  crashed, timed out   the case's process died or ran out of time (suite.isolation)
Values are not compared on meta (it has none), nor for ops whose result depends on the
random seed or on uninitialised memory: there shapes and dtypes are.

Accuracy, kept whatever the verdict: max, p99 and median error in ULPs of the result dtype
and the largest relative error, against the reference (suite.accuracy). Where the entry
supports autograd in the dtype, the same for the backward: the gradients of every input that
requires grad, for a seeded random cotangent of each output.
"""

from __future__ import annotations

import math
import sys
import time

import torch
from torch.utils import _pytree as pytree

from suite import accuracy, opinfos
from suite.runner import BackendFault, Runner, describe

# Entries whose values are uninitialised memory, or drawn at random by a seeded wrapper (the
# cpu then repeats itself, but another device's generator draws other numbers, and the float64
# reference others again): only shapes and dtypes are compared. Unseeded random entries are
# found by running the cpu with two seeds.
NOT_COMPARABLE = {
    **dict.fromkeys(("empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided",
                     "empty_permuted"), "the result is uninitialised memory"),
    **dict.fromkeys(("bernoulli", "cauchy", "exponential", "geometric", "log_normal", "multinomial",
                     "normal", "normal.in_place", "normal.number_mean", "uniform", "rand_like",
                     "randn", "randn_like", "randint", "randint_like", "nn.functional.rrelu",
                     "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
                     "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout.with_train"),
                    "the result is drawn at random"),
}
FIRST_LINE = 200


def _seed(n: int) -> None:
    # The cpu generator only: torch.manual_seed also queues a seeding of every accelerator
    # module, with a traceback each time, which was half of a cell's time.
    torch.default_generator.manual_seed(n)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:FIRST_LINE] if text else ''}".rstrip(": ")


def _clone(sample):
    return sample.transform(lambda t: t.detach().clone().requires_grad_(t.requires_grad)
                            if isinstance(t, torch.Tensor) else t)


def _describer(op, sample):
    """The sample's call as text, made only when a record needs it."""
    return lambda: describe(op.op, (sample.input, *sample.args), sample.kwargs)


def _processed(sample, outputs):
    """The outputs as OpInfo compares them: ``output_process_fn_grad`` makes outputs that are
    right up to a choice (the signs of singular vectors, an eigenvector's phase) comparable."""
    process = getattr(sample, "output_process_fn_grad", None)
    return outputs if process is None else process(outputs)


def _parts(sample) -> tuple:
    return sample.input, tuple(sample.args), dict(sample.kwargs)


def _call(op, sample):
    return op.op(sample.input, *sample.args, **sample.kwargs)


def _widened(sample, dtype: torch.dtype):
    """The sample with its tensors of the cell's dtype in float64 (complex128)."""
    wide = torch.complex128 if dtype.is_complex else torch.float64

    def widen(t):
        if isinstance(t, torch.Tensor) and t.dtype == dtype:
            return t.detach().to(wide).requires_grad_(t.requires_grad)
        return t
    return sample.transform(widen)


def reference_kind(op, dtype: torch.dtype) -> str:
    if not (dtype.is_floating_point or dtype.is_complex) or dtype in (torch.float64, torch.complex128):
        return "cpu, same dtype"
    wide = torch.complex128 if dtype.is_complex else torch.float64
    if wide in op.supported_dtypes("cpu"):
        return "cpu, float64"
    if op.ref is not None:
        return "numpy ref"
    return "cpu, same dtype"


def _reference(op, sample, dtype, kind):
    """The reference outputs for a sample, or None (then the same-dtype result serves)."""
    try:
        if kind == "cpu, float64":
            return _call(op, _widened(sample, dtype))
        if kind == "numpy ref":
            s = _widened(sample, dtype).numpy()
            return pytree.tree_map(lambda x: torch.as_tensor(x) if hasattr(x, "__array__") else x,
                                   op.ref(s.input, *s.args, **s.kwargs))
    except Exception:
        return None
    return None


def _values_comparable(op, sample) -> str | None:
    """Why values cannot be compared for this entry (None when they can): the result depends on
    the random seed (two seeds give two results) or is uninitialised memory."""
    if opinfos.full_name(op) in NOT_COMPARABLE:
        return NOT_COMPARABLE[opinfos.full_name(op)]
    if "wrapper_set_seed" in getattr(getattr(op.op, "__code__", None), "co_names", ()):
        return "the result is drawn at random"  # OpInfo seeds it itself: the cpu repeats itself
    results = []
    for seed in (0, 1):
        _seed(seed)
        try:
            results.append(_leaves(_call(op, _clone(sample))))
        except Exception:
            return None
    same = all(_same(a, b) for a, b in zip(*results))
    return None if same else "the result depends on the random seed"


def _same(a, b) -> bool:
    """Equal values, NaN equal to NaN (any dtype, complex32 included)."""
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor):
        return a == b or a != a and b != b
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    x, y = accuracy.real_view(a), accuracy.real_view(b)
    return bool(((x == y) | (x.isnan() & y.isnan())).all())


def _leaves(outputs) -> list:
    """The outputs' leaves, sparse tensors as dense ones (their layout is compared apart)."""
    return [x.to_dense() if isinstance(x, torch.Tensor) and x.layout != torch.strided
            and x.device.type != "meta" else x for x in pytree.tree_leaves(outputs)]


def _mismatch(actual, expected) -> str | None:
    """How the outputs differ in structure, layout, shape or dtype from the CPU's; None when
    they do not."""
    a_leaves, e_leaves = pytree.tree_leaves(actual), pytree.tree_leaves(expected)
    if len(a_leaves) != len(e_leaves):
        return f"{len(a_leaves)} outputs where the cpu gives {len(e_leaves)}"
    for n, (a, e) in enumerate(zip(a_leaves, e_leaves)):
        where = f"output {n}" if len(e_leaves) > 1 else "the output"
        if isinstance(e, torch.Tensor) != isinstance(a, torch.Tensor):
            return f"{where} is a {type(a).__name__} where the cpu gives a {type(e).__name__}"
        if isinstance(e, torch.Tensor):
            if a.shape != e.shape:
                return f"{where} has shape {tuple(a.shape)} where the cpu gives {tuple(e.shape)}"
            if a.dtype != e.dtype:
                return f"{where} has dtype {a.dtype} where the cpu gives {e.dtype}"
            if a.layout != e.layout:
                return f"{where} has layout {a.layout} where the cpu gives {e.layout}"
    return None


class Tally:
    """Errors of one direction (forward or backward) over a cell's samples."""

    def __init__(self, wide: bool):
        self.wide = wide  # whether a wider reference than the cpu's same dtype was expected
        self.ulps, self.relative = [], []
        self.wrong: dict | None = None
        self.compared = 0
        self.fallbacks = 0  # outputs compared with the cpu in the same dtype, not the reference

    def add(self, n, actual, expected, reference, call: str) -> None:
        a_leaves, e_leaves = _leaves(actual), _leaves(expected)
        r_leaves = _leaves(reference) if reference is not None else [None] * len(e_leaves)
        if len(r_leaves) != len(e_leaves):
            r_leaves = [None] * len(e_leaves)
        for k, (a, e, r) in enumerate(zip(a_leaves, e_leaves, r_leaves)):
            if not isinstance(a, torch.Tensor):
                if isinstance(a, (int, float, complex)) and isinstance(e, (int, float, complex)) \
                        and not isinstance(a, bool):
                    a, e = torch.tensor(a), torch.tensor(e)
                    r = e  # a Python number: compared with the cpu's, in its own precision
                elif a != e:
                    self._wrong(n, k, f"gives {a!r} where the cpu gives {e!r}", call)
                    continue
                else:
                    continue
            floating = a.dtype.is_floating_point or a.dtype.is_complex
            if not floating or not isinstance(r, torch.Tensor) or r.shape != a.shape \
                    or not (r.dtype.is_floating_point or r.dtype.is_complex):
                if floating and self.wide:
                    self.fallbacks += 1  # the reference could not serve: the cpu's result does
                r = e  # integer and bool results: exactly the cpu's
            ulps, rel = accuracy.errors(a, r)
            self.ulps.append(ulps)
            self.relative.append(rel)
            ok = accuracy.within(a, r, e if r is not e else None) if floating else ulps == 0
            if not bool(ok.all()):
                worst = int(torch.argmax(torch.where(ok, torch.zeros_like(ulps), ulps.nan_to_num(math.inf) + 1)))
                got = accuracy.real_view(a).flatten()[worst].item()
                want = accuracy.real_view(r).flatten()[worst].item()
                self._wrong(n, k, f"element {worst} is {got!r} where the reference gives {want!r} "
                            f"({float(ulps[worst]):.4g} ULPs); {int((~ok).sum())} of {ok.numel()} "
                            "elements are off", call)
        self.compared += 1

    def _wrong(self, n, k, what, call):
        if self.wrong is None:
            self.wrong = {"sample": n, "output": k, "message": what, "input": call()}

    def record(self) -> dict:
        found = {"samples_compared": self.compared, "accuracy": accuracy.summary(self.ulps, self.relative)}
        if self.fallbacks:
            found["outputs_against_cpu_same_dtype"] = self.fallbacks
        return found


def _cotangents(expected) -> list:
    """A seeded random cotangent for each floating output (ones would hide a scaled gradient)."""
    g = torch.Generator().manual_seed(0)
    return [torch.randn(e.shape, generator=g, dtype=torch.complex128 if e.dtype.is_complex else torch.float64).to(e.dtype)
            if isinstance(e, torch.Tensor) and (e.dtype.is_floating_point or e.dtype.is_complex) else None
            for e in pytree.tree_leaves(expected)]


def _backward(fn, parts, cotangents, process=None):
    """Forward and backward of ``fn`` on ``parts`` = (input, args, kwargs), on whatever device
    their tensors are: the gradients of every input tensor that requires grad."""
    inp, args, kwargs = parts
    out = fn(inp, *args, **kwargs)
    out = out if process is None else process(out)
    outs = pytree.tree_leaves(out)
    pairs = [(o, c.to(o.device, o.dtype)) for o, c in zip(outs, cotangents)
             if c is not None and isinstance(o, torch.Tensor) and o.requires_grad]
    leaves = [t for t in pytree.tree_leaves(parts) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs or not leaves:
        return None
    grads = torch.autograd.grad([o for o, _ in pairs], leaves, [c for _, c in pairs], allow_unused=True)
    return [torch.zeros_like(x) if g is None else g for x, g in zip(leaves, grads)]


def evaluate(op, dtype: torch.dtype, runner: Runner, *, limit: int | None, backward: bool = True,
             note=lambda what: None) -> dict:
    """The record of one cell (see the module docstring). ``note`` is told which sample is
    about to run on the backend: a record of a crash says which one it was."""
    started, breaks_before = time.monotonic(), _graph_breaks()
    rec = {"reference": reference_kind(op, dtype)}
    values = runner.device.type != "meta"
    try:
        samples = opinfos.samples(op, dtype, limit=limit)
    except Exception as error:
        return rec | {"verdict": "skipped", "message": f"its samples could not be built ({first_line(error)})"}
    if not samples:
        return rec | {"verdict": "skipped", "message": "the entry has no sample in this dtype"}
    not_compared = _values_comparable(op, samples[0]) if values else "meta has no values"
    if not_compared:
        rec["values_not_compared"] = not_compared
    forward, raised_on_cpu = Tally(rec["reference"] != "cpu, same dtype"), 0
    for n, sample in enumerate(samples):
        try:
            _seed(0)
            expected = _processed(sample, _call(op, _clone(sample)))
        except Exception:
            raised_on_cpu += 1
            continue
        call = _describer(op, sample)
        note(f"sample {n} of {len(samples)}, forward")
        _seed(0)
        try:
            actual = _processed(sample, runner(op.op, sample.input, *sample.args, **sample.kwargs))
        except BackendFault:
            raise
        except Exception as error:
            return rec | {"verdict": "raises", "message": first_line(error), "sample": n, "input": call(),
                          "samples": len(samples), "forward": forward.record(),
                          "duration_s": round(time.monotonic() - started, 4)}
        problem = _mismatch(actual, expected)
        if problem:
            forward._wrong(n, None, problem, call)
            break
        if not not_compared:
            reference = _reference(op, sample, dtype, rec["reference"])
            forward.add(n, actual, expected, None if reference is None else _processed(sample, reference), call)
    rec |= {"samples": len(samples), "samples_raising_on_cpu": raised_on_cpu, "forward": forward.record()}
    if forward.wrong:
        rec |= {"verdict": "wrong", **forward.wrong}
    elif raised_on_cpu == len(samples):
        rec |= {"verdict": "skipped", "message": "every sample raises on the cpu too"}
    else:
        rec["verdict"] = "works"
    if backward and rec["verdict"] == "works" and not not_compared and \
            dtype in opinfos.backward_dtypes_for(op, runner.device.type):
        rec["backward"] = _evaluate_backward(op, dtype, runner, limit, rec["reference"], note)
    breaks = _graph_breaks() - breaks_before
    if breaks:  # part of the op ran eagerly, outside the compiled graph
        rec["graph_breaks"] = breaks
    rec["duration_s"] = round(time.monotonic() - started, 4)
    return rec


def _graph_breaks() -> int:
    """Graph breaks dynamo has counted in this process (0 where it was never imported)."""
    utils = sys.modules.get("torch._dynamo.utils")
    return sum(utils.counters["graph_break"].values()) if utils is not None else 0


def _evaluate_backward(op, dtype, runner: Runner, limit, kind, note) -> dict:
    try:
        samples = opinfos.samples(op, dtype, requires_grad=True, limit=limit)
    except Exception as error:
        return {"verdict": "skipped", "message": f"its samples could not be built ({first_line(error)})"}
    tally = Tally(kind == "cpu, float64")
    for n, sample in enumerate(samples):
        try:
            _seed(0)
            process = getattr(sample, "output_process_fn_grad", None)
            expected_out = _processed(sample, _call(op, _clone(sample)))
            cotangents = _cotangents(expected_out)
            expected = _backward(op.op, _parts(_clone(sample)), cotangents, process)
        except Exception:
            continue
        if expected is None:
            continue
        reference = None
        if kind == "cpu, float64":
            try:
                reference = _backward(op.op, _parts(_widened(sample, dtype)), cotangents, process)
            except Exception:
                reference = None
        call = _describer(op, sample)
        note(f"sample {n} of {len(samples)}, backward")
        _seed(0)
        try:
            actual = runner._on_backend(op.op, (_parts(sample), cotangents), {},
                                        lambda fn, a, k: _backward(fn, a[0], a[1], process))
        except BackendFault:
            raise
        except Exception as error:
            return {"verdict": "raises", "message": first_line(error), "sample": n, "input": call(),
                    **tally.record()}
        problem = _mismatch(actual, expected)
        if problem:
            tally._wrong(n, None, problem, call)
            break
        tally.add(n, actual, expected, reference, call)
    if tally.wrong:
        return {"verdict": "wrong", **tally.wrong, **tally.record()}
    if tally.compared == 0:
        return {"verdict": "skipped", "message": "no sample has a gradient to compare", **tally.record()}
    return {"verdict": "works", **tally.record()}
