"""Device checks: only the CPU exists until a GPU backend lands."""


def check_device(d):
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type in ("meta", "mps", "xpu"):
        raise RuntimeError(f"numtorch has no '{d.type}' backend; only 'cpu' is available")
