"""Statistics shared by the case studies and the simplicity-bias studies: rank correlations with
permutation tests and bootstrap intervals, means with Student-t intervals, distances between distributions.

Ranks come from `scipy.stats.rankdata`. Written by hand: the permutation test (ranks computed once and
all permutations correlated in one matrix product; `scipy.stats.permutation_test` re-ranks per
resample and defines the two-sided p as twice the smaller one-sided p), the rank partial correlation
(not in scipy), and a percentile bootstrap that takes a resampling function, because the studies resample
different units (targets, networks drawn from a multinomial of counts, training runs), which
`scipy.stats.bootstrap`'s resampling of data arrays does not cover.

>>> spearman([1, 2, 3, 4], [10, 20, 30, 45])[0]
1.0
>>> mean_ci([1.0, 2.0, 3.0])["hi"]              # 2 + t(0.975, 2) * 1 / sqrt(3)
4.484138
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
from scipy import stats as _st

from ..errors import CompareError

__all__ = ["rank", "spearman", "permutation_spearman", "partial_spearman", "bootstrap_ci", "bootstrap_many",
           "spearman_ci",
           "mean_ci", "total_variation", "fmt_ci", "BIASED_PREFIXES", "fmt_statistic"]


def rank(x: Sequence[float]) -> np.ndarray:
    """Ranks 1..k, ties given their average rank (`scipy.stats.rankdata`)."""
    return _st.rankdata(np.asarray(x, dtype=float), method="average")


def _corr(rx: np.ndarray, ry: np.ndarray) -> float:
    return float(np.clip(np.corrcoef(rx, ry)[0, 1], -1.0, 1.0))


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Spearman's rank correlation and a two-sided p-value (normal approximation, z = ρ √(k−1)).

    NaN when fewer than 3 points or a variable is constant.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(x) != len(y):
        raise CompareError(f"spearman: x and y differ in length ({len(x)} vs {len(y)})")
    if len(x) < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan"), float("nan")
    rho = _corr(rank(x), rank(y))
    z = abs(rho) * math.sqrt(len(x) - 1)
    return rho, float(math.erfc(z / math.sqrt(2)))


def permutation_spearman(x, y, *, permutations: int, seed: int) -> dict[str, Any]:
    """Spearman ρ with a two-sided permutation p-value ((#|ρ_perm| >= |ρ|) + 1) / (permutations + 1).

    >>> r = permutation_spearman([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], permutations=200, seed=0)
    >>> round(r["rho"], 3), r["p_perm"] < 0.1
    (0.829, True)
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    rho, _ = spearman(x, y)
    if math.isnan(rho):
        return {"rho": None, "p_perm": None, "points": int(len(x))}
    rx, ry = rank(x), rank(y)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xB0B]))
    perm = np.argsort(rng.random((permutations, len(x))), axis=1)
    ryp = ry[perm]
    rxc = rx - rx.mean()
    rypc = ryp - ryp.mean(1, keepdims=True)
    rhos = (rypc @ rxc) / (np.linalg.norm(rypc, axis=1) * np.linalg.norm(rxc))
    p = (int((np.abs(rhos) >= abs(rho) - 1e-12).sum()) + 1) / (permutations + 1)
    return {"rho": round(float(rho), 4), "p_perm": p, "points": int(len(x))}


def partial_spearman(x, y, z) -> float | None:
    """Spearman of x and y with z partialled out (Pearson of rank residuals after regressing on rank z)."""
    rx, ry, rz = rank(x), rank(y), rank(z)
    if len(rx) < 4 or np.ptp(rz) == 0:
        return None
    A = np.c_[np.ones_like(rz), rz]
    ex = rx - A @ np.linalg.lstsq(A, rx, rcond=None)[0]
    ey = ry - A @ np.linalg.lstsq(A, ry, rcond=None)[0]
    if np.linalg.norm(ex) == 0 or np.linalg.norm(ey) == 0:
        return None
    return round(float(ex @ ey / (np.linalg.norm(ex) * np.linalg.norm(ey))), 4)


def _resampled(reps: int, progress: Callable[[str], None] | None):
    """Indices 0..reps-1 of the resamples, telling ``progress`` "bootstrap k/reps resamples" after each
    one. It only reports: the generator of the resamples is not touched, so the intervals are the same
    with and without a callback."""
    for k in range(reps):
        yield k
        if progress is not None:
            progress(f"bootstrap {k + 1}/{reps} resamples")


