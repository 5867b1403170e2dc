"""Generated inputs (suite.generated): the same examples every run, few where each compiles."""

import torch

from suite.backends import Backend
from suite.generated import COMPILED_EXAMPLES, EXAMPLES, examples_for, tensors


def test_examples_repeat_exactly_and_are_few_on_a_compiling_backend():
    eager = examples_for(Backend("cpu", "cpu"))
    compiled = examples_for(Backend("compile-cpu", "cpu", wrap=torch.compile))
    assert eager.derandomize and eager.database is None and eager.max_examples == EXAMPLES
    assert compiled.max_examples == COMPILED_EXAMPLES < EXAMPLES


def test_a_generated_run_draws_the_same_inputs_twice():
    from hypothesis import given

    def draws():
        seen = []

        @examples_for(Backend("cpu", "cpu"))
        @given(x=tensors(torch.int64))
        def check(x):
            seen.append(x.tolist())

        check()
        return seen

    first = draws()
    assert len(first) > 5 and first == draws()
