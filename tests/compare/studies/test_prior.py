"""Random-initialisation prior (compare.studies.prior): batched sampler vs per-network MLPs, seeds, sizes,
study output."""

import argparse
import json
import math

import numpy as np
import pytest
import torch

import synth
from compare import CompareError
from compare.networks.batched import NetBatch, all_inputs, forward, pack_tables
from compare.networks.nets import MLP
from compare.studies.prior import (PriorConfig, count_functions, minimal_sizes, run_prior_study, sample_functions,
                                   spearman)
from compare.study_args import add_prior_arguments, prior_from_args


def _mlp_from_batch(cfg, layers, i):
    net = MLP(cfg.n_inputs, list(cfg.widths), cfg.activation, bias=cfg.bias)
    with torch.no_grad():
        for lin, (W, b) in zip(net.linears, layers):
            lin.weight.copy_(W[i].T)
            if b is not None:
                lin.bias.copy_(b[i])
    return net


@pytest.mark.parametrize("act,bias,widths,inputs", [("relu", True, (6, 5), "01"), ("tanh", False, (4,), "pm1"),
                                                    ("gelu", True, (3, 3, 3), "01"), ("relu", True, (), "01")])
def test_batched_forward_equals_one_mlp_per_network(act, bias, widths, inputs):
    cfg = PriorConfig(n_inputs=4, widths=widths, activation=act, bias=bias, sigma_b=0.8, inputs=inputs,
                      samples=16, batch=16)
    nets = NetBatch(cfg.net, 16).draw(3, 0)
    X = all_inputs(4, inputs)
    with torch.no_grad():
        logits = nets.forward(X).clone()
        assert logits.shape == (16, 16)
        assert torch.allclose(forward(nets.layers, X, act), logits, atol=1e-5)   # without reused buffers
        assert torch.equal(nets.labels(X, torch.arange(16)), nets.labels(X))               # a subset, all of it
        for i in range(16):
            assert torch.allclose(_mlp_from_batch(cfg, nets.layers, i)(X), logits[i], atol=1e-5)


def test_truth_table_convention():
    # x_i = (t >> i) & 1: projections of 3 inputs are 0xaa, 0xcc, 0xf0
    X = all_inputs(3, "01")
    assert X[5].tolist() == [1.0, 0.0, 1.0]
    labels = X.T.numpy() > 0.5                     # three "networks" computing x0, x1, x2
    assert pack_tables(labels)[:, 0].tolist() == [0xaa, 0xcc, 0xf0]
    # a hand-built 2-layer network computing x1 AND x2 (hidden relu(x1 + x2 - 1), output h - 0.5)
    W1 = torch.tensor([[[0.0], [1.0], [1.0]]])     # (1 net, fan_in 3, fan_out 1)
    b1 = torch.tensor([[-1.0]])
    W2 = torch.tensor([[[1.0]]])
    b2 = torch.tensor([[-0.5]])
    out = forward([(W1, b1), (W2, b2)], X, "relu")
    assert int(pack_tables((out > 0).numpy())[0, 0]) == 0xc0
    # n = 7: two words, word j holds bits 64j..64j+63
    X7 = all_inputs(7, "01")
    t = pack_tables((X7[:, 6:7].T > 0.5).numpy())
    assert t.shape == (1, 2) and t[0].tolist() == [0, 2**64 - 1]


def test_init_conventions_scale():
    n = 20000
    std = PriorConfig(n_inputs=3, widths=(8,), sigma_w=2.0, sigma_b=0.5, samples=n, batch=n)
    (W1, b1), (W2, b2) = NetBatch(std.net, n).draw(0, 0).layers
    assert W1.std().item() == pytest.approx(2.0 / math.sqrt(3), rel=0.02)
    assert W2.std().item() == pytest.approx(2.0 / math.sqrt(8), rel=0.02)
    assert b1.std().item() == pytest.approx(0.5, rel=0.02)
    assert abs(W1.mean().item()) < 0.02 and abs((W1 * W2.squeeze(-1)[:, None, :]).mean().item()) < 0.02
    mg = PriorConfig(n_inputs=3, widths=(8,), sigma_w=2.0, sigma_b=0.5, init="mingard2025", samples=n, batch=n)
    (W1, b1), (W2, b2) = NetBatch(mg.net, n).draw(0, 0).layers
    assert W1.std().item() == pytest.approx(2.0 / math.sqrt(3), rel=0.02)
    assert b1.std().item() == pytest.approx(0.5 * 2.0 / 8, rel=0.02)        # fan_out of layer 1 is 8
    assert b2.std().item() == pytest.approx(0.5 * 2.0 / 1, rel=0.05)        # last layer: fan_out 1
    zero = PriorConfig(n_inputs=3, widths=(8,), sigma_b=0.0, samples=10, batch=10)
    assert all(b.abs().max().item() == 0 for _, b in NetBatch(zero.net, 10).draw(0, 0).layers)


