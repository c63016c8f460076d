"""Training: `train(task, model, config, seed)` -> `TrainedNet`, deterministic on CPU for a seed.

A plain function, not a framework: full-batch or minibatch SGD / Adam / AdamW with cross-entropy, hinge
or MSE loss and weight decay; per-epoch history of loss and accuracy on the train and held-out sets; the
epoch where the training set is fitted and where held-out accuracy reaches ``config.generalise_at``; and
``cleanup_epochs`` more epochs after fitting (weight decay then removes what the fit no longer needs, and
extracted circuits get much smaller). Trained weights are cached on disk under a hash of (task, model
config and initial weights, training config, seed) and loaded with ``torch.load(weights_only=True)``.

Examples
--------
>>> from compare.networks.tasks import make_task
>>> from compare.networks.nets import MLP
>>> task = make_task("and", n=2, train_fraction=1.0)
>>> net = train(task, MLP(2, [4], seed=0), TrainConfig(lr=0.1, epochs=300, optimizer="adam"), seed=0,
...             cache=False)
>>> net.history["train_acc"][-1], net.fit_epoch is not None
(1.0, True)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import CompareError
from ..output.runfolder import atomic_write_bytes
from .nets import as_mlp
from .tasks import Task

__all__ = ["TrainConfig", "TrainedNet", "train", "default_cache_dir", "predict", "task_loss", "checkpoint_epochs"]

_LOSSES = ("ce", "hinge", "mse")
_OPTIMIZERS = ("sgd", "adam", "adamw")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run besides the task, the model and the seed.

    ``epochs`` is the maximum number of epochs. With ``cleanup_epochs`` set, training stops that many
    epochs after the training set is first fitted (100 % train accuracy); with ``stop_at_generalise`` it
    also stops once held-out accuracy reaches ``generalise_at`` (and ``cleanup_epochs`` after that).
    ``batch_size=None`` means full batch. ``threads`` is torch's intra-op thread count during training
    (restored afterwards): 1 is fastest for these small models and makes results independent of the
    machine's core count; None leaves torch's setting alone. ``checkpoints``: keep the weights at epoch
    0, at this many log-spaced epochs up to ``epochs`` (`checkpoint_epochs`) and at the last epoch.
    """

    optimizer: str = "adamw"
    lr: float = 1e-2
    momentum: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    loss: str = "ce"
    hinge_margin: float = 1.0
    batch_size: int | None = None
    epochs: int = 1000
    cleanup_epochs: int | None = None
    stop_at_generalise: bool = False
    generalise_at: float = 0.99
    eval_every: int = 1
    threads: int | None = 1
    checkpoints: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.checkpoints, bool) or not isinstance(self.checkpoints, int) or self.checkpoints < 0:
            raise CompareError(f"TrainConfig.checkpoints must be an int >= 0, got {self.checkpoints!r}")
        if self.optimizer not in _OPTIMIZERS:
            raise CompareError(f"TrainConfig.optimizer must be one of {_OPTIMIZERS}, got {self.optimizer!r}")
        if self.loss not in _LOSSES:
            raise CompareError(f"TrainConfig.loss must be one of {_LOSSES}, got {self.loss!r}")
        for name in ("epochs", "eval_every", "batch_size", "cleanup_epochs", "threads"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
                raise CompareError(f"TrainConfig.{name} must be an integer, got {v!r}")
        if self.epochs < 1 or self.lr <= 0:
            raise CompareError(f"TrainConfig: need epochs >= 1 and lr > 0, got epochs={self.epochs}, lr={self.lr}")
        for name in ("lr", "momentum", "weight_decay", "hinge_margin", "generalise_at"):
            v = getattr(self, name)
            if isinstance(v, float) and not math.isfinite(v):
                raise CompareError(f"TrainConfig.{name} must be a finite number, got {v!r}")
        if self.batch_size is not None and self.batch_size < 1:
            raise CompareError(f"TrainConfig.batch_size must be None (full batch) or >= 1, got {self.batch_size}")
        if self.cleanup_epochs is not None and self.cleanup_epochs < 0:
            raise CompareError(f"TrainConfig.cleanup_epochs must be >= 0, got {self.cleanup_epochs}")
        if self.threads is not None and self.threads < 1:
            raise CompareError(f"TrainConfig.threads must be None (torch's setting) or >= 1, got {self.threads}")
        if self.eval_every < 1:
            raise CompareError(f"TrainConfig.eval_every must be >= 1, got {self.eval_every}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of the config."""
        d = dataclasses.asdict(self)
        d["betas"] = list(self.betas)
        return d


@dataclass
class TrainedNet:
    """A trained model with its task, config, seed and per-epoch history.

    ``history`` has lists ``epoch``, ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (evaluated
    every ``config.eval_every`` epochs and at the last one; held-out entries are None when the task holds
    nothing out). ``fit_epoch`` / ``generalise_epoch`` are the
    first evaluated epochs with train accuracy 1 / held-out accuracy >= ``config.generalise_at`` (None if
    never). ``cached`` says whether the weights came from the checkpoint cache.
    """

    model: nn.Module
    task: Task
    config: TrainConfig
    seed: int
    history: dict[str, list[float]]
    fit_epoch: int | None
    generalise_epoch: int | None
    key: str
    cached: bool = False
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    checkpoints: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)   # epoch -> state_dict

    @property
    def train_acc(self) -> float:
        """Final train accuracy."""
        return self.history["train_acc"][-1]

    @property
    def test_acc(self) -> float | None:
        """Final held-out accuracy (None without held-out points)."""
        return self.history["test_acc"][-1]


def checkpoint_epochs(epochs: int, count: int) -> list[int]:
    """Epoch 0 and ``count`` log-spaced epochs in 1..``epochs`` (rounded; fewer when they coincide).

    >>> checkpoint_epochs(1000, 4)
    [0, 1, 10, 100, 1000]
    """
    if count <= 0:
        return []
    return sorted({0} | {int(round(v)) for v in np.geomspace(1, epochs, count)})


def default_cache_dir() -> Path:
    """``$OCCAM_CACHE_DIR`` or ``~/.cache/occam-circuits/models``."""
    env = os.environ.get("OCCAM_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "occam-circuits" / "models"


def _model_config(model: nn.Module) -> dict[str, Any]:
    cfg = getattr(model, "config", None)
    return dict(cfg) if isinstance(cfg, dict) else {"class": type(model).__name__}


def _run_key(task: Task, model: nn.Module, config: TrainConfig, seed: int) -> str:
    h = hashlib.sha256()
    h.update(task.key().encode())
    h.update(json.dumps(_model_config(model), sort_keys=True, default=str).encode())
    for name, t in sorted(model.state_dict().items()):   # initial weights: hand-set or seeded
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    h.update(json.dumps(config.to_dict(), sort_keys=True).encode())
    h.update(str(int(seed)).encode())
    return h.hexdigest()[:20]


def predict(model: nn.Module, task: Task, X: Any | None = None, *, chunk: int = 1 << 15) -> np.ndarray:
    """The model's labels (bool for Boolean tasks, residues for Z_p) on encoded inputs ``X`` (default: whole domain).

    For a Boolean task the model may be any network `compare.networks.nets.as_mlp` reads (one logit or two classes)."""
    if X is None:
        X = task.encode(task.inputs())
    if task.domain == "bool":
        model = as_mlp(model, task)
        if model.n_inputs != task.n_inputs:
            raise CompareError(f"the network reads {model.n_inputs} inputs but task {task.name!r} has "
                               f"{task.n_inputs}")
    outs = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(X), chunk):
            out = model(X[i:i + chunk])
            outs.append((out > 0).numpy() if task.domain == "bool" else out.argmax(-1).numpy())
    return np.concatenate(outs) if outs else np.zeros(0)


def task_loss(out: torch.Tensor, y: torch.Tensor, task: Task, config: TrainConfig) -> torch.Tensor:
    """The training loss of ``config`` for ``task`` (mean over rows); probes and the LLC reuse it."""
    if task.domain == "bool":
        if out.dim() != 1:
            raise CompareError(f"Boolean task {task.name!r} needs a model with one logit; got output shape "
                               f"{tuple(out.shape)}")
        s = y.to(out.dtype) * 2 - 1
        if config.loss == "ce":
            return nn.functional.binary_cross_entropy_with_logits(out, y.to(out.dtype))
        if config.loss == "hinge":
            return torch.relu(config.hinge_margin - s * out).mean()
        return ((out - s) ** 2).mean()
    if out.dim() != 2 or out.shape[1] != task.p:
        raise CompareError(f"Z_p task {task.name!r} needs a model with p={task.p} logits; got output shape "
                           f"{tuple(out.shape)}")
    if config.loss == "ce":
        return nn.functional.cross_entropy(out, y)
    if config.loss == "hinge":
        return nn.functional.multi_margin_loss(out, y, margin=config.hinge_margin)
    return ((out - nn.functional.one_hot(y, task.p).to(out.dtype)) ** 2).sum(1).mean()


def _acc(out: torch.Tensor, y: torch.Tensor, task: Task) -> float:
    pred = (out > 0).long() if task.domain == "bool" else out.argmax(-1)
    return float((pred == y).double().mean()) if len(y) else float("nan")


def _optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = list(model.parameters())
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)
    return torch.optim.AdamW(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)


