"""The local learning coefficient (LLC) of a network at its weights, estimated by SGLD with localisation.

Lau, Furman, Wang, Murfet, Wei (2025), "The local learning coefficient: a singularity-aware complexity
measure". Around the weights w* (a local minimum of the mean training loss L_n), SGLD samples the
localised tempered posterior ``p(w) ~ exp(-nβ L_n(w) - γ/2 |w - w*|²)`` and

    λ̂(w*) = nβ (E_w[L_n(w)] - L_n(w*)),

with ``nbeta`` = nβ = n / ln n by default (the paper's β* = 1 / ln n). One SGLD step on a minibatch B is

    w <- w - ε/2 (γ (w - w*) + nβ ∇L_B(w)) + N(0, ε I),

and the minibatch loss L_B(w) at each draw (an unbiased estimate of L_n(w)) forms the chain's trace.
A regular model (a non-degenerate minimum) has λ = d/2 for d parameters; a singular one has less.

Calibration (``epsilon=None``, the default; `_auto_epsilon` has the details). The step starts at
``ε = AUTO_STEP / (nβ h + γ)``, h the largest Hessian eigenvalue of L_n: the stiffest direction's
stationary variance is then inflated by at most 1 / (1 - AUTO_STEP/4) (5 % for 0.2). Short pilot chains
raise h to the curvature SGLD meets away from w* (a singular w* is flat where its surroundings are not),
and a coupled pilot at ε and ε/2 halves ε while its measured bias exceeds STEP_TOL (a hinge or ReLU loss
has kinks that no Hessian shows). The chains of each round's coupled pilot give the curvature away from
w*, and the accepted pilot's coarse chain (an SGLD chain from w* at the final ε) is continued as chain 0,
so its first PILOT_STEPS steps are not run twice. So one default serves every checkpoint of a training
run. Every estimate carries stability checks (`PROBLEMS`): a chain whose loss is not finite, a mean that drifts
between the first and second half of the draws, an estimate below 0 or above d/2 beyond its error.
``est.llc`` is None when any check fails.

Examples
--------
>>> import torch
>>> g = torch.Generator().manual_seed(0)
>>> X = torch.randn(1000, 3, generator=g)
>>> y = X @ torch.tensor([1.0, -2.0, 0.5]) + torch.randn(1000, generator=g)
>>> model = torch.nn.Linear(3, 1, bias=False)
>>> with torch.no_grad():
...     _ = model.weight.copy_(torch.linalg.lstsq(X, y[:, None]).solution.T)
>>> est = estimate_llc(model, X, y, loss="mse", gamma=1.0, chains=8, draws=200, burn_in=50, batch_size=1000,
...                    seed=0)
>>> est.stable, est.d, abs(est.mean - 1.5) < 0.3      # a regular model: λ = d/2
(True, 3, True)
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from ..errors import CompareError

__all__ = ["LLCConfig", "LLCEstimate", "LOSSES", "PROBLEMS", "AUTO_STEP", "DRIFT_TOL", "Z_CHECK", "ABOVE_TOL",
           "estimate_llc", "default_nbeta"]

AUTO_STEP = 0.2     # ε (nβ h + γ) for the automatic step: stiffest-direction variance inflated <= 5 %
DRIFT_TOL = 0.05    # largest tolerated |λ̂(second half) - λ̂(first half)| relative to |λ̂| (when significant)
Z_CHECK = 3.0       # standard errors a check's deviation must exceed to count
PILOT_STEPS = 50    # steps of each pilot chain of the automatic step
PILOT_ROUNDS = 4    # rounds at most
HESSIAN_ROWS = 1024  # rows the Hessian power iteration sees
STEP_TOL = 0.1      # largest tolerated step bias of the automatic ε, relative to λ̂ (coupled pilot at ε, ε/2)
MAX_HALVINGS = 4    # halvings of the automatic ε for its step bias at most
_SQRT2 = math.sqrt(2.0)
ABOVE_TOL = 0.1     # the d/2 check allows this relative excess (the automatic step alone inflates <= 5 %)


# ------------------------------------------------------------------------------------------------- losses

def _match_shape(out: torch.Tensor, y: torch.Tensor, what: str) -> torch.Tensor:
    if out.shape == y.shape:
        return y
    if out.numel() == y.numel():
        return y.reshape(out.shape)
    raise CompareError(f"estimate_llc: loss {what!r} needs y of the output's shape {tuple(out.shape)}, "
                       f"got {tuple(y.shape)}")


def _mse(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.mse_loss(out, _match_shape(out, y, "mse").to(out.dtype))


def _cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(out, y.long())


def _bce_logits(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.binary_cross_entropy_with_logits(out, _match_shape(out, y, "bce_logits").to(out.dtype))


LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

LOSSES: Mapping[str, LossFn] = {
    "mse": _mse,                     # mean over all output entries of (out - y)**2
    "cross_entropy": _cross_entropy,  # logits (m, classes), integer labels (m,)
    "bce_logits": _bce_logits,       # one logit per row, labels in {0, 1}
}

PROBLEMS = {
    "not_finite": "a chain's loss became NaN or infinite (the step ε is too large)",
    "drift": "the chains' mean moved between the first and second half of the draws (not at equilibrium: "
             "more burn-in or draws, or w* is not a local minimum)",
    "negative": "the estimate is below 0 beyond its error (SGLD found lower loss: w* is not a local minimum)",
    "above_d_half": "the estimate exceeds d/2 by more than ABOVE_TOL beyond its error, impossible for an LLC "
                    "(ε too large)",
}


def default_nbeta(n: int) -> float:
    """n / ln n: the paper's inverse temperature β* = 1 / ln n, times n."""
    if n < 2:
        raise CompareError(f"default_nbeta: need n >= 2 training rows, got {n}")
    return n / math.log(n)