def test_networks_do_not_depend_on_threads():
    # a batch larger than one random chunk, so its chunks are drawn on several threads
    cfg = PriorConfig(n_inputs=5, widths=(64, 64), samples=200, batch=100, bases=(), measures=())
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = sample_functions(cfg, 4)
        torch.set_num_threads(2)
        two = sample_functions(cfg, 4)
    finally:
        torch.set_num_threads(old)
    assert NetBatch(cfg.net, 100)._n_drawn > 2 * (1 << 18) * 0 + (1 << 18)
    assert (one == two).all()
    # the first networks do not depend on how many are sampled
    more = sample_functions(PriorConfig(n_inputs=5, widths=(64, 64), samples=150, batch=100, bases=(),
                                        measures=()), 4)
    assert (more == one[:150]).all()


def test_same_seed_same_counts_and_independent_of_chunking():
    cfg = PriorConfig(n_inputs=4, widths=(16, 16), samples=2000, batch=256, bases=(), measures=())
    a = count_functions(cfg, 7)
    b = count_functions(cfg, 7, chunk=512)            # different chunking, same batches
    assert a.tables == b.tables and a.counts.tolist() == b.counts.tolist()
    c = count_functions(cfg, 8)
    assert (a.tables, a.counts.tolist()) != (c.tables, c.counts.tolist())
    assert int(a.counts.sum()) == 2000
    rows = sample_functions(cfg, 7)
    u, k = np.unique(rows[:, 0], return_counts=True)
    assert dict(zip(u.tolist(), k.tolist())) == dict(zip(a.tables, a.counts.tolist()))


def test_bias_free_relu_net_maps_zero_input_to_zero():
    # without biases a ReLU network's logit at x = 0 is exactly 0, so f(0) = 0 for every network
    cfg = PriorConfig(n_inputs=3, widths=(8,), bias=False, samples=500, batch=500, bases=(), measures=())
    assert all(t & 1 == 0 for t in count_functions(cfg, 0).tables)


def test_minimal_sizes_against_census_and_enumeration():
    c = synth.census(3, "aig", "formula")
    tables = [0x00, 0xff, 0xaa, 0x96, 0xe8, 0x17]
    s, ok, info = minimal_sizes(tables, 3, "aig")
    assert ok.all() and s.tolist() == [c.size(t) for t in tables]
    # n = 5 through enumeration: parity of 5 inputs costs 4 XORs in xag, x0 & x1 costs 1
    x = synth.semantics.input_words(5)[:, 0].astype(object)
    par = int(x[0] ^ x[1] ^ x[2] ^ x[3] ^ x[4])
    s, ok, info = minimal_sizes([par, int(x[0] & x[1]), int(x[2])], 5, "xag", budget=100_000_000)
    assert ok.all() and s.tolist() == [4, 1, 0] and not info["valve_fired"]
    # a random 5-input function is far beyond a tiny budget: censored, reported as a lower bound
    s, ok, info = minimal_sizes([0x5A3C96E1, int(x[0])], 5, "aig", budget=200_000, max_entries=2000)
    assert ok.tolist() == [False, True] and s[0] > info["last_complete_size"] >= 0
    again = minimal_sizes([0x5A3C96E1, int(x[0])], 5, "aig", budget=200_000, max_entries=2000)
    assert again[0].tolist() == s.tolist() and again[2]["budget"] == info["budget"]    # the same censoring
    # the wall-clock valve still stops it, and says so
    s, ok, info = minimal_sizes([0x5A3C96E1], 5, "aig", budget_s=1e-9)
    assert not ok[0] and info["valve_fired"]
    # a level cap stops the search at a fixed size, whatever the machine's speed
    s, ok, info = minimal_sizes([0x5A3C96E1, int(x[0] & x[1])], 5, "xag", max_level=2)
    assert ok.tolist() == [False, True] and s.tolist() == [3, 1] and info["last_complete_size"] == 2
    with pytest.raises(CompareError):
        minimal_sizes([0x5A3C96E1], 5, "aig", "circuit")


def test_spearman_matches_scipy_with_ties():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, 200)
    y = x + rng.integers(0, 4, 200)
    rho, p = spearman(x, y)
    ref = scipy_stats.spearmanr(x, y)
    assert rho == pytest.approx(ref.statistic, abs=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=0.2, abs=1e-12)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3])[0])


