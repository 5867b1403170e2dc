import sys

import pytest
import torch

from suite.backends import Backend, BackendError, builtin_backends, select


def names(selected):
    return [s.backend.name for s in selected]


def test_default_is_cpu():
    assert names(select([])) == ["cpu"]


def test_all_lists_every_builtin_and_reports_the_unavailable_ones():
    chosen = {s.backend.name: s for s in select(["all"])}
    assert {"cpu", "meta", "compile-cpu"} <= set(chosen)
    assert chosen["cpu"].available and chosen["meta"].available
    if not torch.cuda.is_available():
        assert not chosen["cuda"].available and chosen["cuda"].reason
    for gone in ("mps", "xpu"):
        if gone in chosen and not chosen[gone].available:
            assert chosen[gone].reason


def test_compile_backend_wraps_with_torch_compile():
    compile_cpu = next(s for s in builtin_backends() if s.backend.name == "compile-cpu")
    assert compile_cpu.backend.device == "cpu" and compile_cpu.backend.wrap is not None


def test_repeated_and_overlapping_selections_are_deduplicated():
    assert names(select(["cpu", "cpu", "meta", "all"]))[:2] == ["cpu", "meta"]
    assert len(set(names(select(["all", "all"])))) == len(names(select(["all"])))


def test_missing_device_index_is_unavailable_not_an_error():
    (sel,) = select(["cuda:7"]) if not torch.cuda.is_available() or torch.cuda.device_count() < 8 else [None]
    assert sel.backend.name == "cuda:7" and not sel.available


@pytest.mark.parametrize("bad", ["cpux", "gpu", "compile-foo", ""])
def test_unknown_name_is_a_one_line_error(bad):
    with pytest.raises(BackendError, match="unknown backend") as err:
        select([bad])
    assert "\n" not in str(err.value)


def test_module_object_loads_a_backend(tmp_path, monkeypatch):
    (tmp_path / "mybackends.py").write_text(
        "from suite.backends import Backend\nMINE = Backend('mine', 'cpu')\nNOT = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mybackends", raising=False)
    (sel,) = select(["mybackends:MINE"])
    assert sel.backend == Backend("mine", "cpu") and sel.selector == "mybackends:MINE"
    (sel,) = select([f"{tmp_path / 'mybackends.py'}:MINE"])
    assert sel.backend.name == "mine"


@pytest.mark.parametrize("selector, message", [
    ("no_such_module_xyz:B", "cannot import"),
    ("mybackends:NOT", "not a suite.backends.Backend"),
    ("mybackends:MISSING", "has no attribute"),
    ("mybackends:BROKEN_DEVICE", "is not a torch device"),
    ("broken_module:B", "cannot import"),
])
def test_bad_module_object_is_a_one_line_error(tmp_path, monkeypatch, selector, message):
    (tmp_path / "mybackends.py").write_text(
        "from suite.backends import Backend\nNOT = 3\nBROKEN_DEVICE = Backend('x', 'nodevice')\n")
    (tmp_path / "broken_module.py").write_text("raise ImportError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mybackends", raising=False)
    with pytest.raises(BackendError, match=message) as err:
        select([selector])
    assert "\n" not in str(err.value)


def test_selected_compile_backend_is_unavailable_without_a_compiler(monkeypatch):
    import suite.backends as backends

    monkeypatch.setattr(backends.shutil, "which", lambda name: None)
    (sel,) = select(["compile-cpu"])
    assert not sel.available and "C++ compiler" in sel.reason
    assert select(["cpu"])[0].available  # only compile backends need one


def test_a_backend_from_a_file_is_a_module_in_sys_modules_as_an_import_would_make_it(tmp_path):
    # torch.compile resolves a traced function's module (a TorchFunctionMode's, say) there.
    (tmp_path / "vendor_file_backend.py").write_text(
        "import torch\nfrom suite.backends import Backend\n"
        "class Mode(torch.overrides.TorchFunctionMode):\n"
        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
        "        return func(*args, **(kwargs or {}))\n"
        "B = Backend('vendor', 'cpu', context=Mode)\n")
    (sel,) = select([f"{tmp_path / 'vendor_file_backend.py'}:B"])
    module = sys.modules[sel.backend.context.__module__]
    assert module.Mode is sel.backend.context and module.__file__ == str(tmp_path / "vendor_file_backend.py")
