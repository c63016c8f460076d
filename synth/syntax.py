"""Text forms of programs (expression and straight-line), and exports to sympy, networkx and DOT.

Expression form is used when the program is a tree: ``xor(x0, and(x1, x2))``. When a node is shared,
the straight-line form names every gate: ``t0 = and(x1, x2); t1 = xor(x0, t0); out = or(t0, t1)``.
A program with several outputs names the gates used more than once (by gates or outputs) ``t0, t1, ...``,
writes the rest inline, and ends with one line per output, ``out0 = ...; out1 = ...`` (an output may be
an input, a constant or a name: ``out1 = t0``). `parse_program` reads all of these: statements separated
by ``;`` or newlines, ``#`` starts a comment; ``out`` names the single output, ``out0``, ``out1``, ...
the outputs of a multi-output program (every number from 0 up, in any order; a later statement may use
them as names); without ``out`` the last statement is the output. Parsing and formatting are iterative,
so nesting depth is bounded only by `synth.dsl.MAX_NODES`.

>>> from synth.dsl import Program
>>> str(Program.parse("t0 = and(x1, x2); out = or(xor(x0, t0), t0)"))
't0 = and(x1, x2); t1 = xor(x0, t0); out = or(t0, t1)'
>>> str(Program.parse("out1 = and(x0, x1); out0 = xor(x0, x1)"))      # a half adder
'out0 = xor(x0, x1); out1 = and(x0, x1)'
>>> str(Program.parse("t = xor(x0, x1); out0 = xor(t, x2); out1 = or(and(x0, x1), and(t, x2))"))
't0 = xor(x0, x1); out0 = xor(x2, t0); out1 = or(and(x0, x1), and(x2, t0))'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import SynthError
from .gates import GATES, MAX_INPUTS, MAX_MODULUS, MAX_NODES, ZP_GATES, as_int

if TYPE_CHECKING:      # annotations only: `synth.dsl` imports this module (Program.parse, str(program))
    from .dsl import Program

__all__ = ["parse_parts", "format_program", "to_sympy", "to_networkx", "to_dot"]

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<num>[0-9]+)|(?P<sym>[(),=;])|(?P<bad>\S))")
_INPUT = re.compile(r"x([0-9]+)")
_OUT = re.compile(r"out([0-9]+)")
_ZP_INPUTS = ("a", "b")


def _lines(text: str):
    """Yield, per line, its tokens (kind, value, line, col) ending with a "\n" symbol, then a list
    holding "end" forever; comments and blank space dropped."""
    lineno, line = 0, ""
    for lineno, line in enumerate(text.splitlines() or [""], start=1):
        line = line.split("#", 1)[0]
        toks = [(m.lastgroup, m.group(m.lastgroup), lineno, m.start(m.lastgroup) + 1)
                for m in _TOKEN.finditer(line)]
        toks.append(("sym", "\n", lineno, len(line) + 1))
        yield toks
    while True:
        yield [("end", "", lineno, len(line) + 1)]


def _index(digits: str, limit: int) -> int | None:
    """int(digits) when below ``limit``, else None (long digit strings are never converted)."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return None
    v = int(digits)
    return v if v < limit else None


