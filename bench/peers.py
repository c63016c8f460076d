"""Peer exact-synthesis tools for `bench/synth_bench.py`: cirbo (PyPI) and ABC (Debian `berkeley-abc`).

Each peer answers a `Task` (a possibly partial truth table over its inputs, in one of our bases) with an
`Answer`: the minimum circuit size it found, whether it proved it minimal, its lower bound when it ran
out of time, the seconds it took, and its circuit, evaluated here (independently of the peer) on the
task's table. A peer that cannot take a task says why (`Peer.unsupported`).

How each peer is driven (all sizes are numbers of gates, inputs and negations free as in our bases):

* **cirbo** (`cirbo.synthesis.CircuitFinderSat`, a SAT encoding of a fixed number of 2-input gates,
  solved by CaDiCaL 1.9.5 through python-sat). It answers "is there a circuit of exactly N gates", so the
  minimum is the first N, counting up from the trivial lower bound, that is satisfiable; every smaller N
  was refuted, so the answer is proven. Bases: `full` = its FULL basis, `xag` = XAIG, `aig` = AIG (its
  NOT gate is never needed when negation is free in every AND-type gate), `aon`/`aoxn` = AND, OR (XOR)
  and its two NOT gates, each costing 1. It takes don't-cares, but encodes every one of the 2^n rows.
  No 3-input gates (`mig`, `mux`). Runs in a child process killed at the timeout.
* **ABC** (the `berkeley-abc` binary, one process per call):
  - ``exact -C 0 <hex>`` (Soeken's SAT-based exact synthesis, counting gates up by itself) in the full
    basis, ``exact -a -C 0 <hex>; &put`` for AIGs; the network is written as BLIF and read back.
  - ``twoexact -I n -N k <hex>`` and ``lutexact -I n -N k -K 2 <hex>`` (fixed k two-input gates; ``-a``:
    AND gates only), k counted up from n - 1 (a function of all n inputs needs n - 1 gates) as above.
  Two-input gates with free negation are our `full` basis; `xag` has the same minimum sizes (a minimum
  circuit never uses a constant or projection gate). No don't-cares in this version, no costed NOT, no
  MAJ or ITE gates of arbitrary functions (`majexact` only synthesises the n-input majority itself).
  In the full basis ``exact`` (Debian 1.01+20221019git70cb339; the code is unchanged upstream since)
  returns, for many functions, a circuit of another function (e.g. the 3-input majority 0xe8 and S_2
  0x1668; ABC's own ``cec`` confirms it); such answers fail the check here and are reported as wrong.

A peer is skipped, saying so, when it is not installed.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing as mp
import os
import queue
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field

__all__ = ["Task", "Answer", "Circuit", "Peer", "PEERS", "run_child", "support", "restrict",
           "versions"]

ABC = "berkeley-abc"


# ------------------------------------------------------------------------------------------------
# tasks, circuits, answers
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """A synthesis problem as a peer receives it: ``table`` on the points in ``care`` over ``n``
    inputs (bit t is f(x), x_i = (t >> i) & 1), in ``basis``. ``inputs`` names the row's input that
    each task input stands for; ``easier`` says how the task is easier than the row's problem ("" when
    it is the same problem)."""

    n: int
    table: int
    care: int
    basis: str
    inputs: tuple[int, ...]
    easier: str = ""

    @property
    def full(self) -> bool:
        return self.care == (1 << (1 << self.n)) - 1

    def hex(self) -> str:
        """The table in ABC's hex notation (at least one digit; n >= 2)."""
        return f"{self.table:0{max(1, (1 << self.n) // 4)}x}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["table"], d["care"] = hex(self.table), hex(self.care)
        return d


