"""Small torch models that `compare` owns: an MLP for Boolean tasks and a one-hot MLP for Z_p tasks.

Both keep their linear layers, in order, in ``model.linears`` so weights can be set by hand, and both
carry a ``config`` dict (everything needed to rebuild them) that travels into caches and run folders.

Examples
--------
>>> m = MLP(3, [4], seed=0)
>>> [tuple(l.weight.shape) for l in m.linears]
[(4, 3), (1, 4)]
>>> m(torch.zeros(2, 3)).shape            # one logit per input row
torch.Size([2])
"""

from __future__ import annotations

import copy
import json
import math
import zipfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from ..errors import CompareError
from .activations import ACTIVATION_TABLE, ACTIVATIONS, get_activation

__all__ = ["MLP", "ZpMLP", "ACTIVATIONS", "activation_fn", "as_mlp", "load_network", "gromov_weights"]

MAX_PARAMETERS = 10**8   # 400 MB of float32 weights, about 1.6 GB with gradients and Adam state


def activation_fn(name: str) -> Any:
    """The elementwise torch function for an activation name in `ACTIVATIONS` (`compare.networks.activations`)."""
    return get_activation(name).torch


def _init_linear(lin: nn.Linear, sigma_w: float, sigma_b: float, gen: torch.Generator) -> None:
    """Weights N(0, sigma_w**2 / fan_in), biases N(0, sigma_b**2), drawn from ``gen``."""
    with torch.no_grad():
        fan_in = lin.weight.shape[1]
        lin.weight.copy_(torch.randn(lin.weight.shape, generator=gen) * (sigma_w / math.sqrt(fan_in)))
        if lin.bias is not None:
            lin.bias.copy_(torch.randn(lin.bias.shape, generator=gen) * sigma_b)


def _linear(n_in: int, n_out: int, bias: bool) -> nn.Linear:
    """An uninitialised Linear (torch's default init would draw from the global RNG)."""
    return nn.utils.skip_init(nn.Linear, n_in, n_out, bias=bias)


def _generator(seed: int) -> torch.Generator:
    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g


