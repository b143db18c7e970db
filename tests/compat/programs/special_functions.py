# xfail: composite special functions print their last primitive's grad_fn (LogBackward0 for logit ...), not torch's fused node names
# torch.special functions (and their gradients)
import torch

x = torch.linspace(0.05, 0.95, 5, requires_grad=True)
fns = {
    'erf': torch.special.erf, 'erfc': torch.special.erfc, 'erfinv': torch.special.erfinv,
    'expit': torch.special.expit, 'logit': torch.special.logit, 'exp2': torch.special.exp2,
    'expm1': torch.special.expm1, 'log1p': torch.special.log1p, 'gammaln': torch.special.gammaln,
    'digamma': torch.special.digamma, 'sinc': torch.special.sinc, 'ndtr': torch.special.ndtr,
    'ndtri': torch.special.ndtri, 'log_ndtr': torch.special.log_ndtr, 'i0': torch.special.i0,
    'i0e': torch.special.i0e, 'i1': torch.special.i1, 'i1e': torch.special.i1e,
    'xlogy': lambda t: torch.special.xlogy(t, t + 1), 'xlog1py': lambda t: torch.special.xlog1py(t, t),
    'entr': torch.special.entr, 'round': torch.special.round, 'softmax': lambda t: torch.special.softmax(t, 0),
    'log_softmax': lambda t: torch.special.log_softmax(t, 0), 'logsumexp': lambda t: torch.special.logsumexp(t, 0),
    'erfcx': torch.special.erfcx,
    'multigammaln': lambda t: torch.special.multigammaln(t + 2, 2),
}
for name, fn in fns.items():
    x.grad = None
    y = fn(x)
    if y.requires_grad:
        y.sum().backward()
        print(name, y, x.grad)
    else:
        print(name, y)
print(torch.special.logit(torch.tensor([0.0, 1.0, 0.3]), eps=1e-6))
print(torch.lgamma(torch.tensor([0.5, 3.])), torch.digamma(torch.tensor([1.])), torch.sigmoid(torch.tensor([0.])))
print(torch.logit(torch.tensor([0.25])), torch.xlogy(torch.tensor([0., 2.]), torch.tensor([0., 3.])))
print(torch.i0(torch.tensor([1.])), torch.sinc(torch.tensor([0., 0.5])))
