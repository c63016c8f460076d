"""Probes (compare.analysis.probes) on hand-built networks with known answers, and on one trained tiny network."""

import json
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from compare import CompareError, MLP, TrainConfig, ZpMLP, gromov_weights, make_task, train
from compare.analysis import probes
from compare.analysis.probes import (PROBES, Fit, FunctionShape, KeyFrequencies, MinimalSizes, NeuronPurity, Probe,
                                     function_shape, key_frequencies_by_share, minimal_sizes, neuron_purity,
                                     progress_measures, register_probe, result_from_dict, run_probes, weight_norm)
from compare.networks.training import predict


def and_net(n, i=0, j=1):
    """x_i AND x_j: one ReLU neuron relu(x_i + x_j - 1), logit = h - 0.5."""
    m = MLP(n, [1], seed=0)
    w = torch.zeros(1, n)
    w[0, i] = w[0, j] = 1.0
    with torch.no_grad():
        m.linears[0].weight.copy_(w)
        m.linears[0].bias.fill_(-1.0)
        m.linears[1].weight.fill_(1.0)
        m.linears[1].bias.fill_(-0.5)
    return m


def xor_net(n):
    """x0 XOR x1 = relu(x0 + x1) - 2 relu(x0 + x1 - 1); logit = that - 0.5."""
    m = MLP(n, [2], seed=0)
    w = torch.zeros(2, n)
    w[:, 0] = w[:, 1] = 1.0
    with torch.no_grad():
        m.linears[0].weight.copy_(w)
        m.linears[0].bias.copy_(torch.tensor([0.0, -1.0]))
        m.linears[1].weight.copy_(torch.tensor([[1.0, -2.0]]))
        m.linears[1].bias.fill_(-0.5)
    return m


def brute_influences(model, task):
    """Oracle: Pr_x[f(x) != f(x ^ e_i)] by looping over the truth table from `predict`."""
    n = task.n_inputs
    labels = predict(model, task).astype(bool)
    return [sum(labels[t] != labels[t ^ (1 << i)] for t in range(1 << n)) / (1 << n) for i in range(n)]


# ----------------------------------------------------------------------------------------------- Boolean

def test_and_network_function_min_size_and_circuit():
    task = make_task("and", n=5, k=2, train_fraction=1.0)
    net = and_net(5)
    r = run_probes(net, task, options={"min_size": {"bases": ("xag", "mig")}})
    assert list(r) == ["fit", "weight_norm", "function", "min_size", "circuit"]
    f = r["function"]
    assert f.support == (0, 1) and f.exhaustive and f.n_points == 32
    assert f.influences == (0.5, 0.5, 0.0, 0.0, 0.0)
    assert f.average_sensitivity == 1.0          # total influence of a 2-input AND
    sizes = r["min_size"].by_basis()
    for b in ("xag", "mig"):
        assert (sizes[b].min_size, sizes[b].lower_bound, sizes[b].exact) == (1, 1, True)
        assert sizes[b].support == (0, 1) and sizes[b].table == "0x8"
    c = r["circuit"]
    assert c.error is None and c.size == 1 and c.fidelity == 1.0 and c.support == (0, 1)
    assert r["fit"].train_accuracy == 1.0 and r["fit"].heldout_accuracy is None


def test_xor_network_sensitivity_two_and_size_one():
    task = make_task("parity", n=4, k=2, train_fraction=0.5, seed=0)
    net = xor_net(4)
    f = function_shape(net, task)
    assert f.support == (0, 1) and f.average_sensitivity == 2.0
    s = minimal_sizes(net, task, bases=("xag", "aon")).by_basis()
    assert (s["xag"].min_size, s["xag"].exact) == (1, True)
    assert (s["aon"].min_size, s["aon"].exact) == (4, True)   # (x0 or x1) and not (x0 and x1): NOT costs 1


def test_constant_function_has_size_zero():
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    net = and_net(3)
    with torch.no_grad():
        net.linears[1].bias.fill_(-10.0)
    f = function_shape(net, task)
    s = minimal_sizes(net, task).sizes[0]
    assert f.support == () and f.average_sensitivity == 0.0
    assert (s.min_size, s.exact, s.table) == (0, True, "0x0")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), width=st.integers(1, 6))
