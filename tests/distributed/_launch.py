"""Find an MPI launcher that matches mpi4py and run the scripts of this folder under it."""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def mpiexec():
    """Path of mpiexec (the venv's first: the mpich wheel installs it there), or None."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None
    venv_bin = os.path.dirname(sys.executable)
    return shutil.which("mpiexec", path=venv_bin) or shutil.which("mpiexec")


def _oversubscribe_flag(exe):
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    text = (out.stdout + out.stderr).lower()
    return ["--oversubscribe"] if "open mpi" in text or "open-rte" in text else []


def run(n, script, *args, timeout=120):
    """Run ``script`` on ``n`` ranks; returns (returncode, stdout, stderr, seconds).

    ``n=0`` runs plain ``python script`` (a lone MPI rank, as ``python train.py`` would).
    """
    exe = mpiexec()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONUNBUFFERED="1")
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        env.pop(k, None)
    cmd = [sys.executable, os.path.join(HERE, script), *args]
    if n:
        cmd = [exe, *_oversubscribe_flag(exe), "-n", str(n), *cmd]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=HERE)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def json_line(stdout):
    """The last line of stdout that parses as a JSON object."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None
