"""The program over training: probes and the local learning coefficient at each checkpoint of a run.

`trajectory` takes a `TrainedNet` trained with ``TrainConfig(checkpoints=N)`` (weights kept at epoch 0, at N
log-spaced epochs and at the last one) and measures every checkpoint: the probes of `compare.analysis.probes` (by
default, for Boolean tasks: fit, weight norm, the function's support and average sensitivity, its minimal
size in each basis; for Z_p tasks: fit, weight norm, key frequencies, neuron purity) and the LLC
(`compare.estimate_llc`, on the training rows with the training loss). One record per checkpoint::

    {"epoch", "train_accuracy", "heldout_accuracy", "llc", "llc_se", "probes": {name: result.as_dict()}}

`lead_lag` reads a trajectory against the fit and generalisation epochs: when each measure made most of its
move, and by how many epochs that leads or lags the generalisation jump. The same seed gives the same
records (probes and the LLC draw from seeded generators only).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import CompareError
from ..networks.training import TrainedNet, task_loss
from .llc import LLCEstimate, estimate_llc
from .probes import run_probes

__all__ = ["TrajectoryConfig", "DEFAULT_PROBES", "trajectory", "trajectory_point", "llc_point", "measures",
           "lead_lag"]

# probes run at every checkpoint by default (the extracted circuit is left out: about a minute per
# checkpoint on a memorising network)
DEFAULT_PROBES = {"bool": ("fit", "weight_norm", "function", "min_size"),
                  "zp": ("fit", "weight_norm", "key_frequencies", "neuron_purity")}


LLC_EPSILON = ("each", "shared")
# problems at a shared ε that mean the step is too large at this checkpoint: re-estimate with its own ε
RECALIBRATE = frozenset({"not_finite", "above_d_half"})


@dataclass(frozen=True)
class TrajectoryConfig:
    """What to measure at each checkpoint. ``probes``: names in `compare.PROBES` (None: `DEFAULT_PROBES`
    of the task's domain); ``options``: per-probe keyword options; ``llc``: estimate the LLC, with
    ``llc_chains`` chains of ``llc_burn_in`` + ``llc_draws`` steps on minibatches of ``llc_batch_size``
    rows (the step ε automatic); ``seed`` drives every probe sample and SGLD chain.

    LLC defaults, 2 chains x (100 burn-in + 100 draws) on batches of 64: the SE comes from the two
    chains' spread. bench/trajectory_bench.py --stability compares them on every checkpoint of both
    grokking cases with half the draws and with a reference of 8 x (600 + 400) at the same ε. At the
    sharpest checkpoints (grokking_modular's last, sparse_parity_grokking's epoch 330) the defaults run
    4.4 % and 7.6 % below the reference (the chains still rise after 100 steps), half the draws 6.1 % and
    13.8 %; at the other checkpoints both are within 4 % of it or within 1.3 of its SEs. Half the draws
    would save about a sixth of the trajectory's time; kept at 100 for that bias.

    ``llc_epsilon``: "each" (default): every checkpoint calibrates its own SGLD step ε. "shared"
    calibrates ε once, at the last checkpoint (the trained network), and estimates every checkpoint at
    that ε, as devinterp's grokking example does, paying the calibration (about 40 % of an estimate's
    time) once; a checkpoint whose chains are not finite or exceed d/2 there is re-estimated with its own
    ε. Measured by bench/trajectory_bench.py on grokking_modular (first seed): the trajectory's CPU time
    falls from about 66 % to 53 % of training's, but the early checkpoints, flatter than the last, come
    out about 17 % lower at the last checkpoint's smaller ε (the chains have not equilibrated in 100
    steps), which exaggerates the LLC's rise: not the default. Each record says which ε it used
    (``llc_epsilon``)."""

    probes: tuple[str, ...] | None = None
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    llc: bool = True
    llc_chains: int = 2
    llc_draws: int = 100
    llc_burn_in: int = 100
    llc_batch_size: int | None = 64
    llc_epsilon: str = "each"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.llc_epsilon not in LLC_EPSILON:
            raise CompareError(f"TrajectoryConfig.llc_epsilon must be one of {LLC_EPSILON}, got {self.llc_epsilon!r}")
        if isinstance(self.llc_burn_in, bool) or not isinstance(self.llc_burn_in, int) or self.llc_burn_in < 0:
            raise CompareError(f"TrajectoryConfig.llc_burn_in must be an int >= 0, got {self.llc_burn_in!r}")
        for name in ("llc_chains", "llc_draws"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CompareError(f"TrajectoryConfig.{name} must be an int >= 1, got {v!r}")


def trajectory_point(model: Any, net: TrainedNet, epoch: int, tc: TrajectoryConfig, *,
                     epsilon: float | None = None) -> dict[str, Any]:
    """The record of one checkpoint (``model`` holds its weights; ``net`` gives the task and config);
    ``epsilon``: the LLC's step (None: calibrated here; see `TrajectoryConfig.llc_epsilon`)."""
    task, config = net.task, net.config
    names = tc.probes if tc.probes is not None else DEFAULT_PROBES[task.domain]
    if "fit" not in names:
        names = ("fit",) + tuple(names)
    results = run_probes(model, task, names, config=config, seed=tc.seed, options=tc.options)
    fit = results["fit"]
    rec: dict[str, Any] = {"epoch": int(epoch), "train_accuracy": fit.train_accuracy,
                           "heldout_accuracy": fit.heldout_accuracy, "llc": None, "llc_se": None,
                           "llc_epsilon": None, "probes": {k: v.as_dict() for k, v in results.items()}}
    if tc.llc:
        est = llc_point(model, net, tc, epsilon=epsilon)
        if epsilon is not None and RECALIBRATE & set(est.problems):
            est = llc_point(model, net, tc)                 # the shared step is too large here
        rec["llc"], rec["llc_se"] = float(est.mean), float(est.se)
        rec["llc_epsilon"] = float(est.config.epsilon)
    return rec