def bootstrap_ci(statistic: Callable[[np.random.Generator], float | None], *, reps: int = 500,
                 seed: int = 0, level: float = 0.95,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Percentile bootstrap interval of a statistic over ``reps`` resamples (see `bootstrap_many` for the
    basic interval that plug-in distances need).

    ``statistic(rng)`` draws one resample with ``rng`` and returns the statistic on it (None or NaN when
    undefined there; those resamples are left out and counted). Returns {lo, hi, reps, undefined}.
    ``progress``: called with "bootstrap k/reps resamples" after each resample (the result does not
    depend on it).
    """
    if reps < 1:
        return {"lo": None, "hi": None, "reps": 0, "undefined": 0}
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xB007]))
    vals = []
    for _ in _resampled(reps, progress):
        v = statistic(rng)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            vals.append(float(v))
    if not vals:
        return {"lo": None, "hi": None, "reps": reps, "undefined": reps}
    a = (1 - level) / 2
    lo, hi = np.quantile(vals, [a, 1 - a])
    return {"lo": round(float(lo), 4), "hi": round(float(hi), 4), "reps": reps, "undefined": reps - len(vals)}


def bootstrap_many(statistics: Callable[[np.random.Generator], dict[str, float | None]], observed: dict[str, float],
                   *, reps: int = 500, seed: int = 0, level: float = 0.95,
                   bounds: dict[str, tuple[float, float]] | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Basic (reverse-percentile) bootstrap intervals of several statistics computed on the same resamples:
    [2θ − q_hi, 2θ − q_lo], which corrects a bias of a statistic to first order — needed for plug-in
    distances between sampled distributions, which sampling noise inflates (their percentile interval can
    lie wholly above the observed value).

    ``statistics(rng)`` draws one resample and returns {name: value}; ``observed`` holds the values on the
    data. Returns {name: {"value", "corrected", "lo", "hi", "undefined"}} for every name in ``observed``:
    the plug-in value, the bias-corrected estimate 2·value − mean(resampled values), the interval, and how
    many resamples left the statistic undefined (those are left out of the interval). ``progress``: as
    in `bootstrap_ci`.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xB007]))
    vals: dict[str, list[float]] = {k: [] for k in observed}
    reps = max(0, int(reps))
    for _ in _resampled(reps, progress):
        for k, v in statistics(rng).items():
            if k in vals and v is not None and not (isinstance(v, float) and math.isnan(v)):
                vals[k].append(float(v))
    a = (1 - level) / 2
    out = {}
    for k, obs in observed.items():
        if obs is None or (isinstance(obs, float) and math.isnan(obs)):
            out[k] = {"value": None, "corrected": None, "lo": None, "hi": None, "undefined": reps}
            continue
        if not vals[k]:
            out[k] = {"value": round(float(obs), 4), "corrected": round(float(obs), 4), "lo": None, "hi": None,
                      "undefined": reps}
            continue
        q_lo, q_hi = (float(q) for q in np.quantile(vals[k], [a, 1 - a]))
        lo, hi, corrected = 2 * obs - q_hi, 2 * obs - q_lo, 2 * obs - float(np.mean(vals[k]))
        if bounds and k in bounds:
            b0, b1 = bounds[k]
            lo, hi, corrected = (min(max(x, b0), b1) for x in (lo, hi, corrected))
        out[k] = {"value": round(float(obs), 4), "corrected": round(corrected, 4), "lo": round(lo, 4),
                  "hi": round(hi, 4), "undefined": reps - len(vals[k])}
    return out


def spearman_ci(x, y, *, reps: int = 500, seed: int = 0, level: float = 0.95,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Spearman ρ with a percentile bootstrap interval over resampled (x, y) pairs (``progress``: as in
    `bootstrap_ci`).

    >>> r = spearman_ci(range(20), range(20), reps=50)
    >>> r["rho"], r["lo"], r["hi"]
    (1.0, 1.0, 1.0)
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    rho, p = spearman(x, y)
    out: dict[str, Any] = {"rho": None if math.isnan(rho) else round(rho, 4),
                           "p": None if math.isnan(p) else float(p), "points": int(len(x))}

    def stat(rng: np.random.Generator) -> float:
        i = rng.integers(0, len(x), len(x))
        return spearman(x[i], y[i])[0]

    ci = bootstrap_ci(stat, reps=reps, seed=seed, level=level, progress=progress) if len(x) >= 3 else \
        {"lo": None, "hi": None, "reps": 0, "undefined": 0}
    out.update(lo=ci["lo"], hi=ci["hi"], ci_reps=ci["reps"])
    return out


def mean_ci(values: Sequence[float | None], level: float = 0.95) -> dict[str, float | int | None]:
    """Mean and Student-t interval (default 95 %) over values (None and NaN skipped): {mean, lo, hi, n}."""
    v = np.array([x for x in values if x is not None and not (isinstance(x, float) and math.isnan(x))],
                 dtype=float)
    if len(v) == 0:
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    m = float(v.mean())
    if len(v) == 1:
        return {"mean": m, "lo": None, "hi": None, "n": 1}
    t = float(_st.t.ppf(0.5 + level / 2, len(v) - 1))
    h = t * float(v.std(ddof=1)) / math.sqrt(len(v))
    return {"mean": round(m, 6), "lo": round(m - h, 6), "hi": round(m + h, 6), "n": int(len(v))}


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance ½ Σ |p − q| between two distributions on the same support (each sums to 1).

    >>> total_variation(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5]))
    0.5
    """
    return float(0.5 * np.abs(np.asarray(p, float) - np.asarray(q, float)).sum())


def fmt_ci(d: dict | None, key: str = "value", fmt: str = "+.2f") -> str:
    """``+0.52 [+0.41, +0.61]`` from a dict with ``key``, ``lo``, ``hi`` ('n/a' when missing)."""
    if not d or d.get(key) is None:
        return "n/a"
    s = format(d[key], fmt)
    if d.get("lo") is not None and d.get("hi") is not None:
        s += f" [{format(d['lo'], fmt)}, {format(d['hi'], fmt)}]"
    return s


BIASED_PREFIXES = ("tv_", "size_tv_", "pred_", "rho_")
"""Statistics whose names start with these (distances, prediction gaps, correlations) are shown
bias-corrected by `fmt_statistic`: sampling noise inflates or attenuates their plug-in values."""


def fmt_statistic(st: dict[str, Any], name: str, fmt: str = ".3f") -> str:
    """Statistic ``name`` of ``st`` with its interval (`fmt_ci`): the bias-corrected estimate for the
    names in `BIASED_PREFIXES` when there is one, the plug-in ``value`` otherwise (means)."""
    d = st[name]
    key = "corrected" if name.startswith(BIASED_PREFIXES) and d.get("corrected") is not None else "value"
    return fmt_ci(d, key, fmt)
