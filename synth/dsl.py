"""The circuit DSL: gates, bases (gate sets with a cost model) and domains.

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

import hashlib
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from .errors import SynthError

__all__ = [
    "Gate",
    "Basis",
    "GATES",
    "ZP_GATES",
    "BASES",
    "get_basis",
    "define_basis",
    "gate_table_to_name",
    "Node",
    "Program",
]


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
        table = GATES if self.domain == "bool" else ZP_GATES
        if not self.costs:
            raise SynthError(f"basis {self.name!r}: no gates given")
        for g, c in self.costs.items():
            if g not in table:
                known = ", ".join(sorted(table))
                raise SynthError(f"basis {self.name!r}: unknown {self.domain} gate {g!r} (known: {known})")
            if not isinstance(c, int) or isinstance(c, bool) or c < 0:
                raise SynthError(f"basis {self.name!r}: cost of {g!r} must be an int >= 0, got {c!r}")
        object.__setattr__(self, "costs", MappingProxyType(dict(self.costs)))
        object.__setattr__(self, "free_not", self.costs.get("not", None) == 0)

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


# --------------------------------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------------------------------

class Node(tuple):
    """One step of a straight-line program: ``(op, args)``; a constant is ``("0", ())``, ``("1", ())``
    (Boolean) or ``("v", ())`` for a Z_p value v."""

    __slots__ = ()

    def __new__(cls, op: str, args: tuple[int, ...] = ()) -> "Node":
        return tuple.__new__(cls, (op, tuple(args)))

    @property
    def op(self) -> str:
        return self[0]

    @property
    def args(self) -> tuple[int, ...]:
        return self[1]

    @property
    def is_const(self) -> bool:
        return self[0].isdigit()


class Program:
    """An immutable straight-line program over inputs ``x0..x{n-1}`` (Boolean) or ``a, b`` (Z_p).

    ``nodes`` is a tuple of `Node`; an argument ``r`` refers to input ``r`` when ``r < n_inputs`` and to
    node ``r - n_inputs`` otherwise (always an earlier node). ``output`` is a ref. The constructor puts
    the program in canonical form (unreachable nodes dropped, arguments of commutative gates ordered,
    nodes numbered in a canonical depth-first order), so equal programs compare equal.

    >>> p = Program.parse("xor(x0, and(x2, x1))")
    >>> str(p), p.size, p.truth_table() == (0xaa ^ (0xcc & 0xf0))
    ('xor(x0, and(x1, x2))', 2, True)
    """

    __slots__ = ("n_inputs", "nodes", "output", "basis", "p", "_hash")

    def __init__(self, n_inputs: int, nodes, output: int | None = None, *,
                 basis: str | Basis | None = None, p: int | None = None) -> None:
        if not isinstance(n_inputs, int) or isinstance(n_inputs, bool) or n_inputs < 0:
            raise SynthError(f"n_inputs must be an int >= 0, got {n_inputs!r}")
        if p is not None and (not isinstance(p, int) or p < 2):
            raise SynthError(f"modulus p must be an int >= 2, got {p!r}")
        if basis is None:
            basis = "zp" if p is not None else "any"
        b = get_basis(basis)
        if (b.domain == "zp") != (p is not None):
            raise SynthError(f"basis {b.name!r} is for the {b.domain} domain but the program is "
                             f"{'Z_%d' % p if p else 'Boolean'}")
        raw = [Node(op, args) for op, args in nodes]
        if output is None:
            if not raw:
                raise SynthError("a program with no nodes needs an explicit output ref")
            output = n_inputs + len(raw) - 1
        _validate(n_inputs, raw, output, b, p)
        canon_nodes, canon_out = _canonicalise(n_inputs, raw, output, b)
        object.__setattr__(self, "n_inputs", n_inputs)
        object.__setattr__(self, "nodes", canon_nodes)
        object.__setattr__(self, "output", canon_out)
        object.__setattr__(self, "basis", b.name if b.name in _BASES and _BASES[b.name] is b else b)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "_hash", hash((n_inputs, canon_nodes, canon_out, self.basis_name, p)))

    def __setattr__(self, name, value):  # immutable
        raise AttributeError("Program is immutable")

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_nodes(cls, n_inputs: int, nodes, output: int | None = None, *,
                   basis: str | Basis | None = None, p: int | None = None) -> "Program":
        """Build from ``[(op, args), ...]`` (refs: inputs first, then nodes); output defaults to the last."""
        return cls(n_inputs, nodes, output, basis=basis, p=p)

    @classmethod
    def parse(cls, text: str, n_inputs: int | None = None, *, basis: str | Basis | None = None,
              p: int | None = None) -> "Program":
        """Read expression form ``xor(x0, and(x1, x2))`` or straight-line form ``t0 = ...; out = ...``."""
        from .syntax import parse_program
        return parse_program(text, n_inputs, basis=basis, p=p)

    # -- identity ------------------------------------------------------------------------------------
    @property
    def basis_name(self) -> str:
        return self.basis if isinstance(self.basis, str) else self.basis.name

    def _basis(self) -> Basis:
        return get_basis(self.basis)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Program):
            return NotImplemented
        return (self.n_inputs, self.nodes, self.output, self.basis_name, self.p) == \
            (other.n_inputs, other.nodes, other.output, other.basis_name, other.p)

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        from .syntax import format_program
        return format_program(self)

    def __repr__(self) -> str:
        dom = f", p={self.p}" if self.p is not None else ""
        return f"Program({str(self)!r}, n_inputs={self.n_inputs}, basis={self.basis_name!r}{dom})"

    def with_basis(self, basis: str | Basis) -> "Program":
        """The same program measured in another basis (every gate must be in it)."""
        return Program(self.n_inputs, self.nodes, self.output, basis=basis, p=self.p)

    # -- measures ------------------------------------------------------------------------------------
    @property
    def is_boolean(self) -> bool:
        return self.p is None

    @property
    def size(self) -> int:
        """Cost of the program: the sum of its gates' costs in its basis."""
        b = self._basis()
        return sum(b.cost(nd.op) for nd in self.nodes if not nd.is_const)

    @property
    def bits(self) -> float:
        """Description length in bits: per node, log2 of the op alphabet (basis gates plus constant
        symbols) + log2 of the refs available to each argument (inputs and earlier nodes); a program
        that is a bare input costs log2(n_inputs)."""
        b = self._basis()
        n_const = 2 if self.p is None else self.p
        op_bits = math.log2(len(b.costs) + n_const)
        total = 0.0
        for i, nd in enumerate(self.nodes):
            total += op_bits + len(nd.args) * math.log2(self.n_inputs + i)
        if not self.nodes and self.n_inputs > 1:
            total = math.log2(self.n_inputs)
        return total

    @property
    def depth(self) -> int:
        """Longest input-to-output path, counting gates of nonzero cost."""
        b = self._basis()
        d = [0] * (self.n_inputs + len(self.nodes))
        for i, nd in enumerate(self.nodes):
            own = 0 if nd.is_const or b.cost(nd.op) == 0 else 1
            d[self.n_inputs + i] = own + max((d[a] for a in nd.args), default=0)
        return d[self.output]

    @property
    def support(self) -> frozenset[int]:
        """Indices of the inputs the output depends on syntactically."""
        return frozenset(r for r in self._reachable() if r < self.n_inputs)

    @property
    def n_gates(self) -> int:
        """Number of gate nodes (constants excluded), whatever their cost."""
        return sum(1 for nd in self.nodes if not nd.is_const)

    def _reachable(self) -> set[int]:
        seen: set[int] = set()
        stack = [self.output]
        while stack:
            r = stack.pop()
            if r in seen:
                continue
            seen.add(r)
            if r >= self.n_inputs:
                stack.extend(self.nodes[r - self.n_inputs].args)
        return seen

    def is_tree(self) -> bool:
        """True when every gate node is used once (the program is a formula; constants are leaves)."""
        uses: dict[int, int] = {}
        for nd in self.nodes:
            for a in nd.args:
                if a >= self.n_inputs and not self.nodes[a - self.n_inputs].is_const:
                    uses[a] = uses.get(a, 0) + 1
        return all(c <= 1 for c in uses.values())

    # -- semantics -----------------------------------------------------------------------------------
    def evaluate(self, X) -> np.ndarray:
        """Outputs on the rows of X: (m, n) 0/1 → bool array; Z_p: (m, 2) ints → ints mod p."""
        from .semantics import evaluate
        return evaluate(self, X)

    def truth_table(self) -> int:
        """The Boolean function as an int: bit t is f(x) with x_i = (t >> i) & 1."""
        from .semantics import truth_table
        return truth_table(self)

    def value_table(self) -> np.ndarray:
        """Z_p programs: the p x p table of outputs, entry [a, b]."""
        from .semantics import value_table
        return value_table(self)

    # -- exports -------------------------------------------------------------------------------------
    def to_sympy(self):
        """A sympy Boolean expression in symbols x0..x{n-1} (Z_p: an integer polynomial in a, b)."""
        from .syntax import to_sympy
        return to_sympy(self)

    def to_networkx(self):
        """A networkx DiGraph: inputs, constants and gates as nodes (attribute ``op``), edges to users."""
        from .syntax import to_networkx
        return to_networkx(self)

    def to_dot(self, name: str = "program") -> str:
        """Graphviz DOT text."""
        from .syntax import to_dot
        return to_dot(self, name)


