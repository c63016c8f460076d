"""The program over training: checkpoints, probes and the LLC per checkpoint, the run folder's
trajectory.json (same seed, same file; a resumed run reuses the records it has)."""

from __future__ import annotations

import json

import pytest
import torch

from compare import make_task
from compare.analysis.trajectory import TrajectoryConfig, lead_lag, llc_point, measures, trajectory
from compare.errors import CompareError
from compare.networks.nets import MLP
from compare.networks.training import TrainConfig, checkpoint_epochs, train
from compare.runs.cases import load_case_text
from compare.runs.study import run_case

CASE = """
[case]
name = "and_trajectory"
[task]
target = "and"
params = { n = 4, k = 2 }
train_fraction = 0.5
[net]
kind = "mlp"
widths = [8]
[train]
epochs = 60
lr = 0.05
eval_every = 5
checkpoints = 4
[extract]
method = "none"
[synth]
bases = ["xag"]
budget = 2e6
[run]
seeds = 1
"""


def test_checkpoint_epochs():
    assert checkpoint_epochs(1000, 4) == [0, 1, 10, 100, 1000]
    assert checkpoint_epochs(10, 0) == []
    assert checkpoint_epochs(5, 20) == [0, 1, 2, 3, 4, 5]          # coinciding epochs merge
    with pytest.raises(CompareError, match="checkpoints"):
        TrainConfig(checkpoints=-1)
    with pytest.raises(CompareError, match="llc_burn_in"):
        TrajectoryConfig(llc_burn_in=-1)


def test_checkpoints_are_the_weights_at_those_epochs():
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    cfg = TrainConfig(epochs=20, lr=0.05, checkpoints=3)
    net = train(task, MLP(3, [4], seed=0), cfg, seed=0, cache=False)
    assert sorted(net.checkpoints) == [0, 1, 4, 20]
    # the last checkpoint is the final model; the first is the initialisation
    final = net.model.state_dict()
    assert all(torch.equal(net.checkpoints[20][k], final[k]) for k in final)
    init = MLP(3, [4], seed=0).state_dict()
    assert all(torch.equal(net.checkpoints[0][k], init[k]) for k in init)


def test_trajectory_records_and_lead_lag():
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    net = train(task, MLP(3, [4], seed=0), TrainConfig(epochs=200, lr=0.05, checkpoints=3), seed=0, cache=False)
    assert net.train_acc == 1.0
    tc = TrajectoryConfig(probes=("fit", "weight_norm", "function"), llc_draws=20, seed=1)
    recs = trajectory(net, tc)
    assert [r["epoch"] for r in recs] == [0, 1, 14, 200]
    assert recs[-1]["train_accuracy"] == net.train_acc and all(r["llc"] is not None for r in recs)
    assert set(recs[0]["probes"]) == {"fit", "weight_norm", "function"}
    model = MLP(3, [4], seed=0)
    model.load_state_dict(net.checkpoints[14])
    est = llc_point(model, net, tc)                            # the LLC as the record has it: its own step
    assert (est.mean, est.se) == (recs[2]["llc"], recs[2]["llc_se"])            # batch: all 8 rows
    assert recs[2]["llc_epsilon"] == est.config.epsilon
    # one step for every checkpoint: the one calibrated at the last
    shared = trajectory(net, TrajectoryConfig(probes=("fit",), llc_draws=20, seed=1, llc_epsilon="shared"))
    assert all(r["llc_epsilon"] == recs[-1]["llc_epsilon"] for r in shared)
    assert shared[-1]["llc"] == recs[-1]["llc"]
    at_last = llc_point(model, net, tc, epsilon=recs[-1]["llc_epsilon"])
    assert (at_last.mean, at_last.se) == (shared[2]["llc"], shared[2]["llc_se"])
    assert (est.config.chains, est.config.burn_in, est.config.draws, est.config.batch_size) == (2, 100, 20, 8)
    series = measures(recs)
    assert series["support_size"][-1] == 2                     # the trained network reads x0 and x1
    ll = lead_lag(recs, net.fit_epoch, net.generalise_epoch)
    assert ll["train_accuracy"]["last"] == 1.0
    # same seed, same records (as JSON, byte for byte)
    quick = TrajectoryConfig(probes=("fit", "function"), llc_draws=5, llc_burn_in=5, seed=2)
    assert json.dumps(trajectory(net, quick)) == json.dumps(trajectory(net, quick))
    # resumed: records given as done are reused, not recomputed
    calls = []
    again = trajectory(net, tc, done={r["epoch"]: r for r in recs[:3]}, on_record=lambda rs: calls.append(len(rs)))
    assert again == recs and calls == [4]
    with pytest.raises(CompareError, match="no checkpoints"):
        trajectory(train(task, MLP(3, [4], seed=0), TrainConfig(epochs=2), seed=0, cache=False))


def test_run_folder_trajectory_is_deterministic_and_resumable(tmp_path):
    case = load_case_text(CASE, source="and_trajectory.toml")
    r1 = run_case(case, out=tmp_path / "a", cache=False)
    r2 = run_case(case, out=tmp_path / "b", cache=False)
    sd1 = next((r1.folder / "seeds").iterdir())
    sd2 = next((r2.folder / "seeds").iterdir())
    t1 = (sd1 / "trajectory.json").read_bytes()
    assert t1 == (sd2 / "trajectory.json").read_bytes()        # same seed, same file
    doc = json.loads(t1)
    epochs = [r["epoch"] for r in doc["records"]]
    assert epochs[0] == 0 and len(epochs) >= 4
    files = sorted(p.name for p in (sd1 / "checkpoints").iterdir())
    assert len(files) == len(epochs)
    state = torch.load(sd1 / "checkpoints" / files[-1], weights_only=True)
    assert set(state) >= {"linears.0.weight"}
    metrics = json.loads((sd1 / "metrics.json").read_text())
    assert metrics["trajectory"]["checkpoints"] == epochs and "llc" in metrics["trajectory"]["lead_lag"]
    report = (r1.folder / "report.md").read_text()
    assert "## The program over training" in report and (r1.folder / "figures" / "trajectory.png").is_file()


def test_diverging_training_is_an_error_not_a_report(tmp_path):
    """A learning rate that blows the weights up: training stops with an error naming the epoch, no
    ordinary-looking report is written (issue 12)."""
    task = make_task("and", n=3, k=2, train_fraction=1.0)
    with pytest.raises(CompareError, match="training diverged"):
        train(task, MLP(3, [4], seed=0), TrainConfig(epochs=50, lr=1e30, optimizer="sgd", loss="mse"), seed=0,
              cache=False)
    with pytest.raises(CompareError, match="finite"):
        TrainConfig(lr=float("inf"))
    with pytest.raises(CompareError, match=r"\[train\] lr.*finite|lr.*finite"):
        load_case_text(CASE.replace("lr = 0.05", "lr = inf"), source="t.toml")
