"""A plug-in module that changes torch's default dtype when imported, and never puts it back."""

import torch

from suite.backends import Backend

torch.set_default_dtype(torch.float64)
IMPORTED = Backend("imported", "cpu")
