"""Gates, bases (gate sets with a cost model) and the limits on what a user may ask for: the bottom
layer of `synth` (it imports nothing else of the project but `synth.errors`). `synth.dsl` builds
`Program` on it and re-exports these names.

Truth-table convention (everywhere in this project): a Boolean function of ``n`` inputs is an int whose
bit ``t`` is ``f(x)`` with ``x_i = (t >> i) & 1``. For a gate, the arguments play the role of inputs:
``and`` has table ``0b1000`` (bit 3: a=1, b=1).

Examples
--------
>>> GATES["andn"].table        # a AND NOT b: true only at (a, b) = (1, 0), i.e. t = 1
2
>>> BASES["xag"].cost("xor"), BASES["xag"].cost("not"), BASES["aon"].cost("not")
(1, 0, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from .errors import SynthError

__all__ = [
    "MAX_INPUTS",
    "MAX_MODULUS",
    "MAX_NODES",
    "as_int",
    "short_repr",
    "Gate",
    "Basis",
    "GATES",
    "ZP_GATES",
    "BASES",
    "get_basis",
    "define_basis",
    "gate_table_to_name",
    "negate_inputs",
    "is_monotone",
]

# Limits on what a user can ask for, checked before anything is allocated; the error names the limit.
MAX_INPUTS = 4096
"""Most inputs of a program or a spec. A spec stores one byte per input per example, so at 4096 inputs
a million examples take 4 GiB of the 24 GiB machine; canonical form and description length cost O(n)
per program. The engines work on far fewer inputs (the census on 4, the enumerator and SAT on tens)."""

MAX_MODULUS = 4096
"""Largest modulus p of a Z_p program or spec: the full domain Z_p x Z_p is then 2^24 points, 128 MiB
per int64 value vector, and value tables, the Z_p enumerator and the comparisons work on that domain."""

MAX_NODES = 65536
"""Most nodes (gates and constants) of a program, and most outputs; depth is at most the number of
nodes, so this bounds depth too. Parsing, formatting, canonical form and evaluation are iterative (no
recursion limit) and linear up to a log factor: a 3000-gate chain takes a fraction of a second, one at
this limit seconds. Minimal programs have tens of gates and extracted circuits hundreds."""


def _show(v: int) -> str:
    """An int for a message: in full when short, else its size (str() of a huge int is slow or refused)."""
    return str(v) if v.bit_length() <= 64 else f"an integer of {v.bit_length()} bits"


def short_repr(x) -> str:
    """A value for a one-line error message: at most 60 characters, one line, safe for huge ints."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        return _show(int(x))
    try:
        s = repr(x)
    except ValueError:  # a container holding an int too long for str()
        s = f"<{type(x).__name__}>"
    s = " ".join(s.split())
    return s if len(s) <= 60 else s[:57] + "..."


