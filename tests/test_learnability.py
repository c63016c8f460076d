"""Learnability study (compare.learnability): targets, batched training, permutation test, study output."""

import json

import numpy as np
import pytest
import torch

import synth
from compare import CompareError
from compare.learnability import (LearnabilityConfig, permutation_spearman, run_learnability_study,
                                  select_targets, train_batch)
from compare.prior import _inputs


def test_targets_have_their_stated_minimal_size():
    cfg = LearnabilityConfig(n_inputs=3, max_size=3, targets_per_size=3, random_targets=2, basis="aig")
    ts = select_targets(cfg, seed=0)
    c = synth.census(3, "aig", "formula")
    structured = [t for t in ts if t.kind == "structured"]
    assert len(structured) == 4 * 3 and len([t for t in ts if t.kind == "random"]) == 2
    for t in ts:
        assert t.table not in (0, 0xff) or t.kind == "random"
        if t.exact:
            assert c.size(t.table) == t.size
        else:
            assert c.size(t.table) > cfg.max_size
    assert [t.table for t in select_targets(cfg, seed=0)] == [t.table for t in ts]


def test_train_batch_learns_each_network_its_own_target():
    X = _inputs(3, "01")
    tables = [0xaa, 0x88, 0x96]                    # x0, x0 & x2 ... one per network
    Y = torch.tensor([[(t >> i) & 1 for i in range(8)] for t in tables], dtype=torch.float32)
    mask = torch.ones(3, 8, dtype=torch.bool)
    logits, fit = train_batch(X, Y, mask, (16,), "relu", 1.0, 0.1, epochs=300, lr=0.05,
                              gen=torch.Generator().manual_seed(0))
    assert fit.tolist() == [1.0, 1.0, 1.0]
    assert ((logits > 0).float() == Y).all()


def test_permutation_test_against_exact_null():
    r = permutation_spearman(np.arange(8), np.arange(8)[::-1], permutations=2000, seed=0)
    assert r["rho"] == -1.0 and r["p_perm"] < 0.005        # exact p = 2/8! ~ 5e-5; floor 1/2001
    rng = np.random.default_rng(1)
    r = permutation_spearman(rng.random(30), rng.random(30), permutations=2000, seed=0)
    assert r["p_perm"] > 0.01
    assert permutation_spearman([1, 1, 1], [1, 2, 3], permutations=10, seed=0)["rho"] is None


@pytest.mark.parametrize("kw", [dict(regimes=(("sigmoid", 1.0),)), dict(regimes=(("tanh", 0.0),)),
                                dict(train_fractions=(0.0, 0.5)), dict(fixed_fraction=0.3),
                                dict(threshold=0.4), dict(basis="zp"), dict(widths=()), dict(seeds=0),
                                dict(n_inputs=1)])
def test_bad_config_raises(kw):
    with pytest.raises(CompareError):
        LearnabilityConfig(**kw)


def test_study_output_and_determinism(tmp_path):
    cfg = LearnabilityConfig(n_inputs=3, max_size=2, targets_per_size=3, random_targets=2, seeds=2,
                             train_fractions=(0.5, 0.75), fixed_fraction=0.5, epochs=25, permutations=100,
                             regimes=(("relu", 1.0), ("tanh", 8.0)), widths=(8,))
    st = run_learnability_study(cfg, seed=0, out_dir=tmp_path)
    d = json.loads((tmp_path / "learnability.json").read_text())
    assert set(d["results"]) == {"relu σw=1", "tanh σw=8"}
    r = d["results"]["relu σw=1"]
    assert len(r["mean_accuracy"]) == 2 and len(r["mean_accuracy"][0]) == len(d["targets"]) == 11
    assert 0 <= r["random_mean_accuracy"] <= 1
    assert (tmp_path / "figures" / "learnability.png").stat().st_size > 1000
    assert "Negative controls" in (tmp_path / "report.md").read_text()
    again = run_learnability_study(cfg, seed=0)
    assert again.results["relu σw=1"]["mean_accuracy"] == st.results["relu σw=1"]["mean_accuracy"]
