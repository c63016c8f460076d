"""compare.networks.batched: batches of random MLPs — widths syntax, threads, float64 relabelling, batched
training."""

import numpy as np
import pytest
import torch

from compare import CompareError
from compare.networks.batched import (BatchRunner, NetBatch, NetPrior, all_inputs, forward, pack_tables, parse_widths,
                                      train_batch)
from compare.networks.nets import MLP


def test_parse_widths():
    assert parse_widths("40,40") == (40, 40)
    assert parse_widths("64x10") == (64,) * 10
    assert parse_widths("8, 16x2") == (8, 16, 16)
    for bad in ("40,x", "0", "4x-1"):
        with pytest.raises(CompareError):
            parse_widths(bad)


@pytest.mark.parametrize("kw", [dict(widths=(0,)), dict(activation="sigmoid"), dict(init="he"), dict(sigma_w=0.0),
                                dict(inputs="bits"), dict(n_inputs=17), dict(bias=1)])
def test_bad_prior(kw):
    with pytest.raises(CompareError):
        NetPrior(**{"n_inputs": 3, **kw})


def test_labels_agree_with_float64_and_with_subsets():
    prior = NetPrior(7, (40, 40), "relu", 1.0, 0.5)
    nets = NetBatch(prior, 256).draw(2, 0)
    X = prior.all_inputs()
    lab = nets.labels(X)
    layers64 = [(W.double(), None if b is None else b.double()) for W, b in nets.layers]
    z64 = forward(layers64, X.double(), "relu")
    assert torch.equal(lab, z64 > 0)                    # float64 is the reference the labels follow
    idx = torch.tensor([5, 0, 200])
    assert torch.equal(nets.labels(X, idx), lab[idx])
    assert torch.equal(nets.labels(X[:10]), lab[:, :10])


def test_batch_runner_matches_serial_and_requires_with():
    prior = NetPrior(5, (16,), "tanh", 2.0, 0.3)
    X = prior.all_inputs()
    serial = [pack_tables(NetBatch(prior, 64).draw(9, i).labels(X).numpy()) for i in range(6)]
    with BatchRunner(prior, 64, threads=2) as run:
        futs = [run.submit(lambda nets, i: pack_tables(nets.draw(9, i).labels(X).numpy()), i) for i in range(6)]
        par = [f.result() for f in futs]
    assert all((a == b).all() for a, b in zip(serial, par))
    with pytest.raises(CompareError):
        BatchRunner(prior, 4).submit(lambda nets, i: None, 0)


def test_train_batch_learns_each_network_its_own_target():
    prior = NetPrior(3, (16,), "relu", 1.0, 0.1)
    X = all_inputs(3)
    tables = [0xaa, 0x88, 0x96]                    # x0, x0 & x2 ... one per network
    Y = torch.tensor([[(t >> i) & 1 for i in range(8)] for t in tables], dtype=torch.float32)
    mask = torch.ones(3, 8, dtype=torch.bool)
    tr = train_batch(prior, X, Y, mask, seed=0, lr=0.05, max_steps=300)
    assert tr.train_accuracy.tolist() == [1.0, 1.0, 1.0] and tr.fitted.all()
    assert ((tr.logits > 0).float() == Y).all()
    assert [int(pack_tables(tr.fit_labels.bool().numpy())[i, 0]) for i in range(3)] == tables


@pytest.mark.parametrize("optimizer,batch_size", [("adam", None), ("sgd", None), ("sgd", 2)])
def test_batched_training_equals_training_each_network_alone(optimizer, batch_size):
    # networks in a batch are independent: training three together = training each alone, step for step
    prior = NetPrior(4, (8, 8), "tanh", 1.0, 0.5)
    X = all_inputs(4)
    Y = torch.tensor([[(t >> i) & 1 for i in range(16)] for t in (0x8888, 0x6996, 0xfe80)], dtype=torch.float32)
    mask = torch.zeros(3, 16, dtype=torch.bool)
    mask[:, [0, 3, 5, 6, 9, 12, 15]] = True
    init = NetBatch(prior, 3).draw(4, 0).layers
    together = train_batch(prior, X, Y, mask, seed=1, optimizer=optimizer, lr=0.05, batch_size=batch_size,
                           max_steps=60, stop="max_steps", init=init)
    if batch_size is not None:   # minibatches are drawn per network from one generator: only shapes agree
        assert together.logits.shape == (3, 16)
        return
    for i in range(3):
        alone = train_batch(prior, X, Y[i:i + 1], mask[i:i + 1], seed=1, optimizer=optimizer, lr=0.05,
                            max_steps=60, stop="max_steps",
                            init=[(W[i:i + 1], None if b is None else b[i:i + 1]) for W, b in init])
        assert torch.allclose(alone.logits[0], together.logits[i], atol=1e-5)
        assert alone.fit_step[0] == together.fit_step[i]


def test_first_fit_labels_are_the_function_at_that_step():
    # a network that fits its training points at initialisation returns its initial function (step 0)
    prior = NetPrior(3, (8,), "relu", 1.0, 1.0)
    nets = NetBatch(prior, 50).draw(0, 0)
    X = all_inputs(3)
    lab0 = nets.labels(X).float()
    mask = torch.zeros(50, 8, dtype=torch.bool)
    mask[:, :3] = True
    tr = train_batch(prior, X, lab0, mask, seed=0, max_steps=5, init=nets.layers)
    assert (tr.fit_step == 0).all() and torch.equal(tr.fit_labels.float(), lab0) and tr.steps == 0


def test_training_init_is_the_prior_the_sampler_draws():
    prior = NetPrior(3, (5,), "relu", 1.5, 0.7, init="mingard2025")
    X = all_inputs(3)
    tr = train_batch(prior, X, torch.zeros(4, 8), torch.zeros(4, 8, dtype=torch.bool), seed=3, init_index=2,
                     max_steps=0)
    nets = NetBatch(prior, 4).draw(3, 2)
    assert torch.allclose(tr.logits, forward(nets.layers, X, "relu"), atol=1e-6)
    # and the same networks as compare.MLP with those weights
    mlp = MLP(3, [5], "relu")
    with torch.no_grad():
        for lin, (W, b) in zip(mlp.linears, nets.layers):
            lin.weight.copy_(W[1].T)
            lin.bias.copy_(b[1])
        assert torch.allclose(mlp(X), tr.logits[1], atol=1e-6)


def test_bad_training_arguments():
    prior = NetPrior(2, (3,))
    X = all_inputs(2)
    with pytest.raises(CompareError):
        train_batch(prior, X, torch.zeros(2, 4), torch.ones(2, 4, dtype=torch.bool), seed=0, optimizer="lbfgs")
    with pytest.raises(CompareError):
        train_batch(prior, X, torch.zeros(2, 4), torch.ones(3, 4, dtype=torch.bool), seed=0)
    with pytest.raises(CompareError):
        NetBatch(prior, 0)
    assert np.array_equal(pack_tables(np.zeros((1, 4), bool)), np.zeros((1, 1), np.uint64))
