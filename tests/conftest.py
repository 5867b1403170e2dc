# torch imported here, in the test process itself: pytester's in-process runs restore
# sys.modules afterwards, and a C extension such as torch cannot be imported twice.
import torch  # noqa: F401

pytest_plugins = ["pytester"]