class _Parser:
    """Recursive-descent grammar run on an explicit stack (no recursion limit):
    program := stmt ((';' | newline) stmt)*;  stmt := [name '='] expr;
    expr := number | name | gate '(' expr (',' expr)* ')'."""

    def __init__(self, text: str, p: int | None):
        self.text = text
        self.p = p
        self.gates = GATES if p is None else ZP_GATES
        self._lines = _lines(text)
        self._toks: list = []   # tokens of the current line from position _pos on
        self._pos = 0
        self.nodes: list[tuple[str, tuple]] = []   # (op, arg leaves) built in order
        self.names: dict[str, object] = {}
        self.outs: dict[int, object] = {}            # out0, out1, ...
        self.max_input = -1

    def error(self, msg: str, tok=None) -> SynthError:
        kind, val, line, col = tok or self.peek()
        lines = self.text.splitlines()
        src = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        if len(src) > 80:
            start = max(0, min(col - 40, len(src) - 80))
            src = ("..." if start else "") + src[start:start + 80] + ("..." if start + 80 < len(src) else "")
        found = "end of text" if kind == "end" else ("end of line" if val == "\n" else repr(val[:40]))
        if kind != "end" and len(val) > 40:
            found = found[:-1] + "...'"
        return SynthError(f"program text, line {line}, column {col}: {msg} (found {found}); "
                          f"line reads: {src!r}")

    def peek(self, k: int = 0):
        i = self._pos + k
        if i < len(self._toks):
            return self._toks[i]
        while self._pos + k >= len(self._toks):
            del self._toks[:self._pos]
            self._pos = 0
            self._toks.extend(next(self._lines))
        return self._toks[self._pos + k]

    def take(self):
        tok = self._toks[self._pos] if self._pos < len(self._toks) else self.peek()
        self._pos += 1
        return tok

    def at_separator(self) -> bool:
        tok = self.peek()
        return tok[0] == "sym" and tok[1] in ";\n"

    def skip_separators(self):
        while self.at_separator():
            self.take()

    def leaf_for_name(self, tok):
        name = tok[1]
        if name in self.names:
            return self.names[name]
        m = _INPUT.fullmatch(name)
        k = None
        if self.p is not None and name in _ZP_INPUTS:
            k = _ZP_INPUTS.index(name)
        elif m:
            k = _index(m.group(1), MAX_INPUTS)
            if k is None:
                shown = name if len(name) <= 20 else f"{name[:12]}... ({len(name) - 1} digits)"
                raise self.error(f"input {shown} is beyond the limit of {MAX_INPUTS} inputs "
                                 "(synth.dsl.MAX_INPUTS)", tok)
        if k is not None:
            self.max_input = max(self.max_input, k)
            return ("in", k)
        if _OUT.fullmatch(name) or name == "out":
            raise self.error(f"output {name!r} is used before it is defined", tok)
        inputs = "x0, x1, ..." if self.p is None else "a, b"
        raise self.error(f"unknown name {name!r} (inputs are {inputs}; names must be defined before use)",
                         tok)

    def constant(self, tok):
        hi = 2 if self.p is None else self.p
        v = _index(tok[1], hi)
        if v is None:
            dom = "{0, 1}" if self.p is None else f"Z_{self.p}"
            raise self.error(f"constant {tok[1][:20]} is outside the domain {dom}", tok)
        return ("const", v)

    def expr(self):
        stack: list[tuple[str, tuple, list]] = []   # open gates: (name, token, args so far)
        while True:
            tok = self.take()
            kind, val = tok[0], tok[1]
            if kind == "num":
                leaf = self.constant(tok)
            elif kind == "name" and self.peek()[:2] == ("sym", "("):
                if val not in self.gates:
                    raise self.error(f"unknown gate {val!r} (known: {', '.join(self.gates)})", tok)
                self.take()
                stack.append((val, tok, []))
                continue
            elif kind == "name":
                leaf = self.leaf_for_name(tok)
            else:
                raise self.error("expected an input, a constant, a name or a gate", tok)
            while True:   # close every gate whose last argument this was
                if not stack:
                    return leaf
                gate, gate_tok, args = stack[-1]
                args.append(leaf)
                nxt = self.peek()
                if nxt[:2] == ("sym", ","):
                    self.take()
                    break
                if nxt[:2] != ("sym", ")"):
                    raise self.error("expected ',' or ')'")
                self.take()
                stack.pop()
                arity = self.gates[gate].arity
                if len(args) != arity:
                    raise self.error(f"gate {gate!r} takes {arity} argument(s), got {len(args)}", gate_tok)
                if len(self.nodes) >= MAX_NODES:
                    raise self.error(f"the program has more than {MAX_NODES} gates (the limit "
                                     "synth.dsl.MAX_NODES)", gate_tok)
                self.nodes.append((gate, tuple(args)))
                leaf = ("node", len(self.nodes) - 1)

    def define(self, name_tok, value) -> None:
        name = name_tok[1]
        m = _OUT.fullmatch(name)
        if m:
            j = _index(m.group(1), MAX_NODES)
            if j is None or (len(m.group(1)) > 1 and m.group(1)[0] == "0"):
                raise self.error(f"output name {name[:20]!r}: outputs are out0, out1, ... (without leading "
                                 f"zeros, at most {MAX_NODES}: synth.dsl.MAX_NODES)", name_tok)
            if j in self.outs:
                raise self.error(f"output {name!r} is defined twice", name_tok)
            self.outs[j] = value
            self.names[name] = value
            return
        if name in self.names:
            raise self.error(f"name {name!r} is defined twice", name_tok)
        if _INPUT.fullmatch(name) or (self.p is not None and name in _ZP_INPUTS) \
                or name in GATES or name in ZP_GATES:
            raise self.error(f"{name!r} cannot be used as a name (it is an input or a gate)", name_tok)
        self.names[name] = value

    def program(self) -> list:
        """The output leaves, in order."""
        self.skip_separators()
        single = None   # 'out = ...' or a bare expression: the output, so the last statement
        last = None
        while self.peek()[0] != "end":
            if single is not None:
                raise self.error("text after 'out = ...' (the output must come last)")
            if self.peek()[0] == "name" and self.peek(1)[:2] == ("sym", "="):
                name_tok = self.take()
                self.take()
                value = self.expr()
                if name_tok[1] == "out":
                    if self.outs:
                        raise self.error("'out' names a single output; with out0, out1, ... name every "
                                         "output by number", name_tok)
                    single = value
                else:
                    self.define(name_tok, value)
                last = value
            else:
                tok = self.peek()
                value = self.expr()
                if self.outs:
                    raise self.error("a bare expression in a program with out0, out1, ...: name every "
                                     "output by number", tok)
                single = value
            if self.peek()[0] != "end" and not self.at_separator():
                raise self.error("expected ';' or a new line between statements")
            self.skip_separators()
        if self.outs:
            k = max(self.outs) + 1
            missing = [j for j in range(k) if j not in self.outs]
            if missing:
                raise SynthError(f"program text: output out{missing[0]} is not defined (outputs are "
                                 f"numbered out0..out{k - 1}, every number once)")
            return [self.outs[j] for j in range(k)]
        if single is not None:
            return [single]
        if last is None:
            raise self.error("empty program text")
        return [last]


