"""numtorch.nn.parallel: DistributedDataParallel (on numtorch.distributed / MPI), DataParallel."""
from .distributed import DistributedDataParallel as DistributedDataParallel
from .data_parallel import DataParallel as DataParallel

__all__ = ["DistributedDataParallel", "DataParallel"]
