"""Z_p Fourier analysis: Gromov's closed-form network (planted (d)) and the helpers."""

import numpy as np
import pytest
import torch

from compare import (CompareError, MLP, ZpMLP, fourier_report, frequency_power, gromov_weights, key_frequencies,
                     make_task, restricted_accuracy)
from compare.analysis.fourier import fourier_basis


def gromov_net(p, width, seed, frequencies=None):
    m = ZpMLP(p, width, seed=0)
    W1, W2, f = gromov_weights(p, width, seed=seed, frequencies=frequencies)
    with torch.no_grad():
        m.linears[0].weight.copy_(W1)
        m.linears[1].weight.copy_(W2)
    return m, f


@pytest.mark.parametrize("seed", [0, 1])
def test_planted_gromov_addition_mod_97(seed):
    """(d) 500 neurons, random frequencies and phases: 100 % accuracy, the planted frequency set recovered."""
    rng = np.random.default_rng(seed)
    planted = sorted(rng.choice(np.arange(1, 49), size=6, replace=False).tolist())
    m, f = gromov_net(97, 500, seed, planted)
    assert sorted(set(f)) == planted
    task = make_task("add", p=97)
    r = fourier_report(m, task, rel_threshold=1e-6)       # exact weights: every other frequency has power 0
    assert r.accuracy == 1.0
    assert sorted(r.key_frequencies) == planted
    assert r.key_fraction == pytest.approx(1.0)
    assert r.restricted_accuracy == 1.0 and r.excluded_accuracy < 0.05
    assert set(r.smallest_faithful) <= set(planted)


def test_planted_gromov_all_frequencies():
    m, f = gromov_net(97, 500, 0)
    r = fourier_report(m, make_task("add", p=97), rel_threshold=1e-6)
    assert r.accuracy == 1.0 and sorted(r.key_frequencies) == sorted(set(f))


def test_fourier_basis_is_orthonormal():
    for p in (7, 8, 97):
        B, freq = fourier_basis(p)
        assert B.shape == (p, p) and np.allclose(B.T @ B, np.eye(p))
        assert freq.max() == p // 2


def test_frequency_power_of_a_pure_cosine():
    p = 11
    m = ZpMLP(p, 3, seed=0)
    v = np.arange(p)
    W = np.zeros((3, 2 * p))
    W[:, :p] = np.cos(2 * np.pi * 4 * v / p)
    W[:, p:] = np.sin(2 * np.pi * 4 * v / p) + 1.0
    with torch.no_grad():
        m.linears[0].weight.copy_(torch.as_tensor(W, dtype=torch.float32))
    power = frequency_power(m)
    assert power[4] == pytest.approx(1.0) and power[1:].sum() == pytest.approx(1.0)
    assert key_frequencies(m) == [4]


def test_restricted_accuracy_errors():
    m, _ = gromov_net(11, 32, 0, [2])
    with pytest.raises(CompareError, match="frequencies must be in"):
        restricted_accuracy(m, make_task("add", p=11), [0])
    with pytest.raises(CompareError, match="not a Z_11 task"):
        restricted_accuracy(m, make_task("add", p=13), [1])
    with pytest.raises(CompareError, match="ZpMLP"):
        fourier_report(MLP(2, [3]), make_task("add", p=11))
