"""Bring your own network and data: a plain nn.Sequential trained with a plain torch loop on examples read
from a CSV file, then extraction, synthesis and comparison through the public API (and the CLI)."""

import json

import numpy as np
import pytest
import torch
from torch import nn

import compare
import synth
from compare import CompareError, Task
from compare.cli import main

N = 6
MAJ = synth.Program.parse("maj(x0, x1, x2)", N)       # the rule behind the examples: 3-input majority of 6
ALL = ((np.arange(1 << N)[:, None] >> np.arange(N)) & 1).astype(np.uint8)


def _write_csv(path, rows, labels):
    lines = [",".join([f"x{i}" for i in range(N)] + ["y"])]
    lines += [",".join(map(str, r)) + f",{int(v)}" for r, v in zip(rows, labels)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def byo(tmp_path_factory):
    """40 of the 64 inputs, labelled by the majority of x0..x2, in a CSV; a Sequential trained on them."""
    folder = tmp_path_factory.mktemp("byo")
    idx = np.sort(np.random.default_rng(0).choice(1 << N, 40, replace=False))
    X = ALL[idx]
    y = np.asarray(MAJ.evaluate(X)).astype(int)
    _write_csv(folder / "data.csv", X, y)
    spec = synth.Spec.from_csv(folder / "data.csv")            # the project's CSV reader
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(N, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    Xt = torch.tensor(spec.X, dtype=torch.float32)
    yt = torch.tensor(spec.y, dtype=torch.long)
    for _ in range(300):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(Xt), yt)
        loss.backward()
        opt.step()
    torch.save(net.state_dict(), folder / "net.pt")
    return folder, spec, net


def test_sequential_from_csv_examples_extracts_synthesises_and_compares(byo):
    folder, spec, net = byo
    task = Task.from_examples(spec.X, spec.y, name="majority examples")
    assert (len(task.train_idx), len(task.test_idx), task.target_known) == (40, 24, False)
    assert torch.equal((net(torch.tensor(spec.X, dtype=torch.float32)).argmax(1)), torch.tensor(spec.y))

    fn = compare.net_function(net, task)
    assert fn.support == (0, 1, 2) and fn.train_acc == 1.0 and fn.min_size == 4
    assert fn.target_agreement is None and np.isnan(fn.test_acc) and fn.equals_target(task) is None
    maj = np.asarray(MAJ.evaluate(ALL)).astype(bool)
    assert np.array_equal(fn.labels, maj)                        # the network computes the rule everywhere

    circuit = compare.extract(net, task)
    assert circuit.fidelity == 1.0 and circuit.support == (0, 1, 2) and circuit.n_gates == 4
    assert np.array_equal(np.asarray(circuit.program.evaluate(ALL)).astype(bool), maj)

    syn = synth.synthesize(task.train_spec(), basis="xag")
    assert syn.exact and syn.min_size == 4
    c = compare.match(net, syn, task, circuit=circuit)
    assert c.implements_shortest is True and c.function.shortest_best == 1.0
    assert c.function.target is None and c.complexity.equals_target is None
    assert c.complexity.target_min_size is None and c.structure.isomorphic is True
    assert "the target is unknown on the held-out inputs" in c.verdict and "with the target" not in c.verdict
    assert "target unknown; rank 1" in c.verdict


def test_query_labels_make_the_target_known_on_the_queries(byo):
    folder, spec, net = byo
    held = np.setdiff1d(np.arange(1 << N), spec.X.astype(np.int64) @ (1 << np.arange(N)))
    task = Task.from_examples(spec.X, spec.y, queries=ALL[held], query_labels=MAJ.evaluate(ALL[held]))
    assert task.target_known and task.target_known_at(task.test_idx)     # examples + queries = the domain
    syn = synth.synthesize(task.train_spec(), basis="xag")
    c = compare.match(net, syn, task)
    assert c.function.target == 1.0 and c.complexity.equals_target is True
    assert c.complexity.target_min_size == 4 and "100.0% with the target" in c.verdict
    some = Task.from_examples(spec.X, spec.y, queries=ALL[held[:5]], query_labels=MAJ.evaluate(ALL[held[:5]]))
    assert not some.target_known and some.target_known_at(some.test_idx) and len(some.test_idx) == 5


def test_compare_network_and_the_cli_on_a_csv(byo, capsys):
    folder, spec, net = byo
    task = Task.from_csv(folder / "data.csv")
    found = compare.compare_network(net, task, bases=("xag", "aon"))
    assert sorted(found) == ["aon", "xag"]
    assert all(r.comparison.implements_shortest and r.circuit.fidelity == 1.0 for r in found.values())
    assert main(["compare", "net", str(folder / "net.pt"), "--data", str(folder / "data.csv"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "target unknown outside the labelled points" in out
    assert "[xag] extracted circuit: " in out and "[xag] shortest program: " in out and "size 4" in out
    assert "[xag] In basis xag, the network implements the shortest program" in out
    assert main(["compare", "net", str(folder / "net.pt"), "--data", str(folder / "data.csv"), "--json",
                 "--quiet"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["xag"]["comparison"]["function"]["target"] is None and d["xag"]["synthesis"]["min_size"] == 4


def test_two_class_sigmoid_and_registration_order_modules_are_read():
    task = compare.make_task("and", n=3, k=2)
    torch.manual_seed(1)
    seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())

    class Registered(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.out = nn.Linear(3, 5), nn.GELU(), nn.Linear(5, 2)

        def forward(self, x):
            return self.out(self.act(self.fc1(x)))

    for model in (seq, Registered()):
        X = task.encode(task.inputs()).double()
        out = model.double()(X)
        own = (out[:, 1] > out[:, 0]) if out.shape[-1] == 2 else (out.reshape(-1) > 0.5)
        assert np.array_equal(compare.net_function(model, task, synthesize=False).labels, own.numpy())


class _Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 3), nn.Linear(3, 1)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


class _Skip(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.act, self.b = nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1)

    def forward(self, x):
        return self.b(self.act(self.a(x)) + x)


@pytest.mark.parametrize("model,pattern", [
    (nn.Sequential(nn.Linear(4, 3), nn.Conv1d(1, 1, 1), nn.Linear(3, 1)),
     r"layer 1 is Conv1d: only nn.Linear and elementwise activations"),
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 3)), r"output layer has 3 outputs"),
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)),
     r"different activations \(relu, tanh\)"),
    (nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(), nn.Linear(3, 1)), r"layer 1 is LeakyReLU"),
    (nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 1)), r"layer 2 is Linear after a Sigmoid"),
    (nn.Sequential(nn.Linear(5, 3), nn.ReLU(), nn.Linear(3, 1)), r"reads 5 inputs .* has 4"),
    (_Functional(), r"layer 1 is a Linear right after another Linear"),
    (_Skip(), r"do not reproduce its outputs on \d+ of 16 inputs"),
    ("not a network", r"expected a torch.nn.Module"),
])
def test_unsupported_networks_are_named(model, pattern):
    task = compare.make_task("and", n=4, k=2)
    with pytest.raises(CompareError, match=pattern):
        compare.net_function(model, task, synthesize=False)
    with pytest.raises(CompareError, match="extract: .*" + pattern):
        compare.extract(model, task)
    syn = synth.synthesize(task.train_spec(), basis="xag")
    with pytest.raises(CompareError, match=pattern):
        compare.match(model, syn, task)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"X": [[0, 1], [1]], "y": [0, 1]}, r"X = inputs.*rows of different lengths"),
    ({"X": [[0, 2]], "y": [0]}, r"inputs must be 0/1; found 2 at row 0, column 1"),
    ({"X": [[0, 1]], "y": [0, 1]}, r"1 input rows but outputs have shape \(2,\)"),
    ({"X": [[0, 1]], "y": [2]}, r"outputs must be 0/1; found 2 at row 0"),
    ({"X": [[0, 1], [0, 1]], "y": [0, 1]}, r"input \[0, 1\] is given two outputs \(0 at row 0, 1 at row 1\)"),
    ({"X": [[0] * 25], "y": [1]}, r"X has 25 inputs; .* 1 <= n <= 24"),
    ({"X": [[0, 1]], "y": [1], "queries": [[0, 1]]}, r"queries row \[0, 1\] is also an example"),
    ({"X": [[0, 1]], "y": [1], "queries": [[1, 1, 1]]}, r"queries must have shape \(q, 2\)"),
    ({"X": [[0, 1]], "y": [1], "query_labels": [1]}, r"query_labels given without queries"),
    ({"X": [[0, 1]], "y": [1], "queries": [[1, 1], [1, 1]], "query_labels": [0, 1]},
     r"query_labels = outputs\): input \[1, 1\] is given two outputs"),
])
def test_from_examples_names_the_argument_and_the_problem(kwargs, pattern):
    with pytest.raises(CompareError, match=pattern):
        Task.from_examples(**kwargs)


def test_load_network_reads_state_dicts_and_refuses_others(tmp_path):
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    torch.save(seq.state_dict(), tmp_path / "sd.pt")
    m = compare.networks.nets.load_network(tmp_path / "sd.pt", activation="tanh")
    X = torch.rand(5, 3)
    assert torch.allclose(m(X), seq(X).squeeze(-1))
    torch.save(seq, tmp_path / "whole.pt")
    with pytest.raises(CompareError, match="whole pickled nn.Module.*--full-module"):
        compare.networks.nets.load_network(tmp_path / "whole.pt")
    assert isinstance(compare.networks.nets.load_network(tmp_path / "whole.pt", full_module=True), nn.Sequential)
    torch.save({"0.weight": torch.zeros(2, 3, 3)}, tmp_path / "conv.pt")
    with pytest.raises(CompareError, match="no 2-d weight tensor"):
        compare.networks.nets.load_network(tmp_path / "conv.pt")
    with pytest.raises(CompareError, match="no such model file"):
        compare.networks.nets.load_network(tmp_path / "missing.pt")
