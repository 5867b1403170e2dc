"""Generated inputs for specs (hypothesis): shapes, dims and values a spec's author did not pick.

    @spec("torch.argmax", FIRST_ON_TIES)
    def test_first_index_on_ties_generated(run, examples):
        @examples
        @given(x=tensors(dtypes=[torch.int64], values=few_values()), data=st.data())
        def check(x, data): ...
        check()

``examples`` (a fixture of suite.plugin) is hypothesis's settings for the backend: derandomised
(the same examples on every run and machine: a failure repeats exactly, and its repro line
with it), no example database, no deadline (a backend's first call may compile), and
`EXAMPLES` examples, `COMPILED_EXAMPLES` on a backend that wraps the op (each example is a
compilation there).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch
from hypothesis import HealthCheck, configuration, settings
from hypothesis import strategies as st

EXAMPLES = 25
COMPILED_EXAMPLES = 4


def examples_for(backend) -> settings:
    # hypothesis keeps a cache of constants under the current folder (.hypothesis/): a
    # conformance run from a user's project must not leave one there
    configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "opsuite-hypothesis")
    return settings(derandomize=True, database=None, deadline=None, print_blob=False,
                    max_examples=COMPILED_EXAMPLES if backend.wrap is not None else EXAMPLES,
                    suppress_health_check=list(HealthCheck))


def shapes(min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 6):
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def tensors(dtype: torch.dtype, shape=None, values=None):
    """Tensors of ``dtype``; by default of few distinct small values, so ties are the rule."""
    shape = shapes() if shape is None else shape
    values = st.integers(-2, 2) if values is None else values

    def build(args):
        size, items = args
        return torch.tensor(np.array(items, dtype=np.float64).reshape(size)).to(dtype)

    return shape.flatmap(lambda size: st.tuples(
        st.just(size), st.lists(values, min_size=int(np.prod(size)), max_size=int(np.prod(size)))
    )).map(build)


def dims(ndim: int):
    """A valid dim of an ``ndim``-dimensional tensor, negative ones included."""
    return st.integers(-ndim, ndim - 1)