def _atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` of ``obj`` to ``path`` through the project's one atomic writer."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


def train(task: Task, model: nn.Module, config: TrainConfig | None = None, seed: int = 0, *,
          cache: bool | str | Path = True) -> TrainedNet:
    """Train ``model`` (in place) on ``task``'s training points; ``seed`` drives minibatch order.

    ``cache=True`` uses `default_cache_dir`, a path uses that folder, ``False`` disables the cache (the
    library form of ``--no-cache``). A cache hit loads the weights (``weights_only=True``) into ``model``.
    """
    config = TrainConfig() if config is None else config
    key = _run_key(task, model, config, seed)
    path = None
    if cache is not False:
        folder = default_cache_dir() if cache is True else Path(cache)
        path = folder / f"{key}.pt"
        if path.exists():
            try:
                blob = torch.load(path, weights_only=True)
                model.load_state_dict(blob["state"])
                hist = {k: list(v) for k, v in blob["history"].items()}
                ckpts = {int(e): st for e, st in blob.get("checkpoints", {}).items()}
                return TrainedNet(model, task, config, int(seed), hist, blob["fit_epoch"],
                                  blob["generalise_epoch"], key, cached=True, seconds=float(blob["seconds"]),
                                  checkpoints=ckpts)
            except Exception:  # a corrupt or stale cache entry is retrained, never trusted
                pass

    old_threads = torch.get_num_threads()
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    try:
        net = _train_loop(task, model, config, seed, key)
    finally:
        torch.set_num_threads(old_threads)
    if path is not None:
        _atomic_save({"state": {k: v.detach().clone() for k, v in model.state_dict().items()},
                      "history": net.history, "fit_epoch": net.fit_epoch, "generalise_epoch": net.generalise_epoch,
                      "seconds": net.seconds, "model_config": json.dumps(_model_config(model), default=str),
                      "train_config": json.dumps(config.to_dict()), "seed": int(seed),
                      "task": json.dumps(task.to_dict(), default=str),
                      "checkpoints": {str(e): st for e, st in net.checkpoints.items()}}, path)
    return net


def _train_loop(task: Task, model: nn.Module, config: TrainConfig, seed: int, key: str) -> TrainedNet:

    t0 = time.perf_counter()
    data = task.dataset()
    Xtr, ytr, Xte, yte = data
    gen = torch.Generator(device="cpu")
    gen.manual_seed(int(np.random.SeedSequence(int(seed)).generate_state(1)[0]))
    opt = _optimizer(model, config)
    hist: dict[str, list[float]] = {k: [] for k in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc")}
    fit_epoch = gen_epoch = None
    stop_at = config.epochs
    m = len(ytr)
    bs = m if config.batch_size is None else min(config.batch_size, m)

    def evaluate(epoch: int) -> None:
        nonlocal fit_epoch, gen_epoch, stop_at
        model.eval()
        with torch.no_grad():
            out_tr = model(Xtr)
            out_te = model(Xte) if len(yte) else out_tr[:0]
            tr_acc, te_acc = _acc(out_tr, ytr, task), _acc(out_te, yte, task)
            hist["epoch"].append(epoch)
            hist["train_loss"].append(float(task_loss(out_tr, ytr, task, config)))
            hist["train_acc"].append(tr_acc)
            hist["test_loss"].append(float(task_loss(out_te, yte, task, config)) if len(yte) else None)
            hist["test_acc"].append(te_acc if len(yte) else None)
        if not math.isfinite(hist["train_loss"][-1]):
            raise CompareError(f"train: the training loss is {hist['train_loss'][-1]} at epoch {epoch} ({task.name}, "
                               f"{config.optimizer} lr={config.lr:g}): training diverged; lower the learning rate "
                               "or the initial weight scale")
        if fit_epoch is None and tr_acc == 1.0:
            fit_epoch = epoch
            if config.cleanup_epochs is not None and not config.stop_at_generalise:
                stop_at = min(stop_at, epoch + config.cleanup_epochs)
        if gen_epoch is None and (te_acc >= config.generalise_at if len(yte) else tr_acc == 1.0):
            gen_epoch = epoch
            if config.stop_at_generalise:
                stop_at = min(stop_at, epoch + (config.cleanup_epochs or 0))

    keep = set(checkpoint_epochs(config.epochs, config.checkpoints))
    ckpts: dict[int, dict[str, torch.Tensor]] = {}

    def snapshot(epoch: int) -> None:
        if keep and epoch not in ckpts:
            ckpts[epoch] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    try:
        evaluate(0)
    except RuntimeError as exc:
        raise CompareError(f"train: model {type(model).__name__} cannot read task {task.name!r}'s inputs "
                           f"({task.domain} domain, inputs of shape {tuple(Xtr.shape)}): {exc}") from None
    snapshot(0)
    epoch = 0
    while epoch < stop_at:
        epoch += 1
        model.train()
        order = torch.randperm(m, generator=gen) if bs < m else None
        for i in range(0, m, bs):
            idx = order[i:i + bs] if order is not None else slice(None)
            opt.zero_grad(set_to_none=True)
            loss = task_loss(model(Xtr[idx]), ytr[idx], task, config)
            loss.backward()
            opt.step()
        if epoch % config.eval_every == 0 or epoch >= stop_at:
            evaluate(epoch)
        if epoch in keep:
            snapshot(epoch)
    if hist["epoch"][-1] != epoch:
        evaluate(epoch)
    snapshot(epoch)                    # the last epoch (training may stop before the last log-spaced one)
    model.eval()
    seconds = time.perf_counter() - t0
    return TrainedNet(model, task, config, int(seed), hist, fit_epoch, gen_epoch, key, seconds=seconds,
                      checkpoints=ckpts)
