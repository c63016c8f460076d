"""What `synth.synthesize` returns: `SynthesisResult` (the shortest programs, the size/error frontier, the
consistent functions found and the posterior over them), `FrontierEntry`, `ConsistentFunction`, and
`pareto`, the frontier rule. A module of its own so that the engines (`synth.synthesize`, `synth.zp`)
build results without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dsl import Program
from .errors import SynthError
from .posterior import MINIMAL_TERM, Posterior
from .spec import Spec

__all__ = ["SynthesisResult", "FrontierEntry", "ConsistentFunction", "pareto", "saturation_note"]


@dataclass(frozen=True)
class FrontierEntry:
    """Best training error at one size (PySR's hall of fame): size, errors, a program."""

    size: int
    errors: int
    program: Program

    def as_dict(self) -> dict:
        return {"size": self.size, "errors": self.errors, "program": str(self.program)}


@dataclass(frozen=True)
class ConsistentFunction:
    """A function that fits every example: its minimal size (in the search), a program, its outputs on
    the spec's held-out queries."""

    size: int
    program: Program
    query_outputs: np.ndarray

    @property
    def bits(self) -> float:
        return self.program.bits


@dataclass
class SynthesisResult:
    """What `synthesize` found. ``exact`` is True only when ``min_size`` is proven minimal; otherwise
    ``min_size`` is the size of a consistent program found (an upper bound, None when none) and
    ``lower_bound`` is proven. ``deterministic`` is False when the wall-clock valve stopped a search
    (the result then depends on machine speed)."""

    spec: Spec
    basis: str
    mode: str
    min_size: int | None
    shortest: list[Program]
    frontier: list[FrontierEntry]
    consistent: list[ConsistentFunction]
    exact: bool
    searched_size: int            # `consistent` holds every consistent function up to this size
    truncation_mass: float
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lower_bound: int = 0          # proven: no consistent program is smaller than this
    deterministic: bool = True
    proved_by: str | None = None  # the engine that proved the minimum ("enumerator", "census", "sat", ...)
    basis_costs: dict | None = None   # the basis' gate costs (its name alone may not say: a user basis)

    @property
    def upper_bound(self) -> int | None:
        """Size of the smallest consistent program found (equals ``min_size``)."""
        return self.min_size

    def posterior(self, queries=None) -> np.ndarray:
        """Probability that the output is 1 at each query (default: the spec's held-out queries) under
        the length prior, over the consistent functions found. See `synth.posterior`."""
        return self.posterior_model(queries).predictive()

    def posterior_model(self, queries=None) -> Posterior:
        """The `Posterior` object (weights, predictive distribution, log score, truncation mass)."""
        if queries is None:
            outs = np.array([c.query_outputs for c in self.consistent], dtype=np.int64) \
                .reshape(len(self.consistent), self.spec.n_queries)
        else:
            Q = np.asarray(queries)
            if Q.ndim == 1:
                Q = Q[None, :]
            if Q.shape[1] != self.spec.n_inputs:
                raise SynthError(f"queries must have {self.spec.n_inputs} columns, got shape {Q.shape}")
            outs = np.array([c.program.evaluate(Q) for c in self.consistent], dtype=np.int64) \
                .reshape(len(self.consistent), Q.shape[0])
        bits = np.array([c.bits for c in self.consistent], dtype=float)
        return Posterior(outs, bits, self.truncation_mass, MINIMAL_TERM)

    @property
    def program(self) -> Program | None:
        """The first shortest program (None when none was found)."""
        return self.shortest[0] if self.shortest else None

    def as_dict(self) -> dict:
        """Everything as JSON-ready values."""
        return {
            "basis": self.basis,
            "mode": self.mode,
            "spec": repr(self.spec),
            "min_size": self.min_size,
            "exact": self.exact,
            "lower_bound": self.lower_bound,
            "searched_size": self.searched_size,
            "deterministic": self.deterministic,
            "proved_by": self.proved_by,
            "shortest": [str(p) for p in self.shortest],
            "shortest_bits": [round(p.bits, 3) for p in self.shortest],
            "frontier": [e.as_dict() for e in self.frontier],
            "consistent": [{"size": c.size, "program": str(c.program), "bits": round(c.bits, 3)}
                           for c in self.consistent],
            "posterior": None if not self.spec.n_queries or not self.consistent
            else [round(float(v), 6) for v in self.posterior()],
            "truncation_mass": self.truncation_mass,
            "approximation": MINIMAL_TERM,
            "stats": self.stats,
            "notes": self.notes,
        }

    def __repr__(self) -> str:
        best = str(self.shortest[0]) if self.shortest else None
        return (f"SynthesisResult(basis={self.basis!r}, mode={self.mode!r}, min_size={self.min_size}, "
                f"exact={self.exact}, shortest[0]={best!r}, consistent={len(self.consistent)}, "
                f"truncation_mass={self.truncation_mass:.3g})")



def pareto(entries: list[FrontierEntry]) -> list[FrontierEntry]:
    """Keep the entries that improve on every smaller size (errors strictly decreasing)."""
    out: list[FrontierEntry] = []
    for e in sorted(entries, key=lambda e: (e.size, e.errors)):
        if not out or e.errors < out[-1].errors:
            out.append(e)
    return out


def saturation_note(basis: str, what: str, last: int, size: int, found: bool) -> str:
    """The note of a search that stopped because it was complete: every ``what`` (functions, value
    vectors) the basis builds on the points has a program of size <= ``last``, so sizes up to ``size``
    add none; ``found``: whether a consistent program was among them."""
    return (f"the enumeration is complete: every {what} basis {basis!r} builds on these points has a "
            f"{'formula' if what == 'function' else 'program'} of size <= {last} (sizes {last + 1}..{size} "
            f"add none)" + ("" if found else "; no size can give a consistent program"))
