"""The extraction methods: each prunes a `NetView` its own way, then discretises and re-synthesises.

* ``prune_discretise`` (default): greedy removal of neurons, then of edges, in order of increasing
  importance (|outgoing weight| x activation spread), each removal kept only if the labels on every
  domain point stay equal to the full network's; a removed unit carries a constant (0, else its mean).
* ``magnitude``: Merrill et al. (2023)-style. Neurons ranked by |w_in| . |w_out| (L2 norms) and cut at the
  smallest top-k set that is faithful with the rest zero-ablated; then edges of the kept neurons cut at
  the largest global |w| threshold that stays faithful. No mean-ablation, no per-unit search.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ._core import Discretiser, NetView, assemble, domain_points

__all__ = ["prune_discretise", "magnitude", "NEURON_BUDGET"]

# work units (see synth.budget) for one neuron's minimal formula: about 10 CPU seconds on the reference
# machine (2 shared cores; about 15 million units per CPU second)
NEURON_BUDGET = 150_000_000


def _common(model: Any, task: Any, max_points: int, seed: int) -> tuple[NetView, bool, str, float]:
    t0 = time.perf_counter()
    idx, exhaustive, note = domain_points(task, max_points, seed)
    return NetView(model, task, idx), exhaustive, note, t0


def _finish(view: NetView, name: str, basis: str, budget: int | None, budget_s: float | None, exhaustive: bool,
            note: str, t0: float, max_levels: int, extra: dict | None = None) -> Any:
    disc = Discretiser(view, max_levels=max_levels)
    result = disc.optimise()
    return assemble(view, disc, result, basis=basis, budget=budget, budget_s=budget_s, method=name,
                    exhaustive=exhaustive,
                    domain_note=note, t0=t0, extra=extra)


def prune_discretise(model: Any, task: Any, *, basis: str = "xag", budget: int | None = NEURON_BUDGET,
                     budget_s: float | None = None,
                     max_points: int = 1 << 16, seed: int = 0, sweeps: int = 2, max_levels: int = 3) -> Any:
    """Greedy faithful pruning of neurons and edges, fidelity-maximising discretisation, per-neuron synthesis.

    ``max_levels=1`` forces one bit per neuron (active / inactive); the default allows up to 3 thresholds
    for a neuron whose graded value matters, added only while they raise fidelity.
    """
    view, exhaustive, note, t0 = _common(model, task, max_points, seed)
    for _ in range(sweeps):
        changed = False
        # neurons, least important first: spread of activation x norm of outgoing weights
        for k in range(view.L - 1, -1, -1):
            live = view.live()[k]
            h = view.H[k]
            spread = h.max(0) - h.min(0)
            score = spread * np.linalg.norm(view.W[k + 1] * view.M[k + 1], axis=0)
            for j in np.argsort(score, kind="stable"):
                if live[j] and view.try_remove_neuron(k, int(j)):
                    changed = True
        # edges into every live hidden unit, smallest |w| x source spread first (output edges = neurons)
        live = view.live()
        for k in range(view.L):
            src = view.source(k)
            spread = src.max(0) - src.min(0)
            for j in (int(j) for j in np.flatnonzero(live[k])):
                cols = np.flatnonzero(view.M[k][j] & (live[k - 1] if k > 0 else True))
                score = np.abs(view.W[k][j, cols]) * spread[cols]
                for i in cols[np.argsort(score, kind="stable")]:
                    changed |= view.try_remove_edge(k, j, int(i))
        view.refresh()
        if not changed:
            break
    return _finish(view, "prune_discretise", basis, budget, budget_s, exhaustive, note, t0, max_levels)


def magnitude(model: Any, task: Any, *, basis: str = "xag", budget: int | None = NEURON_BUDGET,
              budget_s: float | None = None,
              max_points: int = 1 << 16, seed: int = 0, max_levels: int = 3) -> Any:
    """Neurons by |w_in|.|w_out| cut at the smallest faithful top-k, edges by a global |w| cut (zero-ablation)."""
    view, exhaustive, note, t0 = _common(model, task, max_points, seed)
    L = view.L
    scored = []
    for k in range(L):
        w_in = np.linalg.norm(view.W[k], axis=1)
        w_out = np.linalg.norm(view.W[k + 1], axis=0)
        scored += [(float(a * b), k, j) for j, (a, b) in enumerate(zip(w_in, w_out))]
    scored.sort(key=lambda t: -t[0])
    full_M = [m.copy() for m in view.M]

    def masks_for(top: int) -> list[np.ndarray]:
        M = [m.copy() for m in full_M]
        for _, k, j in scored[top:]:
            M[k + 1][:, j] = False
        return M

    k_keep = len(scored)
    for top in range(0, len(scored) + 1):
        if view.set_masks(masks_for(top)):
            k_keep = top
            break
    M = masks_for(k_keep)
    view.set_masks(M)
    # edges of kept units: keep the largest-|w| ones, global threshold, smallest faithful count
    live = view.live()
    edges = []
    for k in range(L):
        rows = np.flatnonzero(live[k])
        cols_ok = np.ones(view.W[k].shape[1], bool) if k == 0 else live[k - 1]
        for j in rows:
            for i in np.flatnonzero(M[k][j] & cols_ok):
                edges.append((abs(float(view.W[k][j, i])), k, int(j), int(i)))
    edges.sort(key=lambda t: -t[0])

    def edge_masks(count: int) -> list[np.ndarray]:
        E = [m.copy() for m in M]
        for _, k, j, i in edges[count:]:
            E[k][j, i] = False
        return E

    lo, hi = 0, len(edges)          # invariant: hi edges are faithful
    while lo < hi:
        mid = (lo + hi) // 2
        if view.set_masks(edge_masks(mid)):
            hi = mid
        else:
            lo = mid + 1
    if not view.set_masks(edge_masks(hi)):   # non-monotone case: fall back to all edges of the kept neurons
        view.set_masks(M)
    return _finish(view, "magnitude", basis, budget, budget_s, exhaustive, note, t0, max_levels,
                   extra={"neurons_ranked": len(scored), "k_keep": k_keep})