# ------------------------------------------------------------------------------------------------ results

@dataclass(frozen=True)
class LLCConfig:
    """SGLD hyperparameters; `estimate_llc` takes the same names as keywords. Defaults and why:

    ``epsilon=None``: automatic (module docstring), because a fixed step that is safe at the sharpest
    checkpoint of a run is needlessly slow at the others, and a kinked loss needs a smaller one than its
    curvature says. ``nbeta=None``: n / ln n (β* = 1 / ln n, Lau et al.). ``gamma=100``: as in Lau et al.'s
    and devinterp's examples; directions with nβ·curvature << γ are held by the localisation and count ~0,
    so γ must be small next to the curvatures that matter yet keep chains near w* in flat directions.
    ``chains=4, draws=200``: devinterp 2's defaults; the SE comes from the spread across chains.
    ``burn_in=100``: the chains start at w* and their loss rises for ~2 / (ε (nβ h + γ)) steps in stiff
    directions and ~2 / (ε γ) in soft ones (10 to ~100 steps at the automatic ε); the drift check says when
    it was too short. ``batch_size=None``: min(n, 256) rows (bench/llc_bench.py: 3x faster than 1024 on
    the modular-addition net, same estimate). ``threads=1``: torch's intra-op threads while
    sampling, so results do not depend on the machine.
    """

    epsilon: float | None = None
    nbeta: float | None = None
    gamma: float = 100.0
    chains: int = 4
    draws: int = 200
    burn_in: int = 100
    batch_size: int | None = None
    seed: int = 0
    threads: int | None = 1

    def __post_init__(self) -> None:
        checks = [("epsilon", self.epsilon, self.epsilon is None or self.epsilon > 0, "> 0 or None"),
                  ("nbeta", self.nbeta, self.nbeta is None or self.nbeta > 0, "> 0 or None"),
                  ("gamma", self.gamma, self.gamma >= 0, ">= 0"),
                  ("chains", self.chains, self.chains >= 1, ">= 1"),
                  ("draws", self.draws, self.draws >= 2, ">= 2"),
                  ("burn_in", self.burn_in, self.burn_in >= 0, ">= 0"),
                  ("batch_size", self.batch_size, self.batch_size is None or self.batch_size >= 1, ">= 1 or None"),
                  ("threads", self.threads, self.threads is None or self.threads >= 1, ">= 1 or None")]
        for name, value, ok, need in checks:
            if not ok or (isinstance(value, float) and not math.isfinite(value)):
                raise CompareError(f"estimate_llc: {name} must be {need}, got {value!r}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "LLCConfig":
        """Inverse of `as_dict`."""
        return cls(**dict(d))


@dataclass(frozen=True)
class LLCEstimate:
    """One LLC estimate: the value, its error, the chains, and what the stability checks found.

    ``mean`` is λ̂ averaged over chains, ``se`` the standard error across chains (std / sqrt(chains);
    NaN for one chain), ``chain_means`` λ̂ per chain, ``trace[c][k]`` chain c's minibatch loss at draw k,
    ``init_loss`` L_n(w*) on all n rows, ``d`` the number of sampled parameters, ``config`` the
    hyperparameters as used (``epsilon`` and ``nbeta`` resolved), ``hessian_top`` the top Hessian
    eigenvalue that set an automatic ε (None when ε was given), ``step_halvings`` how often the coupled
    pilot halved it, ``drift`` λ̂ of the second half of the draws minus λ̂ of the first half (mean over
    chains) and ``drift_se`` its standard error, ``problems`` the keys of failed checks (`PROBLEMS`) and
    ``messages`` one line each.
    """

    mean: float
    se: float
    chain_means: tuple[float, ...]
    init_loss: float
    trace: tuple[tuple[float, ...], ...]
    n: int
    d: int
    loss: str
    config: LLCConfig
    hessian_top: float | None
    step_halvings: int
    drift: float
    drift_se: float
    problems: tuple[str, ...]
    messages: tuple[str, ...]

    @property
    def stable(self) -> bool:
        """True when every stability check passed."""
        return not self.problems

    @property
    def llc(self) -> float | None:
        """The estimate when it is stable, else None (read ``messages``)."""
        return self.mean if self.stable else None

    def summary(self) -> dict[str, Any]:
        """The numbers without the trace: llc (None when unstable), mean, se, stable, problems, ε, nβ, γ."""
        c = self.config
        return {"llc": _num(self.llc), "mean": _num(self.mean), "se": _num(self.se), "stable": self.stable,
                "problems": list(self.problems), "epsilon": c.epsilon, "nbeta": c.nbeta, "gamma": c.gamma,
                "chains": c.chains, "draws": c.draws, "d": self.d, "n": self.n}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None)."""
        return {"mean": _num(self.mean), "se": _num(self.se), "chain_means": [_num(x) for x in self.chain_means],
                "init_loss": _num(self.init_loss), "trace": [[_num(x) for x in t] for t in self.trace],
                "n": self.n, "d": self.d, "loss": self.loss, "config": self.config.as_dict(),
                "hessian_top": _num(self.hessian_top), "step_halvings": self.step_halvings,
                "drift": _num(self.drift), "drift_se": _num(self.drift_se), "problems": list(self.problems),
                "messages": list(self.messages)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "LLCEstimate":
        f = _unnum
        return cls(mean=f(d["mean"]), se=f(d["se"]), chain_means=tuple(f(x) for x in d["chain_means"]),
                   init_loss=f(d["init_loss"]), trace=tuple(tuple(f(x) for x in t) for t in d["trace"]),
                   n=int(d["n"]), d=int(d["d"]), loss=str(d["loss"]), config=LLCConfig.from_dict(d["config"]),
                   hessian_top=None if d["hessian_top"] is None else float(d["hessian_top"]),
                   step_halvings=int(d["step_halvings"]),
                   drift=f(d["drift"]), drift_se=f(d["drift_se"]), problems=tuple(d["problems"]),
                   messages=tuple(d["messages"]))


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _unnum(x: float | None) -> float:
    return float("nan") if x is None else float(x)


# ---------------------------------------------------------------------------------------------- sampling

class _Flat:
    """The model's trainable parameters as one flat vector, and a loss of that vector.

    The model (a private copy) gets its parameters' storage in one flat buffer, so `loss_grad` evaluates
    the model at ``w`` by one copy into that buffer and a plain call: about a quarter less time per SGLD
    step than `torch.func.functional_call` on the small networks of the cases (0.71 vs 0.93 ms for the
    grokking_modular network on 64 rows), where per-operation overhead dominates every step. `loss`
    (differentiable in ``w``, for Hessian-vector products) uses `functional_call`.
    """

    def __init__(self, model: nn.Module, loss_fn: LossFn) -> None:
        self.model = model
        self.loss_fn = loss_fn
        named = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
        if not named:
            raise CompareError("estimate_llc: the model has no trainable parameters")
        self.names = [k for k, _ in named]
        self.params = [p for _, p in named]
        self.shapes = [p.shape for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.w0 = torch.cat([p.detach().reshape(-1) for _, p in named]).clone()
        self._buf = self.w0.clone()
        with torch.no_grad():
            for p, v, s in zip(self.params, torch.split(self._buf, self.sizes), self.shapes):
                p.data = v.view(s)

    def loss(self, w: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        views = {k: v.view(s) for k, v, s in zip(self.names, torch.split(w, self.sizes), self.shapes)}
        return self.loss_fn(functional_call(self.model, views, (X,)), y)

    def loss_grad(self, w: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The loss at ``w`` (detached) and its gradient in ``w`` (flat)."""
        with torch.no_grad():
            self._buf.copy_(w)
        loss = self.loss_fn(self.model(X), y)
        grads = torch.autograd.grad(loss, self.params, allow_unused=True)
        flat = torch.cat([torch.zeros(n, dtype=self._buf.dtype) if g is None else g.reshape(-1)
                          for g, n in zip(grads, self.sizes)])
        return loss.detach(), flat


