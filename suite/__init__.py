"""opsuite: PyTorch operator conformance and benchmarking."""

from suite.backends import Backend
from suite.spec import spec

__all__ = ["Backend", "spec"]
__version__ = "0.1.0"
