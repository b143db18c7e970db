"""Recurrent layers: RNN (tanh/relu), LSTM (with proj_size), GRU and their cells.

Each layer and direction projects the whole input sequence with one GEMM, then steps through
time with the recurrent matmul; gradients come from autograd over these ops. Packed
sequences step over ``batch_sizes`` (the first ``batch_sizes[t]`` rows are active at t).
"""
import math
import numbers
import warnings

from ..._tensor import Tensor
from ... import _creation
from ...ops import shape as _S
from ..parameter import Parameter
from .. import functional as F
from .. import init
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# ---- one time step of each cell (inputs already projected: gi = x W_ih^T + b_ih) ----------
def _rnn_tanh_step(gi, h, w_hh, b_hh):
    return (gi + F.linear(h, w_hh, b_hh)).tanh()


def _rnn_relu_step(gi, h, w_hh, b_hh):
    return F.relu(gi + F.linear(h, w_hh, b_hh))


def _lstm_step(gi, hc, w_hh, b_hh, w_hr=None):
    h, c = hc
    gates = gi + F.linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_new = o.sigmoid() * c_new.tanh()
    if w_hr is not None:
        h_new = F.linear(h_new, w_hr)
    return h_new, c_new


def _gru_step(gi, h, w_hh, b_hh):
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n)