class MLP(nn.Module):
    """Boolean-task MLP: ``n_inputs`` -> hidden ``widths`` (activation) -> one logit (label = logit > 0).

    Parameters
    ----------
    n_inputs : number of input bits.
    widths : hidden layer widths, e.g. ``[128]``.
    activation : one of relu | tanh | gelu | quadratic.
    bias : whether layers have biases.
    sigma_w, sigma_b : init scales (weights N(0, sigma_w**2/fan_in), biases N(0, sigma_b**2)).
    n_outputs : logits (1 for a Boolean task; the forward pass then returns shape (m,)).
    seed : seed of the initialisation (a private torch.Generator; global RNG state is untouched).
    """

    def __init__(self, n_inputs: int, widths: Sequence[int], activation: str = "relu", bias: bool = True, *,
                 sigma_w: float = 1.0, sigma_b: float = 0.0, n_outputs: int = 1, seed: int = 0) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        if n_inputs < 1 or any(w < 1 for w in widths) or n_outputs < 1:
            raise CompareError(f"MLP: sizes must be >= 1, got n_inputs={n_inputs}, widths={widths}, "
                               f"n_outputs={n_outputs}")
        n_params = sum((a + 1) * b for a, b in zip([int(n_inputs), *widths], [*widths, int(n_outputs)]))
        if n_params > MAX_PARAMETERS:       # checked before torch allocates
            raise CompareError(f"MLP: widths {widths} give {n_params:,} parameters, more than "
                               f"compare.networks.nets.MAX_PARAMETERS = {MAX_PARAMETERS:,}")
        activation_fn(activation)
        self.config = {"class": "MLP", "n_inputs": int(n_inputs), "widths": widths, "activation": activation,
                       "bias": bool(bias), "sigma_w": float(sigma_w), "sigma_b": float(sigma_b),
                       "n_outputs": int(n_outputs), "seed": int(seed)}
        dims = [int(n_inputs), *widths, int(n_outputs)]
        self.linears = nn.ModuleList(_linear(a, b, bias) for a, b in zip(dims[:-1], dims[1:]))
        self.activation = activation
        self._act = activation_fn(activation)
        gen = _generator(seed)
        for lin in self.linears:
            _init_linear(lin, sigma_w, sigma_b, gen)

    @property
    def n_inputs(self) -> int:
        return self.config["n_inputs"]

    def hidden(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Post-activation values of every hidden layer, in order."""
        out = []
        for lin in self.linears[:-1]:
            x = self._act(lin(x))
            out.append(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # unpacking, not `self.linears[:-1]`: slicing a ModuleList builds a new one on every call, a fifth
        # of an SGLD step's time on the small networks of the cases
        *hidden, last = self.linears
        for lin in hidden:
            x = self._act(lin(x))
        y = last(x)
        return y.squeeze(-1) if self.config["n_outputs"] == 1 else y


class ZpMLP(nn.Module):
    """Z_p MLP: one-hot a and b (or learned embeddings) -> hidden layer(s) -> p logits.

    With the defaults (``embed_dim=None``, one hidden layer, ``activation="quadratic"``, ``bias=False``) this
    is Gromov's (2023) two-layer network: ``logits = W2 @ (W1 @ [onehot(a); onehot(b)])**2``. With
    ``embed_dim=d`` a and b are looked up in separate embeddings (p x d) that feed the first linear layer.
    ``linears[0].weight[:, :p]`` (or the embedding product) is the input weight per value of a;
    see `input_weights`.
    """

    def __init__(self, p: int, width: int | Sequence[int], activation: str = "quadratic", bias: bool = False, *,
                 embed_dim: int | None = None, sigma_w: float = 1.0, sigma_b: float = 0.0,
                 seed: int = 0) -> None:
        super().__init__()
        widths = [int(width)] if isinstance(width, int) else [int(w) for w in width]
        if p < 2 or not widths or any(w < 1 for w in widths):
            raise CompareError(f"ZpMLP: need p >= 2 and widths >= 1, got p={p}, width={width}")
        activation_fn(activation)
        self.config = {"class": "ZpMLP", "p": int(p), "width": widths, "activation": activation,
                       "bias": bool(bias), "embed_dim": embed_dim, "sigma_w": float(sigma_w),
                       "sigma_b": float(sigma_b), "seed": int(seed)}
        self.p = int(p)
        self._act = activation_fn(activation)
        gen = _generator(seed)
        if embed_dim is None:
            self.embed_a = self.embed_b = None
            d_in = 2 * self.p
        else:
            self.embed_a = nn.utils.skip_init(nn.Embedding, self.p, int(embed_dim))
            self.embed_b = nn.utils.skip_init(nn.Embedding, self.p, int(embed_dim))
            with torch.no_grad():
                for e in (self.embed_a, self.embed_b):
                    e.weight.copy_(torch.randn(e.weight.shape, generator=gen) * sigma_w)
            d_in = 2 * int(embed_dim)
        dims = [d_in, *widths, self.p]
        self.linears = nn.ModuleList(_linear(a, b, bias) for a, b in zip(dims[:-1], dims[1:]))
        for lin in self.linears:
            _init_linear(lin, sigma_w, sigma_b, gen)

    def features(self, ab: torch.Tensor) -> torch.Tensor:
        """First-layer input: concatenated one-hots (m, 2p) or embeddings (m, 2d) of the (a, b) rows."""
        ab = torch.as_tensor(ab, dtype=torch.long)
        if self.embed_a is None:
            return torch.cat([nn.functional.one_hot(ab[:, 0], self.p), nn.functional.one_hot(ab[:, 1], self.p)],
                             1).to(self.linears[0].weight.dtype)
        return torch.cat([self.embed_a(ab[:, 0]), self.embed_b(ab[:, 1])], 1)

    def input_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Effective first-layer weights per token: (W_a, W_b), each (width, p) (column v = input a = v)."""
        W = self.linears[0].weight.detach()
        if self.embed_a is None:
            return W[:, :self.p].clone(), W[:, self.p:].clone()
        d = self.embed_a.weight.shape[1]
        return (W[:, :d] @ self.embed_a.weight.detach().T, W[:, d:] @ self.embed_b.weight.detach().T)

    def forward_from_weights(self, ab: torch.Tensor, W_a: torch.Tensor, W_b: torch.Tensor) -> torch.Tensor:
        """Logits with the first layer's per-token weights replaced by ``W_a``, ``W_b`` (width, p)."""
        ab = torch.as_tensor(ab, dtype=torch.long)
        x = W_a[:, ab[:, 0]].T + W_b[:, ab[:, 1]].T
        if self.linears[0].bias is not None:
            x = x + self.linears[0].bias
        x = self._act(x)
        for lin in self.linears[1:-1]:
            x = self._act(lin(x))
        return self.linears[-1](x)

    def forward(self, ab: torch.Tensor) -> torch.Tensor:
        x = self.features(ab)
        *hidden, last = self.linears        # as MLP.forward: no ModuleList slice per call
        for lin in hidden:
            x = self._act(lin(x))
        return last(x)


def gromov_weights(p: int, width: int, *, seed: int = 0, frequencies: Sequence[int] | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Gromov's (2023) closed-form weights for a + b mod p in the two-layer quadratic `ZpMLP`.

    Neuron k has a frequency f_k (drawn uniformly from ``frequencies``, default 1 .. (p-1)/2) and random
    phases phi_k, psi_k: ``W1[k, a] = cos(2 pi f_k a / p + phi_k)``, ``W1[k, p + b] = cos(2 pi f_k b / p + psi_k)``,
    ``W2[q, k] = cos(2 pi f_k q / p + phi_k + psi_k)``. Returns (W1 (width, 2p), W2 (p, width), the f_k).
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    pool = np.arange(1, (p - 1) // 2 + 1) if frequencies is None else np.asarray(list(frequencies))
    if len(pool) == 0 or pool.min() < 1 or pool.max() > p // 2:
        raise CompareError(f"gromov_weights: frequencies must lie in 1..{p // 2}, got {list(pool)}")
    f = rng.choice(pool, size=width)
    phi, psi = rng.uniform(-math.pi, math.pi, size=(2, width))
    v = np.arange(p)
    ang = 2 * math.pi * np.outer(f, v) / p                 # (width, p)
    W1 = np.concatenate([np.cos(ang + phi[:, None]), np.cos(ang + psi[:, None])], 1)
    W2 = np.cos(ang + (phi + psi)[:, None]).T               # (p, width)
    return (torch.as_tensor(W1, dtype=torch.float32), torch.as_tensor(W2, dtype=torch.float32),
            [int(x) for x in f])


# ----------------------------------------------------------------------------------------------- a user's network

_PASS_THROUGH = ("Identity", "Dropout", "Flatten")      # no-ops on (examples, inputs) rows in eval mode
_OUTPUT_SQUASH = {"Sigmoid": 1, "Softmax": 2, "LogSoftmax": 2}   # monotone: the label is unchanged


def _leaves(module: nn.Module) -> list[nn.Module]:
    """The leaf modules in the order they are listed (a Sequential's repeated module counted each time)."""
    kids = list(module) if isinstance(module, (nn.Sequential, nn.ModuleList)) else list(module.children())
    if not kids:
        return [module]
    return [leaf for kid in kids for leaf in _leaves(kid)]


def _activation_of(module: nn.Module) -> str | None:
    cls = type(module).__name__
    if cls == "GELU" and getattr(module, "approximate", "none") != "none":
        return None
    for act in ACTIVATION_TABLE.values():
        if cls in act.modules and isinstance(module, getattr(nn, cls)):
            return act.name
    return None


def _read_layers(model: nn.Module) -> tuple[list[nn.Linear], str | None, str, str]:
    """(linear layers in order, hidden activation, how the output is read, a description of the layers)."""
    supported = ", ".join(f"nn.{m}" for a in ACTIVATION_TABLE.values() for m in a.modules)
    linears: list[nn.Linear] = []
    acts: list[str] = []
    pending: str | None = None          # an activation seen since the last Linear
    squash = ""
    shown: list[str] = []
    for i, leaf in enumerate(_leaves(model)):
        cls = type(leaf).__name__
        if squash:
            raise CompareError(f"layer {i} is {cls} after a {squash}: a {squash} is read only at the end, after "
                               f"the output layer; the hidden activations supported are {supported}")
        if isinstance(leaf, nn.Linear):
            if linears and pending is None:
                raise CompareError(f"layer {i} is a Linear right after another Linear (no activation between "
                                   f"them): only Linear layers separated by one elementwise activation are "
                                   f"supported")
            if pending is not None:
                acts.append(pending)
            linears.append(leaf)
            pending = None
            shown.append(f"Linear({leaf.in_features}, {leaf.out_features})")
            continue
        if cls in _PASS_THROUGH and isinstance(leaf, getattr(nn, cls)):
            continue
        act = _activation_of(leaf)
        if not linears:
            raise CompareError(f"layer {i} is {cls} before any nn.Linear: the network must start with an "
                               f"nn.Linear layer")
        if act is None and cls in _OUTPUT_SQUASH and isinstance(leaf, getattr(nn, cls)):
            squash = cls
            shown.append(cls)
            continue
        if act is None:
            raise CompareError(f"layer {i} is {cls}: only nn.Linear and elementwise activations ({supported}) "
                               f"are supported")
        if pending is not None:
            raise CompareError(f"layer {i} is a second activation ({cls}) in a row: only Linear layers "
                               f"separated by one elementwise activation are supported")
        pending = act
        shown.append(cls)
    if not linears:
        raise CompareError(f"{type(model).__name__} has no nn.Linear layer: only networks of nn.Linear layers "
                           f"and elementwise activations are supported")
    if pending is not None:
        raise CompareError(f"the output layer is followed by {shown[-1]}: end the network with its output "
                           f"Linear (one logit or two classes), optionally followed by nn.Sigmoid (one logit) "
                           f"or nn.Softmax / nn.LogSoftmax (two classes)")
    if len(set(acts)) > 1:
        raise CompareError(f"the hidden layers use different activations ({', '.join(acts)}): one activation "
                           f"for every hidden layer is supported")
    out = linears[-1].out_features
    if out not in (1, 2):
        raise CompareError(f"the output layer has {out} outputs: a Boolean network needs one logit or two "
                           f"classes")
    if squash and _OUTPUT_SQUASH[squash] != out:
        raise CompareError(f"the output layer has {out} output(s) followed by {squash}: use Sigmoid after one "
                           f"logit, Softmax or LogSoftmax after two classes")
    return linears, (acts[0] if acts else None), squash, ", ".join(shown)


def _as_one_logit(out: torch.Tensor, squash: str, m: int) -> torch.Tensor:
    """A user's network's output as what its copy computes: one logit (``out[1] - out[0]`` for two
    classes), or the probability of label 1 after a final Sigmoid or Softmax."""
    if out.dim() == 2 and out.shape[1] == 2:
        return out[:, 1] if squash == "Softmax" else out[:, 1] - out[:, 0]
    return out.reshape(m)


def as_mlp(model: Any, task: Any = None, *, check_points: int = 1 << 16) -> MLP:
    """The project's `MLP` computing the same Boolean function as ``model``.

    ``model`` is an `MLP` (returned as it is) or any ``torch.nn.Module`` whose leaf modules, read in the
    order they are listed (``nn.Sequential`` order, or registration order), are ``nn.Linear`` layers
    separated by one elementwise activation (`ACTIVATIONS`: nn.ReLU, nn.Tanh, nn.GELU; the same one for
    every hidden layer), and whose output is one logit (label = logit > 0; a final
    nn.Sigmoid: probability > 1/2) or two classes (label = the larger; a final Softmax or LogSoftmax is
    allowed). Two classes are folded into one logit, ``w[1] - w[0]`` and ``b[1] - b[0]``; nn.Identity,
    nn.Dropout and nn.Flatten are skipped. Anything else is a `CompareError` naming the layer.

    With a ``task`` the copy is checked against ``model`` itself on the task's inputs (all of them, or
    ``check_points`` seeded ones): a module whose forward does not apply its layers in the order they are
    listed (a functional activation, a skip connection) is refused rather than misread.

    >>> m = as_mlp(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)))
    >>> m.config["widths"], m.config["activation"], m.config["read_from"]
    ([4], 'relu', 'Linear(3, 4), ReLU, Linear(4, 2) (two classes folded into one logit)')
    """
    if isinstance(model, MLP) and model.config["n_outputs"] == 1:
        return model
    if isinstance(model, ZpMLP):
        raise CompareError("ZpMLP is a Z_p network: Boolean tasks need a network with one logit or two classes")
    if not isinstance(model, nn.Module):
        raise CompareError(f"expected a torch.nn.Module (or a TrainedNet), got {type(model).__name__}")
    if isinstance(model, MLP):
        linears, act, squash = list(model.linears), model.activation, ""
        shown = f"MLP({model.n_inputs}, {model.config['widths']}, {act!r}, n_outputs={model.config['n_outputs']})"
        if model.config["n_outputs"] != 2:
            raise CompareError(f"the MLP has {model.config['n_outputs']} outputs: a Boolean network needs one "
                               f"logit or two classes")
    else:
        linears, act, squash, shown = _read_layers(model)
    first = linears[0]
    if task is not None and first.in_features != task.n_inputs:
        raise CompareError(f"the network reads {first.in_features} inputs (its first Linear) but task "
                           f"{task.name!r} has {task.n_inputs}")
    widths = [lin.out_features for lin in linears[:-1]]
    mlp = MLP(first.in_features, widths, activation=act or "relu", bias=True, n_outputs=1)
    two = linears[-1].out_features == 2
    with torch.no_grad():
        for lin, src in zip(mlp.linears, linears):
            W = src.weight.detach()
            b = src.bias.detach() if src.bias is not None else torch.zeros(W.shape[0], dtype=W.dtype)
            if src is linears[-1] and two:
                W, b = W[1:2] - W[0:1], b[1:2] - b[0:1]
            lin.weight = nn.Parameter(W.clone())
            lin.bias = nn.Parameter(b.clone())
    mlp.config["read_from"] = shown + (" (two classes folded into one logit)" if two else "")
    mlp.eval()
    if task is not None:
        _check_copy(model, mlp, task, squash, check_points)
    return mlp


def _check_copy(model: nn.Module, mlp: MLP, task: Any, squash: str, check_points: int) -> None:
    """Refuse a copy whose outputs differ from the model's own on the task's inputs (float64)."""
    size = task.domain_size
    idx = np.arange(size, dtype=np.int64) if size <= check_points else \
        np.sort(np.random.default_rng(np.random.SeedSequence(0)).choice(size, check_points, replace=False))
    X = task.encode(task.inputs(idx)).double()
    try:
        with torch.no_grad():
            theirs = _as_one_logit(copy.deepcopy(model).double().eval()(X), squash, len(idx))
            ours = copy.deepcopy(mlp).double()(X)
    except Exception as exc:          # the user's forward failed on the task's inputs
        raise CompareError(f"calling the network on task {task.name!r}'s inputs failed "
                           f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    if squash in ("Sigmoid", "Softmax"):
        ours = torch.sigmoid(ours)
    tol = 1e-6 * (1.0 + float(ours.abs().max())) if len(idx) else 0.0
    bad = int(((theirs - ours).abs() > tol).sum())
    if bad:
        raise CompareError(f"the layers read from {type(model).__name__} ({mlp.config['read_from']}) do not "
                           f"reproduce its outputs on {bad} of {len(idx)} inputs: its forward must apply the "
                           f"listed nn.Linear layers and activation modules in order (no functional "
                           f"activations or skip connections)")


def load_network(path: str | Path, *, activation: str | None = None, full_module: bool = False) -> nn.Module:
    """A Boolean network saved in a file: a whole ``nn.Module`` (``torch.save(model)``; only with
    ``full_module=True``, since unpickling runs code from the file) or a state dict (``torch.save(
    model.state_dict())``, or a checkpoint of the model cache, ``{"state": ...}``), read with
    ``weights_only=True``.

    A state dict's 2-d ``*.weight`` tensors, in order, are the Linear layers (with their ``*.bias``); the
    hidden activation is ``activation``, else the checkpoint's model config, else relu. Returns an `MLP`
    (one logit, or two classes that `as_mlp` folds into one).
    """
    path = Path(path)
    if path.is_dir():
        raise CompareError(f"{path}: is a folder, not a model file")
    if not path.is_file():
        raise CompareError(f"{path}: no such model file")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if not (zipfile.is_zipfile(path) or head[:1] == b"\x80"):    # torch.save's zip format, or a legacy pickle
        raise CompareError(f"{path}: not a torch checkpoint (a file written by torch.save is a zip archive "
                           f"or a pickle; this one starts with {head!r})")
    try:
        blob = torch.load(path, weights_only=not full_module)
    except Exception as exc:       # torch raises many types for a file that is not a checkpoint
        if not full_module and "Weights only load failed" in str(exc):
            raise CompareError(f"{path}: holds more than tensors (a whole pickled nn.Module?); load it with "
                               f"--full-module (full_module=True), only if you trust the file") from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CompareError(f"{path}: cannot load a network ({type(exc).__name__}: {first})") from None
    if full_module:
        if not isinstance(blob, nn.Module):
            raise CompareError(f"{path}: holds a {type(blob).__name__}, not a torch.nn.Module")
        return blob.eval()
    if isinstance(blob, dict) and isinstance(blob.get("state"), dict):
        config = blob.get("model_config")
        if activation is None and isinstance(config, str):
            try:
                activation = json.loads(config).get("activation")
            except (ValueError, AttributeError):
                activation = None
        blob = blob["state"]
    if not isinstance(blob, dict) or not all(isinstance(v, torch.Tensor) for v in blob.values()):
        raise CompareError(f"{path}: expected a state dict (names -> tensors), got {type(blob).__name__}")
    names = [k for k, v in blob.items() if k.endswith("weight") and v.dim() == 2]
    if not names:
        raise CompareError(f"{path}: the state dict has no 2-d weight tensor (no Linear layer)")
    others = [k for k, v in blob.items() if k not in names and not (k.endswith("bias") and
                                                                      k[:-4] + "weight" in names)]
    if others:
        raise CompareError(f"{path}: the state dict holds {others[0]!r}, which is not the weight or bias of a "
                           f"Linear layer: only networks of Linear layers and elementwise activations are "
                           f"supported")
    Ws = [blob[k] for k in names]
    for i, (a, b) in enumerate(zip(Ws[:-1], Ws[1:])):
        if b.shape[1] != a.shape[0]:
            raise CompareError(f"{path}: {names[i + 1]!r} reads {b.shape[1]} values but {names[i]!r} gives "
                               f"{a.shape[0]}: the layers do not chain")
    act = get_activation(activation or "relu", f"{path}").name
    model = MLP(Ws[0].shape[1], [w.shape[0] for w in Ws[:-1]], activation=act, bias=True,
                n_outputs=Ws[-1].shape[0])
    with torch.no_grad():
        for lin, k, W in zip(model.linears, names, Ws):
            b = blob.get(k[:-6] + "bias")
            lin.weight = nn.Parameter(W.detach().clone())
            lin.bias = nn.Parameter(b.detach().clone() if b is not None else torch.zeros(W.shape[0], dtype=W.dtype))
    return model.eval()
