"""synth: the shortest programs in a small circuit DSL that fit a task's data (never imports torch).

>>> from synth import Spec, synthesize
>>> synthesize(Spec.from_table(0xe8, 3), basis="mig").shortest[0]
Program('maj(x0, x1, x2)', n_inputs=3, basis='mig')
"""

from .errors import SynthError
from .budget import Budget
from .dsl import BASES, GATES, ZP_GATES, Basis, Gate, Node, Program, define_basis, get_basis
from .spec import Spec
from .result import ConsistentFunction, FrontierEntry, SynthesisResult
from .portfolio import MODES, synthesize
from .posterior import Posterior
from .exhaustive import Census, census
from .transfer import KnownBounds

__all__ = [
    "SynthError", "BASES", "GATES", "ZP_GATES", "Basis", "Gate", "Node", "Program", "define_basis",
    "get_basis", "Spec", "synthesize", "SynthesisResult", "FrontierEntry", "ConsistentFunction", "MODES",
    "Posterior", "census", "Census", "Budget", "KnownBounds",
]

