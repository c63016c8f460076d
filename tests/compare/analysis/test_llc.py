"""The local learning coefficient (`compare.analysis.llc`) against exact values.

Oracles: for a linear model the localised tempered posterior is Gaussian, and the SGLD chain's own
stationary law is too (per Hessian direction a = 2 nβ s + γ the variance is 1 / (a (1 - ε a / 4))), so
the expected estimate is a closed form; for two-parameter singular models it is a one-dimensional
integral (scipy.integrate.quad); for a small MLP it is devinterp's estimator at the same hyperparameters.
"""

import json
import math

import numpy as np
import pytest
import torch
from scipy import integrate

from compare.analysis.llc import LLCEstimate, default_nbeta, estimate_llc
from compare.errors import CompareError
from compare.networks.nets import MLP


# ------------------------------------------------------------------------------------------------ models

def _regression(n: int, d: int, seed: int = 0):
    """y = X w + N(0, 1) noise; a bias-free Linear at the least-squares solution."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = X @ torch.linspace(-1, 1, d) + torch.randn(n, generator=g)
    model = torch.nn.Linear(d, 1, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.linalg.lstsq(X.double(), y.double()[:, None]).solution.T.float())
    return model, X, y


def _chain_expectation(X: torch.Tensor, nbeta: float, gamma: float, eps: float) -> float:
    """E[λ̂] of SGLD (full batch) on mean((y - X w)**2) at the least-squares w: exact for the discrete chain."""
    s = np.linalg.eigvalsh((X.double().T @ X.double() / len(X)).numpy())
    a = 2 * nbeta * s + gamma
    return float(np.sum(nbeta * s / (a * (1 - eps * a / 4))))


class _Product(torch.nn.Module):
    """y = a * b * x with (a, b) = (0, 0): K(a, b) = E[x²] a² b², RLCT 1/2 with multiplicity 2."""

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.zeros(()))
        self.b = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * self.b * x


class _Quartic(torch.nn.Module):
    """y = (a² + b²) x with (a, b) = (0, 0): K = E[x²] r⁴, homogeneous of degree 4 in d = 2, so λ = 2/4."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.w ** 2).sum() * x


def _silent_data(n: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g)
    return x, torch.zeros(n), float((x.double() ** 2).mean())


def _product_expectation(t: float, S: float, gamma: float) -> float:
    """t S E[a² b²] under exp(-t S a² b² - γ (a² + b²) / 2): a | b is Gaussian with precision 2 t S b² + γ."""
    weight = lambda b: math.exp(-gamma * b * b / 2) / math.sqrt(2 * t * S * b * b + gamma)
    value = lambda b: t * S * b * b / (2 * t * S * b * b + gamma)
    lim = 12 / math.sqrt(gamma)
    num = integrate.quad(lambda b: weight(b) * value(b), -lim, lim, points=[0], limit=200)[0]
    return num / integrate.quad(weight, -lim, lim, points=[0], limit=200)[0]


def _quartic_expectation(t: float, S: float, gamma: float) -> float:
    """t S E[r⁴] under r exp(-t S r⁴ - γ r² / 2) dr (polar coordinates in d = 2); exactly 1/2 at γ = 0."""
    dens = lambda r, p: r * math.exp(-t * S * r ** 4 - gamma * r * r / 2) * (t * S * r ** 4) ** p
    return integrate.quad(lambda r: dens(r, 1), 0, 20)[0] / integrate.quad(lambda r: dens(r, 0), 0, 20)[0]