def parse_parts(text: str, n_inputs: int | None = None, *, p: int | None = None
                ) -> tuple[int, list[tuple[str, tuple[int, ...]]], tuple[int, ...]]:
    """Parse a program (expression or straight-line form, one output or several; see the module
    docstring) into ``(n_inputs, nodes, outputs)``, the arguments of `synth.dsl.Program` (which checks
    them against the basis): `Program.parse` is this followed by the constructor."""
    if not isinstance(text, str):
        raise SynthError(f"program text must be a string, got {type(text).__name__}")
    if n_inputs is not None:
        n_inputs = as_int(n_inputs, "n_inputs", lo=0, hi=MAX_INPUTS, limit="synth.dsl.MAX_INPUTS")
    if p is not None:
        p = as_int(p, "modulus p", lo=2, hi=MAX_MODULUS, limit="synth.dsl.MAX_MODULUS")
    parser = _Parser(text, p)
    outs = parser.program()
    needed = parser.max_input + 1
    n = n_inputs if n_inputs is not None else max(needed, 1 if p is None else 2)
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
    return n, nodes, tuple(ref(o) for o in outs)


def _leaf_name(prog: Program, r: int) -> str:
    if prog.p is not None and prog.n_inputs <= 2:
        return _ZP_INPUTS[r]
    return f"x{r}"


def format_program(prog: Program) -> str:
    """Expression form for trees, straight-line form when a node is shared; several outputs: shared gates
    named, one ``outj = ...`` line per output (see the module docstring)."""
    n = prog.n_inputs
    if len(prog.outputs) > 1:
        return _format_outputs(prog)
    output = prog.outputs[0]
    if output < n:
        return _leaf_name(prog, output)
    uses: dict[int, int] = {}
    for nd in prog.nodes:
        for a in nd.args:
            uses[a] = uses.get(a, 0) + 1
    shared = {r for r, c in uses.items() if c > 1 and r >= n and not prog.nodes[r - n].is_const}
    if not shared:
        return _expr(prog, output, {})
    names: dict[int, str] = {}
    lines = []
    # name every gate node: each line is then one gate
    for i, nd in enumerate(prog.nodes):
        r = n + i
        if nd.is_const or r == output:
            continue
        names[r] = f"t{len(names)}"
        lines.append(f"{names[r]} = {_expr(prog, r, names, top=True)}")
    lines.append(f"out = {_expr(prog, output, names, top=True)}")
    return "; ".join(lines)


