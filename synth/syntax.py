"""Text forms of programs (expression and straight-line), and exports to sympy, networkx and DOT.

Expression form is used when the program is a tree: ``xor(x0, and(x1, x2))``. When a node is shared,
the straight-line form names every gate: ``t0 = and(x1, x2); t1 = xor(x0, t0); out = or(t0, t1)``.
`parse_program` reads both (statements separated by ``;`` or newlines; ``#`` starts a comment).

>>> from synth.dsl import Program
>>> str(Program.parse("t0 = and(x1, x2); out = or(xor(x0, t0), t0)"))
't0 = and(x1, x2); t1 = xor(x0, t0); out = or(t0, t1)'
"""

from __future__ import annotations

import re

from .dsl import GATES, ZP_GATES, Basis, Program
from .errors import SynthError

__all__ = ["parse_program", "format_program", "to_sympy", "to_networkx", "to_dot"]

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<num>\d+)|(?P<sym>[(),=;\n])|(?P<bad>\S))")
_ZP_INPUTS = ("a", "b")


def _tokens(text: str):
    """Yield (kind, value, line, col) for the program text; comments and blank space dropped."""
    for lineno, line in enumerate(text.splitlines() or [""], start=1):
        line = line.split("#", 1)[0]
        pos = 0
        while pos < len(line):
            m = _TOKEN.match(line, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
            kind = m.lastgroup
            if kind is None:
                continue
            yield kind, m.group(kind), lineno, m.start(kind) + 1
        yield "sym", "\n", lineno, len(line) + 1
    yield "end", "", lineno, len(line) + 1  # noqa: F821 — lineno/line set by the loop above


class _Parser:
    def __init__(self, text: str, p: int | None):
        self.toks = list(_tokens(text))
        self.i = 0
        self.p = p
        self.nodes: list[tuple[str, tuple]] = []   # (op, arg leaves) built in order
        self.names: dict[str, object] = {}
        self.max_input = -1
        self.text = text

    def error(self, msg: str, tok=None) -> SynthError:
        kind, val, line, col = tok or self.toks[min(self.i, len(self.toks) - 1)]
        src = self.text.splitlines()[line - 1] if self.text.splitlines() else ""
        found = "end of text" if kind == "end" else ("end of line" if val == "\n" else repr(val))
        return SynthError(f"program text, line {line}, column {col}: {msg} (found {found}); "
                          f"line reads: {src.strip()!r}")

    def peek(self):
        return self.toks[self.i]

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def skip_separators(self):
        while self.peek()[0] == "sym" and self.peek()[1] in ";\n":
            self.i += 1

    def leaf_for_name(self, tok):
        name = tok[1]
        if name in self.names:
            return self.names[name]
        if self.p is None:
            m = re.fullmatch(r"x(\d+)", name)
            if m:
                k = int(m.group(1))
                self.max_input = max(self.max_input, k)
                return ("in", k)
        elif name in _ZP_INPUTS:
            k = _ZP_INPUTS.index(name)
            self.max_input = max(self.max_input, k)
            return ("in", k)
        inputs = "x0, x1, ..." if self.p is None else "a, b"
        raise self.error(f"unknown name {name!r} (inputs are {inputs}; names must be defined before use)",
                         tok)

    def expr(self):
        tok = self.take()
        kind, val = tok[0], tok[1]
        if kind == "num":
            v = int(val)
            if (self.p is None and v not in (0, 1)) or (self.p is not None and v >= self.p):
                raise self.error(f"constant {v} is outside the domain", tok)
            return ("const", v)
        if kind != "name":
            raise self.error("expected an input, a constant, a name or a gate", tok)
        if self.peek()[1] != "(":
            return self.leaf_for_name(tok)
        gates = GATES if self.p is None else ZP_GATES
        if val not in gates:
            raise self.error(f"unknown gate {val!r} (known: {', '.join(gates)})", tok)
        self.take()  # "("
        args = [self.expr()]
        while self.peek()[1] == ",":
            self.take()
            args.append(self.expr())
        if self.peek()[1] != ")":
            raise self.error("expected ',' or ')'")
        self.take()
        if len(args) != gates[val].arity:
            raise self.error(f"gate {val!r} takes {gates[val].arity} argument(s), got {len(args)}", tok)
        self.nodes.append((val, tuple(args)))
        return ("node", len(self.nodes) - 1)

    def program(self):
        self.skip_separators()
        result = None
        while self.peek()[0] != "end":
            if result is not None and result[0] == "out":
                raise self.error("text after 'out = ...' (the output must come last)")
            if self.peek()[0] == "name" and self.toks[self.i + 1][1] == "=":
                name_tok = self.take()
                self.take()
                value = self.expr()
                name = name_tok[1]
                if name == "out":
                    result = ("out", value)
                else:
                    if name in self.names:
                        raise self.error(f"name {name!r} is defined twice", name_tok)
                    if re.fullmatch(r"x\d+", name) or (self.p is not None and name in _ZP_INPUTS) \
                            or name in GATES or name in ZP_GATES:
                        raise self.error(f"{name!r} cannot be used as a name (it is an input or a gate)",
                                         name_tok)
                    self.names[name] = value
                    result = ("stmt", value)
            else:
                value = self.expr()
                result = ("out", value)
            if self.peek()[0] != "end" and not (self.peek()[0] == "sym" and self.peek()[1] in ";\n"):
                raise self.error("expected ';' or a new line between statements")
            self.skip_separators()
        if result is None:
            raise self.error("empty program text")
        return result[1]


def parse_program(text: str, n_inputs: int | None = None, *, basis: str | Basis | None = None,
                  p: int | None = None) -> Program:
    """Parse a program (expression or straight-line form); see the module docstring."""
    if not isinstance(text, str):
        raise SynthError(f"program text must be a string, got {type(text).__name__}")
    parser = _Parser(text, p)
    try:
        out = parser.program()
    except RecursionError:
        raise SynthError("program text is nested too deeply to parse in expression form; write it in "
                         "straight-line form (t0 = ...; t1 = ...; out = ...)") from None
    n = n_inputs
    needed = parser.max_input + 1
    if p is not None:
        n = 2 if n is None else n
    elif n is None:
        n = max(needed, 1)
    if needed > n:
        raise SynthError(f"program text uses input x{needed - 1} but n_inputs is {n}")
    # leaves -> refs
    const_ref: dict[int, int] = {}
    nodes: list[tuple[str, tuple[int, ...]]] = []
    node_ref: dict[int, int] = {}

    def ref(leaf) -> int:
        kind, v = leaf
        if kind == "in":
            return v
        if kind == "const":
            if v not in const_ref:
                nodes.append((str(v), ()))
                const_ref[v] = n + len(nodes) - 1
            return const_ref[v]
        return node_ref[v]

    for i, (op, args) in enumerate(parser.nodes):
        refs = tuple(ref(a) for a in args)
        nodes.append((op, refs))
        node_ref[i] = n + len(nodes) - 1
    return Program(n, nodes, ref(out), basis=basis, p=p)


def _leaf_name(prog: Program, r: int) -> str:
    if prog.p is not None and prog.n_inputs <= 2:
        return _ZP_INPUTS[r]
    return f"x{r}"


def format_program(prog: Program) -> str:
    """Expression form for trees, straight-line form when a node is shared."""
    n = prog.n_inputs
    if prog.output < n:
        return _leaf_name(prog, prog.output)
    uses: dict[int, int] = {}
    for nd in prog.nodes:
        for a in nd.args:
            uses[a] = uses.get(a, 0) + 1
    shared = {r for r, c in uses.items() if c > 1 and r >= n and not prog.nodes[r - n].is_const}
    if not shared:
        return _expr(prog, prog.output, {})
    names: dict[int, str] = {}
    lines = []
    # name every gate node that is shared or whose own text would otherwise be repeated
    for i, nd in enumerate(prog.nodes):
        r = n + i
        if nd.is_const or r == prog.output:
            continue
        names[r] = f"t{len(names)}"
        lines.append(f"{names[r]} = {_expr(prog, r, names, top=True)}")
    lines.append(f"out = {_expr(prog, prog.output, names, top=True)}")
    return "; ".join(lines)


def _expr(prog: Program, r: int, names: dict[int, str], top: bool = False) -> str:
    n = prog.n_inputs
    if r < n:
        return _leaf_name(prog, r)
    if r in names and not top:
        return names[r]
    nd = prog.nodes[r - n]
    if nd.is_const:
        return nd.op
    return f"{nd.op}({', '.join(_expr(prog, a, names) for a in nd.args)})"


def to_sympy(prog: Program):
    """sympy form: Boolean expression in x0..x{n-1}; Z_p: integer polynomial in a, b (reduce mod p)."""
    import sympy
    from sympy.logic import boolalg as ba

    n = prog.n_inputs
    if prog.p is None:
        syms = sympy.symbols([f"x{i}" for i in range(n)]) if n else []
    else:
        syms = sympy.symbols([_leaf_name(prog, i) for i in range(n)])
    vals: list = list(syms)
    for nd in prog.nodes:
        if nd.is_const:
            v = int(nd.op)
            vals.append((sympy.true if v else sympy.false) if prog.p is None else sympy.Integer(v))
            continue
        a = [vals[x] for x in nd.args]
        vals.append(_SYMPY[nd.op](ba, *a) if prog.p is None else _SYMPY_ZP[nd.op](*a))
    return vals[prog.output]


_SYMPY = {
    "false": lambda ba, a, b: ba.false, "true": lambda ba, a, b: ba.true,
    "and": lambda ba, a, b: ba.And(a, b), "or": lambda ba, a, b: ba.Or(a, b),
    "xor": lambda ba, a, b: ba.Xor(a, b), "nand": lambda ba, a, b: ba.Nand(a, b),
    "nor": lambda ba, a, b: ba.Nor(a, b), "xnor": lambda ba, a, b: ba.Not(ba.Xor(a, b)),
    "andn": lambda ba, a, b: ba.And(a, ba.Not(b)), "lt": lambda ba, a, b: ba.And(ba.Not(a), b),
    "orn": lambda ba, a, b: ba.Or(a, ba.Not(b)), "le": lambda ba, a, b: ba.Or(ba.Not(a), b),
    "left": lambda ba, a, b: a, "right": lambda ba, a, b: b,
    "nleft": lambda ba, a, b: ba.Not(a), "nright": lambda ba, a, b: ba.Not(b),
    "not": lambda ba, a: ba.Not(a),
    "maj": lambda ba, a, b, c: ba.Or(ba.And(a, b), ba.And(a, c), ba.And(b, c)),
    # written out: sympy's ITE is mishandled by satisfiable() in sympy 1.14
    "ite": lambda ba, s, a, b: ba.Or(ba.And(s, a), ba.And(ba.Not(s), b)),
}
_SYMPY_ZP = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "neg": lambda a: -a,
}