def test_influences_match_brute_force(seed, width):
    task = make_task("and", n=4, k=2, train_fraction=1.0)
    net = MLP(4, [width], seed=seed, sigma_b=1.0)
    f = function_shape(net, task)
    assert f.influences == pytest.approx(brute_influences(net, task))
    assert f.support == tuple(i for i, v in enumerate(brute_influences(net, task)) if v > 0)


def test_sampled_domain_estimates_and_is_seeded():
    task = make_task("and", n=6, k=2, train_fraction=0.5, seed=0)
    net = and_net(6)
    f = function_shape(net, task, samples=4000, seed=1, max_exhaustive=3)   # 2**6 points: sampled anyway
    assert not f.exhaustive and f.n_points == 4000 and f.support == (0, 1)
    assert f.influences[0] == pytest.approx(0.5, abs=0.04) and f.influences[2:] == (0.0,) * 4
    assert function_shape(net, task, samples=4000, seed=1, max_exhaustive=3) == f
    assert function_shape(net, task, samples=4000, seed=2, max_exhaustive=3) != f
    s = minimal_sizes(net, task, samples=4000, seed=1, max_exhaustive=3).sizes[0]
    assert (s.min_size, s.agreement) == (1, 1.0) and "4000 sampled points" in s.note


def test_probes_run_together_share_one_reading_of_the_function(monkeypatch):
    """function and min_size on the same sampled points: run together they evaluate the network once
    (1 + n predictions), with the same results as run one by one (2 x (1 + n) + the sub-cube's)."""
    task = make_task("and", n=6, k=2, train_fraction=0.5, seed=0)
    net = and_net(6)
    opts = {"function": {"samples": 500, "max_exhaustive": 3}, "min_size": {"samples": 500, "max_exhaustive": 3}}
    calls = []
    real = probes.predict
    monkeypatch.setattr(probes, "predict", lambda *a, **k: calls.append(1) or real(*a, **k))
    together = run_probes(net, task, ["function", "min_size"], seed=1, options=opts)
    assert len(calls) == 1 + 6 + 1                    # the points, their 6 neighbours, the sub-cube of x0, x1
    calls.clear()
    apart = {name: run_probes(net, task, [name], seed=1, options={name: opts[name]})[name]
             for name in ("function", "min_size")}
    assert len(calls) == 2 * (1 + 6) + 1
    assert together == apart and together["function"].support == (0, 1)
    assert together["min_size"].sizes[0].min_size == 1
    calls.clear()
    other = run_probes(net, task, ["function", "min_size"], seed=1,
                       options={**opts, "min_size": {"samples": 400, "max_exhaustive": 3}})
    assert len(calls) == 2 * (1 + 6) + 1              # different points: nothing shared
    assert other["min_size"].sizes[0].note == "support and agreement from 400 sampled points"


def test_influence_threshold_reads_the_major_support():
    """x0 AND x1, plus a neuron that flips the label at the single point x = 1...1: influence 2/2**n each."""
    n = 6
    net = MLP(n, [2], seed=0)
    with torch.no_grad():
        net.linears[0].weight.copy_(torch.tensor([[1.0, 1.0, 0, 0, 0, 0], [1.0] * n]))
        net.linears[0].bias.copy_(torch.tensor([-1.0, -(n - 1.0)]))
        net.linears[1].weight.copy_(torch.tensor([[1.0, -2.0]]))
        net.linears[1].bias.fill_(-0.5)
    task = make_task("and", n=n, k=2, train_fraction=1.0)
    f = function_shape(net, task, influence_at=0.05)
    assert f.support == tuple(range(n)) and f.major_support == (0, 1)
    assert f.influences[2:] == (2 / 64,) * 4
    full = minimal_sizes(net, task, max_support=4).sizes[0]
    assert full.min_size is None and "exceeds max_support=4" in full.note
    skipped = run_probes(net, task, ["circuit"], options={"circuit": {"max_support": 3, "influence_at": 0.0}})
    assert skipped["circuit"].size is None and skipped["circuit"].error.startswith("skipped: 6 inputs")
    major = minimal_sizes(net, task, influence_at=0.05).sizes[0]
    assert (major.min_size, major.support, major.agreement) == (1, (0, 1), 63 / 64)
    assert minimal_sizes(net, task).sizes[0].agreement == 1.0


