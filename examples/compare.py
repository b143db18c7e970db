"""Run every example with numtorch and with real PyTorch (the import line swapped) and diff.

    python examples/compare.py            # needs torch installed
"""
import difflib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(path, swap):
    src = open(path).read()
    if swap:
        src = src.replace("import numtorch as torch", "import torch") \
                 .replace("from numtorch", "from torch").replace("import numtorch.", "import torch.")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(src)
    try:
        r = subprocess.run([sys.executable, f.name], capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(f.name)
    return r.stdout.replace("numtorch", "torch") + (r.stderr if r.returncode else "")


def main():
    seed_dir = os.path.join(HERE, "seed")
    same = 0
    names = sorted(n for n in os.listdir(seed_dir) if n.endswith(".py"))
    for name in names:
        a = run(os.path.join(seed_dir, name), False)
        b = run(os.path.join(seed_dir, name), True)
        if a == b:
            same += 1
            print(f"same     {name}")
        else:
            print(f"differs  {name}")
            sys.stdout.writelines(difflib.unified_diff(b.splitlines(True), a.splitlines(True),
                                                       "torch", "numtorch", n=1))
    print(f"{same}/{len(names)} examples print the same output")


if __name__ == "__main__":
    main()