def _full_loss(flat: _Flat, X: torch.Tensor, y: torch.Tensor, chunk: int = 1 << 14) -> float:
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(X), chunk):
            part = flat.loss(flat.w0, X[i:i + chunk], y[i:i + chunk])
            total += float(part) * len(X[i:i + chunk])
    return total / len(X)


def _hessian_top(flat: _Flat, w: torch.Tensor, X: torch.Tensor, y: torch.Tensor, gen: torch.Generator,
                 iters: int = 30, rtol: float = 1e-2, v0: torch.Tensor | None = None
                 ) -> tuple[float, torch.Tensor | None]:
    """|largest-magnitude eigenvalue| of the Hessian of the loss at ``w`` (power iteration on Hessian-vector
    products; from below, so a lower bound near the top) and its unit eigenvector (None when the Hessian is
    0). The iteration starts from a seeded random vector, plus ``v0`` when given (the top direction at a
    nearby point: fewer iterations, still every direction in the start)."""
    w = w.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(flat.loss(w, X, y), w, create_graph=True)
    if not g.requires_grad:                      # piecewise-linear loss: the Hessian is 0
        return 0.0, None
    v = torch.randn(w.shape, generator=gen, dtype=w.dtype)
    v /= v.norm()
    if v0 is not None:
        v = v0 + 0.1 * v
        v /= v.norm()
    lam = 0.0
    for _ in range(iters):
        (hv,) = torch.autograd.grad(g, w, grad_outputs=v, retain_graph=True)
        new = float(hv @ v)
        norm = float(hv.norm())
        if not math.isfinite(norm) or norm == 0.0:
            return (abs(new) if math.isfinite(new) else float("inf")), None
        v = hv.detach() / norm
        if abs(new - lam) <= rtol * abs(new):
            return abs(new), v
        lam = new
    return abs(lam), v


