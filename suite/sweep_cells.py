"""The sweep's one case, run for every (OpInfo entry, dtype, backend) cell by `opsuite sweep`
(suite.sweep_plugin parametrizes it; suite.sweep judges the cell)."""

import functools

from suite import opinfos, sweep
from suite.runner import Runner


@functools.cache
def _entries() -> dict:
    return {opinfos.full_name(op): op for op in opinfos.database()}


def test_cell(cell, backend, note_call, measured, request):
    record = {"op": cell.op, "dtype": cell.dtype, "backend": backend.backend.name}
    earlier = measured.get((cell.op, cell.dtype, backend.backend.name))
    if earlier is not None:  # measured by an earlier sweep with the same key (suite.sweep_cache)
        request.node._sweep_record = {k: v for k, v in earlier.items() if k != "known"}
        return
    record |= sweep.evaluate(_entries()[cell.op], opinfos.DTYPES[cell.dtype], Runner(backend.backend),
                             limit=cell.samples, backward=not request.config.option.sweep_no_backward,
                             note=note_call)
    request.node._sweep_record = record
