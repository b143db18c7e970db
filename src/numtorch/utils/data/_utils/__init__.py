"""Internals of the DataLoader: collation, fetching, worker processes."""
from . import collate, fetch, worker  # noqa: F401

MP_STATUS_CHECK_INTERVAL = worker.MP_STATUS_CHECK_INTERVAL
