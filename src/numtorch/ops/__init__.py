"""Every differentiable primitive lives in this package (forward and backward side by side).

Public functions are re-exported at ``numtorch.<name>`` by the package ``__init__``.
"""
