"""Fourier analysis of Z_p networks (Nanda et al. 2023; Gromov 2023).

The first-layer weights of a `ZpMLP` give each hidden neuron a function of a and one of b over Z_p
(``W_a``, ``W_b``: width x p). Their discrete Fourier transform along the token axis says which
frequencies k in 1 .. p//2 the network uses. `fourier_report` gives the power per frequency, the key
frequencies, the network's accuracy on the whole domain (all p**2 pairs) with the input weights
projected onto the key frequencies ("restricted") or with them removed ("excluded"), and the smallest
number of frequencies, added in order of power, that keeps the network's full accuracy (found by
bisection over that order). Projections
always keep the constant (k = 0) component: it carries no frequency.

>>> from compare.networks.nets import ZpMLP, gromov_weights
>>> import torch
>>> m = ZpMLP(11, 64)
>>> W1, W2, f = gromov_weights(11, 64, seed=0, frequencies=[2])
>>> with torch.no_grad():
...     _ = m.linears[0].weight.copy_(W1); _ = m.linears[1].weight.copy_(W2)
>>> key_frequencies(m)
[2]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import torch

from ..errors import CompareError
from ..networks.tasks import Task

__all__ = ["FourierReport", "frequency_power", "key_frequencies", "restricted_accuracy", "fourier_report",
           "fourier_basis"]


def _weights(model: Any) -> tuple[np.ndarray, np.ndarray, int]:
    model = getattr(model, "model", model)
    if not hasattr(model, "input_weights") or not hasattr(model, "p"):
        raise CompareError(f"fourier: needs a ZpMLP (with input_weights and p), got {type(model).__name__}")
    W_a, W_b = model.input_weights()
    return W_a.double().numpy(), W_b.double().numpy(), int(model.p)


def fourier_basis(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal real Fourier basis of R^p (columns) and the frequency (0 .. p//2) of each column."""
    v = np.arange(p)
    cols, freq = [np.full(p, 1 / np.sqrt(p))], [0]
    for k in range(1, p // 2 + 1):
        if 2 * k == p:
            cols.append(np.cos(np.pi * v) / np.sqrt(p))
            freq.append(k)
            continue
        cols += [np.cos(2 * np.pi * k * v / p) * np.sqrt(2 / p), np.sin(2 * np.pi * k * v / p) * np.sqrt(2 / p)]
        freq += [k, k]
    return np.stack(cols, 1), np.asarray(freq)


def frequency_power(model: Any) -> np.ndarray:
    """Fraction of the non-constant Fourier power of the input weights (a and b together) at each k = 0..p//2.

    Entry 0 is the constant component's share of the *total* power; entries 1.. sum to 1.
    """
    W_a, W_b, p = _weights(model)
    B, freq = fourier_basis(p)
    coef = np.concatenate([W_a @ B, W_b @ B], 0) ** 2            # (2 width, p) power per basis column
    per = np.bincount(freq, weights=coef.sum(0), minlength=p // 2 + 1)
    total, nonconst = per.sum(), per[1:].sum()
    out = np.zeros(p // 2 + 1)
    out[0] = per[0] / total if total > 0 else 0.0
    if nonconst > 0:
        out[1:] = per[1:] / nonconst
    return out


def key_frequencies(model: Any, *, rel_threshold: float = 0.1) -> list[int]:
    """Frequencies whose power is at least ``rel_threshold`` times the largest one's, by decreasing power."""
    power = frequency_power(model)[1:]
    if power.max() <= 0:
        return []
    order = np.argsort(-power, kind="stable")
    return [int(k + 1) for k in order if power[k] >= rel_threshold * power.max()]


def _project(W: np.ndarray, p: int, freqs: Sequence[int], keep: bool) -> np.ndarray:
    B, freq = fourier_basis(p)
    sel = np.isin(freq, list(freqs))
    sel = (sel | (freq == 0)) if keep else (~sel)
    Bs = B[:, sel]
    return W @ Bs @ Bs.T


def restricted_accuracy(model: Any, task: Task, freqs: Sequence[int], *, exclude: bool = False) -> float:
    """Accuracy on all p**2 pairs with the input weights projected onto ``freqs`` (+ constant), or with them removed."""
    model = getattr(model, "model", model)
    W_a, W_b, p = _weights(model)
    if task.domain != "zp" or task.p != p:
        raise CompareError(f"restricted_accuracy: task {task.name!r} is not a Z_{p} task")
    bad = [k for k in freqs if not 1 <= int(k) <= p // 2]
    if bad:
        raise CompareError(f"restricted_accuracy: frequencies must be in 1..{p // 2}, got {bad}")
    Wa = torch.as_tensor(_project(W_a, p, freqs, keep=not exclude), dtype=torch.float32)
    Wb = torch.as_tensor(_project(W_b, p, freqs, keep=not exclude), dtype=torch.float32)
    ab = torch.as_tensor(task.inputs(), dtype=torch.long)
    with torch.no_grad():
        pred = model.forward_from_weights(ab, Wa, Wb).argmax(-1).numpy()
    return float((pred == task.labels).mean())


@dataclass(frozen=True)
class FourierReport:
    """Fourier summary of a Z_p network; see the module docstring for each field's meaning."""

    p: int
    power: tuple[float, ...]
    key_frequencies: tuple[int, ...]
    key_fraction: float
    accuracy: float
    test_accuracy: float
    restricted_accuracy: float
    excluded_accuracy: float
    smallest_faithful: tuple[int, ...]
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-able dict (power as a list)."""
        return {"p": self.p, "key_frequencies": list(self.key_frequencies), "key_fraction": self.key_fraction,
                "accuracy": self.accuracy, "test_accuracy": self.test_accuracy,
                "restricted_accuracy": self.restricted_accuracy, "excluded_accuracy": self.excluded_accuracy,
                "smallest_faithful": list(self.smallest_faithful),
                "n_smallest_faithful": len(self.smallest_faithful)}


def fourier_report(model: Any, task: Task | None = None, *, rel_threshold: float = 0.1) -> FourierReport:
    """Key frequencies, their share of power, and restricted / excluded / smallest-faithful accuracies."""
    task = task if task is not None else getattr(model, "task", None)
    model = getattr(model, "model", model)
    if task is None:
        raise CompareError("fourier_report: give the task")
    W_a, W_b, p = _weights(model)
    power = frequency_power(model)
    keys = key_frequencies(model, rel_threshold=rel_threshold)
    ab = torch.as_tensor(task.inputs(), dtype=torch.long)
    model.eval()
    with torch.no_grad():
        pred = model(ab).argmax(-1).numpy()
    acc = float((pred == task.labels).mean())
    test_acc = float((pred[task.test_idx] == task.labels[task.test_idx]).mean()) if len(task.test_idx) else acc
    order = [int(k) + 1 for k in np.argsort(-power[1:], kind="stable")]
    # smallest prefix (by decreasing power) keeping the full accuracy: binary search, assuming more
    # frequencies never hurt; the answer is re-checked, and widened linearly if that assumption fails
    lo, hi = 1, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        if restricted_accuracy(model, task, order[:mid]) >= acc:
            hi = mid
        else:
            lo = mid + 1
    while lo < len(order) and restricted_accuracy(model, task, order[:lo]) < acc:
        lo += 1
    smallest = tuple(order[:lo])
    return FourierReport(p=p, power=tuple(float(x) for x in power), key_frequencies=tuple(keys),
                         key_fraction=float(power[keys].sum()) if keys else 0.0, accuracy=acc,
                         test_accuracy=test_acc,
                         restricted_accuracy=restricted_accuracy(model, task, keys) if keys else float("nan"),
                         excluded_accuracy=restricted_accuracy(model, task, keys, exclude=True) if keys
                         else acc, smallest_faithful=smallest)
