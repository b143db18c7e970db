# Copied from /work/shared/acceptance/shim/torch/__init__.py (the acceptance suite's shim) so that
# tests/compat does not depend on /work/shared at test time. Keep in sync by hand.
"""Acceptance-test shim: make ``import torch`` resolve to ``numtorch``.

run.py puts the directory *containing* this ``torch`` package first on
PYTHONPATH when it runs a case with ``--impl numtorch``.  Importing it:

* imports ``numtorch`` (failing loudly if it is missing),
* replaces ``sys.modules['torch']`` by the ``numtorch`` module object, and
* installs a meta-path finder so that every ``torch.<sub>`` import
  (``torch.nn``, ``torch.nn.functional``, ``torch.optim.lr_scheduler``,
  ``torch.utils.data`` ...) returns the *same module object* as
  ``numtorch.<sub>`` (no second copy of numtorch's code is executed).

A ``torch.<sub>`` that numtorch lacks raises ModuleNotFoundError naming the
torch module, exactly like a missing module would.
"""
import importlib
import importlib.abc
import importlib.util
import sys

try:
    import numtorch as _numtorch
except ImportError as _exc:  # pragma: no cover - exercised only without numtorch
    raise ImportError(
        "acceptance shim: 'import torch' is redirected to numtorch, but numtorch "
        "cannot be imported (%s). Put numtorch on PYTHONPATH, e.g. "
        "run.py --impl numtorch --pythonpath /path/to/numtorch/parent" % (_exc,)
    ) from _exc

_PREFIX = "torch."
_REAL = "numtorch."


class _TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve ``torch.X.Y`` as the already-imported module ``numtorch.X.Y``."""

    def __init__(self):
        self._orig_specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX):
            return None
        real = _REAL + fullname[len(_PREFIX):]
        try:
            real_spec = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            real_spec = None
        if real_spec is None:
            return None  # -> ModuleNotFoundError: No module named 'torch.X'
        return importlib.util.spec_from_loader(
            fullname, self,
            is_package=real_spec.submodule_search_locations is not None)

    def create_module(self, spec):
        real = _REAL + spec.name[len(_PREFIX):]
        module = importlib.import_module(real)
        # the import system overwrites __spec__ on the returned module; keep the
        # original so numtorch's own relative imports/reloads keep working
        self._orig_specs[spec.name] = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        spec = getattr(module, "__spec__", None)
        name = getattr(spec, "name", None)
        if name in self._orig_specs:
            orig = self._orig_specs.pop(name)
            if orig is not None:
                try:
                    module.__spec__ = orig
                except AttributeError:
                    pass


sys.meta_path.insert(0, _TorchAliasFinder())

# alias numtorch submodules that are already imported
for _name, _mod in list(sys.modules.items()):
    if _name.startswith(_REAL) and _mod is not None:
        sys.modules.setdefault(_PREFIX + _name[len(_REAL):], _mod)

# finally, `import torch` itself yields numtorch (the import system re-reads
# sys.modules['torch'] after executing this file)
sys.modules["torch"] = _numtorch
