"""compare.analysis.stats: rank correlations, permutation tests and bootstrap intervals against exact references."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as scipy_stats

from compare.analysis.stats import (bootstrap_ci, bootstrap_many, mean_ci, partial_spearman, permutation_spearman,
                                    spearman, spearman_ci, total_variation)


def test_permutation_test_against_exact_null():
    r = permutation_spearman(np.arange(8), np.arange(8)[::-1], permutations=2000, seed=0)
    assert r["rho"] == -1.0 and r["p_perm"] < 0.005        # exact p = 2/8! ~ 5e-5; floor 1/2001
    rng = np.random.default_rng(1)
    r = permutation_spearman(rng.random(30), rng.random(30), permutations=2000, seed=0)
    assert r["p_perm"] > 0.01
    assert permutation_spearman([1, 1, 1], [1, 2, 3], permutations=10, seed=0)["rho"] is None


def test_permutation_p_matches_full_enumeration():
    # 6 points: the exact permutation distribution has 720 equally likely values
    x = np.array([1, 2, 3, 4, 5, 6.0])
    y = np.array([2, 1, 4, 3, 6, 5.0])
    rho = spearman(x, y)[0]
    exact = np.mean([abs(spearman(x, y[list(p)])[0]) >= abs(rho) - 1e-12
                     for p in itertools.permutations(range(6))])
    r = permutation_spearman(x, y, permutations=20000, seed=3)
    assert r["p_perm"] == pytest.approx(exact, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=3, max_size=40))
def test_spearman_equals_scipy(pairs):
    x, y = np.array(pairs, float).T
    rho, _ = spearman(x, y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert math.isnan(rho)
    else:
        assert rho == pytest.approx(scipy_stats.spearmanr(x, y).statistic, abs=1e-12)


def test_partial_spearman_removes_a_shared_cause():
    rng = np.random.default_rng(0)
    z = rng.normal(size=400)
    x = z + 0.1 * rng.normal(size=400)
    y = z + 0.1 * rng.normal(size=400)
    assert spearman(x, y)[0] > 0.9
    assert abs(partial_spearman(x, y, z)) < 0.15


def test_bootstrap_interval_covers_and_is_reproducible():
    rng = np.random.default_rng(5)
    x = rng.normal(size=200)
    y = 0.5 * x + rng.normal(size=200)
    a = spearman_ci(x, y, reps=300, seed=1)
    b = spearman_ci(x, y, reps=300, seed=1)
    assert a == b and a["lo"] < a["rho"] < a["hi"]
    # the population Spearman of a bivariate normal with r = 0.5/sqrt(1.25): (6/pi) asin(r/2)
    r = 0.5 / math.sqrt(1.25)
    assert a["lo"] < 6 / math.pi * math.asin(r / 2) < a["hi"]
    c = bootstrap_ci(lambda g: None, reps=10)
    assert c["lo"] is None and c["undefined"] == 10


def _counts(lines: list[str], reps: int) -> list[int]:
    """The k of each "bootstrap k/reps resamples" line (every line must be one)."""
    assert all(line.startswith("bootstrap ") and line.endswith(f"/{reps} resamples") for line in lines), lines
    return [int(line.split()[1].split("/")[0]) for line in lines]


def test_bootstrap_progress_counts_up_to_reps_and_changes_nothing():
    rng = np.random.default_rng(8)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    told: list[str] = []
    assert spearman_ci(x, y, reps=120, seed=3, progress=told.append) == spearman_ci(x, y, reps=120, seed=3)
    assert _counts(told, 120) == list(range(1, 121))

    def stat(g: np.random.Generator) -> float | None:      # undefined on some resamples
        v = float(g.normal())
        return None if v > 1.5 else v

    told = []
    assert bootstrap_ci(stat, reps=75, seed=9, progress=told.append) == bootstrap_ci(stat, reps=75, seed=9)
    assert _counts(told, 75) == list(range(1, 76))

    def many(g: np.random.Generator) -> dict[str, float]:
        i = g.integers(0, 40, 40)
        return {"rho": spearman(x[i], y[i])[0], "mean": float(x[i].mean())}

    observed = {"rho": spearman(x, y)[0], "mean": float(x.mean())}
    told = []
    with_bar = bootstrap_many(many, observed, reps=64, seed=2, bounds={"rho": (-1.0, 1.0)}, progress=told.append)
    assert with_bar == bootstrap_many(many, observed, reps=64, seed=2, bounds={"rho": (-1.0, 1.0)})
    assert _counts(told, 64) == list(range(1, 65))
    told = []
    bootstrap_ci(stat, reps=0, progress=told.append)
    bootstrap_many(many, observed, reps=0, progress=told.append)
    assert told == []                                     # no resamples, nothing to tell


def test_mean_ci_uses_the_exact_t_quantile():
    assert mean_ci([1.0, 1.0, 1.0]) == {"mean": 1.0, "lo": 1.0, "hi": 1.0, "n": 3}
    v = list(np.arange(12.0))
    d = mean_ci(v)
    h = scipy_stats.t.ppf(0.975, 11) * np.std(v, ddof=1) / math.sqrt(12)
    assert d["hi"] == pytest.approx(5.5 + h, abs=1e-6) and d["n"] == 12
    assert mean_ci([None, float("nan")])["mean"] is None


def test_total_variation():
    assert total_variation(np.array([1.0, 0]), np.array([0, 1.0])) == 1.0
    assert total_variation(np.array([0.3, 0.7]), np.array([0.3, 0.7])) == 0.0
