"""The runnable examples in numtorch.optim's docstrings."""
import doctest
import importlib

import pytest

import numtorch

MODULES = ["optimizer", "sgd", "adam", "adamw", "adamax", "nadam", "radam", "rmsprop", "adagrad",
           "adadelta", "asgd", "rprop", "lbfgs", "sparse_adam", "lr_scheduler", "swa_utils", "_adafactor"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module("numtorch.optim." + name)
    res = doctest.testmod(mod, extraglobs={"numtorch": numtorch},
                          optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
