"""Networks and training: init, determinism per seed, losses/optimizers, history, checkpoint cache."""

import numpy as np
import pytest
import torch

from compare import MLP, CompareError, TrainConfig, ZpMLP, make_task, predict, train


def test_mlp_layers_and_init_scale():
    m = MLP(50, [400, 300], seed=0, sigma_w=2.0, sigma_b=0.5)
    assert [tuple(l.weight.shape) for l in m.linears] == [(400, 50), (300, 400), (1, 300)]
    w0 = m.linears[0].weight.detach().numpy()
    assert np.std(w0) == pytest.approx(2.0 / np.sqrt(50), rel=0.05)
    assert np.std(m.linears[1].bias.detach().numpy()) == pytest.approx(0.5, rel=0.15)
    assert torch.equal(MLP(50, [400, 300], seed=0).linears[0].weight, MLP(50, [400, 300], seed=0).linears[0].weight)
    assert not torch.equal(MLP(5, [4], seed=0).linears[0].weight, MLP(5, [4], seed=1).linears[0].weight)


@pytest.mark.parametrize("act", ["relu", "tanh", "gelu", "quadratic"])
def test_activations(act):
    m = MLP(3, [4], activation=act, seed=0)
    assert m(torch.zeros(5, 3)).shape == (5,)
    assert len(m.hidden(torch.zeros(5, 3))) == 1


def test_init_uses_no_global_rng():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    MLP(10, [10], seed=5)
    assert torch.equal(torch.rand(1), before)


def test_zpmlp_shapes_and_weights():
    m = ZpMLP(7, 16, seed=0)
    assert m(torch.tensor([[1, 2], [3, 4]])).shape == (2, 7)
    Wa, Wb = m.input_weights()
    assert Wa.shape == Wb.shape == (16, 7)
    e = ZpMLP(7, 16, embed_dim=5, activation="relu", bias=True, seed=0)
    Wa, _ = e.input_weights()
    ab = torch.tensor([[1, 2], [3, 4]])
    assert torch.allclose(e.forward_from_weights(ab, *e.input_weights()), e(ab), atol=1e-5)


def test_bad_model_args():
    with pytest.raises(CompareError, match="activation"):
        MLP(3, [4], activation="sigmoidish")
    with pytest.raises(CompareError, match="sizes"):
        MLP(3, [0])


SMALL = TrainConfig(optimizer="adam", lr=0.05, epochs=60, loss="ce")


def test_training_is_deterministic_per_seed():
    task = make_task("parity", n=4, k=2, train_fraction=0.75, seed=0)
    cfg = TrainConfig(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=4, epochs=30, loss="hinge")
    a = train(task, MLP(4, [16], seed=1), cfg, seed=1, cache=False)
    b = train(task, MLP(4, [16], seed=1), cfg, seed=1, cache=False)
    c = train(task, MLP(4, [16], seed=1), cfg, seed=2, cache=False)   # other minibatch order
    assert a.history == b.history
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.model.parameters(), c.model.parameters()))


@pytest.mark.parametrize("opt", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize("loss", ["ce", "hinge", "mse"])
def test_optimizers_and_losses_fit_and(opt, loss):
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    cfg = TrainConfig(optimizer=opt, loss=loss, lr=0.1 if opt == "sgd" else 0.03, momentum=0.9, epochs=300,
                      weight_decay=1e-4, cleanup_epochs=5)
    net = train(task, MLP(3, [8], seed=0), cfg, seed=0, cache=False)
    assert net.train_acc == 1.0 and net.fit_epoch is not None
    assert net.history["epoch"][-1] == net.fit_epoch + 5            # stopped after the cleanup epochs
    assert np.array_equal(predict(net.model, task), task.labels)


def test_history_and_generalise_epoch():
    task = make_task("or", n=4, k=2, train_fraction=0.5, seed=0)
    net = train(task, MLP(4, [8], seed=0), TrainConfig(optimizer="adam", lr=0.05, epochs=100, eval_every=10),
                seed=0, cache=False)
    h = net.history
    assert h["epoch"][0] == 0 and h["epoch"][-1] == 100 and len(h["epoch"]) == 11
    assert set(h) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc"}
    if net.generalise_epoch is not None:
        assert h["test_acc"][h["epoch"].index(net.generalise_epoch)] >= 0.99


def test_zp_training_runs():
    task = make_task("add", p=5, train_fraction=0.8, seed=0)
    net = train(task, ZpMLP(5, 32, seed=0), TrainConfig(optimizer="adamw", lr=0.02, epochs=5, loss="ce"), seed=0,
                cache=False)
    assert len(net.history["train_acc"]) == 6


def test_checkpoint_cache(tmp_path):
    task = make_task("or", n=3, k=2, train_fraction=1.0)
    a = train(task, MLP(3, [4], seed=0), SMALL, seed=0, cache=tmp_path)
    assert not a.cached and len(list(tmp_path.glob("*.pt"))) == 1
    fresh = MLP(3, [4], seed=0)
    b = train(task, fresh, SMALL, seed=0, cache=tmp_path)
    assert b.cached and b.key == a.key and b.history == a.history and b.fit_epoch == a.fit_epoch
    for pa, pb in zip(a.model.parameters(), fresh.parameters()):
        assert torch.equal(pa, pb)
    blob = torch.load(next(tmp_path.glob("*.pt")), weights_only=True)   # loadable without pickle
    assert "state" in blob
    # any change of task, model init, config or seed is another key
    c = train(task, MLP(3, [4], seed=1), SMALL, seed=0, cache=tmp_path)
    d = train(task, MLP(3, [4], seed=0), SMALL, seed=1, cache=tmp_path)
    assert len({a.key, c.key, d.key}) == 3 and not c.cached and not d.cached


def test_corrupt_cache_entry_is_retrained(tmp_path):
    task = make_task("or", n=3, k=2, train_fraction=1.0)
    a = train(task, MLP(3, [4], seed=0), SMALL, seed=0, cache=tmp_path)
    (tmp_path / f"{a.key}.pt").write_bytes(b"garbage")
    b = train(task, MLP(3, [4], seed=0), SMALL, seed=0, cache=tmp_path)
    assert not b.cached and b.history == a.history


def test_training_restores_thread_count():
    before = torch.get_num_threads()
    train(make_task("or", n=2), MLP(2, [2], seed=0), TrainConfig(epochs=2, threads=1), seed=0, cache=False)
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("kw, match", [
    ({"optimizer": "lbfgs"}, "optimizer"), ({"loss": "l1"}, "loss"), ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"), ({"cleanup_epochs": -1}, "cleanup"),
])
def test_config_errors(kw, match):
    with pytest.raises(CompareError, match=match):
        TrainConfig(**kw)


def test_wrong_model_for_task():
    with pytest.raises(CompareError, match="one logit"):
        train(make_task("or", n=2), MLP(2, [2], n_outputs=2), TrainConfig(epochs=1), cache=False)
    with pytest.raises(CompareError, match="(p=5 logits|cannot read)"):
        train(make_task("add", p=5), ZpMLP(5, 4, seed=0).__class__(7, 4), TrainConfig(epochs=1), cache=False)
    with pytest.raises(CompareError, match="cannot read"):
        train(make_task("add", p=5), MLP(2, [2]), TrainConfig(epochs=1), cache=False)