def as_int(value, what: str, *, lo: int | None = None, hi: int | None = None, limit: str = "") -> int:
    """``value`` as a Python int: ints and numpy integers are accepted, bools, floats (NaN, inf, 4.0)
    and anything else refused; ``lo <= value <= hi`` is checked. The `SynthError` names ``what`` (and
    ``limit``, the constant that sets ``hi``, when given).

    >>> as_int(np.int64(3), "n_inputs", lo=0)
    3
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise SynthError(f"{what} must be an integer, got {short_repr(value)} ({type(value).__name__})")
    v = int(value)
    if lo is not None and v < lo:
        raise SynthError(f"{what} must be >= {lo}, got {_show(v)}")
    if hi is not None and v > hi:
        why = f" (the limit {limit})" if limit else ""
        raise SynthError(f"{what} must be <= {hi}{why}, got {_show(v)}")
    return v


@dataclass(frozen=True)
class Gate:
    """A gate: name, arity and semantics (a truth table for Boolean gates, a function for Z_p)."""

    name: str
    arity: int
    table: int | None = None  # Boolean gates: truth table over the arguments (arg i is variable i)
    commutative: bool = False
    zp: Callable[..., np.ndarray] | None = None  # Z_p gates: f(*args, p) on int arrays
    doc: str = ""

    @property
    def domain(self) -> str:
        return "bool" if self.table is not None else "zp"


def _tab2(f: Callable[[int, int], int]) -> int:
    """Truth table of a two-input gate from a Python predicate (arg 0 is bit 0 of t)."""
    return sum(1 << t for t in range(4) if f(t & 1, (t >> 1) & 1))


def _tab3(f: Callable[[int, int, int], int]) -> int:
    return sum(1 << t for t in range(8) if f(t & 1, (t >> 1) & 1, (t >> 2) & 1))


# The 16 two-input gates (Knuth's "Boolean chain" operators), named; a = arg 0, b = arg 1.
_TWO_INPUT: dict[str, tuple[Callable[[int, int], int], str]] = {
    "false": (lambda a, b: 0, "constant 0"),
    "nor": (lambda a, b: 1 - (a | b), "NOT (a OR b)"),
    "andn": (lambda a, b: a & (1 - b), "a AND NOT b (a > b)"),
    "nright": (lambda a, b: 1 - b, "NOT b"),
    "lt": (lambda a, b: (1 - a) & b, "NOT a AND b (a < b)"),
    "nleft": (lambda a, b: 1 - a, "NOT a"),
    "xor": (lambda a, b: a ^ b, "a XOR b"),
    "nand": (lambda a, b: 1 - (a & b), "NOT (a AND b)"),
    "and": (lambda a, b: a & b, "a AND b"),
    "xnor": (lambda a, b: 1 - (a ^ b), "NOT (a XOR b)"),
    "right": (lambda a, b: b, "b"),
    "le": (lambda a, b: (1 - a) | b, "NOT a OR b (a implies b)"),
    "left": (lambda a, b: a, "a"),
    "orn": (lambda a, b: a | (1 - b), "a OR NOT b (b implies a)"),
    "or": (lambda a, b: a | b, "a OR b"),
    "true": (lambda a, b: 1, "constant 1"),
}


def _make_gates() -> dict[str, Gate]:
    gates: dict[str, Gate] = {}
    for name, (f, doc) in _TWO_INPUT.items():
        table = _tab2(f)
        # commutative iff swapping a and b (bits 1 and 2 of the table) leaves it unchanged
        swapped = (table & 0b1001) | (((table >> 1) & 1) << 2) | (((table >> 2) & 1) << 1)
        gates[name] = Gate(name, 2, table=table, commutative=(swapped == table), doc=doc)
    gates["not"] = Gate("not", 1, table=0b01, doc="NOT a")
    gates["maj"] = Gate("maj", 3, table=_tab3(lambda a, b, c: int(a + b + c >= 2)), commutative=True,
                        doc="majority of three")
    gates["ite"] = Gate("ite", 3, table=_tab3(lambda s, a, b: a if s else b),
                        doc="if-then-else: ite(s, a, b) = a if s else b")
    return gates


GATES: Mapping[str, Gate] = MappingProxyType(_make_gates())

ZP_GATES: Mapping[str, Gate] = MappingProxyType({
    "add": Gate("add", 2, commutative=True, zp=lambda a, b, p: (a + b) % p, doc="a + b mod p"),
    "sub": Gate("sub", 2, zp=lambda a, b, p: (a - b) % p, doc="a - b mod p"),
    "mul": Gate("mul", 2, commutative=True, zp=lambda a, b, p: (a * b) % p, doc="a * b mod p"),
    "neg": Gate("neg", 1, zp=lambda a, p: (-a) % p, doc="-a mod p"),
})


def negate_inputs(table: int, arity: int, mask: int) -> int:
    """Truth table of g(x ^ mask): the gate with table ``table`` with the arguments in ``mask`` negated.

    >>> negate_inputs(GATES["and"].table, 2, 0b10) == GATES["andn"].table    # a AND NOT b
    True
    """
    return sum(((table >> (t ^ mask)) & 1) << t for t in range(1 << arity))


def is_monotone(table: int, arity: int) -> bool:
    """Whether the function with this truth table never falls when an argument rises from 0 to 1.

    >>> is_monotone(GATES["and"].table, 2), is_monotone(GATES["maj"].table, 3), is_monotone(GATES["xor"].table, 2)
    (True, True, False)
    """
    return all(not ((table >> u) & 1) or ((table >> (u | (1 << j))) & 1)
               for u in range(1 << arity) for j in range(arity))


def gate_table_to_name(table: int, arity: int = 2) -> str:
    """Name of the Boolean gate with this truth table (``0b0110`` -> ``'xor'``)."""
    for g in GATES.values():
        if g.arity == arity and g.table == table:
            return g.name
    raise SynthError(f"no gate of arity {arity} has truth table {table:#x}")


@dataclass(frozen=True)
class Basis:
    """A named gate set with a cost model.

    ``costs`` maps gate names to their cost (``size`` of a program is the sum over its gates).
    Constants and inputs are leaves and cost nothing. ``free_not`` says that negation costs 0 (the
    basis then includes ``not`` with cost 0); search engines use it to treat f and NOT f alike.
    """

    name: str
    costs: Mapping[str, int]
    domain: str = "bool"
    description: str = ""
    free_not: bool = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise SynthError(f"basis name must be a string, got {self.name!r}")
        if self.domain not in ("bool", "zp"):
            raise SynthError(f"basis {self.name!r}: domain must be 'bool' or 'zp', got {self.domain!r}")
        table = GATES if self.domain == "bool" else ZP_GATES
        if not isinstance(self.costs, Mapping):
            raise SynthError(f"basis {self.name!r}: costs must be a mapping gate name -> cost, "
                             f"got {type(self.costs).__name__}")
        if not self.costs:
            raise SynthError(f"basis {self.name!r}: no gates given")
        costs = {}
        for g, c in self.costs.items():
            if not isinstance(g, str) or g not in table:
                known = ", ".join(sorted(table))
                raise SynthError(f"basis {self.name!r}: unknown {self.domain} gate {g!r} (known: {known})")
            costs[g] = as_int(c, f"basis {self.name!r}: cost of {g!r}", lo=0)
        object.__setattr__(self, "costs", MappingProxyType(costs))
        object.__setattr__(self, "free_not", self.costs.get("not", None) == 0)

    def __reduce__(self):  # costs is a read-only mapping proxy, which does not pickle
        return (Basis, (self.name, dict(self.costs), self.domain, self.description))

    def cost(self, gate: str) -> int:
        """Cost of one gate; a clear error for a gate outside the basis."""
        try:
            return self.costs[gate]
        except KeyError:
            raise SynthError(
                f"gate {gate!r} is not in basis {self.name!r} (its gates: {', '.join(self.costs)})"
            ) from None

    @property
    def gates(self) -> tuple[Gate, ...]:
        table = GATES if self.domain == "bool" else ZP_GATES
        return tuple(table[g] for g in self.costs)

    @property
    def gate_bits(self) -> float:
        """log2 of the number of gates: the bits to name one gate in a description."""
        return math.log2(len(self.costs)) if len(self.costs) > 1 else 0.0

    def __contains__(self, gate: str) -> bool:
        return gate in self.costs


def _aig_like(extra: dict[str, int]) -> dict[str, int]:
    costs = {"and": 1, "nand": 1, "or": 1, "nor": 1, "andn": 1, "orn": 1, "lt": 1, "le": 1}
    costs.update(extra)
    costs["not"] = 0
    return costs


_BASES: dict[str, Basis] = {
    "full": Basis(
        "full",
        {**{g: 1 for g in _TWO_INPUT}, "not": 0},
        description="all 16 two-input gates cost 1; inputs, constants and negation free "
        "(Knuth, TAOCP 4A §7.1.2, Boolean chains)",
    ),
    "aig": Basis("aig", _aig_like({}), description="AND costs 1, negation free anywhere "
                 "(so OR, NAND, NOR, and-not cost 1 too)"),
    "xag": Basis("xag", _aig_like({"xor": 1, "xnor": 1}), description="AND and XOR cost 1, negation free"),
    "aon": Basis("aon", {"and": 1, "or": 1, "not": 1}, description="AND, OR, NOT each cost 1 "
                 "(plain syntax-tree size)"),
    "aoxn": Basis("aoxn", {"and": 1, "or": 1, "xor": 1, "not": 1},
                  description="AND, OR, XOR, NOT each cost 1"),
    "mig": Basis("mig", {"maj": 1, "not": 0}, description="3-input majority costs 1; negation and "
                 "constants free"),
    "mux": Basis("mux", {"ite": 1, "not": 0}, description="3-input if-then-else costs 1; negation and "
                 "constants free"),
    # every Boolean gate, cost 1 (negation free): the basis of programs parsed without a named basis
    "any": Basis("any", {**{g: 1 for g in _TWO_INPUT}, "maj": 1, "ite": 1, "not": 0},
                 description="every Boolean gate costs 1, negation free (used when no basis is named)"),
    "zp": Basis("zp", {"add": 1, "sub": 1, "mul": 1, "neg": 1}, domain="zp",
                description="Z_p arithmetic: add, sub, mul, neg each cost 1; constants free"),
}

BASES: Mapping[str, Basis] = MappingProxyType(_BASES)


def define_basis(name: str, costs: Mapping[str, int], *, domain: str = "bool",
                 description: str = "", register: bool = False) -> Basis:
    """Define a basis from gate names and costs; ``register=True`` adds it to ``BASES`` by name.

    >>> b = define_basis("nand_only", {"nand": 1})
    >>> b.cost("nand")
    1
    """
    if domain not in ("bool", "zp"):
        raise SynthError(f"basis {name!r}: domain must be 'bool' or 'zp', got {domain!r}")
    basis = Basis(name, dict(costs), domain=domain, description=description)
    if register:
        if name in _BASES:
            raise SynthError(f"basis {name!r} already exists")
        _BASES[name] = basis
    return basis


def get_basis(basis: str | Basis) -> Basis:
    """Look a basis up by name (or pass a `Basis` through)."""
    if isinstance(basis, Basis):
        return basis
    try:
        return _BASES[basis]
    except (KeyError, TypeError):
        raise SynthError(f"unknown basis {basis!r} (known: {', '.join(_BASES)})") from None
