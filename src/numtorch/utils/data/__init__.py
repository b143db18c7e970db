"""numtorch.utils.data: datasets, samplers and the DataLoader (torch.utils.data's API)."""
from .dataset import Dataset as Dataset
from .dataset import IterableDataset as IterableDataset
from .dataset import TensorDataset as TensorDataset
from .dataset import StackDataset as StackDataset
from .dataset import ConcatDataset as ConcatDataset
from .dataset import ChainDataset as ChainDataset
from .dataset import Subset as Subset
from .dataset import random_split as random_split
from .sampler import Sampler as Sampler
from .sampler import SequentialSampler as SequentialSampler
from .sampler import RandomSampler as RandomSampler
from .sampler import SubsetRandomSampler as SubsetRandomSampler
from .sampler import WeightedRandomSampler as WeightedRandomSampler
from .sampler import BatchSampler as BatchSampler
from .distributed import DistributedSampler as DistributedSampler
from .dataloader import DataLoader as DataLoader
from .dataloader import get_worker_info as get_worker_info
from .dataloader import default_collate as default_collate
from .dataloader import default_convert as default_convert
from ._utils.worker import WorkerInfo as WorkerInfo
from . import distributed as distributed

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "DataLoader", "get_worker_info", "default_collate",
           "default_convert", "WorkerInfo"]
