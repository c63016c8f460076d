"""Upper bounds without search: Shannon decomposition, and translation of a program into another basis.

f = ite(x_v, f1, f0) on the variable that best splits the examples (information gain), recursively,
until a sub-spec is constant or an optional ``leaf`` search (small exact programs) solves it. Without
leaves it is an if-then-else tree over the examples: always consistent, always fast (at most one split
per example and input). The program is consistent with every example but is not claimed minimal:
`synth.synthesize` reports it with ``exact=False`` next to the proven lower bound.

>>> import numpy as np
>>> from synth.spec import Spec
>>> X = (np.arange(16)[:, None] >> np.arange(4)) & 1
>>> p = shannon_upper_bound(Spec.from_examples(X, X[:, 0] & X[:, 1] | X[:, 2] & X[:, 3]), "xag")
>>> bool((p.evaluate(X) == (X[:, 0] & X[:, 1] | X[:, 2] & X[:, 3])).all())
True
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .exhaustive import census
from .dsl import GATES, Basis, Program, get_basis
from .enumerate import recipes
from .errors import SynthError
from .simplify import simplify_negations
from .spec import Spec

__all__ = ["shannon_upper_bound", "translate"]


def _entropy(y: np.ndarray) -> float:
    if len(y) == 0:
        return 0.0
    p = float(np.mean(y))
    return 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


class _Emitter:
    """Appends nodes for one program; gates by truth table through the basis's recipes."""

    def __init__(self, n: int, basis: Basis):
        self.n = n
        self.basis = basis
        self.nodes: list[tuple[str, tuple[int, ...]]] = []
        self.recipes = recipes(basis)

    def add(self, op: str, args: tuple[int, ...]) -> int:
        self.nodes.append((op, args))
        return self.n + len(self.nodes) - 1

    def const(self, v: int) -> int:
        return self.add(str(int(v)), ())

    def negate(self, r: int) -> int:
        if "not" not in self.basis:
            raise SynthError(f"basis {self.basis.name!r} cannot negate (no 'not' gate)")
        return self.add("not", (r,))

    def gate(self, arity: int, table: int, args: tuple[int, ...]) -> int:
        try:
            name, in_mask, out_neg = self.recipes[(arity, table)]
        except KeyError:
            raise SynthError(f"basis {self.basis.name!r} cannot express the gate table {table:#x}") from None
        refs = tuple(self.negate(a) if (in_mask >> i) & 1 else a for i, a in enumerate(args))
        r = self.add(name, refs)
        return self.negate(r) if out_neg else r

    def paste(self, prog: Program) -> int:
        """Copy a program over the same inputs; return the ref of its output."""
        base = self.n + len(self.nodes)
        for nd in prog.nodes:
            self.nodes.append((nd.op, tuple(a if a < self.n else a - self.n + base for a in nd.args)))
        return prog.output if prog.output < self.n else prog.output - self.n + base

    def ite(self, v: int, hi: int, lo: int) -> int:
        """x_v ? hi : lo with the cheapest construction the basis has."""
        if (3, 0xD8) in self.recipes and self.recipes[(3, 0xD8)][0] == "ite":
            return self.gate(3, 0xD8, (v, hi, lo))
        if "maj" in self.basis:
            zero = self.const(0)
            a = self.gate(3, 0xE8, (v, hi, zero))              # x_v and hi
            b = self.gate(3, 0xE8, (self.negate(v), lo, zero))  # not x_v and lo
            one = self.const(1)
            return self.gate(3, 0xE8, (a, b, one))             # a or b
        a = self.gate(2, 0x8, (v, hi))    # v and hi
        b = self.gate(2, 0x2, (lo, v))    # lo and not v
        return self.gate(2, 0xE, (a, b))  # or