def _run(flat: _Flat, X: torch.Tensor, y: torch.Tensor, *, steps: int, record_from: int, epsilon: float,
         nbeta: float, gamma: float, batch: int, gen: torch.Generator, start: torch.Tensor | None = None
         ) -> tuple[np.ndarray, int | None, torch.Tensor]:
    """SGLD from w* (or from ``start``, a chain's state to continue) for ``steps`` steps: the loss at each
    step from ``record_from`` on, the step where the loss stopped being finite (None if never), and the
    last weights."""
    n = len(X)
    w0 = flat.w0
    w = (w0 if start is None else start).clone()
    noise_scale = math.sqrt(epsilon)
    trace = np.full(steps - record_from, np.nan)
    rows = _batches(n, batch, gen)
    for t in range(steps):
        idx = next(rows)
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        loss, grad = flat.loss_grad(w, Xb, yb)
        value = float(loss)
        if not math.isfinite(value):
            return trace, t, w
        if t >= record_from:
            trace[t - record_from] = value
        with torch.no_grad():
            step = (w - w0).mul_(gamma).add_(grad, alpha=nbeta)
            w.add_(step, alpha=-0.5 * epsilon)
            w.add_(torch.randn(w.shape, generator=gen, dtype=w.dtype), alpha=noise_scale)
    return trace, None, w


