"""Tasks: named targets, tables, splits, encodings and the synth.Spec a network's data becomes."""

import numpy as np
import pytest

import synth
from compare import TARGETS, CompareError, Task, make_task
from compare.networks.tasks import bool_inputs, labels_from_table, table_from_labels


def test_registry_names():
    assert {"and", "or", "parity", "majority", "threshold", "mux", "equality2", "compare2", "random",
            "add", "sub", "mul"} <= set(TARGETS)


@pytest.mark.parametrize("name, params, table", [
    ("and", {"n": 3, "k": 2}, 0x88),                # x0 & x1 over 3 inputs
    ("or", {"n": 2}, 0b1110),
    ("parity", {"n": 3, "k": 3}, 0x96),
    ("majority", {"n": 3, "k": 3}, 0xE8),
    ("threshold", {"n": 3, "k": 3, "t": 1}, 0xFE),
    ("mux", {"a": 1}, 0xE4),                         # x0 ? x2 : x1
])
def test_named_tables(name, params, table):
    assert make_task(name, **params).table == table


def test_targets_match_their_program_text():
    for name, params in [("and", {"n": 4, "k": 3}), ("parity", {"n": 5, "k": 3}), ("mux", {"a": 1}),
                         ("majority", {"n": 4, "k": 3})]:
        task = make_task(name, **params)
        assert task.target_program.truth_table() == task.table


def test_two_bit_targets():
    X = bool_inputs(np.arange(16), 4).astype(int)
    u, v = X[:, 0] + 2 * X[:, 1], X[:, 2] + 2 * X[:, 3]
    assert np.array_equal(make_task("equality2").labels, u == v)
    assert np.array_equal(make_task("compare2").labels, u > v)


def test_mux_selects_the_addressed_bit():
    task = make_task("mux", a=2)                                 # n = 6
    X = task.inputs()
    addr = X[:, 0] + 2 * X[:, 1]
    assert np.array_equal(task.labels, X[np.arange(64), 2 + addr].astype(bool))


def test_zp_targets():
    for op, f in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply)]:
        task = make_task(op, p=7)
        ab = task.inputs()
        assert np.array_equal(task.labels, f(ab[:, 0], ab[:, 1]) % 7)
        assert task.n_classes == 7


def test_split_is_seeded_and_disjoint():
    a = make_task("parity", n=6, k=3, train_fraction=0.25, seed=3)
    b = make_task("parity", n=6, k=3, train_fraction=0.25, seed=3)
    c = make_task("parity", n=6, k=3, train_fraction=0.25, seed=4)
    assert np.array_equal(a.train_idx, b.train_idx) and not np.array_equal(a.train_idx, c.train_idx)
    assert len(a.train_idx) == 16 and len(a.test_idx) == 48
    assert not set(a.train_idx) & set(a.test_idx)
    assert a.key() == b.key() != c.key()


def test_large_domain_holds_out_a_sample():
    task = make_task("parity", n=20, k=3, train_count=500, seed=0, max_test=1000)
    assert len(task.train_idx) == 500 and len(task.test_idx) == 1000
    assert "sample" in task.test_note


def test_random_target_is_seeded():
    a, b = make_task("random", n=5, fn_seed=1), make_task("random", n=5, fn_seed=2)
    assert a.table == make_task("random", n=5, fn_seed=1).table != b.table


def test_table_roundtrip():
    rng = np.random.default_rng(0)
    for n in (1, 3, 7):
        bits = rng.random(1 << n) < 0.5
        assert np.array_equal(labels_from_table(table_from_labels(bits), n), bits)


def test_dataset_and_spec_hold_the_same_training_data():
    task = make_task("majority", n=5, k=3, train_fraction=0.5, seed=1)
    ds = task.dataset()
    spec = task.train_spec()
    assert isinstance(spec, synth.Spec)
    assert spec.n_examples == len(task.train_idx) == len(ds.y_train)
    assert np.array_equal(ds.X_train.numpy().astype(np.uint8), spec.X)
    assert np.array_equal(ds.y_train.numpy(), spec.y)
    assert spec.n_queries == len(task.test_idx)


def test_pm1_encoding():
    task = make_task("and", n=2, encoding="pm1", train_fraction=1.0)
    X = task.dataset().X_train.numpy()
    assert set(np.unique(X)) == {-1.0, 1.0}
    assert np.array_equal((X + 1) / 2, task.inputs(task.train_idx))


def test_zp_spec():
    task = make_task("add", p=5, train_fraction=0.6, seed=0)
    spec = task.train_spec()
    assert spec.p == 5 and spec.n_examples == 15


def test_from_program_and_from_table():
    t = Task.from_program("xor(x0, and(x1, x2))", 4, train_fraction=0.5, seed=0)
    X = bool_inputs(np.arange(16), 4)
    assert t.n_inputs == 4 and np.array_equal(t.labels, (X[:, 0] ^ (X[:, 1] & X[:, 2])).astype(bool))
    u = Task.from_table(0x96, 3, train_fraction=1.0)
    assert u.table == 0x96 and len(u.test_idx) == 0
    z = Task.from_program("add(a, mul(a, b))", p=5)
    ab = z.inputs()
    assert np.array_equal(z.labels, (ab[:, 0] + ab[:, 0] * ab[:, 1]) % 5)


@pytest.mark.parametrize("call, match", [
    (lambda: make_task("nope", n=3), "unknown target"),
    (lambda: make_task("parity", n=3, k=5), "k <= n"),
    (lambda: make_task("majority", n=4, k=4), "odd"),
    (lambda: make_task("mux", a=2, n=5), "n >= 6"),
    (lambda: make_task("threshold", n=3, k=3), "'t'"),
    (lambda: make_task("parity", n=4, train_fraction=1.5), "train_fraction"),
    (lambda: make_task("parity", n=4, train_count=99), "train_count"),
    (lambda: make_task("parity", n=4, encoding="bits"), "encoding"),
    (lambda: make_task("parity", n=30), "n <= 24"),
    (lambda: make_task("parity", n=3, bogus=1), "bad parameters"),
    (lambda: make_task("add"), "'p'"),
])
def test_errors_name_the_problem(call, match):
    with pytest.raises(CompareError, match=match):
        call()
