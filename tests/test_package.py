"""Package-level guarantees: numtorch never imports torch; NumPy is the only runtime need."""
import subprocess
import sys
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "numtorch"


def test_importing_every_module_never_imports_torch():
    code = (
        "import sys, pkgutil, importlib, numtorch\n"
        "for m in pkgutil.walk_packages(numtorch.__path__, 'numtorch.'):\n"
        "    if m.name.endswith('__main__'): continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]\n"
        "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_torch_import_statement_in_sources():
    offenders = []
    for p in SRC.rglob("*.py"):
        for i, line in enumerate(p.read_text().splitlines(), 1):
            s = line.strip()
            if s.startswith("import torch") or s.startswith("from torch"):
                offenders.append(f"{p}:{i}: {s}")
    assert not offenders, offenders
