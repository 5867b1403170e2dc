"""opsuite: PyTorch operator conformance and benchmarking."""

__all__ = ["Backend", "spec"]
__version__ = "0.1.0"


def __getattr__(name):
    # Imported on first use: `suite.Backend` needs torch, `opsuite --help` should not wait for it.
    if name == "Backend":
        from suite.backends import Backend
        return Backend
    if name == "spec":
        from suite.spec import spec
        return spec
    raise AttributeError(f"module 'suite' has no attribute {name!r}")