def _gate_table(p: int | None) -> Mapping[str, Gate]:
    return GATES if p is None else ZP_GATES


def _validate(n: int, nodes: list[Node], output: int, basis: Basis, p: int | None) -> None:
    table = _gate_table(p)
    for i, nd in enumerate(nodes):
        op, args = nd
        where = f"node {i} ({op}{tuple(args)})"
        if not isinstance(op, str):
            raise SynthError(f"{where}: op must be a string")
        if nd.is_const:
            v = int(op)
            if args:
                raise SynthError(f"{where}: a constant takes no arguments")
            if (p is None and v not in (0, 1)) or (p is not None and v >= p):
                raise SynthError(f"{where}: constant {v} is outside the domain "
                                 f"{'{0, 1}' if p is None else f'Z_{p}'}")
            continue
        if op not in table:
            raise SynthError(f"{where}: unknown gate {op!r} (known: {', '.join(table)})")
        if op not in basis:
            raise SynthError(f"{where}: gate {op!r} is not in basis {basis.name!r} "
                             f"(its gates: {', '.join(basis.costs)})")
        if len(args) != table[op].arity:
            raise SynthError(f"{where}: gate {op!r} takes {table[op].arity} argument(s), got {len(args)}")
        for a in args:
            if not isinstance(a, (int, np.integer)) or a < 0 or a >= n + i:
                raise SynthError(f"{where}: argument ref {a!r} is not an input or an earlier node "
                                 f"(valid: 0..{n + i - 1})")
    if not isinstance(output, (int, np.integer)) or output < 0 or output >= n + len(nodes):
        raise SynthError(f"output ref {output!r} is out of range 0..{n + len(nodes) - 1}")
    if output < n and n == 0:
        raise SynthError("output refers to an input but the program has none")


