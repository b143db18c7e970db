"""Compatibility corpus: ordinary PyTorch programs must print the same under numtorch.

Every ``programs/*.py`` is plain PyTorch user code (``import torch``).  It runs twice in
subprocesses: with real torch (the oracle) and with ``import torch`` resolving to numtorch
through ``shim/`` (a copy of the acceptance suite's shim).  The two outputs are compared token
by token like the acceptance runner's ``exact`` mode: words, punctuation and integers equal;
floats within rtol 1e-4 / atol 1e-5, widened by one unit in the last digit torch printed when
that unit is fine; ``numtorch`` reads as ``torch`` and object addresses are masked.

Programs run in batches (one interpreter per batch and implementation, both implementations
concurrently) because interpreter + import start-up would dominate otherwise.  A program whose
header has ``# xfail: REASON`` documents a deliberate gap; it is expected to differ (strict).
"""
import functools
import json
import math
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
SHIM = os.path.join(HERE, "shim")
RUNNER = os.path.join(HERE, "_runner.py")
BATCH = 8
RTOL, ATOL = 1e-4, 1e-5

NAMES = sorted(n[:-3] for n in os.listdir(PROGRAMS) if n.endswith(".py") and not n.startswith("_"))
BATCHES = [tuple(NAMES[i:i + BATCH]) for i in range(0, len(NAMES), BATCH)]
BATCH_OF = {n: b for b in BATCHES for n in b}


def _header(name, key):
    with open(os.path.join(PROGRAMS, name + ".py"), encoding="utf-8") as f:
        for _, line in zip(range(20), f):
            m = re.match(r"#\s*%s:\s*(.+)" % key, line)
            if m:
                return m.group(1).strip()
    return None


def _env(impl):
    env = dict(os.environ)
    pp = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if impl == "numtorch":
        pp.insert(0, SHIM)
    env["PYTHONPATH"] = os.pathsep.join(pp)
    env.update(PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1",
               MPLBACKEND="Agg", OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "1"))
    return env


@functools.lru_cache(maxsize=None)
def _run_batch(batch):
    paths = [os.path.join(PROGRAMS, n + ".py") for n in batch]
    procs = {impl: subprocess.Popen([sys.executable, RUNNER, *paths], env=_env(impl),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=HERE)
             for impl in ("torch", "numtorch")}
    out = {}
    for impl, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"{impl} runner crashed:\n{stderr.decode()[-3000:]}")
        out[impl] = json.loads(stdout.decode("utf-8"))
    return out


# ---------------------------------------------------------------- output comparison
_TOKEN = re.compile(r"""
    (?P<special>(?<![A-Za-z0-9_.])-?(?:nan|inf)(?![A-Za-z0-9_]))
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+))
  | (?P<punct>\S)
""", re.VERBOSE)


def _tokens(text):
    text = re.sub(r"\bnumtorch\b", "torch", text)
    text = re.sub(r"\bat 0x[0-9a-fA-F]+\b", "at 0xADDR", text)
    toks = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in _TOKEN.finditer(line):
            kind, tok = m.lastgroup, m.group(0)
            if kind == "special":
                kind = "float"
            elif kind == "num":
                kind = "float" if re.search(r"[.eE]", tok) else "int"
            toks.append((kind, tok, lineno))
    return toks


def _unit(tok):
    """One unit in the last printed digit of a float token (0 when it has no decimals)."""
    t = tok.lstrip("+-")
    if t in ("nan", "inf"):
        return 0.0
    mant, _, exp = t.replace("E", "e").partition("e")
    decimals = len(mant.partition(".")[2])
    return 10.0 ** ((int(exp) if exp else 0) - decimals) if decimals else 0.0


def _close(expected, got):
    e, g = float(expected), float(got)
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) and math.isnan(g)
    if math.isinf(e) or math.isinf(g):
        return e == g
    unit = _unit(expected)
    if unit > 1e-3 * max(1.0, abs(e)):
        unit = 0.0
    return abs(e - g) <= ATOL + RTOL * abs(e) + unit * 1.000001


def _mismatch(expected, got):
    """None when ``got`` prints what ``expected`` prints, else a short reason."""
    et, gt = _tokens(expected), _tokens(got)
    for i, ((ek, es, el), (gk, gs, gl)) in enumerate(zip(et, gt)):
        if ek == "float":
            bad = gk != "float" or not _close(es, gs)
        elif ek == "int":
            bad = gk != "int" or int(es) != int(gs)
        else:
            bad = es != gs
        if bad:
            ctx_e = " ".join(t[1] for t in et[max(0, i - 6):i + 6])
            ctx_g = " ".join(t[1] for t in gt[max(0, i - 6):i + 6])
            return (f"torch line {el} / numtorch line {gl}: expected {es!r}, got {gs!r}\n"
                    f"  torch:    ...{ctx_e}...\n  numtorch: ...{ctx_g}...")
    if len(et) != len(gt):
        return f"token count differs: torch {len(et)}, numtorch {len(gt)}"
    return None


def test_comparison_rules():
    assert _mismatch("tensor([1.0000, 2.5000])", "tensor([1.0001, 2.5000])") is None
    assert _mismatch("tensor([1.0000])", "tensor([1.0020])") is not None
    assert _mismatch("torch.float32 at 0xdead", "numtorch.float32 at 0xbeef") is None
    assert _mismatch("3", "3.") is not None
    assert _mismatch("a b", "a") is not None


def _params():
    for name in NAMES:
        reason = _header(name, "xfail")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(name, marks=marks, id=name)


def test_corpus_size():
    assert len(NAMES) >= 40


@pytest.mark.parametrize("name", list(_params()))
def test_program(name):
    res = _run_batch(BATCH_OF[name])
    ref, got = res["torch"][name], res["numtorch"][name]
    assert not ref["error"], f"the program fails under real torch:\n{ref['error']}"
    assert not got["error"], f"numtorch raised:\n{got['error']}\noutput so far:\n{got['stdout']}"
    reason = _mismatch(ref["stdout"], got["stdout"])
    assert reason is None, reason
