"""numtorch.distributed: torch.distributed's API (process groups, collectives) on MPI.

Start the job with MPI's launcher and call ``init_process_group`` in every rank::

    mpiexec -n 4 python train.py

See docs/distributed.md. Importing this package does not import mpi4py; only
``init_process_group`` does.
"""
from ._reduce_op import ReduceOp as ReduceOp, RedOpType as RedOpType
from .distributed_c10d import (
    Backend as Backend,
    ProcessGroup as ProcessGroup,
    Work as Work,
    GroupMember as GroupMember,
    group as group,
    DistError as DistError,
    DistBackendError as DistBackendError,
    P2POp as P2POp,
    default_pg_timeout as default_pg_timeout,
    is_available as is_available,
    is_initialized as is_initialized,
    is_mpi_available as is_mpi_available,
    is_gloo_available as is_gloo_available,
    is_nccl_available as is_nccl_available,
    is_torchelastic_launched as is_torchelastic_launched,
    init_process_group as init_process_group,
    destroy_process_group as destroy_process_group,
    new_group as new_group,
    get_rank as get_rank,
    get_world_size as get_world_size,
    get_backend as get_backend,
    get_group_rank as get_group_rank,
    get_global_rank as get_global_rank,
    get_process_group_ranks as get_process_group_ranks,
    barrier as barrier,
    monitored_barrier as monitored_barrier,
    all_reduce as all_reduce,
    broadcast as broadcast,
    reduce as reduce,
    all_gather as all_gather,
    all_gather_into_tensor as all_gather_into_tensor,
    reduce_scatter as reduce_scatter,
    reduce_scatter_tensor as reduce_scatter_tensor,
    gather as gather,
    scatter as scatter,
    all_to_all as all_to_all,
    all_to_all_single as all_to_all_single,
    send as send,
    recv as recv,
    isend as isend,
    irecv as irecv,
    batch_isend_irecv as batch_isend_irecv,
    broadcast_object_list as broadcast_object_list,
    all_gather_object as all_gather_object,
    gather_object as gather_object,
    scatter_object_list as scatter_object_list,
)
from . import distributed_c10d as distributed_c10d

__all__ = [
    "ReduceOp", "RedOpType", "Backend", "ProcessGroup", "Work", "GroupMember", "group",
    "DistError", "DistBackendError", "P2POp", "default_pg_timeout", "is_available",
    "is_initialized", "is_mpi_available", "is_gloo_available", "is_nccl_available",
    "is_torchelastic_launched", "init_process_group", "destroy_process_group", "new_group",
    "get_rank", "get_world_size", "get_backend", "get_group_rank", "get_global_rank",
    "get_process_group_ranks", "barrier", "monitored_barrier", "all_reduce", "broadcast",
    "reduce", "all_gather", "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor",
    "gather", "scatter", "all_to_all", "all_to_all_single", "send", "recv", "isend", "irecv",
    "batch_isend_irecv", "broadcast_object_list", "all_gather_object", "gather_object",
    "scatter_object_list",
]
