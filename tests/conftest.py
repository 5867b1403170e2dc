# torch and pandas imported here, in the test process itself: pytester's in-process runs restore
# sys.modules afterwards, and a C extension such as torch cannot be imported twice. pandas can,
# but not cleanly: imported first inside one in-process run and again in the next, its Index
# meets the StringArray class of the first import ("AssertionError: <class
# 'pandas.arrays.StringArray'>" in the matrix of a later run, whichever tests ran first).
import pandas  # noqa: F401
import torch  # noqa: F401

pytest_plugins = ["pytester"]