def _batches(n: int, batch: int, gen: torch.Generator):
    """Row indices of successive minibatches: shuffled epochs of ``batch`` rows (None: all rows)."""
    order, pos = None, n
    while True:
        if batch >= n:
            yield None
            continue
        if pos + batch > n:
            order, pos = torch.randperm(n, generator=gen), 0
        yield order[pos:pos + batch]
        pos += batch


def _coupled_pilot(flat: _Flat, X: torch.Tensor, y: torch.Tensor, init_loss: float, *, epsilon: float,
                   nbeta: float, gamma: float, batch: int, gen: torch.Generator
                   ) -> tuple[float, float, float, list[torch.Tensor]]:
    """λ̂ of the second half of PILOT_STEPS steps at ε, of a chain at ε/2 that takes two steps per step,
    the standard error of their difference (from the means of 5 blocks of steps), and the two chains' last
    weights (empty, and the first two NaN, when a loss stopped being finite).

    The two share their noise (the coarse step's is (ξ1 + ξ2) / √2) and the first minibatch (the fine
    chain's second step takes the next one), so their difference is the bias of the step ε, from the
    discretisation and from the minibatch gradient noise alike, with little sampling noise. Each is an
    SGLD chain from w* (the coarse one at ε, the fine one at ε/2 over the same time), so their ends also
    show the curvature SGLD meets away from w* (`_auto_epsilon`).
    """
    w0 = flat.w0
    wa, wb = w0.clone(), w0.clone()
    la: list[float] = []
    lb: list[float] = []
    rows = _batches(len(X), batch, gen)
    for t in range(PILOT_STEPS):
        batches = [next(rows), next(rows)]
        noises = [torch.randn(w0.shape, generator=gen, dtype=w0.dtype) for _ in range(2)]
        moves = [(wb, epsilon / 2, batches[0], noises[0], lb), (wb, epsilon / 2, batches[1], noises[1], lb),
                 (wa, epsilon, batches[0], (noises[0] + noises[1]) / _SQRT2, la)]
        for w, eps, idx, xi, out in moves:
            loss, grad = flat.loss_grad(w, X, y) if idx is None else flat.loss_grad(w, X[idx], y[idx])
            value = float(loss)
            if not math.isfinite(value):
                return float("nan"), float("nan"), float("nan"), []
            if t >= PILOT_STEPS // 2:
                out.append(value)
            with torch.no_grad():
                w.add_((w - w0).mul_(gamma).add_(grad, alpha=nbeta), alpha=-0.5 * eps)
                w.add_(xi, alpha=math.sqrt(eps))
    diff = nbeta * (np.asarray(la) - np.asarray(lb).reshape(-1, 2).mean(1))
    blocks = np.array([b.mean() for b in np.array_split(diff, 5)])
    return (nbeta * (float(np.mean(la)) - init_loss), nbeta * (float(np.mean(lb)) - init_loss),
            float(blocks.std(ddof=1) / math.sqrt(len(blocks))), [wa, wb])