def _format_outputs(prog: Program) -> str:
    n = prog.n_inputs
    uses: dict[int, int] = {}
    for r in [a for nd in prog.nodes for a in nd.args] + list(prog.outputs):
        uses[r] = uses.get(r, 0) + 1
    names: dict[int, str] = {}
    lines = []
    for i, nd in enumerate(prog.nodes):
        r = n + i
        if not nd.is_const and uses.get(r, 0) > 1:
            names[r] = f"t{len(names)}"
            lines.append(f"{names[r]} = {_expr(prog, r, names, top=True)}")
    lines += [f"out{j} = {_expr(prog, o, names)}" for j, o in enumerate(prog.outputs)]
    return "; ".join(lines)


def _expr(prog: Program, r: int, names: dict[int, str], top: bool = False) -> str:
    """Text of ref r: named refs by name (r itself expanded when ``top``), others inline; iterative."""
    n = prog.n_inputs
    parts: list[str] = []
    stack: list = [(r, top)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        r, expand = item
        if r < n:
            parts.append(_leaf_name(prog, r))
            continue
        if r in names and not expand:
            parts.append(names[r])
            continue
        nd = prog.nodes[r - n]
        if nd.is_const:
            parts.append(nd.op)
            continue
        parts.append(nd.op + "(")
        stack.append(")")
        for k in range(len(nd.args) - 1, -1, -1):
            stack.append((nd.args[k], False))
            if k:
                stack.append(", ")
    return "".join(parts)


def to_sympy(prog: Program):
    """sympy form: Boolean expression in x0..x{n-1}; Z_p: integer polynomial in a, b (reduce mod p).
    A tuple of expressions, one per output, for several outputs."""
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
    if len(prog.outputs) == 1:
        return vals[prog.outputs[0]]
    return tuple(vals[o] for o in prog.outputs)


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
    and ``index``), edges from argument to user (attribute ``pos`` = argument position). Output nodes
    carry ``outputs``, the tuple of output indices they give; the graph attribute ``outputs`` lists the
    output node of each output, and ``output`` is that of a single-output program."""
    import networkx as nx

    outs = [_node_id(prog, o) for o in prog.outputs]
    g = nx.DiGraph(outputs=outs, basis=prog.basis_name)
    if len(outs) == 1:
        g.graph["output"] = outs[0]
    n = prog.n_inputs
    for r in sorted(prog._reachable()):
        if r < n:
            g.add_node(_node_id(prog, r), op="input", index=r, label=_leaf_name(prog, r))
        else:
            nd = prog.nodes[r - n]
            g.add_node(_node_id(prog, r), op=nd.op, label=nd.op)
            for k, a in enumerate(nd.args):
                g.add_edge(_node_id(prog, a), _node_id(prog, r), pos=k)
    for j, o in enumerate(prog.outputs):
        g.nodes[_node_id(prog, o)]["outputs"] = g.nodes[_node_id(prog, o)].get("outputs", ()) + (j,)
    return g


def _node_id(prog: Program, r: int) -> str:
    return _leaf_name(prog, r) if r < prog.n_inputs else f"t{r - prog.n_inputs}"


def to_dot(prog: Program, name: str = "program") -> str:
    """Graphviz DOT text: inputs as boxes, output gates double-circled; with several outputs, a plain
    ``outj`` label below each output."""
    if not isinstance(name, str):
        raise SynthError(f"DOT graph name must be a string, got {type(name).__name__}")
    g = to_networkx(prog)
    safe = re.sub(r"\W", "_", name, flags=re.ASCII) or "program"
    lines = [f"digraph {safe} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for v, data in g.nodes(data=True):
        shape = "box" if data["op"] == "input" else ("doublecircle" if "outputs" in data else "ellipse")
        lines.append(f'  "{v}" [label="{data["label"]}", shape={shape}];')
    for u, v, data in g.edges(data=True):
        lines.append(f'  "{u}" -> "{v}" [label="{data["pos"]}"];' if _ordered(g, v) else f'  "{u}" -> "{v}";')
    if len(prog.outputs) > 1:
        for j, v in enumerate(g.graph["outputs"]):
            lines.append(f'  "out{j}" [label="out{j}", shape=plaintext];')
            lines.append(f'  "{v}" -> "out{j}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ordered(g, v) -> bool:
    op = g.nodes[v]["op"]
    gate = GATES.get(op) or ZP_GATES.get(op)
    return gate is not None and not gate.commutative and gate.arity > 1
