"""Tensor methods backed by nn ops (softmax, log_softmax, ...), attached here so that the nn
ops stay in their own files. Must not import numtorch.nn (it is loaded lazily)."""
