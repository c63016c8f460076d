"""The one activation table of `compare`: every elementwise activation a network may use, by name.

Each `Activation` carries its function on torch tensors (training, `compare.networks.nets`), on float64 numpy
arrays (extraction, `compare.extract`), and the ``torch.nn`` module classes read as it when a user's
network is read layer by layer (`compare.networks.nets.as_mlp`). Torch is imported only when a torch function is
called, so this module is cheap to import.

>>> ACTIVATIONS
('relu', 'tanh', 'gelu', 'quadratic')
>>> ACTIVATION_TABLE["relu"].numpy(np.array([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import CompareError

__all__ = ["Activation", "ACTIVATION_TABLE", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """An elementwise activation: its name, its torch and numpy functions, and the ``torch.nn`` class
    names (``modules``) read as it in a user's network."""

    name: str
    torch: Callable[[Any], Any]
    numpy: Callable[[np.ndarray], np.ndarray]
    modules: tuple[str, ...] = ()


# torch functions are module-level (not lambdas) so that a model holding one can be pickled
def _relu_t(x: Any) -> Any:
    return x.relu()


def _tanh_t(x: Any) -> Any:
    return x.tanh()


def _gelu_t(x: Any) -> Any:
    import torch

    return torch.nn.functional.gelu(x)


def _quadratic_t(x: Any) -> Any:
    return x * x


def _gelu_np(z: np.ndarray) -> np.ndarray:
    import torch

    return torch.nn.functional.gelu(torch.from_numpy(np.ascontiguousarray(z, dtype=np.float64))).numpy()


ACTIVATION_TABLE: Mapping[str, Activation] = MappingProxyType({
    "relu": Activation("relu", _relu_t, lambda z: np.maximum(z, 0.0), ("ReLU",)),
    "tanh": Activation("tanh", _tanh_t, np.tanh, ("Tanh",)),
    "gelu": Activation("gelu", _gelu_t, _gelu_np, ("GELU",)),
    "quadratic": Activation("quadratic", _quadratic_t, lambda z: z * z),
})
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_TABLE)


def get_activation(name: str, where: str = "activation") -> Activation:
    """The `Activation` called ``name``; a `CompareError` naming ``where`` for an unknown name."""
    try:
        return ACTIVATION_TABLE[name]
    except (KeyError, TypeError):
        raise CompareError(f"{where}: unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})") from None
