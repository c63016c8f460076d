"""Extraction: a trained network -> `Circuit` (one `synth.Program` in the synthesizer's DSL + fidelity).

Methods live in a registry, ``METHODS``, each a small frozen `ExtractionMethod` (name, function, doc);
`extract` looks one up by name. Add your own with `register_method`.

>>> sorted(METHODS)
['magnitude', 'prune_discretise']
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..errors import CompareError
from ..networks.nets import as_mlp
from .circuit import Circuit
from .methods import magnitude, prune_discretise

__all__ = ["Circuit", "ExtractionMethod", "METHODS", "extract", "register_method"]


@dataclass(frozen=True)
class ExtractionMethod:
    """A named extraction method: ``fn(model, task, **options) -> Circuit``."""

    name: str
    fn: Callable[..., Circuit]
    doc: str = ""


_METHODS: dict[str, ExtractionMethod] = {
    "prune_discretise": ExtractionMethod("prune_discretise", prune_discretise,
                                         "greedy faithful pruning of neurons and edges on the whole domain, "
                                         "fidelity-maximising thresholds, minimal formula per neuron"),
    "magnitude": ExtractionMethod("magnitude", magnitude,
                                  "neurons ranked by |w_in|.|w_out| cut at the smallest faithful set, edges by "
                                  "a global |w| cut (Merrill et al. 2023)"),
}
METHODS: Mapping[str, ExtractionMethod] = MappingProxyType(_METHODS)


def register_method(method: ExtractionMethod, *, replace: bool = False) -> None:
    """Add an extraction method to `METHODS` (``replace=True`` to overwrite one of the same name)."""
    if method.name in _METHODS and not replace:
        raise CompareError(f"extraction method {method.name!r} already exists (pass replace=True)")
    _METHODS[method.name] = method


def extract(model_or_trained: Any, task: Any = None, method: str = "prune_discretise", **options: Any) -> Circuit:
    """Extract a `Circuit` from a model (or a `TrainedNet`, whose task is used) with a registered method.

    The model is any network `compare.networks.nets.as_mlp` reads (an `MLP`, or a ``torch.nn.Module`` of
    ``nn.Linear`` layers and elementwise activations with one logit or two classes); a method receives
    that `MLP`. Options go to the method: ``basis`` (default "xag"), ``budget`` (synthesis work units per neuron, see
    `synth.budget`), ``budget_s`` (an optional wall-clock valve per neuron),
    ``max_points`` (domain points checked; above it a seeded sample), ``seed``.
    """
    model = getattr(model_or_trained, "model", model_or_trained)
    task = task if task is not None else getattr(model_or_trained, "task", None)
    if task is None:
        raise CompareError("extract: give the task (or pass a TrainedNet, which carries it)")
    try:
        m = _METHODS[method]
    except KeyError:
        raise CompareError(f"extract: unknown method {method!r} (known: {', '.join(_METHODS)})") from None
    if getattr(task, "domain", None) != "bool":
        raise CompareError(f"extract: task {getattr(task, 'name', task)!r} is not a Boolean task; use "
                           "compare.analysis.fourier for Z_p networks")

    try:
        model = as_mlp(model, task)
    except CompareError as exc:
        raise CompareError(f"extract: {exc}") from None
    try:
        return m.fn(model, task, **options)
    except TypeError as exc:
        if "unexpected keyword" in str(exc):
            raise CompareError(f"extract: method {method!r}: {exc}") from None
        raise
