"""The circuit DSL: `Program`, a straight-line program over the gates of a basis (Boolean or Z_p),
built on `synth.gates` (gates, bases, limits; re-exported here). Parsing and formatting live in
`synth.syntax`, evaluation in `synth.semantics`; the methods of `Program` call them.

The truth-table convention is `synth.gates`'s.

>>> p = Program.parse("xor(x0, and(x1, x2))", basis="xag")
>>> p.size, p.truth_table() == 0b01101010
(2, True)
"""

from __future__ import annotations

import hashlib
import math
from typing import Iterable, Mapping

import numpy as np

from .errors import SynthError
from .gates import (BASES, GATES, MAX_INPUTS, MAX_MODULUS, MAX_NODES, ZP_GATES, Basis, Gate, as_int,
                    define_basis, gate_table_to_name, get_basis, is_monotone, negate_inputs, short_repr)
from . import gates, semantics, syntax

__all__ = [*gates.__all__, "Node", "Program"]       # the gates' names are re-exported


# --------------------------------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------------------------------

class Node(tuple):
    """One step of a straight-line program: ``(op, args)``; a constant is ``("0", ())``, ``("1", ())``
    (Boolean) or ``("v", ())`` for a Z_p value v."""

    __slots__ = ()

    def __new__(cls, op: str, args: tuple[int, ...] = ()) -> "Node":
        return tuple.__new__(cls, (op, tuple(args)))

    def __getnewargs__(self):  # pickling: (op, args), not the tuple itself
        return (self[0], self[1])

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
    """An immutable straight-line program over inputs ``x0..x{n-1}`` (Boolean) or ``a, b`` (Z_p), with
    one output or several outputs that share gates.

    ``nodes`` is a tuple of `Node`; an argument ``r`` refers to input ``r`` when ``r < n_inputs`` and to
    node ``r - n_inputs`` otherwise (always an earlier node). ``outputs`` is a tuple of refs: an input, a
    constant or any node (a complemented output is an explicit ``not`` node, free where the basis has free
    negation); ``output`` is the one ref of a single-output program. The constructor puts the program in
    canonical form (nodes that no output reaches dropped, arguments of commutative gates ordered, nodes
    numbered in a canonical depth-first order from the outputs in turn), so equal programs compare equal.
    Sizes are bounded by `MAX_INPUTS`, `MAX_MODULUS` and `MAX_NODES`.

    >>> p = Program.parse("xor(x0, and(x2, x1))")
    >>> str(p), p.size, p.truth_table() == (0xaa ^ (0xcc & 0xf0))
    ('xor(x0, and(x1, x2))', 2, True)
    >>> adder = Program.parse("t0 = xor(x0, x1); out0 = xor(t0, x2); out1 = maj(x0, x1, x2)")
    >>> adder.n_outputs, adder.size, adder.truth_table() == (0x96, 0xe8)
    (2, 3, True)
    """

    __slots__ = ("n_inputs", "nodes", "outputs", "basis", "p", "_hash")

    def __init__(self, n_inputs: int, nodes, output: int | None = None, *, outputs=None,
                 basis: str | Basis | None = None, p: int | None = None) -> None:
        n_inputs = as_int(n_inputs, "n_inputs", lo=0, hi=MAX_INPUTS, limit="synth.dsl.MAX_INPUTS")
        if p is not None:
            p = as_int(p, "modulus p", lo=2, hi=MAX_MODULUS, limit="synth.dsl.MAX_MODULUS")
        if basis is None:
            basis = "zp" if p is not None else "any"
        b = get_basis(basis)
        if (b.domain == "zp") != (p is not None):
            raise SynthError(f"basis {b.name!r} is for the {b.domain} domain but the program is "
                             f"{'Z_%d' % p if p else 'Boolean'}")
        raw = _read_nodes(n_inputs, nodes, b, p)
        outs = _read_outputs(n_inputs, len(raw), output, outputs)
        canon_nodes, canon_outs = _canonicalise(n_inputs, raw, outs, b)
        object.__setattr__(self, "n_inputs", n_inputs)
        object.__setattr__(self, "nodes", canon_nodes)
        object.__setattr__(self, "outputs", canon_outs)
        object.__setattr__(self, "basis", b.name if BASES.get(b.name) is b else b)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "_hash", hash((n_inputs, canon_nodes, canon_outs, self.basis_name, p)))

    def __setattr__(self, name, value):  # immutable
        raise AttributeError("Program is immutable")

    def __reduce__(self):  # pickling goes through the constructor (slots and immutability)
        return (_rebuild_program, (self.n_inputs, self.nodes, self.outputs, self.basis, self.p))

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_nodes(cls, n_inputs: int, nodes, output: int | None = None, *, outputs=None,
                   basis: str | Basis | None = None, p: int | None = None) -> "Program":
        """Build from ``[(op, args), ...]`` (refs: inputs first, then nodes); the output defaults to the
        last node, ``outputs=(r0, r1, ...)`` gives several."""
        return cls(n_inputs, nodes, output, outputs=outputs, basis=basis, p=p)

    def embedded(self, n_inputs: int, inputs, *, basis: str | Basis | None = None) -> "Program":
        """The same program over ``n_inputs`` inputs, its input i renamed to ``inputs[i]``.

        >>> str(Program.parse("and(x0, not(x1))", basis="aon").embedded(5, [3, 1]))
        'and(x3, not(x1))'
        """
        k = self.n_inputs
        if len(inputs) != k:
            raise SynthError(f"embedded: the program has {k} inputs but {len(inputs)} input indices were given")
        n_inputs = as_int(n_inputs, "n_inputs", lo=0, hi=MAX_INPUTS, limit="synth.dsl.MAX_INPUTS")
        inputs = [as_int(v, "input index", lo=0, hi=n_inputs - 1) for v in inputs]

        def remap(r: int) -> int:
            return inputs[r] if r < k else n_inputs + (r - k)

        nodes = [(op, tuple(remap(a) for a in args)) for op, args in self.nodes]
        return Program(n_inputs, nodes, outputs=tuple(remap(r) for r in self.outputs),
                       basis=basis or self.basis, p=self.p)

    @classmethod
    def parse(cls, text: str, n_inputs: int | None = None, *, basis: str | Basis | None = None,
              p: int | None = None) -> "Program":
        """Read expression form ``xor(x0, and(x1, x2))`` or straight-line form ``t0 = ...; out = ...``
        (several outputs: ``out0 = ...; out1 = ...``); see `synth.syntax`."""
        n, nodes, outputs = syntax.parse_parts(text, n_inputs, p=p)
        return cls(n, nodes, outputs=outputs, basis=basis, p=p)

    # -- identity ------------------------------------------------------------------------------------
    @property
    def basis_name(self) -> str:
        return self.basis if isinstance(self.basis, str) else self.basis.name

    def _basis(self) -> Basis:
        return get_basis(self.basis)

    @property
    def output(self) -> int:
        """The output ref of a single-output program; a program with several outputs has ``outputs``."""
        if len(self.outputs) != 1:
            raise SynthError(f"this program has {len(self.outputs)} outputs: read .outputs (a tuple of "
                             "refs), not .output")
        return self.outputs[0]

    @property
    def n_outputs(self) -> int:
        return len(self.outputs)

    def output_program(self, j: int) -> "Program":
        """Output ``j`` alone, as a single-output program (its gates only)."""
        j = as_int(j, "output index j", lo=0, hi=len(self.outputs) - 1)
        return Program(self.n_inputs, self.nodes, self.outputs[j], basis=self.basis, p=self.p)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Program):
            return NotImplemented
        return (self.n_inputs, self.nodes, self.outputs, self.basis_name, self.p) == \
            (other.n_inputs, other.nodes, other.outputs, other.basis_name, other.p)

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return syntax.format_program(self)

    def __repr__(self) -> str:
        dom = f", p={self.p}" if self.p is not None else ""
        return f"Program({str(self)!r}, n_inputs={self.n_inputs}, basis={self.basis_name!r}{dom})"

    def with_basis(self, basis: str | Basis) -> "Program":
        """The same program measured in another basis (every gate must be in it)."""
        return Program(self.n_inputs, self.nodes, outputs=self.outputs, basis=basis, p=self.p)

    # -- measures (all over the gates that some output reaches: after canonical form, every node) -----
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
        that is a bare input costs log2(n_inputs). The output of a single-output program is its last
        node; with k >= 2 outputs, each output ref costs log2(n_inputs + number of nodes) more."""
        b = self._basis()
        n_const = 2 if self.p is None else self.p
        op_bits = math.log2(len(b.costs) + n_const)
        total = 0.0
        for i, nd in enumerate(self.nodes):
            total += op_bits + (len(nd.args) * math.log2(self.n_inputs + i) if nd.args else 0.0)
        refs = self.n_inputs + len(self.nodes)
        if len(self.outputs) > 1:
            total += len(self.outputs) * math.log2(refs) if refs > 1 else 0.0
        elif not self.nodes and self.n_inputs > 1:
            total = math.log2(self.n_inputs)
        return total

    @property
    def depth(self) -> int:
        """Longest input-to-output path over all outputs, counting gates of nonzero cost."""
        b = self._basis()
        d = [0] * (self.n_inputs + len(self.nodes))
        for i, nd in enumerate(self.nodes):
            own = 0 if nd.is_const or b.cost(nd.op) == 0 else 1
            d[self.n_inputs + i] = own + max((d[a] for a in nd.args), default=0)
        return max(d[o] for o in self.outputs)

    @property
    def support(self) -> frozenset[int]:
        """Indices of the inputs some output depends on syntactically."""
        return frozenset(r for r in self._reachable() if r < self.n_inputs)

    @property
    def n_gates(self) -> int:
        """Number of gate nodes (constants excluded), whatever their cost."""
        return sum(1 for nd in self.nodes if not nd.is_const)

    def _reachable(self) -> set[int]:
        seen: set[int] = set()
        stack = list(self.outputs)
        while stack:
            r = stack.pop()
            if r in seen:
                continue
            seen.add(r)
            if r >= self.n_inputs:
                stack.extend(self.nodes[r - self.n_inputs].args)
        return seen

    def is_tree(self) -> bool:
        """True when every gate node is used once, by a gate or as an output (the program is a formula,
        or several formulas that share nothing; constants are leaves)."""
        uses: dict[int, int] = {}
        refs = [a for nd in self.nodes for a in nd.args] + list(self.outputs)
        for a in refs:
            if a >= self.n_inputs and not self.nodes[a - self.n_inputs].is_const:
                uses[a] = uses.get(a, 0) + 1
        return all(c <= 1 for c in uses.values())

    # -- semantics -----------------------------------------------------------------------------------
    def evaluate(self, X) -> np.ndarray:
        """Outputs on the rows of X: (m, n) 0/1 → bool array; Z_p: (m, 2) ints → ints mod p. Shape
        (m,) for one output, (m, k) for k outputs."""
        return semantics.evaluate(self, X)

    def truth_table(self):
        """The Boolean function as an int: bit t is f(x) with x_i = (t >> i) & 1; with k outputs, a
        tuple of k such ints (one per output, in order)."""
        return semantics.truth_table(self)

    def value_table(self) -> np.ndarray:
        """Z_p programs: the p x p table of outputs, entry [a, b] ((p, p, k) for k outputs)."""
        return semantics.value_table(self)

    # -- exports -------------------------------------------------------------------------------------
    def to_sympy(self):
        """A sympy Boolean expression in symbols x0..x{n-1} (Z_p: an integer polynomial in a, b); a
        tuple of them, one per output, for several outputs."""
        return syntax.to_sympy(self)

    def to_networkx(self):
        """A networkx DiGraph: inputs, constants and gates as nodes (attribute ``op``), edges to users;
        output nodes carry ``outputs`` (the output indices they give)."""
        return syntax.to_networkx(self)

    def to_dot(self, name: str = "program") -> str:
        """Graphviz DOT text."""
        return syntax.to_dot(self, name)


def _rebuild_program(n_inputs, nodes, outputs, basis, p) -> Program:
    return Program(n_inputs, nodes, outputs=outputs, basis=basis, p=p)


def _gate_table(p: int | None) -> Mapping[str, Gate]:
    return GATES if p is None else ZP_GATES


def _read_nodes(n: int, nodes, basis: Basis, p: int | None) -> list[Node]:
    """Check the raw nodes (shape, ops, constants, arity, refs) and return them as `Node`s with int
    refs and constants in plain decimal."""
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Iterable):
        raise SynthError(f"nodes must be a sequence of (op, args) pairs, got {short_repr(nodes)}")
    table = _gate_table(p)
    out: list[Node] = []
    for i, item in enumerate(nodes):
        if i >= MAX_NODES:
            raise SynthError(f"a program has at most {MAX_NODES} nodes (the limit synth.dsl.MAX_NODES)")
        if isinstance(item, (str, bytes)) or not isinstance(item, (tuple, list)) or len(item) != 2:
            raise SynthError(f"node {i}: must be a pair (op, args), got {short_repr(item)}")
        op, args = item
        if not isinstance(op, str):
            raise SynthError(f"node {i}: op must be a string, got {short_repr(op)}")
        if isinstance(args, (str, bytes)) or not isinstance(args, (tuple, list, np.ndarray)) \
                or (isinstance(args, np.ndarray) and args.ndim != 1):
            raise SynthError(f"node {i} ({short_repr(op)}): args must be a tuple of refs, got {short_repr(args)}")
        gate = table.get(op)
        if gate is not None:
            if op not in basis:
                raise SynthError(f"node {i}: gate {op!r} is not in basis {basis.name!r} "
                                 f"(its gates: {', '.join(basis.costs)})")
            if len(args) != gate.arity:
                raise SynthError(f"node {i}: gate {op!r} takes {gate.arity} argument(s), got {len(args)}")
            refs = []
            for a in args:
                if type(a) is not int:
                    if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
                        raise SynthError(f"node {i} ({op}): argument ref {short_repr(a)} must be an integer")
                    a = int(a)
                if not 0 <= a < n + i:
                    valid = f"valid: 0..{n + i - 1}" if n + i else "nothing precedes it"
                    raise SynthError(f"node {i} ({op}): argument ref {short_repr(a)} is not an input or an "
                                     f"earlier node ({valid})")
                refs.append(a)
            out.append(Node(str(op), tuple(refs)))
        elif op.isascii() and op.isdigit():
            if len(args):
                raise SynthError(f"node {i}: constant {short_repr(op)} takes no arguments")
            digits = op.lstrip("0") or "0"
            top = 1 if p is None else p - 1
            if len(digits) > len(str(top)) or int(digits) > top:
                dom = "{0, 1}" if p is None else f"Z_{p}"
                raise SynthError(f"node {i}: constant {short_repr(op)} is outside the domain {dom}")
            out.append(Node(digits, ()))
        else:
            raise SynthError(f"node {i}: unknown gate {short_repr(op)} (known: {', '.join(table)})")
    return out


def _read_outputs(n: int, n_nodes: int, output, outputs) -> tuple[int, ...]:
    total = n + n_nodes
    if outputs is None:
        if output is None:
            if not n_nodes:
                raise SynthError("a program with no nodes needs an explicit output ref")
            return (total - 1,)
        if isinstance(output, (tuple, list, np.ndarray)):
            raise SynthError(f"output must be one ref, got {short_repr(output)}; give several as outputs=(...)")
        refs, what = (output,), ["output ref"]
    else:
        if output is not None:
            raise SynthError("give output= or outputs=, not both")
        if isinstance(outputs, (str, bytes)) or not isinstance(outputs, (tuple, list, np.ndarray)) \
                or (isinstance(outputs, np.ndarray) and outputs.ndim != 1):
            raise SynthError(f"outputs must be a tuple of refs, got {short_repr(outputs)}")
        if not len(outputs):
            raise SynthError("outputs is empty: a program needs at least one output")
        if len(outputs) > MAX_NODES:
            raise SynthError(f"a program has at most {MAX_NODES} outputs (the limit synth.dsl.MAX_NODES), "
                             f"got {len(outputs)}")
        refs, what = tuple(outputs), [f"output {j} ref" for j in range(len(outputs))]
    out = []
    for r, w in zip(refs, what):
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, (int, np.integer)):
            raise SynthError(f"{w} {short_repr(r)} must be an integer ref")
        if not 0 <= int(r) < total:
            raise SynthError(f"{w} {short_repr(r)} is out of range 0..{total - 1}")
        out.append(int(r))
    return tuple(out)


def _canonicalise(n: int, nodes: list[Node], outputs: tuple[int, ...], basis: Basis
                  ) -> tuple[tuple[Node, ...], tuple[int, ...]]:
    """Canonical form: reachable nodes only, commutative args sorted by a structural key, nodes in
    post-order of depth-first walks from each output in turn that visit args in that order."""
    table = GATES if basis.domain == "bool" else ZP_GATES
    # one node per constant value: later copies are redirected to the first
    first_const: dict[str, int] = {}
    redirect: dict[int, int] = {}
    for i, nd in enumerate(nodes):
        if nd.is_const:
            redirect[n + i] = first_const.setdefault(nd.op, n + i)
    if redirect:
        nodes = [Node(nd.op, tuple(redirect.get(a, a) for a in nd.args)) for nd in nodes]
        outputs = tuple(redirect.get(o, o) for o in outputs)
    is_const = [nd.is_const for nd in nodes]
    comm = [not c and table[nd.op].commutative for nd, c in zip(nodes, is_const)]
    blake = hashlib.blake2b
    keys: list[tuple] = [(0, i, "") for i in range(n)]
    for i, nd in enumerate(nodes):
        if is_const[i]:
            keys.append((1, int(nd.op), ""))
            continue
        arg_keys = [keys[a] for a in nd.args]
        if comm[i]:
            arg_keys.sort()
        depth = 1 + max(k[1] if k[0] == 2 else 0 for k in arg_keys)
        keys.append((2, depth, blake(repr((nd.op, arg_keys)).encode(), digest_size=12).hexdigest()))

    # Structurally identical nodes can still be shared differently (one used twice, its twin once);
    # refine each key by the context it is used in (parents' keys and argument positions, top-down),
    # a Weisfeiler-Lehman step, so ties left between arguments are true symmetries.
    total = n + len(nodes)
    live = set(outputs)   # only nodes that reach an output count as users (dead nodes are dropped)
    for r in range(total - 1, n - 1, -1):
        if r in live:
            live.update(nodes[r - n].args)
    users: list[list[tuple[int, int]]] = [[] for _ in range(total)]
    for i, nd in enumerate(nodes):
        if is_const[i] or n + i not in live:
            continue
        for pos, a in enumerate(nd.args):
            users[a].append((n + i, -1 if comm[i] else pos))
    marks: dict[int, str] = {}   # which outputs a ref gives: "out" (single output) or "out,0,2"
    if len(outputs) == 1:
        marks[outputs[0]] = "out"
    else:
        for j, o in enumerate(outputs):
            marks[o] = marks.get(o, "out") + f",{j}"
    ctx: list[str] = [""] * total
    for r, mark in marks.items():
        ctx[r] = mark
    for r in range(total - 1, -1, -1):
        if users[r]:
            parts = sorted(repr((keys[u], pos, ctx[u])) for u, pos in users[r])
            ctx[r] = blake(("|".join(parts) + (f"|{marks[r]}" if r in marks else "")).encode(),
                           digest_size=12).hexdigest()
    full_key = [keys[r] + (ctx[r],) for r in range(total)]

    order: dict[int, tuple[int, ...]] = {}
    new_index: dict[int, int] = {}

    def ordered_args(i: int) -> tuple[int, ...]:
        """Arguments in canonical order, fixed when the node is first reached: by refined key, and
        among ties (automorphic twins) already-numbered refs first, by number."""
        if i not in order:
            args = nodes[i].args
            if comm[i]:
                big = 1 << 60
                args = tuple(sorted(args, key=lambda a: (full_key[a], new_index.get(a, big))))
            order[i] = args
        return order[i]

    out_nodes: list[Node] = []
    for output in outputs:   # iterative post-order DFS from each output in turn
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
    return tuple(out_nodes), tuple(o if o < n else new_index[o] for o in outputs)