def shannon_upper_bound(spec: Spec, basis: str | Basis = "xag", *,
                        leaf: Callable[[np.ndarray, np.ndarray], Program | None] | None = None) -> Program:
    """A formula consistent with every example of a Boolean spec, built by Shannon decomposition.

    ``leaf(X, y)`` may return a program (over all inputs) consistent with the examples ``X``, ``y`` of a
    sub-spec, or None; a split whose two halves both have leaf programs is preferred (one step of
    lookahead). Without ``leaf`` (or once it returns None everywhere) the tree splits down to constant
    leaves: no search."""
    b = get_basis(basis)
    if spec.p is not None:
        raise SynthError("shannon_upper_bound is for Boolean specs")
    em = _Emitter(spec.n_inputs, b)
    cache: dict[bytes, Program | None] = {}

    def solved(X: np.ndarray, y: np.ndarray) -> Program | None:
        if y.min() == y.max():
            return Program(spec.n_inputs, [(str(int(y[0])), ())], basis=b)
        if leaf is None:
            return None
        key = X.tobytes() + b"|" + y.tobytes()
        if key not in cache:
            cache[key] = leaf(X, y)
        return cache[key]

    def solve(X: np.ndarray, y: np.ndarray, free: list[int]) -> int:
        p = solved(X, y)
        if p is not None:
            return em.paste(p)
        best = None
        splits = []
        for v in free:
            mask = X[:, v] == 1
            if mask.all() or not mask.any():
                continue
            if leaf is not None:
                hi, lo = solved(X[mask], y[mask]), solved(X[~mask], y[~mask])
                if hi is not None and lo is not None and (best is None or hi.size + lo.size < best[0]):
                    best = (hi.size + lo.size, v, hi, lo)
            h = (mask.mean() * _entropy(y[mask]) + (1 - mask.mean()) * _entropy(y[~mask]))
            splits.append((h, v))
        if best is not None:
            _, v, hi, lo = best
            return em.ite(v, em.paste(hi), em.paste(lo))
        if not splits:  # cannot happen for a consistent spec: identical inputs have one output
            raise SynthError("Shannon decomposition found no variable to split on")
        _, v = min(splits)
        mask = X[:, v] == 1
        rest = [u for u in free if u != v]
        return em.ite(v, solve(X[mask], y[mask], rest), solve(X[~mask], y[~mask], rest))

    out = solve(spec.X.astype(np.uint8), spec.y.astype(np.uint8), list(range(spec.n_inputs)))
    return simplify_negations(Program(spec.n_inputs, em.nodes, out, basis=b))


def translate(prog: Program, basis: str | Basis, *, tree: bool = True) -> Program:
    """The same function written in another Boolean basis, gate by gate: each gate becomes the
    minimum formula of its truth table in the target basis (from the 2- or 3-input census there).
    With ``tree`` (formula mode) an operand that a template uses twice is copied, so the result is a
    formula and its size an upper bound on the minimum formula size; otherwise operands are shared.

    >>> str(translate(Program.parse("xor(x0, x1)", basis="xag"), "aon"))
    'and(or(x0, x1), not(and(x0, x1)))'
    """
    b = get_basis(basis)
    if prog.p is not None:
        raise SynthError("translate is for Boolean programs")
    n = prog.n_inputs
    nodes: list[tuple[str, tuple[int, ...]]] = []
    ref = list(range(n))  # old ref -> new ref

    def copy(r: int) -> int:
        """A fresh copy of the subtree at ref r (inputs are leaves, never copied)."""
        if r < n:
            return r
        op, args = nodes[r - n]
        nodes.append((op, tuple(copy(a) for a in args)))
        return n + len(nodes) - 1

    def paste(template: Program, args: list[int]) -> int:
        local = list(args)
        used = [0] * len(args)
        for nd in template.nodes:
            if nd.is_const:
                nodes.append((nd.op, ()))
            elif nd.op == "not" and local[nd.args[0]] >= n and nodes[local[nd.args[0]] - n][0] == "not":
                a = nd.args[0]                      # not(not(u)) is u: no node
                inner = nodes[local[a] - n][1][0]
                if a < len(args):
                    used[a] += 1
                    if tree and used[a] > 1:
                        inner = copy(inner)
                local.append(inner)
                continue
            else:
                new_args = []
                for a in nd.args:
                    r = local[a]
                    if a < len(args):
                        used[a] += 1
                        if tree and used[a] > 1:
                            r = copy(r)
                    new_args.append(r)
                nodes.append((nd.op, tuple(new_args)))
            local.append(n + len(nodes) - 1)
        return local[template.output]

    for nd in prog.nodes:
        if nd.is_const:
            nodes.append((nd.op, ()))
            ref.append(n + len(nodes) - 1)
            continue
        g = GATES[nd.op]
        table = g.table
        if g.arity == 1:  # not(a) = the 1-input table 0b01, written as a 2-input gate of a and a
            table, args = 0b0011, [ref[nd.args[0]], ref[nd.args[0]]]
        else:
            args = [ref[a] for a in nd.args]
        arity = max(2, g.arity)
        c = census(arity, b, "formula")
        if c.size(table) < 0:
            raise SynthError(f"gate {nd.op!r} cannot be written in basis {b.name!r}")
        ref.append(paste(c.program(table), args))
    return simplify_negations(Program(n, nodes, ref[prog.output], basis=b))
