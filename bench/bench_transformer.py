"""MultiheadAttention and Transformer layers, numtorch vs torch on CPU (forward+backward and
inference), same weights, interleaved repetitions.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_transformer.py
"""
import os
import sys
import warnings

import numpy as np
import torch

import numtorch as nt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402

warnings.simplefilter("ignore")
B, T, D, HEADS, FF = 32, 64, 128, 4, 512


def pair(build):
    torch.manual_seed(0)
    tm = build(torch)
    nm = build(nt)
    nm.load_state_dict({k: nt.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    return tm, nm


def train_step(m, x, call):
    def run():
        m.zero_grad()
        out = call(m, x)
        out = out[0] if isinstance(out, tuple) else out
        out.sum().backward()
    return run


def infer(lib, m, x, call):
    def run():
        with lib.no_grad():
            call(m, x)
    return run


CASES = [
    ("MHA self-attn (need_weights)", lambda lib: lib.nn.MultiheadAttention(
        D, HEADS, batch_first=True), lambda m, x: m(x, x, x)),
    ("MHA self-attn causal, no weights", lambda lib: lib.nn.MultiheadAttention(
        D, HEADS, batch_first=True),
     lambda m, x: m(x, x, x, need_weights=False, attn_mask=CAUSAL[type(x).__module__],
                    is_causal=True)),
    ("TransformerEncoderLayer", lambda lib: lib.nn.TransformerEncoderLayer(
        D, HEADS, FF, 0.0, batch_first=True), lambda m, x: m(x)),
    ("TransformerDecoderLayer", lambda lib: lib.nn.TransformerDecoderLayer(
        D, HEADS, FF, 0.0, batch_first=True), lambda m, x: m(x, x)),
]
CAUSAL = {"torch": torch.nn.Transformer.generate_square_subsequent_mask(T),
          "numtorch._tensor": nt.nn.Transformer.generate_square_subsequent_mask(T)}

if __name__ == "__main__":
    x = np.random.default_rng(0).standard_normal((B, T, D)).astype(np.float32)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    nx = nt.from_numpy(x.copy()).requires_grad_(True)
    print(f"batch {B}, seq {T}, d_model {D}, heads {HEADS}, ff {FF}; torch threads "
          f"{torch.get_num_threads()}")
    for name, build, call in CASES:
        tm, nm = pair(build)
        compare(name + " fwd+bwd", train_step(nm, nx, call), train_step(tm, tx, call),
                reps=5, number=5, unit="ms")
        tm.eval()
        nm.eval()
        compare(name + " eval", infer(nt, nm, nx.detach(), call),
                infer(torch, tm, tx.detach(), call), reps=5, number=5, unit="ms")
    report()