def _auto_epsilon(flat: _Flat, X: torch.Tensor, y: torch.Tensor, init_loss: float, nbeta: float, gamma: float,
                  batch: int, gen: torch.Generator) -> tuple[float, float, int, torch.Tensor | None]:
    """The automatic step: returns (ε, h, halvings, the state of the accepted pilot's coarse chain).

    1. Curvature: ε = AUTO_STEP / (nβ h + γ) with h the top Hessian eigenvalue (power iteration on
       HESSIAN_ROWS rows) at w*. A singular w* is flatter than the region SGLD explores, so in each round
       a coupled pilot (two chains of PILOT_STEPS steps' time, see 2) runs and h is raised to the largest
       curvature where its chains ended (or the scale x10 when one diverged), until it stops growing by
       more than half (PILOT_ROUNDS rounds at most).
    2. Step bias: a kinked loss (hinge, ReLU) has no curvature to read, and minibatch gradient noise adds
       variance the curvature does not show, so a coupled pilot at ε and ε/2 measures the bias of ε
       directly (Euler's bias is linear in ε: bias(ε) ≈ 2 (λ̂(ε) - λ̂(ε/2))); ε is halved while that
       exceeds STEP_TOL of λ̂ and Z_CHECK standard errors of the pilot's difference (at most
       MAX_HALVINGS times). The last round of 1 is the first pilot of 2 when it left h unchanged.

    The accepted pilot's coarse chain is an SGLD chain from w* at the returned ε (its noise (ξ1 + ξ2) / √2
    is N(0, I)), PILOT_STEPS steps long: `_estimate` continues it as chain 0 instead of starting that chain
    afresh (None when no pilot ran at the returned ε).
    """
    rows = torch.randperm(len(X), generator=gen)[:HESSIAN_ROWS]
    Xh, yh = X[rows], y[rows]
    h, v = _hessian_top(flat, flat.w0, Xh, yh, gen)
    pilot = None
    for _ in range(PILOT_ROUNDS):
        scale = nbeta * h + gamma
        if not math.isfinite(scale) or scale <= 0:
            raise CompareError(f"estimate_llc: cannot set epsilon automatically (nbeta * h + gamma = {scale} at "
                               "w*): give epsilon, or gamma > 0")
        pilot = _coupled_pilot(flat, X, y, init_loss, epsilon=AUTO_STEP / scale, nbeta=nbeta, gamma=gamma,
                               batch=batch, gen=gen)
        new_scale = 10 * scale if not pilot[3] else scale
        for w_end in pilot[3]:
            new_scale = max(new_scale, nbeta * _hessian_top(flat, w_end, Xh, yh, gen, v0=v)[0] + gamma)
        if not new_scale > 1.5 * scale:      # also stops on NaN
            break
        h = (new_scale - gamma) / nbeta
        pilot = None                         # measured at a step no longer used
    epsilon = AUTO_STEP / (nbeta * h + gamma)
    halvings = 0
    start = None
    while halvings < MAX_HALVINGS:
        if pilot is None:
            pilot = _coupled_pilot(flat, X, y, init_loss, epsilon=epsilon, nbeta=nbeta, gamma=gamma, batch=batch,
                                   gen=gen)
        coarse, fine, se, ends = pilot
        if math.isfinite(coarse) and (2 * abs(coarse - fine) <= STEP_TOL * abs(fine)
                                      or abs(coarse - fine) <= Z_CHECK * se):
            start = ends[0]
            break
        epsilon /= 2
        halvings += 1
        pilot = None
    return epsilon, h, halvings, start


def _seeds(seed: int, k: int) -> list[int]:
    children = np.random.SeedSequence(int(seed)).spawn(k)
    return [int(c.generate_state(1, dtype=np.uint64)[0] & 0x7FFF_FFFF_FFFF_FFFF) for c in children]