def _trained_mlp(n: int = 1024, seed: int = 0):
    """2-16-1 tanh MLP fitted (Adam, full batch) to y = sin(x0) x1 + 0.1 noise on [-2, 2]²."""
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, 2, generator=g) * 4 - 2
    y = torch.sin(X[:, 0]) * X[:, 1] + 0.1 * torch.randn(n, generator=g)
    model = MLP(2, [16], activation="tanh", seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(1500):
        opt.zero_grad()
        ((model(X) - y) ** 2).mean().backward()
        opt.step()
    return model, X, y


# --------------------------------------------------------------------------------------- regular: d / 2

def test_regular_linear_regression_gives_d_over_2():
    """d = 4, n = 2000, full batch: a step of ε a_max = 0.1 inflates the estimate by <= 2.5 % and γ = 1
    lowers it by < 0.1 %, so E[λ̂] = 2.05 (closed form for the chain); 8 chains of 500 draws give SE ~0.07."""
    model, X, y = _regression(2000, 4)
    nbeta = default_nbeta(2000)
    h = 2 * float(torch.linalg.eigvalsh(X.T @ X / len(X)).max())
    eps = 0.1 / (nbeta * h + 1.0)
    est = estimate_llc(model, X, y, loss="mse", epsilon=eps, gamma=1.0, chains=8, draws=500, burn_in=50,
                       batch_size=len(X), seed=0)
    expected = _chain_expectation(X, nbeta, 1.0, eps)
    assert abs(expected - 2.0) < 0.06
    assert est.stable, est.messages
    assert 0.02 < est.se < 0.15
    assert abs(est.mean - 2.0) < 3 * est.se + 0.06
    assert abs(est.mean - expected) < 3 * est.se


def test_automatic_step_on_a_regular_model():
    """The default ε (AUTO_STEP = 0.2 of the top curvature scale): within 3 SE of the chain's exact mean."""
    model, X, y = _regression(1000, 3, seed=1)
    est = estimate_llc(model, X, y, loss="mse", gamma=1.0, chains=6, draws=200, burn_in=50, batch_size=len(X),
                       seed=1)
    h = 2 * float(torch.linalg.eigvalsh(X.T @ X / len(X)).max())
    assert 0.7 * h < est.hessian_top <= 1.001 * h            # power iteration: a lower bound, near the top
    expected = _chain_expectation(X, est.config.nbeta, 1.0, est.config.epsilon)
    assert 1.5 < expected < 1.6
    assert est.stable, est.messages
    assert abs(est.mean - expected) < 3 * est.se


# ------------------------------------------------------------------------------------ singular: λ < d/2

def test_singular_quartic_gives_half_not_d_over_2():
    """y = (a² + b²) x at 0 (d = 2, no noise): K = S r⁴ is homogeneous of degree 4, so λ = d/4 = 1/2, and
    without localisation the tempered posterior gives t E[K] = 1/2 exactly at every t (scaling r)."""
    x, y, S = _silent_data(1000)
    est = estimate_llc(_Quartic(), x, y, loss="mse", epsilon=2e-3, gamma=0.0, chains=8, draws=300, burn_in=50,
                       seed=0)
    assert _quartic_expectation(est.config.nbeta, S, 0.0) == pytest.approx(0.5, abs=1e-6)
    assert est.stable, est.messages
    assert abs(est.mean - 0.5) < 3 * est.se + 0.03          # Euler bias at this ε: +0.02 (simulated)
    assert est.mean + 5 * est.se < 1.0                        # d / 2 = 1


def test_singular_product_matches_quadrature():
    """y = a b x at 0 (d = 2): λ = 1/2 with multiplicity 2 (Watanabe), reached only as log t -> inf; at
    t = n / ln n and γ = 10 the localised posterior's exact value is 0.205 (quadrature). The automatic step
    must find the curvature away from the flat w* (the Hessian at w* is 0, where ε = 0.2/γ diverges)."""
    x, y, S = _silent_data(1000)
    est = estimate_llc(_Product(), x, y, loss="mse", gamma=10.0, chains=6, draws=300, burn_in=100, seed=0)
    exact = _product_expectation(est.config.nbeta, S, 10.0)
    assert exact == pytest.approx(0.205, abs=0.002)
    assert est.config.epsilon < 0.02 / 2                      # the pilots lowered the step below 0.2/γ
    assert est.stable, est.messages
    assert abs(est.mean - exact) < 3 * est.se + 0.01
    flat_step = estimate_llc(_Product(), x, y, loss="mse", gamma=10.0, epsilon=0.2, chains=2, draws=50,
                             burn_in=0, seed=0)
    assert "not_finite" in flat_step.problems and flat_step.llc is None


# ------------------------------------------------------------------------------- determinism, no effects

def test_same_seed_same_estimate_and_model_untouched():
    model, X, y = _regression(300, 3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    kw = dict(gamma=10.0, chains=2, draws=30, burn_in=5, batch_size=64)
    a = estimate_llc(model, X, y, seed=7, **kw)                           # automatic ε: pilots use the seed too
    b = estimate_llc(model, X.numpy(), y.numpy(), seed=7, **kw)
    c = estimate_llc(model, X, y, seed=8, **kw)
    assert a.as_dict() == b.as_dict()
    assert a.trace != c.trace
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    assert torch.equal(rng, torch.get_rng_state())
    assert LLCEstimate.from_dict(json.loads(json.dumps(a.as_dict()))) == a
    assert len(a.trace) == 2 and len(a.trace[0]) == 30 and a.config.batch_size == 64


def test_more_chains_keep_the_first_ones():
    model, X, y = _regression(300, 3)
    a = estimate_llc(model, X, y, gamma=10.0, chains=2, draws=20, burn_in=0, seed=3)
    b = estimate_llc(model, X, y, gamma=10.0, chains=3, draws=20, burn_in=0, seed=3)
    assert b.config.epsilon == a.config.epsilon and b.trace[:2] == a.trace


def test_automatic_step_continues_the_accepted_pilot_as_chain_0():
    """With the automatic ε, chain 0 continues the accepted pilot's coarse chain (an SGLD chain from w* at
    that ε), so it differs from a fresh chain at the same ε; chain 1 starts at w* as always. The two
    estimates agree within their spread (the same estimator)."""
    model, X, y = _regression(1000, 3, seed=1)
    kw = dict(gamma=1.0, chains=4, draws=200, burn_in=60, batch_size=len(X), seed=1)
    auto = estimate_llc(model, X, y, **kw)
    fixed = estimate_llc(model, X, y, epsilon=auto.config.epsilon, **kw)
    assert auto.trace[0] != fixed.trace[0] and auto.trace[1:] == fixed.trace[1:]
    assert auto.stable and fixed.stable
    assert abs(auto.mean - fixed.mean) < 3 * math.hypot(auto.se, fixed.se)
    short = estimate_llc(model, X, y, **{**kw, "burn_in": 10})          # burn-in shorter than the pilot
    assert short.trace[1:] == estimate_llc(model, X, y, **{**kw, "burn_in": 10,
                                                           "epsilon": short.config.epsilon}).trace[1:]


# ------------------------------------------------------------------------------------- stability checks

def test_diverging_chain_is_flagged():
    model, X, y = _regression(500, 4)
    est = estimate_llc(model, X, y, epsilon=1.0, chains=2, draws=50, burn_in=0, seed=0)
    assert "not_finite" in est.problems and not est.stable and est.llc is None
    assert math.isnan(est.mean) and est.as_dict()["mean"] is None
    assert any("lower epsilon" in m for m in est.messages)


def test_step_too_large_but_finite_is_flagged_above_d_half():
    """ε a = 3.4 < 4 keeps the chain finite but inflates the variance ~6x: λ̂ ≈ 12 > d/2 = 2."""
    model, X, y = _regression(1000, 4)
    nbeta = default_nbeta(1000)
    h = 2 * float(torch.linalg.eigvalsh(X.T @ X / len(X)).max())
    est = estimate_llc(model, X, y, epsilon=3.4 / (nbeta * h), gamma=0.0, chains=4, draws=100, burn_in=20,
                       batch_size=1000, seed=0)
    assert "above_d_half" in est.problems and est.llc is None


def test_not_a_minimum_is_flagged():
    """w* off the least-squares solution: SGLD descends, so the loss falls below L_n(w*)."""
    model, X, y = _regression(1000, 4)
    with torch.no_grad():
        model.weight.add_(0.5)
    est = estimate_llc(model, X, y, gamma=1.0, chains=4, draws=200, burn_in=0, seed=0)
    assert "negative" in est.problems, est.messages
    assert est.llc is None


def test_unequilibrated_chain_is_flagged_as_drift():
    """A tiny step and no burn-in: the loss is still climbing from L_n(w*) during the draws."""
    model, X, y = _regression(1000, 4)
    est = estimate_llc(model, X, y, epsilon=1e-5, gamma=1.0, chains=8, draws=200, burn_in=0, batch_size=len(X),
                       seed=0)
    assert "drift" in est.problems and est.drift > 0


# ------------------------------------------------------------------------------------ losses and errors

def test_named_losses_and_callables():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, 3, generator=g)
    labels = (X[:, 0] > 0).long()
    logit = torch.nn.Linear(3, 1)
    multi = torch.nn.Linear(3, 2)
    kw = dict(gamma=100.0, chains=2, draws=20, burn_in=5, seed=0)
    for model, loss, y in [(logit, "bce_logits", labels), (multi, "cross_entropy", labels),
                           (logit, lambda out, t: ((out.squeeze(-1) - t) ** 2).mean(), labels.float())]:
        est = estimate_llc(model, X, y, loss=loss, **kw)
        assert math.isfinite(est.mean) and est.d == sum(p.numel() for p in model.parameters())
    assert est.loss.startswith("callable:")


@pytest.mark.parametrize("kwargs, match", [
    (dict(loss="hinge"), "unknown loss 'hinge'"),
    (dict(epsilon=0.0), "epsilon must be > 0"),
    (dict(chains=0), "chains must be >= 1"),
    (dict(draws=1), "draws must be >= 2"),
    (dict(gamma=-1.0), "gamma must be >= 0"),
    (dict(nbeta=float("nan")), "nbeta must be > 0"),
])
def test_bad_arguments(kwargs, match):
    model, X, y = _regression(50, 2)
    with pytest.raises(CompareError, match=match):
        estimate_llc(model, X, y, **kwargs)


def test_bad_data():
    model, X, y = _regression(50, 2)
    with pytest.raises(CompareError, match="differ in rows"):
        estimate_llc(model, X, y[:40])
    with pytest.raises(CompareError, match="y of the output's shape"):
        estimate_llc(model, X, torch.zeros(50, 3))
    with pytest.raises(CompareError, match="gamma > 0"):
        estimate_llc(_Quartic(), *_silent_data(100)[:2], gamma=0.0)


# ------------------------------------------------------------------------------------------------- slow

@pytest.mark.slow
def test_regular_large_n_tight():
    """n = 10000, d = 4, 16 chains x 2000 draws: the estimate within 3 SE (~0.02) of the chain's exact mean."""
    model, X, y = _regression(10000, 4, seed=2)
    nbeta = default_nbeta(10000)
    h = 2 * float(torch.linalg.eigvalsh(X.T @ X / len(X)).max())
    eps = 0.1 / (nbeta * h + 1.0)
    est = estimate_llc(model, X, y, epsilon=eps, gamma=1.0, chains=16, draws=2000, burn_in=100,
                       batch_size=len(X), seed=2)
    expected = _chain_expectation(X, nbeta, 1.0, eps)
    assert est.stable, est.messages
    assert est.se < 0.04
    assert abs(est.mean - expected) < 3 * est.se


@pytest.mark.slow
def test_mlp_agrees_with_devinterp(tmp_path):
    """2-16-1 tanh MLP: our estimate and devinterp's `llc` (same ε, nβ, γ, batch 32, chains, draws, no
    burn-in; devinterp averages every step's minibatch loss, as we do without burn-in) agree within 3
    combined SE. devinterp's dataset is row indices in an "input_ids" column; its loss looks the rows up."""
    pytest.importorskip("devinterp", reason="devinterp is not a project dependency; install it to compare")
    from datasets import Dataset
    from devinterp.slt.llc import llc as devinterp_llc

    model, X, y = _trained_mlp()
    n = len(X)
    hp = dict(eps=1e-3, nbeta=n / math.log(n), gamma=100.0, chains=8, draws=200, batch=32)
    ours = estimate_llc(model, X, y, loss="mse", epsilon=hp["eps"], nbeta=hp["nbeta"], gamma=hp["gamma"],
                        chains=hp["chains"], draws=hp["draws"], burn_in=0, batch_size=hp["batch"], seed=0)
    rows = Dataset.from_dict({"input_ids": [[i, i] for i in range(n)]}).with_format("torch")

    def per_row_loss(m, ids):
        i = ids[:, 0]
        return ((m(X[i]) - y[i]) ** 2)[:, None]

    res = devinterp_llc(model, rows, {}, lr=hp["eps"], n_beta=hp["nbeta"], localization=hp["gamma"],
                        num_chains=hp["chains"], num_draws=hp["draws"], batch_size=hp["batch"],
                        num_burnin_steps=0, loss_fn=per_row_loss, init_seed=0,
                        output_path=tmp_path / "samples.zarr")
    per_chain = np.asarray(res["llc_per_chain"].values, dtype=float)
    theirs, theirs_se = float(per_chain.mean()), float(per_chain.std(ddof=1) / math.sqrt(len(per_chain)))
    assert float(res["init_loss"]) == pytest.approx(ours.init_loss, rel=1e-4)
    assert ours.stable, ours.messages
    assert abs(ours.mean - theirs) < 3 * math.hypot(ours.se, theirs_se)
