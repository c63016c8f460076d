"""Bounds carried from one basis to another for the same spec.

A search in one basis often settles what another basis leaves open. Two facts carry over:

* **Lower bounds.** Let the *source* basis have NOT free and the *target* basis have every gate but NOT
  equal, up to negated inputs and output, to a source gate that costs no more. Then a target program of
  cost ``s`` whose NOT gates cost ``c`` in all becomes a source program of cost at most ``s - c``: each
  gate turns into its source gate, and each NOT into a negation that costs nothing (a tree stays a tree).
  So the least target cost is at least the source's proven lower bound plus the least cost of the NOTs.
  When every other target gate is monotone (AND, OR, MAJ...), the NOTs are bounded by ``d``, the most
  1-to-0 drops of ``f`` along a chain ``x_1 < x_2 < ...`` of inputs: a circuit needs ``ceil(log2(d + 1))``
  NOT gates (Markov's theorem, 1958), a formula ``d`` (along any chain a monotone gate drops only where
  an argument drops, and a NOT turns at most one more rise into a drop, so in a tree the drops of a node
  are at most the NOTs below it). Every function consistent with the examples drops wherever a chain of
  *examples* does, so the chains of examples bound ``d`` for all of them (`negations_needed`). For
  instance an `aon` formula of the 6-input multiplexer costs at least its least `xag` formula (9) plus
  2 NOTs.
* **Programs.** A program in one basis, translated gate by gate (`synth.decompose.translate`), is a
  consistent program in the other: an upper bound.

`synth.synthesize` takes such bounds (``known``, a sequence of `KnownBounds`) and says in its notes and in
``proved_by`` ("transfer") when they settle the minimum.

>>> from synth import Spec, synthesize
>>> spec = Spec.from_table(0x2, 2)                 # x0 AND NOT x1
>>> negations_needed(spec)
1
>>> xag = synthesize(spec, basis="xag")
>>> t = transfer_bounds(spec, "aon", "formula", [KnownBounds.of(xag)])
>>> t.lower, str(t.program)
(2, 'and(x0, not(x1))')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .decompose import translate
from .dsl import GATES, Basis, Program, get_basis, is_monotone, negate_inputs
from .errors import SynthError
from .result import SynthesisResult
from .spec import Spec

__all__ = ["KnownBounds", "Transfer", "check_known", "negations_needed", "lower_bound_carries", "transfer_bounds",
           "MAX_CHAIN_EXAMPLES"]

# examples whose chains are examined (the first ones; any subset of the examples gives a valid bound): the
# chain search compares every pair, 0.1 s at this many with 60 inputs, 1.5 s with 1000 inputs
MAX_CHAIN_EXAMPLES = 4096


@dataclass(frozen=True)
class KnownBounds:
    """What a search in one basis proved for a spec: its proven ``lower`` bound and a consistent
    ``program`` (None when it has none), in ``basis`` (a name, with its gate ``costs``) and ``mode``;
    ``spec_digest`` names the examples (`Spec.digest` with ``examples_only``); ``deterministic`` is False
    when a wall-clock valve stopped that search (what it carries then depends on machine speed)."""

    basis: str
    costs: tuple[tuple[str, int], ...]
    mode: str
    spec_digest: str
    lower: int
    program: Program | None
    deterministic: bool = True

    @classmethod
    def of(cls, res: SynthesisResult) -> "KnownBounds":
        """The bounds a `SynthesisResult` proved."""
        if not isinstance(res, SynthesisResult):
            raise SynthError(f"KnownBounds.of needs a SynthesisResult, got {type(res).__name__}")
        costs = res.basis_costs if res.basis_costs is not None else get_basis(res.basis).costs
        lower = max(int(res.lower_bound), int(res.min_size) if res.exact and res.min_size is not None else 0)
        return cls(res.basis, tuple(sorted(costs.items())), res.mode, res.spec.digest(examples_only=True), lower,
                   res.program, bool(res.deterministic))

    @property
    def basis_object(self) -> Basis:
        """The source `Basis` (built from the costs: a user basis need not be registered)."""
        return Basis(self.basis, dict(self.costs))

    def as_dict(self) -> dict:
        return {"basis": self.basis, "costs": dict(self.costs), "mode": self.mode, "spec_digest": self.spec_digest,
                "lower": self.lower, "program": None if self.program is None else str(self.program),
                "n_inputs": None if self.program is None else self.program.n_inputs,
                "deterministic": self.deterministic}

    @classmethod
    def from_dict(cls, d: dict) -> "KnownBounds":
        b = Basis(d["basis"], dict(d["costs"]))
        prog = None if d["program"] is None else Program.parse(d["program"], n_inputs=d["n_inputs"], basis=b)
        return cls(d["basis"], tuple(sorted(b.costs.items())), d["mode"], d["spec_digest"], int(d["lower"]), prog,
                   bool(d["deterministic"]))


@dataclass(frozen=True)
class Transfer:
    """What `transfer_bounds` carries to a basis: a proven ``lower`` bound (0: none) and why, and a
    consistent ``program`` (None: none) and where it came from."""

    lower: int
    lower_reason: str
    program: Program | None
    program_reason: str

    def as_dict(self) -> dict:
        return {"lower": self.lower, "lower_reason": self.lower_reason,
                "program": None if self.program is None else str(self.program),
                "program_reason": self.program_reason}


def negations_needed(spec: Spec, mode: str = "circuit") -> int:
    """The NOT gates every program of monotone gates and NOT consistent with ``spec`` (one Boolean output)
    has, at least: with ``d`` the most drops (an example of output 1 followed by one of output 0) along a
    chain of examples ordered bit by bit (``x <= x'`` in every input), ``ceil(log2(d + 1))`` in a
    circuit (Markov's theorem) and ``d`` in a formula (module docstring). Examples beyond
    MAX_CHAIN_EXAMPLES are left out, which only weakens the bound.

    >>> negations_needed(Spec.from_table(0x6, 2)), negations_needed(Spec.from_table(0x6996, 4))   # parity 2, 4
    (1, 2)
    >>> negations_needed(Spec.from_table(0x6996, 4), "formula")
    2
    >>> negations_needed(Spec.from_table(0xe8, 3))     # majority is monotone
    0
    """
    if not isinstance(spec, Spec):
        raise SynthError(f"negations_needed needs a synth.Spec, got {type(spec).__name__}")
    if spec.p is not None or spec.n_outputs != 1:
        raise SynthError("negations_needed takes a Boolean spec of one output")
    if mode not in ("circuit", "formula"):
        raise SynthError(f"mode must be 'circuit' or 'formula', got {mode!r}")
    X = np.asarray(spec.X, dtype=np.uint8)[:MAX_CHAIN_EXAMPLES]      # a Spec holds no repeated example
    y = np.asarray(spec.y, dtype=np.uint8).reshape(-1)[:MAX_CHAIN_EXAMPLES]
    # a chain visits examples in order of their number of ones: a topological order of "x <= x'"
    order = np.argsort(X.sum(axis=1, dtype=np.int64), kind="stable")
    X, y = X[order], y[order]
    n = X.shape[1]
    if n <= 62:
        words = X.astype(np.int64) @ (np.int64(1) << np.arange(n, dtype=np.int64))
        below = lambda j: (words[:j] & ~words[j]) == 0          # noqa: E731  x_i <= x_j, i < j
    else:
        below = lambda j: (X[:j] <= X[j]).all(axis=1)           # noqa: E731
    drops = np.zeros(len(y), dtype=np.int64)   # most drops along a chain of examples ending at each one
    for j in range(1, len(y)):
        prev = np.nonzero(below(j))[0]
        if len(prev):
            drops[j] = int((drops[prev] + ((y[prev] == 1) & (y[j] == 0))).max())
    d = int(drops.max(initial=0))
    return d if mode == "formula" else d.bit_length()      # ceil(log2(d + 1))


def _gate_images(target: Basis, source: Basis) -> bool:
    """Whether every gate of ``target`` but NOT is, up to negated inputs and output, a gate of ``source``
    that costs no more (``source`` has NOT free)."""
    for g, cost in target.costs.items():
        if g == "not":
            continue
        gate = GATES[g]
        tables = {negate_inputs(gate.table, gate.arity, mask) for mask in range(1 << gate.arity)}
        full = (1 << (1 << gate.arity)) - 1
        tables |= {t ^ full for t in tables}
        if not any(GATES[h].arity == gate.arity and GATES[h].table in tables and c <= cost
                   for h, c in source.costs.items() if h != "not"):
            return False
    return True


def lower_bound_carries(source: str | Basis, target: str | Basis) -> bool:
    """Whether a proven lower bound in ``source`` is one in ``target`` (plus the NOTs; module docstring):
    ``source`` has NOT free and each gate of ``target`` is a source gate up to negations, costing no more.

    >>> lower_bound_carries("xag", "aon"), lower_bound_carries("aig", "aon"), lower_bound_carries("aon", "xag")
    (True, True, False)
    >>> lower_bound_carries("aig", "xag"), lower_bound_carries("full", "xag")
    (False, True)
    """
    s, t = get_basis(source), get_basis(target)
    return s.domain == t.domain == "bool" and s.free_not and s.costs != t.costs and _gate_images(t, s)


def check_known(spec: Spec, known: Sequence[KnownBounds] | None) -> tuple[KnownBounds, ...]:
    """``known`` as a tuple (None: empty), after checking that each is a `KnownBounds` for the examples of
    ``spec`` whose program (if any) fits them and costs at least its lower bound."""
    if known is None:
        return ()
    if isinstance(known, (KnownBounds, str, bytes)) or not hasattr(known, "__iter__"):
        raise SynthError(f"known must be a sequence of synth.KnownBounds, got {type(known).__name__}")
    known = tuple(known)
    digest = spec.digest(examples_only=True) if known else ""
    for k in known:
        if not isinstance(k, KnownBounds):
            raise SynthError(f"known bounds must be synth.KnownBounds, got {type(k).__name__}")
        if k.spec_digest != digest:
            raise SynthError(f"known bounds in basis {k.basis!r} are for other examples (digest "
                             f"{k.spec_digest[:12]}, this spec {digest[:12]})")
        if k.program is not None:
            if k.program.n_inputs != spec.n_inputs or k.program.n_outputs != spec.n_outputs or \
                    not np.array_equal(np.asarray(k.program.evaluate(spec.X), dtype=np.int64).reshape(spec.y.shape),
                                       spec.y.astype(np.int64)):
                raise SynthError(f"the program of the known bounds in basis {k.basis!r} does not fit the examples")
            if k.program.size < k.lower:
                raise SynthError(f"known bounds in basis {k.basis!r}: a program of size {k.program.size} below "
                                 f"the lower bound {k.lower}")
    return known


def transfer_bounds(spec: Spec, basis: str | Basis, mode: str, known: Sequence[KnownBounds]) -> Transfer:
    """The best lower bound and the cheapest program that the bounds ``known`` (each proven for the
    examples of ``spec`` in another basis) carry to ``basis`` in ``mode`` (module docstring). A lower
    bound carries from the same mode, or from circuits to formulas (a formula is a circuit); a program
    from the same mode, or from formulas to circuits (where no translation exists, none). Bounds for
    other examples are an error (`check_known`)."""
    if not isinstance(spec, Spec):
        raise SynthError(f"transfer_bounds needs a synth.Spec, got {type(spec).__name__}")
    b = get_basis(basis)
    lower, lower_reason, best, best_reason = 0, "", None, ""
    nots = None
    for k in check_known(spec, known):
        if k.costs == tuple(sorted(b.costs.items())) or b.domain != "bool" or spec.p is not None \
                or spec.n_outputs != 1:
            continue                                 # the same basis, or nothing that carries
        src = k.basis_object
        if k.mode in (mode, "circuit") and lower_bound_carries(src, b):
            extra = 0
            not_cost = int(b.costs.get("not", 0))
            if not_cost and all(is_monotone(GATES[g].table, GATES[g].arity) for g in b.costs if g != "not"):
                nots = negations_needed(spec, mode) if nots is None else nots
                extra = not_cost * nots
            if k.lower + extra > lower:
                lower = k.lower + extra
                lower_reason = (f"{k.basis} {k.mode}s cost at least {k.lower}, and each {b.name} gate but NOT is "
                                f"an {k.basis} gate with negations (free there)")
                if extra:
                    rule = "Markov's bound" if mode == "circuit" else "one per drop"
                    lower_reason += (f"; the examples need {nots} NOT gate{'s' * (nots != 1)} ({rule} along "
                                     "their chains)")
        if k.program is not None and k.mode in (mode, "formula"):
            try:
                prog = translate(k.program, b, tree=(mode == "formula"))
            except SynthError:                  # a basis without the gates a translation needs
                continue
            if best is None or prog.size < best.size:
                best, best_reason = prog, f"the {k.basis} program translated gate by gate"
    return Transfer(lower, lower_reason, best, best_reason)
