"""``ReduceOp``: the reductions of ``all_reduce``/``reduce``/``reduce_scatter``, as in torch.

``dist.ReduceOp.SUM`` is a ``RedOpType`` enum member that prints ``<RedOpType.SUM: 0>``,
like torch's. MPI has no AVG: numtorch sums and divides by the group size.
"""
import enum

__all__ = ["ReduceOp", "RedOpType"]


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __str__(self):
        return f"RedOpType.{self.name}"


class ReduceOp:
    """Namespace of reduction operations (``dist.ReduceOp.SUM``, ``AVG``, ``MAX``...)."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM

    def __new__(cls, op=RedOpType.SUM):
        # ReduceOp(ReduceOp.MAX) in torch gives back an object equal to MAX.
        return RedOpType(op)


def _as_op(op):
    """Normalise a user's ``op`` argument to a ``RedOpType`` (TypeError for anything else)."""
    if isinstance(op, RedOpType):
        return op
    if isinstance(op, int) and not isinstance(op, bool):
        try:
            return RedOpType(op)
        except ValueError:
            pass
    raise TypeError(f"op should be a torch.distributed.ReduceOp, but got {op!r}")