@dataclass(frozen=True)
class Circuit:
    """Gates over inputs 0..n-1: gate i is node n + i, ``(table, fanins)`` with table bit
    sum(v(fanin k) << k); ``output`` a node, complemented when ``negated``. ``free`` counts nodes that
    cost nothing in the basis (inverters and buffers)."""

    n: int
    gates: tuple[tuple[int, tuple[int, ...]], ...]
    output: int
    negated: bool = False
    free: int = 0

    def table(self) -> int:
        """Truth table over the n inputs (evaluated here, not by the peer)."""
        m = 1 << self.n
        mask = (1 << m) - 1
        vals = [sum(1 << t for t in range(m) if (t >> i) & 1) for i in range(self.n)]
        for tab, fanins in self.gates:
            out = 0
            for mt in range(1 << len(fanins)):
                if (tab >> mt) & 1:
                    term = mask
                    for k, f in enumerate(fanins):
                        term &= vals[f] if (mt >> k) & 1 else mask ^ vals[f]
                    out |= term
            vals.append(out)
        return (vals[self.output] ^ (mask if self.negated else 0)) & mask

    def used(self) -> int:
        """Gates reachable from the output."""
        seen, stack = set(), [self.output]
        while stack:
            v = stack.pop()
            if v >= self.n and v not in seen:
                seen.add(v)
                stack.extend(self.gates[v - self.n][1])
        return len(seen)

    def text(self) -> str:
        name = (lambda v: f"x{v}" if v < self.n else f"g{v - self.n}")
        lines = [f"g{i} = {tab:#0{2 + max(1, (1 << len(f)) // 4)}x}({', '.join(map(name, f))})"
                 for i, (tab, f) in enumerate(self.gates)]
        return "; ".join(lines + [f"out = {'NOT ' if self.negated else ''}{name(self.output)}"])


def check(task: Task, circ: Circuit) -> bool:
    """The circuit agrees with the task on every care point."""
    return ((circ.table() ^ task.table) & task.care) == 0


@dataclass(frozen=True)
class Answer:
    """A peer's answer to one task. ``status``: "proven" (size is the minimum), "found" (a consistent
    circuit, not proven minimal), "timeout", "n/a" (the peer cannot take the task; ``note`` says why),
    "skipped" (not installed) or "error". ``verified``: the circuit agrees with the task on every care
    point (None: nothing to verify)."""

    status: str
    size: int | None = None
    lower_bound: int | None = None
    seconds: float | None = None
    verified: bool | None = None
    circuit: str = ""
    commands: tuple[str, ...] = ()
    note: str = ""
    easier: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["commands"] = list(self.commands)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Answer":
        d = dict(d)
        d["commands"] = tuple(d.get("commands", ()))
        return cls(**d)


def support(table: int, care: int, n: int) -> list[int]:
    """Inputs the partial function depends on (on its care points, for a full table exactly)."""
    out = []
    for i in range(n):
        lo = [t for t in range(1 << n) if not (t >> i) & 1]
        if any((care >> t) & 1 and (care >> (t | 1 << i)) & 1 and
               ((table >> t) ^ (table >> (t | 1 << i))) & 1 for t in lo):
            out.append(i)
    return out


def restrict(table: int, n: int, keep: list[int]) -> int:
    """The table of a function of n inputs that only depends on ``keep``, over those inputs."""
    return sum(((table >> sum(((u >> j) & 1) << i for j, i in enumerate(keep))) & 1) << u
               for u in range(1 << len(keep)))


def _trivial(task: Task) -> Circuit | None:
    """A zero-gate answer (a constant or a literal), when one fits."""
    m = 1 << task.n
    mask = (1 << m) - 1
    for v in range(task.n):
        col = sum(1 << t for t in range(m) if (t >> v) & 1)
        for neg in (False, True):
            if (((col ^ (mask if neg else 0)) ^ task.table) & task.care) == 0:
                return Circuit(task.n, (), v, neg)
    for const in (0, mask):
        if ((const ^ task.table) & task.care) == 0:
            return Circuit(task.n, ((0 if const == 0 else 1, ()),), task.n)   # a 0-input gate
    return None


def _trivial_answer(task: Task, circ: Circuit) -> "Answer":
    return Answer("proven", 0, 0, 0.0, check(task, circ), circ.text(), (), "trivial (no gate needed)",
                  extra={"circuit_table": hex(circ.table())})


# ------------------------------------------------------------------------------------------------
# child processes with progress and a hard timeout
# ------------------------------------------------------------------------------------------------

