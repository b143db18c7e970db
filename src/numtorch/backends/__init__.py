"""The one array-library layer: every op gets its array module from here.

Today only NumPy (CPU). A CuPy backend becomes a second module here; ops ask
``get_array_module(*arrays)`` instead of importing numpy for math.
"""
import numpy as np

xp = np


def get_array_module(*arrays):
    """Return the array module (numpy, later cupy) that owns ``arrays``."""
    return np


def is_array(x):
    return isinstance(x, np.ndarray)