def test_trained_tiny_network():
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    net = train(task, MLP(3, [8], seed=0), TrainConfig(lr=0.05, epochs=100, optimizer="adam"), seed=0,
                cache=False)
    r = run_probes(net.model, task, config=net.config, options={"circuit": {"budget": 10**7}})
    assert r["fit"].train_accuracy == net.history["train_acc"][-1] == 1.0
    assert r["fit"].train_loss == pytest.approx(net.history["train_loss"][-1], rel=1e-6)
    assert r["function"].support == (0, 1) and r["function"].average_sensitivity == 1.0
    assert r["min_size"].sizes[0].min_size == 1
    assert r["circuit"].fidelity == 1.0 and r["circuit"].size >= 1


# ----------------------------------------------------------------------------------------------- Z_p

def gromov_net(p, width, seed, frequencies):
    m = ZpMLP(p, width, seed=0)
    W1, W2, f = gromov_weights(p, width, seed=seed, frequencies=frequencies)
    with torch.no_grad():
        m.linears[0].weight.copy_(W1)
        m.linears[1].weight.copy_(W2)
    return m, f


def test_planted_frequencies_are_the_key_frequencies_and_neurons_are_pure():
    p, planted = 23, [3, 7]
    m, f = gromov_net(p, 512, 0, planted)
    task = make_task("add", p=p, train_fraction=0.5, seed=0)
    keys = key_frequencies_by_share(m, task, share=0.999)
    assert sorted(keys.frequencies) == planted and keys.held == pytest.approx(1.0)
    pur = neuron_purity(m, task)
    assert pur.minimum == pytest.approx(1.0, abs=1e-9) and pur.pure_share == 1.0
    assert pur.top_frequency == tuple(f) and pur.n_frequencies == 2 and len(pur.neurons) == 512
    r = run_probes(m, task, ["fit", "progress"], options={"progress": {"frequencies": planted}})
    assert r["fit"].heldout_accuracy == 1.0
    pm = r["progress"]
    assert pm.restricted_accuracy == 1.0 and pm.restricted_loss <= r["fit"].heldout_loss + 1e-6
    assert pm.excluded_accuracy < 0.2 and pm.excluded_loss > r["fit"].train_loss


def test_key_frequency_share_rule_and_mixed_purity():
    p = 11
    v = np.arange(p)
    m = ZpMLP(p, 3, seed=0)
    W = np.zeros((3, 2 * p))
    W[0, :p] = 3 * np.cos(2 * np.pi * 2 * v / p)              # power 9 at k = 2
    W[1, p:] = np.sin(2 * np.pi * 5 * v / p)                  # power 1 at k = 5
    W[2, :p] = 0.01 * (np.cos(2 * np.pi * 1 * v / p) + np.cos(2 * np.pi * 4 * v / p))  # mixed, tiny
    with torch.no_grad():
        m.linears[0].weight.copy_(torch.as_tensor(W, dtype=torch.float32))
    k8 = key_frequencies_by_share(m, share=0.8)
    assert k8.frequencies == (2,) and k8.held == pytest.approx(9 / 10.0002, rel=1e-4)
    assert key_frequencies_by_share(m, share=0.95).frequencies == (2, 5)
    pur = neuron_purity(m)                                   # neuron 2 is below the live threshold
    assert pur.neurons == (0, 1) and pur.purity == pytest.approx((1.0, 1.0)) and pur.top_frequency == (2, 5)
    pur_all = neuron_purity(m, live_threshold=1e-9)
    assert pur_all.purity[2] == pytest.approx(0.5) and pur_all.pure_share == pytest.approx(2 / 3)