def to_networkx(prog: Program):
    """DiGraph with one node per input / constant / gate (attribute ``op``; inputs have ``op='input'``
    and ``index``), edges from argument to user (attribute ``pos`` = argument position), and the graph
    attribute ``output``."""
    import networkx as nx

    g = nx.DiGraph(output=_node_id(prog, prog.output), basis=prog.basis_name)
    n = prog.n_inputs
    for r in sorted(prog._reachable()):
        if r < n:
            g.add_node(_node_id(prog, r), op="input", index=r, label=_leaf_name(prog, r))
        else:
            nd = prog.nodes[r - n]
            g.add_node(_node_id(prog, r), op=nd.op, label=nd.op)
            for k, a in enumerate(nd.args):
                g.add_edge(_node_id(prog, a), _node_id(prog, r), pos=k)
    return g


def _node_id(prog: Program, r: int) -> str:
    return _leaf_name(prog, r) if r < prog.n_inputs else f"t{r - prog.n_inputs}"


def to_dot(prog: Program, name: str = "program") -> str:
    """Graphviz DOT text: inputs as boxes at the top, the output gate double-circled."""
    g = to_networkx(prog)
    safe = re.sub(r"\W", "_", name) or "program"
    lines = [f"digraph {safe} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    out = g.graph["output"]
    for v, data in g.nodes(data=True):
        shape = "box" if data["op"] == "input" else ("doublecircle" if v == out else "ellipse")
        lines.append(f'  "{v}" [label="{data["label"]}", shape={shape}];')
    for u, v, data in g.edges(data=True):
        lines.append(f'  "{u}" -> "{v}" [label="{data["pos"]}"];' if _ordered(g, v) else f'  "{u}" -> "{v}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ordered(g, v) -> bool:
    op = g.nodes[v]["op"]
    gate = GATES.get(op) or ZP_GATES.get(op)
    return gate is not None and not gate.commutative and gate.arity > 1

