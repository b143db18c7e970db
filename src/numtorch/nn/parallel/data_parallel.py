"""DataParallel: torch's single-process multi-GPU wrapper; on CPU it runs the module as is."""
from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Runs ``module`` unchanged (numtorch has no GPUs to split the batch over), keeping
    torch's ``module.`` prefix in ``state_dict`` so checkpoints match.

    Example::

        >>> model = DataParallel(numtorch.nn.Linear(3, 1))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
