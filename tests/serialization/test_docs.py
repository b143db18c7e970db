"""The runnable examples in the save/load docstrings (run in a temporary directory)."""
import doctest
import importlib

import pytest

import numtorch

MODULES = ["numtorch.serialization", "numtorch.utils.safetensors", "numtorch._storage"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, extraglobs={"numtorch": numtorch},
                          optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
    assert numtorch.serialization.get_safe_globals() == []
