"""Printing tensors exactly as torch does (precision, scientific switch, summarisation, suffixes)."""
import math

import numpy as np

from . import _dtype


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options (same arguments and profiles as torch.set_printoptions)."""
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
        elif profile == "short":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
        elif profile == "full":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {"precision": PRINT_OPTS.precision, "threshold": PRINT_OPTS.threshold,
            "edgeitems": PRINT_OPTS.edgeitems, "linewidth": PRINT_OPTS.linewidth,
            "sci_mode": PRINT_OPTS.sci_mode}


class _Formatter:
    """Decides int mode / scientific mode and the column width from the values shown."""

    def __init__(self, arr):
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absd = np.abs(vals.astype(np.float64))
        vmin, vmax = float(absd.min()), float(absd.max())
        pyvals = vals.tolist()
        for v in pyvals:
            if v != math.ceil(v):
                self.int_mode = False
                break
        p = PRINT_OPTS.precision
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            for v in pyvals:
                self.max_width = max(self.max_width, len(f"{v:.{p}e}"))
        elif self.int_mode:
            for v in pyvals:
                self.max_width = max(self.max_width, len(f"{v:.0f}") + 1)
        else:
            for v in pyvals:
                self.max_width = max(self.max_width, len(f"{v:.{p}f}"))

    def width(self):
        return self.max_width

    def format(self, value):
        p = PRINT_OPTS.precision
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(arr):
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * e:
            return np.concatenate((arr[:e], arr[-e:]))
        return arr
    if not e:
        return np.empty([0] * arr.ndim, arr.dtype)
    if arr.shape[0] > 2 * e:
        rows = [arr[i] for i in range(e)] + [arr[i] for i in range(len(arr) - e, len(arr))]
    else:
        rows = list(arr)
    return np.stack([_summarized(r) for r in rows])


def _val_str(v, fmt, fmt2):
    if fmt2 is None:
        return fmt.format(v)
    re = fmt.format(v.real)
    im = (fmt2.format(v.imag) + "j").lstrip()
    return re + im if im[0] in "+-" else re + "+" + im


def _vector_str(arr, indent, summarize, fmt, fmt2=None):
    e = PRINT_OPTS.edgeitems
    element_length = fmt.width() + 2
    if fmt2 is not None:
        element_length += fmt2.width() + 1
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = [_val_str(v, fmt, fmt2) for v in arr[:e].tolist()] + [" ..."] + \
            [_val_str(v, fmt, fmt2) for v in arr[-e:].tolist()]
    else:
        data = [_val_str(v, fmt, fmt2) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(arr, indent, summarize, fmt, fmt2=None):
    dim = arr.ndim
    if dim == 0:
        return _val_str(arr.item(), fmt, fmt2)
    if dim == 1:
        return _vector_str(arr, indent, summarize, fmt, fmt2)
    e = PRINT_OPTS.edgeitems
    if summarize and arr.shape[0] > 2 * e:
        slices = [_str_with_formatter(arr[i], indent + 1, summarize, fmt, fmt2)
                  for i in range(e)] + ["..."] + \
            [_str_with_formatter(arr[i], indent + 1, summarize, fmt, fmt2)
             for i in range(len(arr) - e, len(arr))]
    else:
        slices = [_str_with_formatter(arr[i], indent + 1, summarize, fmt, fmt2)
                  for i in range(arr.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(arr, indent):
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    if arr.dtype.kind == "c":
        re, im = arr.real, arr.imag
        f1 = _Formatter(_summarized(re) if summarize else re)
        f2 = _Formatter(_summarized(im) if summarize else im)
        return _str_with_formatter(arr, indent, summarize, f1, f2)
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _str_with_formatter(arr, indent, summarize, fmt)


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix)
        if last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix="tensor("):
    arr = t._data
    indent = len(prefix)
    suffixes = []
    d = _dtype._FROM_NP[arr.dtype]
    default = _dtype.get_default_dtype()
    has_default = d in (default, default.to_complex(), _dtype.int64, _dtype.bool_)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append("size=" + str(tuple(arr.shape)))
        if d is not default:
            suffixes.append("dtype=" + repr(d))
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(arr.shape)))
        if not has_default:
            suffixes.append("dtype=" + repr(d))
        body = _tensor_str(arr, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name().rsplit('::', 1)[-1]}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
