"""Peephole rewriting of free negations: ``not`` nodes folded into the basis's own gates.

Searches that treat f and NOT f alike rebuild programs with explicit ``not`` nodes; where the basis has a
gate that absorbs the negation (``and(not(a), b)`` → ``lt(a, b)``, ``not(and(a, b))`` → ``nand(a, b)``,
``not(not(a))`` → ``a``), this rewrites it. Function and size are unchanged (only cost-0 ``not`` nodes go
away), so the description length can only fall.

>>> from synth.dsl import Program
>>> str(simplify_negations(Program.parse("not(and(not(x0), not(x1)))", basis="aig")))
'or(x0, x1)'
"""

from __future__ import annotations

import itertools

from .dsl import GATES, Program, get_basis, negate_inputs
from .errors import SynthError

__all__ = ["simplify_negations", "permute_table"]


def permute_table(table: int, arity: int, perm: tuple[int, ...]) -> int:
    """Table of h(x) = g(x[perm[0]], x[perm[1]], ...) for gate table g (also used by `synth.circuit_search`)."""
    out = 0
    for t in range(1 << arity):
        u = sum(((t >> perm[i]) & 1) << i for i in range(arity))
        out |= ((table >> u) & 1) << t
    return out


def simplify_negations(prog: Program) -> Program:
    """Fold cost-0 ``not`` nodes into neighbouring gates where the basis allows (see module doc); with
    several outputs, a gate that is an output or read twice keeps its own value."""
    if not isinstance(prog, Program):
        raise SynthError(f"simplify_negations needs a synth.Program, got {type(prog).__name__}")
    b = get_basis(prog.basis)
    if prog.p is not None or b.cost("not") != 0 if "not" in b else True:
        return prog
    by_table: dict[tuple[int, int], tuple[str, tuple[int, ...]]] = {}
    for g in b.gates:
        if g.name == "not":
            continue
        for perm in itertools.permutations(range(g.arity)):
            key = (g.arity, permute_table(g.table, g.arity, perm))
            by_table.setdefault(key, (g.name, perm))
    n = prog.n_inputs
    nodes: list[tuple[str, tuple[int, ...]]] = [(nd.op, nd.args) for nd in prog.nodes]
    changed = True
    outs = list(prog.outputs)
    while changed:
        changed = False
        uses: dict[int, int] = {}
        for op, args in nodes:
            for a in args:
                uses[a] = uses.get(a, 0) + 1
        for o in outs:
            uses[o] = uses.get(o, 0) + 1

        def node(r: int):
            return nodes[r - n] if r >= n else None

        for i, (op, args) in enumerate(nodes):
            if op == "not" or op.isdigit():
                continue
            g = GATES[op]
            # absorb negated arguments: gate(..., not(a), ...) -> gate'(..., a, ...)
            for pos, a in enumerate(args):
                na = node(a)
                if na is None or na[0] != "not":
                    continue
                t = negate_inputs(g.table, g.arity, 1 << pos)
                hit = by_table.get((g.arity, t))
                if hit is None:
                    continue
                name, perm = hit
                new_args = list(args)
                new_args[pos] = na[1][0]
                # hit realises table t as name(x[perm]); feed the gate its args in that order
                nodes[i] = (name, tuple(new_args[perm[k]] for k in range(g.arity)))
                changed = True
                break
            if changed:
                break
        if not changed:
            for i, (op, args) in enumerate(nodes):
                r = n + i
                if op != "not" or not uses.get(r, 0):   # unused (e.g. already redirected): leave it
                    continue
                inner = node(args[0])
                if inner is None:
                    continue
                if inner[0] == "not":
                    _redirect(nodes, r, inner[1][0], n)
                    outs = [inner[1][0] if o == r else o for o in outs]
                    changed = True
                    break
                if inner[0].isdigit() or uses.get(args[0], 0) != 1:
                    continue
                g = GATES[inner[0]]
                full = (1 << (1 << g.arity)) - 1
                hit = by_table.get((g.arity, g.table ^ full))
                if hit is None:
                    continue
                name, perm = hit
                nodes[i] = (name, tuple(inner[1][perm[k]] for k in range(g.arity)))
                changed = True
                break
    return Program(n, nodes, outputs=tuple(outs), basis=prog.basis, p=prog.p)


def _redirect(nodes: list, old: int, new: int, n: int) -> None:
    for j, (op, args) in enumerate(nodes):
        if old in args:
            nodes[j] = (op, tuple(new if a == old else a for a in args))