def test_restricted_accuracy_of_a_lookup_table_leaks_the_training_labels():
    """The documented caveat: projecting onto functions of a + b averages along diagonals, train points
    included, so a pure memoriser gets held-out restricted accuracy 1 when every frequency is kept."""
    p = 11
    task = make_task("add", p=p, train_fraction=0.5, seed=0)
    table = np.zeros((p * p, p))
    table[task.train_idx, task.labels[task.train_idx]] = 1.0

    class Lookup(torch.nn.Module):
        def forward(self, ab):
            return torch.as_tensor(table[(ab[:, 0] * p + ab[:, 1]).numpy()])

    every = progress_measures(Lookup(), task, frequencies=range(1, p // 2 + 1))
    assert every.restricted_accuracy == 1.0 and every.excluded_accuracy == 1.0
    assert progress_measures(Lookup(), task, frequencies=[1]).restricted_accuracy < 0.5


def test_progress_rejects_bad_frequencies():
    m, _ = gromov_net(11, 16, 0, [2])
    with pytest.raises(CompareError, match="frequencies must be in 1..5"):
        progress_measures(m, make_task("add", p=11), frequencies=[6])


# ----------------------------------------------------------------------------------------------- registry

def test_registry_domains_and_errors():
    zp = make_task("add", p=7)
    m, _ = gromov_net(7, 8, 0, [1])
    assert list(run_probes(m, zp)) == ["fit", "weight_norm", "key_frequencies", "progress", "neuron_purity"]
    with pytest.raises(CompareError, match="unknown probe 'nope'"):
        run_probes(m, zp, ["nope"])
    with pytest.raises(CompareError, match="probe 'function' is for bool tasks"):
        run_probes(m, zp, ["function"])
    with pytest.raises(CompareError, match="probe 'fit'"):
        run_probes(m, zp, ["fit"], options={"fit": {"colour": 1}})
    with pytest.raises(CompareError, match="options for probes not run"):
        run_probes(m, zp, ["fit"], options={"progress": {}})
    with pytest.raises(CompareError, match="unknown Boolean basis 'zp'"):
        minimal_sizes(and_net(3), make_task("and", n=3, k=2), bases=("xag", "zp"))
    with pytest.raises(CompareError, match="already exists"):
        register_probe(PROBES["fit"])


def test_register_probe_and_run(monkeypatch):
    monkeypatch.setattr(probes, "_PROBES", dict(probes._PROBES))
    register_probe(Probe("n_params", lambda model, task, *, config=None, seed=0: sum(
        p.numel() for p in model.parameters()), "any", int, "number of parameters"))
    assert run_probes(and_net(3), make_task("and", n=3, k=2), ["n_params"]) == {"n_params": 6}


def test_weight_norm_is_the_norm_of_all_parameters():
    net = MLP(4, [5, 3], seed=2, sigma_b=0.5)
    w = weight_norm(net, make_task("and", n=4, k=2))
    flat = torch.cat([p.detach().flatten() for p in net.parameters()]).double()
    assert w.total == pytest.approx(float(flat.norm()))
    assert len(w.names) == len(w.per_tensor) == 6


def test_results_round_trip_through_json():
    task = make_task("and", n=4, k=2, train_fraction=0.5, seed=0)
    m, _ = gromov_net(11, 16, 0, [2, 3])
    zp = make_task("add", p=11, train_fraction=0.5, seed=0)
    results = {**run_probes(and_net(4), task, ["fit", "weight_norm", "function", "min_size", "circuit"]),
               **run_probes(m, zp, ["key_frequencies", "progress", "neuron_purity"])}
    for name, r in results.items():
        back = result_from_dict(name, json.loads(json.dumps(r.as_dict(), allow_nan=False)))
        assert back == r, name
    nan = NeuronPurity((), (), (), math.nan, math.nan, math.nan, math.nan, 0.9, 0, 0.01)
    assert nan.as_dict()["mean"] is None
    with pytest.raises(CompareError, match="unknown key"):
        Fit.from_dict({**results["fit"].as_dict(), "extra": 1})
    assert isinstance(results["min_size"], MinimalSizes) and isinstance(results["function"], FunctionShape)
    assert isinstance(results["key_frequencies"], KeyFrequencies)