def _tensor(a: Any, name: str, dtype: torch.dtype) -> torch.Tensor:
    t = torch.as_tensor(a)
    if t.is_floating_point():
        t = t.to(dtype)
    if t.dim() == 0 or len(t) < 2:
        raise CompareError(f"estimate_llc: {name} needs at least 2 rows, got shape {tuple(t.shape)}")
    return t


# ------------------------------------------------------------------------------------------------ checks

def _checks(mean: float, se: float, traces: np.ndarray, init_loss: float, nbeta: float, d: int,
            failed: Sequence[tuple[int, int]]) -> tuple[float, float, list[str], list[str]]:
    """The stability checks of `PROBLEMS`: (drift, its SE, problem keys, one message each)."""
    problems: list[str] = []
    messages: list[str] = []
    k = len(traces)
    if failed:
        problems.append("not_finite")
        messages.append("loss not finite in chain(s) " + ", ".join(f"{c} at step {s}" for c, s in failed)
                        + ": lower epsilon")
    half = traces.shape[1] // 2
    first = nbeta * (traces[:, :half].mean(1) - init_loss)
    second = nbeta * (traces[:, traces.shape[1] - half:].mean(1) - init_loss)
    diff = second - first
    drift = float(diff.mean())
    drift_se = float(diff.std(ddof=1) / math.sqrt(k)) if k > 1 else float("nan")
    if failed or not math.isfinite(mean):
        return drift, drift_se, problems, messages
    significant = abs(drift) > Z_CHECK * drift_se if k > 1 else True
    if significant and abs(drift) > DRIFT_TOL * abs(mean):
        problems.append("drift")
        messages.append(f"the estimate moved from {first.mean():.4g} (first half of the draws) to "
                        f"{second.mean():.4g} (second half), more than {DRIFT_TOL:.0%} and "
                        f"{Z_CHECK:g} SE: raise burn_in/draws or check that w* is a local minimum")
    err = Z_CHECK * se if k > 1 else 0.0
    if mean + err < 0:
        problems.append("negative")
        messages.append(f"the estimate {mean:.4g} ± {se:.2g} is below 0: SGLD found lower loss than at w*, "
                        "which is not a local minimum")
    if mean - err > (1 + ABOVE_TOL) * d / 2:
        problems.append("above_d_half")
        messages.append(f"the estimate {mean:.4g} ± {se:.2g} exceeds d/2 = {d / 2:g}, impossible for an LLC: "
                        "lower epsilon")
    return drift, drift_se, problems, messages


# -------------------------------------------------------------------------------------------------- main

def estimate_llc(model: nn.Module, X: Any, y: Any, *, loss: str | LossFn = "mse", epsilon: float | None = None,
                 nbeta: float | None = None, gamma: float = LLCConfig.gamma, chains: int = LLCConfig.chains,
                 draws: int = LLCConfig.draws, seed: int = 0, burn_in: int = LLCConfig.burn_in,
                 batch_size: int | None = None, threads: int | None = 1) -> LLCEstimate:
    """λ̂(w*) at ``model``'s current weights on the rows ``X``, ``y`` (see the module docstring).

    Parameters
    ----------
    model : any torch module; it is copied, and the caller's model is left unchanged. All parameters
        with ``requires_grad`` are sampled (d of them); buffers stay fixed. Evaluated in eval mode.
    X, y : the n training rows (tensors or arrays); floating ones are cast to the model's dtype.
    loss : a name in `LOSSES` or a callable ``(output, y_batch) -> scalar``, the *mean* loss over the rows.
    epsilon, nbeta, gamma, chains, draws, burn_in, batch_size, threads : see `LLCConfig`.
    seed : drives minibatch order, SGLD noise and the Hessian power iteration (private torch.Generators;
        global RNG state is untouched); the same seed gives the same estimate.
    """
    cfg = LLCConfig(epsilon=epsilon, nbeta=nbeta, gamma=gamma, chains=chains, draws=draws, burn_in=burn_in,
                    batch_size=batch_size, seed=seed, threads=threads)
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise CompareError(f"estimate_llc: unknown loss {loss!r} (known: {', '.join(LOSSES)}; or pass a callable)")
        loss_fn, loss_name = LOSSES[loss], loss
    elif callable(loss):
        loss_fn, loss_name = loss, f"callable:{getattr(loss, '__qualname__', type(loss).__name__)}"
    else:
        raise CompareError(f"estimate_llc: loss must be a name in LOSSES or a callable, got {type(loss).__name__}")
    if not isinstance(model, nn.Module):
        raise CompareError(f"estimate_llc: model must be a torch.nn.Module, got {type(model).__name__}")
    dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.get_default_dtype())
    X, y = _tensor(X, "X", dtype), _tensor(y, "y", dtype)
    if len(X) != len(y):
        raise CompareError(f"estimate_llc: X and y differ in rows ({len(X)} vs {len(y)})")
    n = len(X)
    net = copy.deepcopy(model).eval()
    old_threads = torch.get_num_threads()
    if cfg.threads is not None:
        torch.set_num_threads(cfg.threads)
    try:
        return _estimate(net, X, y, loss_fn, loss_name, cfg, n)
    finally:
        torch.set_num_threads(old_threads)