def _child_main(module: str, name: str, args: tuple, q) -> None:
    import importlib
    fn = getattr(importlib.import_module(module), name)
    try:
        q.put(("done", fn(*args, progress=lambda d: q.put(("progress", d)))))
    except Exception as e:  # reported in the table, not raised
        import traceback
        q.put(("error", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"))


def run_child(module: str, name: str, args: tuple, timeout: float) -> tuple[str, dict, float]:
    """Run ``module.name(*args, progress=callback)`` in a fresh process; returns (status, payload,
    wall seconds) with status "done" (payload: the return value), "timeout" (payload: the last progress
    report, {} if none), "error" or "crashed" (payload: {"error": message})."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child_main, args=(module, name, args, q), daemon=True)
    t0 = time.perf_counter()
    p.start()
    last: dict = {}
    deadline = t0 + timeout
    try:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return "timeout", last, time.perf_counter() - t0
            try:
                kind, payload = q.get(timeout=min(left, 1.0))
            except queue.Empty:
                if not p.is_alive() and q.empty():
                    return "crashed", {"error": f"child exited with code {p.exitcode}"}, \
                        time.perf_counter() - t0
                continue
            if kind == "progress":
                last = payload
            elif kind == "done":
                return "done", payload, time.perf_counter() - t0
            else:
                return "error", {"error": payload}, time.perf_counter() - t0
    finally:
        if p.is_alive():
            p.terminate()
            p.join(5)
            if p.is_alive():
                p.kill()
        p.join(1)


# ------------------------------------------------------------------------------------------------
# peers
# ------------------------------------------------------------------------------------------------

class Peer:
    """One tool. ``unsupported(task)`` is None or the reason it cannot take the task."""

    name = ""

    def installed(self) -> str | None:
        """None when installed, else why not."""
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def unsupported(self, task: Task) -> str | None:
        raise NotImplementedError

    def solve(self, task: Task, timeout: float) -> Answer:
        raise NotImplementedError


# -- cirbo ---------------------------------------------------------------------------------------

# 2-input operations of cirbo by (p, q) pattern string "v00 v01 v10 v11" (p = first operand).
_CIRBO_OPS = {
    "full": "FULL", "xag": "XAIG", "aig": "AIG",
    "aon": ["and_", "or_", "lnot_", "rnot_"],
    "aoxn": ["and_", "or_", "xor_", "lnot_", "rnot_"],
}
CIRBO_MAX_INPUTS = 12   # its encoding loops over all 2^n rows for every gate and operand pair
_CIRBO_TT = {"ALWAYS_FALSE": "0000", "AND": "0001", "GT": "0010", "LIFF": "0011", "LT": "0100",
             "RIFF": "0101", "XOR": "0110", "OR": "0111", "NOR": "1000", "NXOR": "1001",
             "RNOT": "1010", "GEQ": "1011", "LNOT": "1100", "LEQ": "1101", "NAND": "1110",
             "ALWAYS_TRUE": "1111"}


def _pq_to_table(s: str) -> int:
    """cirbo's pattern string (index 2p + q) as our gate table (bit p + 2q)."""
    return sum(int(s[2 * p + q]) << (p + 2 * q) for p in (0, 1) for q in (0, 1))


def cirbo_search(n: int, table: int, care: int, basis: str, start: int, progress) -> dict:
    """Child-process body: count gates up from ``start`` until cirbo finds a circuit."""
    from cirbo.core.logic import DontCare
    from cirbo.core.truth_table import TruthTableModel
    from cirbo.synthesis.circuit_search import CircuitFinderSat, Operation
    from cirbo.synthesis.exception import NoSolutionError
    spec = _CIRBO_OPS[basis]
    ops = spec if isinstance(spec, str) else [getattr(Operation, o) for o in spec]
    # cirbo's row r sets input i to bit (n - 1 - i) of r; ours sets x_i to bit i of t
    rows = []
    for r in range(1 << n):
        t = sum(((r >> (n - 1 - i)) & 1) << i for i in range(n))
        rows.append(bool((table >> t) & 1) if (care >> t) & 1 else DontCare)
    model = TruthTableModel([rows])
    t0 = time.perf_counter()
    k = start
    while True:
        try:
            circ = CircuitFinderSat(model, k, basis=ops).find_circuit()
            break
        except NoSolutionError:
            progress({"lower_bound": k + 1, "seconds": time.perf_counter() - t0})
            k += 1
    sec = time.perf_counter() - t0
    index = {str(i): i for i in range(n)}
    gates = []
    for lab in circ.gates:
        g = circ.get_gate(lab)
        if g.gate_type.name == "INPUT":
            continue
        index[lab] = n + len(gates)
        gates.append((_pq_to_table(_CIRBO_TT[g.gate_type.name]), tuple(index[o] for o in g.operands)))
    return {"size": k, "seconds": sec, "gates": gates, "output": index[circ.outputs[0]]}


class Cirbo(Peer):
    name = "cirbo"

    def installed(self) -> str | None:
        try:
            importlib.metadata.version("cirbo")
        except importlib.metadata.PackageNotFoundError:
            return "cirbo is not installed (pip install cirbo)"
        return None

    def version(self) -> str:
        return f"cirbo {importlib.metadata.version('cirbo')} (python-sat " \
               f"{importlib.metadata.version('python-sat')}, CaDiCaL 1.9.5)"

    def unsupported(self, task: Task) -> str | None:
        if task.basis not in _CIRBO_OPS:
            return f"cirbo synthesises 2-input gates only; no {task.basis} basis"
        if task.n > CIRBO_MAX_INPUTS:
            return (f"cirbo encodes all 2^{task.n} rows of the table (don't-cares included) for every "
                    f"gate and operand pair: infeasible at {task.n} inputs")
        return None

    def solve(self, task: Task, timeout: float) -> Answer:
        triv = _trivial(task)
        if triv is not None:
            return _trivial_answer(task, triv)
        start = max(1, task.n - 1) if task.full else 1
        cmd = (f"CircuitFinderSat(TruthTableModel(<{task.n}-input table"
               f"{'' if task.full else ' with DontCare'}>), N, basis={_CIRBO_OPS[task.basis]})"
               f".find_circuit() for N = {start}, {start + 1}, ...")
        status, payload, wall = run_child(__name__, "cirbo_search",
                                          (task.n, task.table, task.care, task.basis, start), timeout)
        if status == "timeout":
            return Answer("timeout", None, payload.get("lower_bound", start), wall, None, "", (cmd,),
                          f"killed after {timeout:g} s")
        if status != "done":
            return Answer("error", seconds=wall, commands=(cmd,), note=payload.get("error", "")[:300])
        circ = Circuit(task.n, tuple(payload["gates"]), payload["output"])
        return Answer("proven", payload["size"], payload["size"], payload["seconds"], check(task, circ),
                      circ.text(), (cmd,), extra={"wall_seconds": wall, "gates_used": circ.used(),
                                                  "circuit_table": hex(circ.table())})


# -- ABC -----------------------------------------------------------------------------------------

_ABC_BASES = {"full": "", "xag": "", "aig": "-a"}
_LINE = re.compile(r"^\s*(\d+) = (\d+)'b([01]+)\(([^)]*)\)")


def _abc_gates(text: str, n: int) -> Circuit | None:
    """The circuit printed by twoexact / lutexact ("NN = 4'b0110( c 05 )": bits from the highest
    minterm down, fanins from the highest down; inputs are letters)."""
    nodes = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        idx, bits, fan = int(m.group(1)), m.group(3), m.group(4).split()
        fanins = [ord(f) - 97 if f.isalpha() else int(f) for f in reversed(fan)]
        tab = sum(int(b) << (len(bits) - 1 - j) for j, b in enumerate(bits))
        nodes[idx] = (tab, tuple(fanins))
    if not nodes:
        return None
    order = sorted(nodes)
    if order != list(range(n, n + len(order))):
        return None
    return Circuit(n, tuple(nodes[i] for i in order), order[-1])


def parse_blif(text: str, n: int) -> Circuit:
    """A single-output BLIF netlist (as ABC writes it) as a Circuit; one-input nodes (inverters,
    buffers) are kept and counted in ``free``."""
    lines, buf = [], ""
    for raw in text.splitlines():
        raw = raw.split("#", 1)[0].rstrip()
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        buf += raw
        if buf.strip():
            lines.append(buf.strip())
        buf = ""
    inputs, outputs, blocks = [], [], []
    for ln in lines:
        tok = ln.split()
        if tok[0] == ".inputs":
            inputs += tok[1:]
        elif tok[0] == ".outputs":
            outputs += tok[1:]
        elif tok[0] == ".names":
            blocks.append((tok[1:], []))
        elif not tok[0].startswith(".") and blocks:
            blocks[-1][1].append(tok)
    if len(inputs) != n or len(outputs) != 1:
        raise ValueError(f"BLIF has {len(inputs)} inputs and {len(outputs)} outputs (want {n} and 1)")
    ref = {name: i for i, name in enumerate(inputs)}
    gates: list[tuple[int, tuple[int, ...]]] = []
    free = 0
    pending = list(blocks)
    while pending:   # BLIF may list nodes in any order
        progress = False
        for blk in list(pending):
            sig, cubes = blk
            fanin_names, out = sig[:-1], sig[-1]
            if not all(f in ref for f in fanin_names):
                continue
            k = len(fanin_names)
            on = [c for c in cubes if c[-1] == "1"]
            off = [c for c in cubes if c[-1] == "0"]
            cover = on if on or not off else off
            tab = 0
            for mt in range(1 << k):
                hit = any(all(ch == "-" or int(ch) == (mt >> j) & 1 for j, ch in enumerate(c[0] if k else ""))
                          for c in cover)
                if k == 0:
                    hit = bool(cover)
                tab |= (hit if cover is on else not hit) << mt
            ref[out] = n + len(gates)
            gates.append((tab, tuple(ref[f] for f in fanin_names)))
            free += k < 2
            pending.remove(blk)
            progress = True
        if not progress:
            raise ValueError("BLIF has a cycle or an undefined signal")
    return Circuit(n, tuple(gates), ref[outputs[0]], free=free)


def _run_abc(script: str, timeout: float, cwd: str) -> tuple[str, float, bool]:
    """Run one ABC process; (stdout, wall seconds, timed out)."""
    out_path = os.path.join(cwd, "stdout.txt")
    with open(out_path, "w") as fh:
        t0 = time.perf_counter()
        p = subprocess.Popen([ABC, "-c", script], stdout=fh, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            p.wait(timeout=max(0.01, timeout))
            timed_out = False
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            timed_out = True
        wall = time.perf_counter() - t0
    with open(out_path, errors="replace") as fh:
        return fh.read(), wall, timed_out


_STARTUP: list[float] = []


def abc_startup() -> float:
    """Seconds ABC takes to start and quit (the least of three runs), subtracted from each call."""
    if not _STARTUP:
        with tempfile.TemporaryDirectory() as d:
            _STARTUP.append(min(_run_abc("quit", 30, d)[1] for _ in range(3)))
    return _STARTUP[0]


class _Abc(Peer):
    def installed(self) -> str | None:
        if shutil.which(ABC) is None:
            return f"{ABC} is not on PATH (apt-get install berkeley-abc)"
        return None

    def version(self) -> str:
        line = ""
        try:
            out = subprocess.run([ABC, "-c", "version"], capture_output=True, text=True, timeout=30).stdout
            line = next((ln.strip() for ln in out.splitlines() if "ABC" in ln and "compiled" in ln), "")
            deb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "berkeley-abc"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            deb = ""
        return f"{line} (Debian berkeley-abc {deb})" if deb else line

    max_inputs = 8

    def unsupported(self, task: Task) -> str | None:
        if task.basis not in _ABC_BASES:
            return (f"ABC's exact synthesis builds 2-input-gate networks (free negation) or AIGs; "
                    f"no {task.basis} basis")
        if not task.full:
            return "ABC's exact synthesis (this version) takes a complete truth table, no don't-cares"
        if task.n > self.max_inputs:
            return f"ABC {self.name.split()[-1]} takes at most {self.max_inputs} inputs"
        return None


class AbcExact(_Abc):
    """``exact``: ABC counts gates up itself (bottom-up), so one call gives a proven minimum."""

    name = "abc exact"
    max_inputs = 8

    def solve(self, task: Task, timeout: float) -> Answer:
        triv = _trivial(task)
        if triv is not None:
            return _trivial_answer(task, triv)
        aig = task.basis == "aig"
        script = (f"exact -a -C 0 {task.hex()}; &put; write_blif out.blif" if aig
                  else f"exact -C 0 {task.hex()}; write_blif out.blif")
        cmd = f'{ABC} -c "{script}"'
        with tempfile.TemporaryDirectory(dir=_scratch()) as d:
            out, wall, timed_out = _run_abc(script, timeout, d)
            sec = max(0.0, wall - abc_startup())
            if timed_out:
                # with -a, ABC prints " (k/0)" when it starts trying k gates: fewer were refuted
                tried = [int(x) for x in re.findall(r"\((\d+)/\d+\)", out)]
                lb = max(tried) if tried else None
                return Answer("timeout", None, lb, wall, None, "", (cmd,), f"killed after {timeout:g} s"
                              + ("" if aig else "; exact prints no progress in the full basis"))
            path = os.path.join(d, "out.blif")
            if not os.path.exists(path):
                return Answer("error", seconds=sec, commands=(cmd,), note=" ".join(out.split())[-300:])
            with open(path) as fh:
                circ = parse_blif(fh.read(), task.n)
        size = len(circ.gates) - circ.free
        return Answer("proven", size, size, sec, check(task, circ), circ.text(), (cmd,),
                      extra={"wall_seconds": wall, "free_nodes": circ.free, "circuit_table": hex(circ.table())})


class _AbcFixed(_Abc):
    """Fixed-size commands: k counted up from the trivial bound until ABC finds a circuit."""

    max_inputs = 10

    def script(self, task: Task, k: int) -> str:
        raise NotImplementedError

    def solve(self, task: Task, timeout: float) -> Answer:
        triv = _trivial(task)
        if triv is not None:
            return _trivial_answer(task, triv)
        start = max(1, task.n - 1)
        deadline = time.perf_counter() + timeout
        total, wall_total, cmds = 0.0, 0.0, []
        with tempfile.TemporaryDirectory(dir=_scratch()) as d:
            k = start
            while True:
                script = self.script(task, k)
                cmds.append(f'{ABC} -c "{script}"')
                out, wall, timed_out = _run_abc(script, deadline - time.perf_counter(), d)
                wall_total += wall
                total += max(0.0, wall - abc_startup())
                if timed_out or time.perf_counter() >= deadline:
                    return Answer("timeout", None, k, wall_total, None, "", (cmds[0], "..."),
                                  f"killed after {timeout:g} s while trying {k} gates", 
                                  extra={"calls": len(cmds)})
                circ = _abc_gates(out, task.n)
                # ABC also stops silently ("Total runtime" only) when adding a clause refutes k gates
                if "has no solution" in out or (circ is None and "Total runtime" in out):
                    k += 1
                    continue
                if circ is None:
                    return Answer("error", seconds=total, commands=tuple(cmds[-1:]),
                                  note="ABC printed neither a circuit nor 'no solution': "
                                       + " ".join(out.split())[-200:])
                return Answer("proven", k, k, total, check(task, circ), circ.text(),
                              (cmds[0], "...", cmds[-1]) if len(cmds) > 2 else tuple(cmds),
                              extra={"wall_seconds": wall_total, "calls": len(cmds),
                                     "gates_used": circ.used(), "circuit_table": hex(circ.table())})


class AbcTwoExact(_AbcFixed):
    name = "abc twoexact"

    def script(self, task: Task, k: int) -> str:
        return f"twoexact {_ABC_BASES[task.basis]} -I {task.n} -N {k} {task.hex()}".replace("  ", " ")


class AbcLutExact(_AbcFixed):
    name = "abc lutexact"

    def script(self, task: Task, k: int) -> str:
        return f"lutexact {_ABC_BASES[task.basis]} -I {task.n} -N {k} -K 2 {task.hex()}".replace("  ", " ")


def _scratch() -> str | None:
    d = os.environ.get("BENCH_SCRATCH")
    if d:
        os.makedirs(d, exist_ok=True)
    return d


PEERS: dict[str, Peer] = {p.name: p for p in (Cirbo(), AbcExact(), AbcTwoExact(), AbcLutExact())}


def versions() -> dict[str, str]:
    """Version of each installed peer, or why it is skipped."""
    return {name: (p.installed() or p.version()) for name, p in PEERS.items()}