def llc_point(model: Any, net: TrainedNet, tc: TrajectoryConfig, *, epsilon: float | None = None) -> LLCEstimate:
    """The LLC estimate of one checkpoint as `trajectory_point` makes it: on the training rows, with the
    training loss, at ``tc``'s chains, draws, burn-in, batch size and seed, and step ``epsilon`` (None:
    automatic)."""
    task, config = net.task, net.config
    Xtr, ytr, _, _ = task.dataset()
    return estimate_llc(model, Xtr, ytr, loss=lambda out, yb: task_loss(out, yb, task, config),
                        epsilon=epsilon, chains=tc.llc_chains, draws=tc.llc_draws, burn_in=tc.llc_burn_in,
                        batch_size=tc.llc_batch_size, seed=tc.seed)


def trajectory(net: TrainedNet, tc: TrajectoryConfig | None = None, *, done: Mapping[int, dict] | None = None,
               on_record: Callable[[list[dict]], None] | None = None) -> list[dict[str, Any]]:
    """One record per checkpoint of ``net``, in epoch order. ``done``: records already computed (by
    epoch), reused as they are (a resumed run does not recompute them); ``on_record`` is called with the
    records so far after each new one (to save them)."""
    tc = TrajectoryConfig() if tc is None else tc
    if not net.checkpoints:
        raise CompareError("trajectory: the network has no checkpoints (train with TrainConfig(checkpoints=N), "
                           "case key [train] checkpoints)")
    model = copy.deepcopy(net.model)
    done = dict(done or {})
    epochs = sorted(net.checkpoints)

    def point(epoch: int, epsilon: float | None) -> dict[str, Any]:
        model.load_state_dict(net.checkpoints[epoch])
        model.eval()
        return trajectory_point(model, net, epoch, tc, epsilon=epsilon)

    shared = None
    if tc.llc and tc.llc_epsilon == "shared":
        last = epochs[-1]                       # calibrated at the trained network, first
        if last not in done or done[last].get("llc_epsilon") is None:
            done[last] = point(last, None)
            if on_record is not None:
                on_record([done[e] for e in epochs if e in done])
        shared = done[last]["llc_epsilon"]
    out: list[dict[str, Any]] = []
    for epoch in epochs:
        if epoch in done:
            out.append(done[epoch])
            continue
        out.append(point(epoch, shared))
        if on_record is not None:
            on_record(sorted(out + [done[e] for e in epochs if e in done and e > epoch],
                             key=lambda r: r["epoch"]))
    return out


def measures(records: Sequence[Mapping[str, Any]]) -> dict[str, list[float | None]]:
    """The scalar series of a trajectory, by name: accuracies, LLC, weight norm, and the complexity
    measures its probes hold (support size, average sensitivity, minimal size per basis, key frequencies,
    mean neuron purity)."""
    out: dict[str, list[float | None]] = {"epoch": [r["epoch"] for r in records]}

    def put(name: str, i: int, v: Any) -> None:
        out.setdefault(name, [None] * len(records))[i] = None if v is None else float(v)

    for i, r in enumerate(records):
        put("train_accuracy", i, r["train_accuracy"])
        put("heldout_accuracy", i, r["heldout_accuracy"])
        put("llc", i, r.get("llc"))
        p = r.get("probes", {})
        if "weight_norm" in p:
            put("weight_norm", i, p["weight_norm"]["total"])
        if "function" in p:
            put("support_size", i, len(p["function"]["support"]))
            put("average_sensitivity", i, p["function"]["average_sensitivity"])
        for s in p.get("min_size", {}).get("sizes", []):
            put(f"min_size_{s['basis']}", i, s["min_size"])
        if "circuit" in p:
            put("circuit_size", i, p["circuit"]["size"])
        if "key_frequencies" in p:
            put("key_frequencies", i, len(p["key_frequencies"]["frequencies"]))
        if "neuron_purity" in p:
            put("neuron_purity", i, p["neuron_purity"]["mean"])
    return out


def _move_epoch(epochs: Sequence[int], values: Sequence[float | None]) -> int | None:
    """The first checkpoint at which a series has made half of its total move from the first checkpoint to
    the last (None when it does not move or has gaps at its ends)."""
    pts = [(e, v) for e, v in zip(epochs, values) if v is not None and math.isfinite(v)]
    if len(pts) < 2:
        return None
    start, end = pts[0][1], pts[-1][1]
    if abs(end - start) < 1e-12:
        return None
    half = start + (end - start) / 2
    for e, v in pts:
        if (v - half) * np.sign(end - start) >= 0:
            return int(e)
    return None


def lead_lag(records: Sequence[Mapping[str, Any]], fit_epoch: int | None,
             generalise_epoch: int | None) -> dict[str, dict[str, Any]]:
    """Per measure: its value at the first and last checkpoints, the epoch by which it made half of that
    move (``move_epoch``, at checkpoint resolution), and ``lead`` = generalisation epoch - move epoch
    (positive: the measure moved before held-out accuracy jumped; None when either is unknown)."""
    series = measures(records)
    epochs = series.pop("epoch")
    out = {}
    for name, values in series.items():
        vals = [v for v in values if v is not None]
        if not vals:
            continue
        move = _move_epoch(epochs, values)
        out[name] = {"first": vals[0], "last": vals[-1], "move_epoch": move,
                     "lead": None if move is None or generalise_epoch is None else int(generalise_epoch - move),
                     "fit_epoch": fit_epoch, "generalise_epoch": generalise_epoch}
    return out