def _canonicalise(n: int, nodes: list[Node], output: int, basis: Basis) -> tuple[tuple[Node, ...], int]:
    """Canonical form: reachable nodes only, commutative args sorted by a structural key, nodes in
    post-order of a depth-first walk that visits args in that order."""
    table = GATES if basis.domain == "bool" else ZP_GATES
    # one node per constant value: later copies are redirected to the first
    first_const: dict[str, int] = {}
    redirect: dict[int, int] = {}
    for i, nd in enumerate(nodes):
        if nd.is_const:
            redirect[n + i] = first_const.setdefault(nd.op, n + i)
    if redirect:
        nodes = [Node(nd.op, tuple(redirect.get(a, a) for a in nd.args)) for nd in nodes]
        output = redirect.get(output, output)
    keys: list[tuple] = [(0, i, "") for i in range(n)]
    for nd in nodes:
        if nd.is_const:
            keys.append((1, int(nd.op), ""))
            continue
        arg_keys = [keys[a] for a in nd.args]
        if table[nd.op].commutative:
            arg_keys.sort()
        depth = 1 + max((k[1] if k[0] == 2 else 0) for k in arg_keys)
        digest = hashlib.blake2b(repr((nd.op, arg_keys)).encode(), digest_size=12).hexdigest()
        keys.append((2, depth, digest))

    # Structurally identical nodes can still be shared differently (one used twice, its twin once);
    # refine each key by the context it is used in (parents' keys and argument positions, top-down),
    # a Weisfeiler-Lehman step, so ties left between arguments are true symmetries.
    total = n + len(nodes)
    live = {output}   # only nodes that reach the output count as users (dead nodes are dropped)
    for r in range(total - 1, n - 1, -1):
        if r in live:
            live.update(nodes[r - n].args)
    users: list[list[tuple[int, int]]] = [[] for _ in range(total)]
    for i, nd in enumerate(nodes):
        if nd.is_const or n + i not in live:
            continue
        comm = table[nd.op].commutative
        for pos, a in enumerate(nd.args):
            users[a].append((n + i, -1 if comm else pos))
    ctx: list[str] = [""] * total
    ctx[output] = "out"
    for r in range(total - 1, -1, -1):
        if users[r]:
            parts = sorted(repr((keys[u], pos, ctx[u])) for u, pos in users[r])
            ctx[r] = hashlib.blake2b(("|".join(parts) + ("|out" if r == output else "")).encode(),
                                     digest_size=12).hexdigest()
    full_key = [keys[r] + (ctx[r],) for r in range(total)]

    order: dict[int, tuple[int, ...]] = {}
    new_index: dict[int, int] = {}

    def ordered_args(i: int) -> tuple[int, ...]:
        """Arguments in canonical order, fixed when the node is first reached: by refined key, and
        among ties (automorphic twins) already-numbered refs first, by number."""
        if i not in order:
            nd = nodes[i]
            if nd.is_const:
                order[i] = ()
            elif table[nd.op].commutative:
                big = 1 << 60
                order[i] = tuple(sorted(nd.args, key=lambda a: (full_key[a], new_index.get(a, big))))
            else:
                order[i] = nd.args
        return order[i]

    out_nodes: list[Node] = []
    if output >= n:  # iterative post-order DFS
        stack: list[tuple[int, int]] = [(output, 0)]
        while stack:
            r, k = stack.pop()
            if r < n or r in new_index:
                continue
            i = r - n
            args = ordered_args(i)
            if k < len(args):
                stack.append((r, k + 1))
                stack.append((args[k], 0))
                continue
            mapped = tuple(a if a < n else new_index[a] for a in args)
            new_index[r] = n + len(out_nodes)
            out_nodes.append(Node(nodes[i].op, mapped))
    out = output if output < n else new_index[output]
    return tuple(out_nodes), out