def _estimate(net: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn, loss_name: str,
              cfg: LLCConfig, n: int) -> LLCEstimate:
    flat = _Flat(net, loss_fn)
    d = int(flat.w0.numel())
    init_loss = _full_loss(flat, X, y)
    if not math.isfinite(init_loss):
        raise CompareError(f"estimate_llc: the loss at the model's weights is {init_loss} (not finite)")
    nbeta = default_nbeta(n) if cfg.nbeta is None else float(cfg.nbeta)
    seeds = _seeds(cfg.seed, cfg.chains + 1)
    batch = min(n, 256) if cfg.batch_size is None else min(int(cfg.batch_size), n)
    h_top, halvings, start = None, 0, None
    epsilon = cfg.epsilon
    if epsilon is None:
        epsilon, h_top, halvings, start = _auto_epsilon(flat, X, y, init_loss, nbeta, cfg.gamma, batch,
                                                        torch.Generator().manual_seed(seeds[0]))
    burn_in = cfg.burn_in
    used = LLCConfig(epsilon=float(epsilon), nbeta=float(nbeta), gamma=cfg.gamma, chains=cfg.chains,
                     draws=cfg.draws, burn_in=burn_in, batch_size=batch, seed=cfg.seed, threads=cfg.threads)
    traces = np.empty((cfg.chains, cfg.draws))
    failed: list[tuple[int, int]] = []
    for c in range(cfg.chains):
        gen = torch.Generator().manual_seed(seeds[c + 1])        # seeds[0] is the pilots'; more chains extend
        done = PILOT_STEPS if c == 0 and start is not None and burn_in >= PILOT_STEPS else 0
        traces[c], bad, _ = _run(flat, X, y, steps=burn_in - done + cfg.draws, record_from=burn_in - done,
                                 epsilon=used.epsilon, nbeta=nbeta, gamma=cfg.gamma, batch=batch, gen=gen,
                                 start=start if done else None)
        if bad is not None:
            failed.append((c, bad + done))
    chain_means = nbeta * (traces.mean(1) - init_loss)
    k = cfg.chains
    mean = float(chain_means.mean())
    se = float(chain_means.std(ddof=1) / math.sqrt(k)) if k > 1 else float("nan")
    drift, drift_se, problems, messages = _checks(mean, se, traces, init_loss, nbeta, d, failed)
    return LLCEstimate(mean=mean, se=se, chain_means=tuple(float(x) for x in chain_means), init_loss=init_loss,
                       trace=tuple(tuple(float(x) for x in t) for t in traces), n=n, d=d, loss=loss_name,
                       config=used, hessian_top=h_top, step_halvings=halvings, drift=drift, drift_se=drift_se,
                       problems=tuple(problems), messages=tuple(messages))