@pytest.mark.parametrize("kw", [dict(widths=(0,)), dict(widths=(2.5,)), dict(activation="sigmoid"),
                                dict(init="xavier"), dict(sigma_w=0), dict(sigma_b=-1), dict(samples=0),
                                dict(bases=("zp",)), dict(bases=("nope",)), dict(mode="circuit", n_inputs=5),
                                dict(measures=("kolmogorov",)), dict(n_inputs=0), dict(inputs="bits"), dict(size_levels=-1),
                                dict(bias="yes")])
def test_bad_config_raises_compare_error(kw):
    with pytest.raises(CompareError):
        PriorConfig(**kw)


def test_bad_seed_and_workers():
    cfg = PriorConfig(n_inputs=3, widths=(4,), samples=10, bases=(), measures=())
    for bad in (-1, 1.5, True):
        with pytest.raises(CompareError):
            count_functions(cfg, bad)
    with pytest.raises(CompareError):
        count_functions(cfg, 0, workers=0)
    with pytest.raises(CompareError):
        PriorConfig.from_dict({"n_inputs": 3, "width": [4]})


def test_config_round_trip():
    cfg = PriorConfig(n_inputs=4, widths=(7, 3), init="mingard2025", bases=("xag",))
    assert PriorConfig.from_dict(json.loads(json.dumps(cfg.as_dict()))) == cfg


def test_study_writes_report_json_and_figures(tmp_path):
    cfg = PriorConfig(n_inputs=3, widths=(16, 16), samples=3000, batch=1000, bases=("xag", "aig"),
                      measures=("lz", "sop"), sigma_b=0.5)
    study = run_prior_study(cfg, seed=1, out_dir=tmp_path)
    d = json.loads((tmp_path / "prior.json").read_text())
    assert d["samples"] == 3000 and d["config"]["widths"] == [16, 16] and d["seed"] == 1
    assert set(d["correlations"]) == {"size_xag", "size_aig", "lz", "sop"}
    assert d["correlations"]["size_xag"]["rho"] < 0        # simpler functions are more probable
    assert d["distinct_functions"] == len(study.counts.tables)
    funcs = json.loads((tmp_path / "functions.json").read_text())
    assert sum(c for _, c in funcs["all_functions"]["functions"]) == 3000
    report = (tmp_path / "report.md").read_text()
    assert "Spearman" in report and "figures/size.png" in report
    for f in ("rank", "size", "proxies", "strata"):
        assert (tmp_path / "figures" / f"{f}.png").stat().st_size > 1000
    assert not list(tmp_path.rglob("*.tmp"))


def test_cli_arguments(tmp_path):
    ap = argparse.ArgumentParser()
    add_prior_arguments(ap)
    args = ap.parse_args(["--n", "3", "--widths", "8", "--samples", "2e3", "--bases", "xag", "--measures", "",
                          "--init", "mingard2025", "--sigma-b", "1", "--out", str(tmp_path)])
    study = prior_from_args(args)
    assert study.config.init == "mingard2025" and study.counts.samples == 2000
    assert (tmp_path / "report.md").exists()
    bad = ap.parse_args(["--widths", "8,x", "--out", str(tmp_path)])
    with pytest.raises(CompareError):
        prior_from_args(bad)


@pytest.mark.slow
def test_workers_do_not_change_counts():
    cfg = PriorConfig(n_inputs=5, widths=(16, 16), samples=20000, batch=1000, bases=(), measures=())
    a = count_functions(cfg, 3)
    b = count_functions(cfg, 3, workers=2)
    assert a.tables == b.tables and a.counts.tolist() == b.counts.tolist()


def test_count_functions_reports_its_progress_in_batches():
    cfg = PriorConfig(n_inputs=3, widths=(8,), samples=4096, batch=256)
    lines: list[str] = []
    quiet = count_functions(cfg, 7, chunk=1024)
    told = count_functions(cfg, 7, chunk=1024, progress=lines.append)
    assert lines == ["sampled 4/16 batches", "sampled 8/16 batches", "sampled 12/16 batches",
                     "sampled 16/16 batches"]
    assert told.tables == quiet.tables and told.counts.tolist() == quiet.counts.tolist()


def test_study_reports_its_bootstrap_without_changing_it():
    cfg = PriorConfig(n_inputs=3, widths=(8,), samples=2000, batch=1000, bases=("xag",), measures=("lz",),
                      bootstrap=40)
    lines: list[str] = []
    told = run_prior_study(cfg, seed=5, progress=lines.append)
    quiet = run_prior_study(cfg, seed=5)
    boot = [s for s in lines if s.startswith("bootstrap ")]
    assert boot == [f"bootstrap {k}/40 resamples" for k in range(1, 41)]
    assert told.correlations == quiet.correlations
    assert told.correlations["size_xag"]["lo"] is not None
