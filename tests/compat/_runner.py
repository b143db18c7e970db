"""Run several compat programs in ONE interpreter and print their outputs as JSON.

    python _runner.py PROGRAM.py [PROGRAM.py ...]

``import torch`` inside the programs resolves to whatever ``torch`` is first on
PYTHONPATH: real PyTorch, or numtorch through ``shim/`` (test_programs.py sets that up).
Paying the interpreter and import start-up once per batch keeps the driver cheap.
Each program runs with ``runpy`` in a fresh namespace and a fresh temporary working
directory, its stdout captured; the global state a program may change (printing options,
default dtype, grad mode) is reset afterwards so programs do not leak into each other.
"""
import contextlib
import io
import json
import os
import runpy
import shutil
import sys
import tempfile
import traceback


def _reset(torch):
    torch.set_printoptions(profile="default", sci_mode=None)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)


def main(paths):
    import torch

    results = {}
    home = os.getcwd()
    for path in paths:
        name = os.path.basename(path)[:-3]
        buf = io.StringIO()
        err = ""
        tmp = tempfile.mkdtemp(prefix="compat_")
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(buf):
                runpy.run_path(path, run_name="__main__")
        except BaseException:  # a failing program is a result, not a crash of the batch
            err = traceback.format_exc(limit=-6)
        finally:
            os.chdir(home)
            shutil.rmtree(tmp, ignore_errors=True)
            _reset(torch)
        results[name] = {"stdout": buf.getvalue(), "error": err}
    json.dump(results, sys.__stdout__)


if __name__ == "__main__":
    main(sys.argv[1:])
