"""Shared test fixtures: torch is the oracle; numtorch is imported as ``nt``."""
import numpy as np
import pytest

import numtorch as nt

try:
    torch = pytest.importorskip("torch")
except pytest.skip.Exception:  # no oracle: torch-free tests (test_random_vectors.py) still run
    torch = None


def pytest_collection_modifyitems(config, items):
    if torch is None:  # skip every test whose module imported the oracle from here
        skip = pytest.mark.skip(reason="torch (the test oracle) is not installed")
        for item in items:
            if "torch" in getattr(getattr(item, "module", None), "__dict__", {}):
                item.add_marker(skip)


def to_torch(x, requires_grad=None):
    """numtorch tensor / ndarray -> torch tensor (same values and dtype)."""
    arr = x._data if isinstance(x, nt.Tensor) else np.asarray(x)
    t = torch.from_numpy(np.array(arr, copy=True))
    if requires_grad is None:
        requires_grad = isinstance(x, nt.Tensor) and x.requires_grad
    return t.requires_grad_(requires_grad)


def to_nt(t, requires_grad=None):
    arr = t.detach().numpy().copy()
    x = nt.from_numpy(arr)
    if requires_grad is None:
        requires_grad = t.requires_grad
    return x.requires_grad_(requires_grad) if requires_grad else x


def assert_close(nt_val, torch_val, rtol=1e-5, atol=1e-6, check_dtype=True):
    a = nt_val._data if isinstance(nt_val, nt.Tensor) else np.asarray(nt_val)
    b = torch_val.detach().numpy() if isinstance(torch_val, torch.Tensor) else np.asarray(torch_val)
    assert a.shape == b.shape, f"shape {a.shape} != {b.shape}"
    if check_dtype:
        assert a.dtype == b.dtype, f"dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    yield