_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Base of RNN, LSTM and GRU: parameters ``weight_ih_l{k}[_reverse]`` ... and the loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(
                f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(_creation.empty(gate_size, layer_input, dtype=dtype)),
                          Parameter(_creation.empty(gate_size, real_hidden, dtype=dtype))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(_creation.empty(gate_size, dtype=dtype)),
                               Parameter(_creation.empty(gate_size, dtype=dtype))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(_creation.empty(proj_size, hidden_size,
                                                            dtype=dtype)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params):
                    setattr(self, name, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        """No-op (there is no cuDNN weight buffer to compact)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("proj_size", 0)

    # ---- checks -----------------------------------------------------------------------------
    def _check_input(self, input, batch_sizes):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"input must have the type {w.dtype}, got type {input.dtype}")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(
                f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.size(-1)}")

    def _expected_hidden(self, input, batch_sizes, cell=False):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        d = 2 if self.bidirectional else 1
        size = self.hidden_size if (cell or self.proj_size == 0) else self.proj_size
        return (self.num_layers * d, mini_batch, size)

    @staticmethod
    def _check_hidden(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected):
            raise RuntimeError(msg.format(list(expected), list(hx.size())))

    # ---- forward ------------------------------------------------------------------------------
    def forward(self, input, hx=None):
        is_lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        batch_dim = 0 if self.batch_first else 1
        is_batched = True
        if packed:
            data, batch_sizes = input.data, input.batch_sizes._data
            sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
            if hx is not None and sorted_indices is not None:
                if is_lstm:
                    hx = (hx[0].index_select(1, sorted_indices),
                          hx[1].index_select(1, sorted_indices))
                else:
                    hx = hx.index_select(1, sorted_indices)
        else:
            batch_sizes = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D instead")
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(batch_dim)
                if hx is not None:
                    if is_lstm:
                        if hx[0].dim() != 2 or hx[1].dim() != 2:
                            raise RuntimeError(
                                "For unbatched 2-D input, hx and cx should also be 2-D but got "
                                f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                        hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
                    else:
                        if hx.dim() != 2:
                            raise RuntimeError(
                                "For unbatched 2-D input, hx should also be 2-D but got "
                                f"{hx.dim()}-D tensor")
                        hx = hx.unsqueeze(1)
            elif hx is not None:
                if is_lstm:
                    if hx[0].dim() != 3 or hx[1].dim() != 3:
                        raise RuntimeError(
                            "For batched 3-D input, hx and cx should also be 3-D but got "
                            f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                elif hx.dim() != 3:
                    raise RuntimeError(
                        f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D "
                        "tensor")
            data = input.transpose(0, 1) if self.batch_first else input
            sorted_indices = unsorted_indices = None
        self._check_input(data, batch_sizes)
        exp_h = self._expected_hidden(data if packed else input, batch_sizes)
        exp_c = self._expected_hidden(data if packed else input, batch_sizes, cell=True)
        if hx is None:
            h0 = _creation.zeros(exp_h, dtype=data.dtype)
            c0 = _creation.zeros(exp_c, dtype=data.dtype) if is_lstm else None
        elif is_lstm:
            self._check_hidden(hx[0], exp_h, "Expected hidden[0] size {}, got {}")
            self._check_hidden(hx[1], exp_c, "Expected hidden[1] size {}, got {}")
            h0, c0 = hx
        else:
            self._check_hidden(hx, exp_h)
            h0, c0 = hx, None
        out, h_n, c_n = self._run(data, batch_sizes, h0, c0)
        if packed:
            output = PackedSequence(out, input.batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                if c_n is not None:
                    c_n = c_n.index_select(1, unsorted_indices)
        else:
            output = out.transpose(0, 1) if self.batch_first else out
            if not is_batched:
                output = output.squeeze(batch_dim)
                h_n = h_n.squeeze(1)
                if c_n is not None:
                    c_n = c_n.squeeze(1)
        if is_lstm:
            return output, (h_n, c_n)
        return output, h_n

    def _step_fn(self):
        return {"LSTM": _lstm_step, "GRU": _gru_step, "RNN_TANH": _rnn_tanh_step,
                "RNN_RELU": _rnn_relu_step}[self.mode]

    def _run(self, x, batch_sizes, h0, c0):
        """x: (T, B, in) or packed data (sum(batch_sizes), in)."""
        d = 2 if self.bidirectional else 1
        is_lstm = self.mode == "LSTM"
        h_out, c_out = [], []
        layer_in = x
        for layer in range(self.num_layers):
            dir_outs = []
            for direction in range(d):
                names = self._all_weights[layer * d + direction]
                ws = [getattr(self, n) for n in names]
                w_ih, w_hh = ws[0], ws[1]
                b_ih = ws[2] if self.bias else None
                b_hh = ws[3] if self.bias else None
                w_hr = ws[-1] if self.proj_size > 0 else None
                idx = layer * d + direction
                state = (h0[idx], c0[idx]) if is_lstm else h0[idx]
                seq, state = self._run_direction(layer_in, batch_sizes, state, w_ih, w_hh, b_ih,
                                                 b_hh, w_hr, direction == 1)
                dir_outs.append(seq)
                if is_lstm:
                    h_out.append(state[0])
                    c_out.append(state[1])
                else:
                    h_out.append(state)
            layer_out = dir_outs[0] if d == 1 else _S.cat(dir_outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_out = F.dropout(layer_out, self.dropout, True)
            layer_in = layer_out
        h_n = _S.stack(h_out, 0)
        c_n = _S.stack(c_out, 0) if is_lstm else None
        return layer_in, h_n, c_n

    def _run_direction(self, x, batch_sizes, state, w_ih, w_hh, b_ih, b_hh, w_hr, reverse):
        step = self._step_fn()
        is_lstm = self.mode == "LSTM"
        extra = (w_hr,) if is_lstm else ()
        if batch_sizes is None:
            t_len, b = x.shape[0], x.shape[1]
            gi_all = F.linear(x.reshape(t_len * b, x.shape[2]), w_ih, b_ih).view(t_len, b, -1)
            outs = [None] * t_len
            order = range(t_len - 1, -1, -1) if reverse else range(t_len)
            for t in order:
                state = step(gi_all[t], state, w_hh, b_hh, *extra)
                outs[t] = state[0] if is_lstm else state
            seq = _S.stack(outs, 0) if t_len else x.new_zeros((0, b, w_hh.shape[1]))
            return seq, state
        gi_all = F.linear(x, w_ih, b_ih)
        sizes = [int(s) for s in batch_sizes]
        offsets = [0]
        for s in sizes:
            offsets.append(offsets[-1] + s)
        outs = [None] * len(sizes)
        order = range(len(sizes) - 1, -1, -1) if reverse else range(len(sizes))
        for t in order:
            bs = sizes[t]
            gi = gi_all[offsets[t]:offsets[t] + bs]
            if is_lstm:
                h, c = state
                full = h.shape[0]
                nh, nc = step(gi, (h[:bs], c[:bs]), w_hh, b_hh, *extra)
                outs[t] = nh
                if bs < full:
                    nh = _S.cat([nh, h[bs:]], 0)
                    nc = _S.cat([nc, c[bs:]], 0)
                state = (nh, nc)
            else:
                full = state.shape[0]
                nh = step(gi, state[:bs], w_hh, b_hh)
                outs[t] = nh
                state = _S.cat([nh, state[bs:]], 0) if bs < full else nh
        return _S.cat(outs, 0), state


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> out, hn = rnn(numtorch.randn(5, 3, 10), numtorch.randn(2, 3, 20))
        >>> out.shape
        numtorch.Size([5, 3, 20])
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError(
                "proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory RNN; returns ``output, (h_n, c_n)``; ``proj_size`` projects h.

    Example::

        >>> lstm = nn.LSTM(10, 20, 2)
        >>> out, (hn, cn) = lstm(numtorch.randn(5, 3, 10))
        >>> out.shape
        numtorch.Size([5, 3, 20])
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit RNN; returns ``output, h_n``."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError(
                "proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """Base of the single-step cells: weight_ih, weight_hh, bias_ih, bias_hh."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty(num_chunks * hidden_size, input_size,
                                                   dtype=dtype))
        self.weight_hh = Parameter(_creation.empty(num_chunks * hidden_size, hidden_size,
                                                   dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(
                f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            hs = hx if isinstance(hx, Tensor) else hx[0]
            if hs.dim() not in (1, 2):
                raise ValueError(
                    f"{name}: Expected hidden to be 1D or 2D, got {hs.dim()}D instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(-1)} expected "
                f"{self.input_size}")
        return input.dim() == 2


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        batched = self._prepare(input, hx, "RNNCell")
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        if self.nonlinearity == "tanh":
            ret = _rnn_tanh_step(gi, hx, self.weight_hh, self.bias_hh)
        elif self.nonlinearity == "relu":
            ret = _rnn_relu_step(gi, hx, self.weight_hh, self.bias_hh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        batched = self._prepare(input, hx, "LSTMCell")
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _lstm_step(gi, hx, self.weight_hh, self.bias_hh)
        if not batched:
            return h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        batched = self._prepare(input, hx, "GRUCell")
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        ret = _gru_step(gi, hx, self.weight_hh, self.bias_hh)
        return ret if batched else ret.squeeze(0)
