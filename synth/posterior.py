"""The length prior and its posterior predictive over the functions consistent with the data.

Prior weight of a function: w(f) = Σ over programs p computing f of 2^-bits(p). The searches here keep
one program per function (observational equivalence), so the weight used is the **minimal-program
term** w(f) ≈ 2^-bits(p_f), p_f the program found for f (the shortest in size; ties by bits). This is
the dominant term of the sum (a Levin/Solomonoff-style approximation) and is what `Posterior` states in
``approximation``.

Posterior predictive: p(y = 1 | x, D) = Σ_f w(f) [f(x) = 1] / Σ_f w(f) over the enumerated consistent
functions f. **Truncation mass**: an upper bound on the share of the posterior held by consistent
functions that were not enumerated: each has weight at most 2^-L, L = the fewest bits of any program of
the first size not searched, and there are at most N_unseen of them (for Boolean data, 2^q minus those
found, q = held-out points), so the bound is U / (Z + U) with U = N_unseen 2^-L and Z the enumerated
weight. It is 0 when every consistent function was enumerated.

>>> post = Posterior(np.array([[1, 0], [1, 1]], dtype=np.uint8), np.array([10.0, 11.0]), 0.0)
>>> post.predictive().round(3).tolist()       # 2^-10 / (2^-10 + 2^-11) = 2/3 on the first query
[1.0, 0.333]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .dsl import Basis, get_basis

__all__ = ["Posterior", "min_bits_for_size", "truncation_bound", "unseen_count_log2"]

MINIMAL_TERM = ("minimal-program term: w(f) = 2^-bits(p_f) for the program p_f found for f "
                "(shortest size, then fewest bits); other programs computing f are not counted")


@dataclass(frozen=True)
class Posterior:
    """Posterior over consistent functions: their outputs at the queries, their description bits."""

    outputs: np.ndarray          # (k, q) outputs of each consistent function at the queries
    bits: np.ndarray             # (k,) description length of each function's program
    truncation_mass: float
    approximation: str = MINIMAL_TERM

    @property
    def weights(self) -> np.ndarray:
        """Normalised posterior weights of the enumerated functions (sum to 1)."""
        if len(self.bits) == 0:
            return np.zeros(0)
        logw = -np.asarray(self.bits, dtype=float) * math.log(2)
        logw -= logw.max()
        w = np.exp(logw)
        return w / w.sum()

    def predictive(self) -> np.ndarray:
        """Probability that the output is 1 at each query (Boolean)."""
        if len(self.bits) == 0:
            return np.full(self.outputs.shape[1] if self.outputs.ndim == 2 else 0, np.nan)
        return self.weights @ np.asarray(self.outputs, dtype=float)

    def distribution(self, values: int = 2) -> np.ndarray:
        """(q, values) predictive distribution over output values at each query (rows sum to 1)."""
        w = self.weights
        q = self.outputs.shape[1]
        out = np.zeros((q, values))
        for v in range(values):
            out[:, v] = w @ (self.outputs == v).astype(float)
        return out

    def log_score(self, targets) -> float:
        """Mean log2 probability given to the true outputs at the queries (higher is better)."""
        d = self.distribution(int(max(2, np.max(targets) + 1)))
        t = np.asarray(targets, dtype=int)
        p = np.clip(d[np.arange(len(t)), t], 1e-300, 1.0)
        return float(np.mean(np.log2(p)))

    def map_prediction(self) -> np.ndarray:
        """The most probable output at each query."""
        return np.argmax(self.distribution(int(max(2, self.outputs.max(initial=1) + 1))), axis=1)


def min_bits_for_size(size: int, n_inputs: int, basis: str | Basis, *, n_const: int = 2) -> float:
    """The fewest description bits of any program of cost ``size`` in the basis (see `Program.bits`):
    the fewest nodes (size / largest gate cost) of the smallest arity, each with the fewest choices."""
    b = get_basis(basis)
    costly = [(c, g.arity) for g in b.gates if (c := b.cost(g.name)) > 0]
    if size <= 0 or not costly:
        return 0.0
    max_cost = max(c for c, _ in costly)
    min_arity = min(a for _, a in costly)
    gates = math.ceil(size / max_cost)
    op_bits = math.log2(len(b.costs) + n_const)
    return sum(op_bits + min_arity * math.log2(max(n_inputs + i, 1)) for i in range(gates))


def unseen_count_log2(n_values: int, n_queries: int, n_found: int) -> float | None:
    """log2 of the number of consistent functions not found: n_values^n_queries - n_found (None if 0)."""
    if n_queries == 0:
        return None
    log_total = n_queries * math.log2(n_values)
    if log_total > 60:
        return log_total  # n_found is negligible next to the total
    rest = 2.0 ** log_total - n_found
    return None if rest <= 0.5 else math.log2(rest)


def truncation_bound(found_bits: np.ndarray, log2_unseen: float | None, unseen_bits: float) -> float:
    """U / (Z + U) with U = 2^log2_unseen 2^-unseen_bits and Z = Σ 2^-found_bits (in log space)."""
    if log2_unseen is None:
        return 0.0
    if len(found_bits) == 0:
        return 1.0
    log_z = _logsumexp2(-np.asarray(found_bits, dtype=float))
    log_u = log2_unseen - unseen_bits
    d = log_u - log_z
    if d > 60:
        return 1.0
    return float(2.0 ** d / (1.0 + 2.0 ** d))


def _logsumexp2(x: np.ndarray) -> float:
    mx = float(np.max(x))
    return mx + math.log2(float(np.sum(np.exp2(x - mx))))
