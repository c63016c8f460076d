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

import math
from typing import Any, Sequence

import torch
from torch import nn

from .errors import CompareError

__all__ = ["MLP", "ZpMLP", "ACTIVATIONS", "activation_fn", "gromov_weights"]


def _quadratic(x: torch.Tensor) -> torch.Tensor:
    return x * x


ACTIVATIONS = ("relu", "tanh", "gelu", "quadratic")


def activation_fn(name: str) -> Any:
    """The elementwise function for an activation name in `ACTIVATIONS`."""
    fns = {"relu": torch.relu, "tanh": torch.tanh, "gelu": nn.functional.gelu, "quadratic": _quadratic}
    try:
        return fns[name]
    except KeyError:
        raise CompareError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})") from None


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
        for lin in self.linears[:-1]:
            x = self._act(lin(x))
        y = self.linears[-1](x)
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
        for lin in self.linears[:-1]:
            x = self._act(lin(x))
        return self.linears[-1](x)


def gromov_weights(p: int, width: int, *, seed: int = 0, frequencies: Sequence[int] | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Gromov's (2023) closed-form weights for a + b mod p in the two-layer quadratic `ZpMLP`.

    Neuron k has a frequency f_k (drawn uniformly from ``frequencies``, default 1 .. (p-1)/2) and random
    phases phi_k, psi_k: ``W1[k, a] = cos(2 pi f_k a / p + phi_k)``, ``W1[k, p + b] = cos(2 pi f_k b / p + psi_k)``,
    ``W2[q, k] = cos(2 pi f_k q / p + phi_k + psi_k)``. Returns (W1 (width, 2p), W2 (p, width), the f_k).
    """
    import numpy as np

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
