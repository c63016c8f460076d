"""A persistent, exact circuit census: the minimum circuit cost of every function of n <= 4 inputs in a
basis, computed once, stored, and read back in milliseconds.

For every named Boolean basis the package ships ``synth/data/circuits<n>_<basis>.npz`` for n = 3 and 4
(`SHIPPED_N`): the minimum circuit cost of every function and one minimal circuit per symmetry class. The
classes are those of the transforms that keep costs in the basis (`symmetry`): NPN (input permutations
and negations, output negation) where negation is free; P plus duality (f -> NOT f(NOT x), which swaps
AND and OR) for aon; P (input permutations) otherwise. A circuit for any member is its class circuit
rewired (`transform_circuit`). Every class records how its cost was proven (`PROOFS`).

`circuit_census` reads the shipped file once per process; any other basis (a user `Basis`, changed costs)
is built on demand (`build_circuit_census`: the census of `synth.circuits`, then a prover for the classes
it leaves open) and cached under the user cache folder (`cache_dir`), never in the package. A file holds
a format version and the basis' gate costs, so a file built for other costs is never read as this basis'
census; a damaged file raises a `SynthError` naming it (shipped) or is rebuilt (cache).

>>> cc = circuit_census("full")
>>> cc.exact, cc.cost(0x6996), cc.class_histogram()[7]       # parity of 4: three XORs; 12 classes need 7
(True, 3, 12)
>>> nodes, out = cc.witness(0x8888)                          # x0 AND x1 (x2, x3 unused): one gate
>>> evaluate_circuit(nodes, out, 4) == 0x8888, circuit_cost(nodes, "full")
(True, 1)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterator

import numpy as np

from .budget import Budget, as_budget
from .circuits import MAX_N, Transform, circuit_cost, evaluate_circuit, exact_circuits, npn_transforms
from .dsl import BASES, GATES, Basis, Program, get_basis
from .errors import SynthError
from .spec import Spec

from .sat import Symmetry, read_limits_apply, sat_minimum, step_ops

__all__ = [
    "STORE_VERSION",
    "PROOFS",
    "PROOF_NAMES",
    "SHIPPED_N",
    "CircuitCensus",
    "circuit_census",
    "build_circuit_census",
    "SatProver",
    "cofactor",
    "program_circuit",
    "fixed_input_lower",
    "save_circuit_census",
    "load_circuit_census",
    "shipped_path",
    "formula_path",
    "shipped_formula_sizes",
    "save_formula_sizes",
    "load_formula_sizes",
    "cache_dir",
    "class_transform",
    "transforms_between",
    "transform_circuit",
    "verify_circuit_census",
]

STORE_VERSION = 1
FORMAT = "occam-circuit-census"
FORMULA_FORMAT = "occam-formula-census"
SHIPPED_N = (3, 4)   # the package ships these input counts (n <= 2 is computed in milliseconds)
DATA_DIR = Path(__file__).resolve().parent / "data"

# How a class' minimum cost was proven. Each says why no cheaper circuit exists and where the stored one
# came from; lower bounds combine: the census' complete levels exclude every cost up to its last level.
PROOFS = {
    "census": "the breadth-first census of synth.circuits searched every cheaper cost exhaustively and "
              "found the stored circuit",
    "census-level": "the census searched every cheaper cost exhaustively (the size is one above its last "
                    "complete level); the stored circuit has this size",
    "aig+markov": "(aon) the AND/OR gates of an aon circuit form an aig circuit, so there are at least "
                  "aig(f) of them; NOT gates number at least ceil(log2(d + 1)), d the most 1-to-0 drops "
                  "of f along a chain of inputs (Markov 1958); the stored circuit meets the sum",
    "aoxn": "(aon) aon's gates are among aoxn's, so the exact aoxn size is a lower bound; the stored "
            "circuit meets it",
    "restriction": "(aon) fixing an input read by some gate to a constant removes that gate, so the size "
                   "is at least one more than the n - 1 input size of either restriction; the stored "
                   "circuit meets it",
    "sat": "a SAT prover refuted every cost from the best lower bound above up to this size minus 1, and "
           "the stored circuit has this size (synth.sat, or bench/aon_exact.py for aon)",
    "open": "not proven: only the stored bounds hold (lower from the arguments above, upper from the "
            "stored circuit)",
}
PROOF_NAMES = tuple(PROOFS)
_NO_ARG = 255


# ---------------------------------------------------------------------------------------------
# Symmetry classes of single tables (fast: one table at a time, no 65,536-function tables)
# ---------------------------------------------------------------------------------------------


def _symmetry(b: Basis) -> str:
    """The transforms that keep every circuit cost in basis b: "npn" where negation is free; else "pd"
    (input permutations and duality, f -> NOT f(NOT x)) when every gate's dual is a gate of equal cost,
    as AND and OR in aon; else "p" (input permutations only)."""
    if b.free_not:
        return "npn"
    return "pd" if _dual_gates(tuple(sorted(b.costs.items()))) is not None else "p"


@lru_cache(maxsize=None)
def _dual_gates(costs: tuple[tuple[str, int], ...]) -> dict[str, str] | None:
    """For each gate its dual (the gate computing NOT g(NOT args)) among gates of equal cost, or None."""
    cost = dict(costs)
    out = {}
    for name in cost:
        g = GATES[name]
        full = (1 << g.arity) - 1
        dual = sum((1 - ((g.table >> (t ^ full)) & 1)) << t for t in range(1 << g.arity))
        match = [h for h in cost
                 if GATES[h].arity == g.arity and GATES[h].table == dual and cost[h] == cost[name]]
        if not match:
            return None
        out[name] = match[0]
    return out


@lru_cache(maxsize=None)
def _group(n: int, symmetry: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transform rows (as `npn_transforms`), byte lookup tables and output flips of the group.

    Bit t of T(f) is bit ``z_t`` of f (``z_i = t_{perm[i]} XOR neg_i``), complemented when the row
    negates the output (the `Transform` convention). T is linear in the bits of f, so T(f) is the OR,
    over the bytes of f, of ``lut[g, j, byte j of f]`` (then XOR ``flip[g]``)."""
    rows = npn_transforms(n)
    plain = (rows[:, n] == 0) & (rows[:, n + 1] == 0)
    if symmetry == "p":
        rows = rows[plain]
    elif symmetry == "pd":
        rows = rows[plain | ((rows[:, n] == (1 << n) - 1) & (rows[:, n + 1] == 1))]
    m = 1 << n
    t = np.arange(m)
    src = np.zeros((len(rows), m), dtype=np.int64)
    for i in range(n):
        src |= (((t[None, :] >> rows[:, i : i + 1]) & 1) ^ ((rows[:, n : n + 1] >> i) & 1)) << i
    minterm = np.zeros((len(rows), m), dtype=np.int64)     # image of the minterm z: bit t where src = z
    minterm[np.arange(len(rows))[:, None], src] = np.left_shift(np.int64(1), t)[None, :]   # src: a bijection
    chunks = -(-m // 8)
    lut = np.zeros((len(rows), chunks, 256), dtype=np.int64)
    for j in range(chunks):
        for bit in range(min(8, m)):          # the bytes with this top bit: those below it, plus its minterm
            lut[:, j, 1 << bit:2 << bit] = lut[:, j, :1 << bit] | minterm[:, 8 * j + bit][:, None]
    flip = np.where(rows[:, n + 1] == 1, (1 << m) - 1, 0).astype(np.int64)
    for a in (rows, lut, flip):
        a.setflags(write=False)
    return rows, lut, flip


def _images(table: int, n: int, symmetry: str) -> np.ndarray:
    """Every image T(table) over the group, as int64 tables (row g for transform row g)."""
    _, lut, flip = _group(n, symmetry)
    out = lut[:, 0, table & 0xFF]
    for j in range(1, lut.shape[1]):
        out = out | lut[:, j, (table >> (8 * j)) & 0xFF]
    return out ^ flip


def transforms_between(a: int, b: int, n: int, symmetry: str) -> list[Transform]:
    """Every transform T of the group (``"npn"``, ``"pd"`` or ``"p"``) with ``T.apply(a, n) == b``.

    >>> transforms_between(0b1000, 0b0010, 2, "p")      # no permutation turns x0 AND x1 into x0 AND NOT x1
    []
    >>> len(transforms_between(0b1000, 0b1000, 2, "npn"))  # swapping x0 and x1 keeps AND
    2
    """
    rows = _group(n, symmetry)[0]
    return [Transform(tuple(int(v) for v in rows[g][:n]), int(rows[g][n]), bool(rows[g][n + 1]))
            for g in np.flatnonzero(_images(a, n, symmetry) == b)]


def class_transform(table: int, n: int, symmetry: str) -> tuple[int, Transform]:
    """The class representative of ``table`` (its smallest image) and a `Transform` mapping it to ``table``.

    >>> rep, tr = class_transform(0b0100, 2, "npn")      # NOT x0 AND x1
    >>> rep, tr.apply(rep, 2)
    (1, 4)
    """
    rep = int(_images(table, n, symmetry).min())
    g = int(np.flatnonzero(_images(rep, n, symmetry) == table)[0])
    row = _group(n, symmetry)[0][g]
    return rep, Transform(tuple(int(v) for v in row[:n]), int(row[n]), bool(row[n + 1]))


def transform_circuit(nodes, out: int, n: int, tr: Transform,
                      dual: dict[str, str] | None = None) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
    """A circuit for ``tr.apply(f)`` from one ``(nodes, out)`` for f: input i is rewired to x_{perm[i]},
    through a ``not`` node when ``tr`` negates it, and the output is negated when ``tr`` says so (the
    ``not`` nodes are free only in free-negation bases: P transforms add none). With ``dual`` (gate ->
    dual gate), a transform negating every input and the output is made by the dual circuit instead
    (each gate replaced by its dual, constants swapped: it computes NOT f(NOT x)), at the same cost.

    >>> transform_circuit([("and", (0, 1))], 2, 2, Transform((1, 0), 0b01, False))
    ([('not', (1,)), ('and', (2, 0))], 3)
    """
    if dual is not None and tr.neg_output and tr.neg_inputs == (1 << n) - 1:
        nodes = [({"0": "1", "1": "0"}[g] if g in ("0", "1") else dual[g], a) for g, a in nodes]
        tr = Transform(tr.perm, 0, False)
    new: list[tuple[str, tuple[int, ...]]] = []
    used = {a for _, args in nodes for a in args if a < n} | ({out} if out < n else set())
    ref = {}
    for i in sorted(used):
        if (tr.neg_inputs >> i) & 1:
            new.append(("not", (tr.perm[i],)))
            ref[i] = n + len(new) - 1
        else:
            ref[i] = tr.perm[i]
    base = len(new)
    for j, (name, args) in enumerate(nodes):
        new.append((name, tuple(ref[a] if a < n else a + base for a in args)))
    out = ref[out] if out < n else out + base
    if tr.neg_output:
        new.append(("not", (out,)))
        out = n + len(new) - 1
    return new, out


# ---------------------------------------------------------------------------------------------
# The census object
# ---------------------------------------------------------------------------------------------


def _costs_key(b: Basis) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((str(g), int(c)) for g, c in b.costs.items()))


Circuit = tuple[list[tuple[str, tuple[int, ...]]], int]


@dataclass(frozen=True, eq=False)
class CircuitCensus:
    """The exact minimum circuit cost of every function of ``n`` inputs in one basis, with one minimal
    circuit per symmetry class; it reads like a `synth.circuits.CircuitTable` (``sizes``, ``exact``,
    ``witness``, ``cost``, ``upper``, ``note``, ``seconds``).

    ``sizes[t]`` is the minimum cost of truth table t (-1 where not proven: only when ``exact`` is False).
    Class k has representative ``class_reps[k]`` (its smallest table; ascending), cost ``class_sizes[k]``,
    proven bounds ``class_lower[k] <= cost <= class_upper[k]`` (both equal to the size where proven; the
    upper bound is the cost of the stored circuit, -1: none) and proof ``PROOF_NAMES[class_proofs[k]]``.
    The circuits are packed: class k's nodes are rows ``circuit_start[k]:circuit_start[k+1]`` of
    ``circuit_gate`` (index into ``gates``) and ``circuit_args`` (255: no argument), its output ref
    ``circuit_output[k]``; `circuit` unpacks one.
    ``seconds`` is the build time (stages in ``stages``), ``source`` the file it was read from.
    """

    n: int
    basis: str
    costs: tuple[tuple[str, int], ...]
    symmetry: str
    sizes: np.ndarray = field(repr=False)
    class_reps: np.ndarray = field(repr=False)
    class_sizes: np.ndarray = field(repr=False)
    class_lower: np.ndarray = field(repr=False)
    class_upper: np.ndarray = field(repr=False)
    class_proofs: np.ndarray = field(repr=False)
    gates: tuple[str, ...] = field(repr=False)
    circuit_start: np.ndarray = field(repr=False)
    circuit_gate: np.ndarray = field(repr=False)
    circuit_args: np.ndarray = field(repr=False)
    circuit_output: np.ndarray = field(repr=False)
    seconds: float = 0.0
    stages: dict = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("sizes", "class_reps", "class_sizes", "class_lower", "class_upper", "class_proofs",
                     "circuit_start",
                     "circuit_gate", "circuit_args", "circuit_output"):
            getattr(self, name).setflags(write=False)

    # -- CircuitTable-compatible reading ----------------------------------------------------------
    @property
    def exact(self) -> bool:
        """True when every class' minimum cost is proven."""
        return bool((self.class_sizes >= 0).all())

    @property
    def upper(self) -> np.ndarray | None:
        """Known upper bounds per function (-1: none), None when exact (as `CircuitTable.upper`)."""
        if self.exact:
            return None
        return self.class_upper[np.searchsorted(self.class_reps, _class_table(self.n, self.symmetry))]

    @property
    def lower(self) -> np.ndarray:
        """Proven lower bounds per function (the size where proven)."""
        return self.class_lower[np.searchsorted(self.class_reps, _class_table(self.n, self.symmetry))]

    @property
    def complete_level(self) -> int:
        """Every function of unproven size costs more than this (as `CircuitTable.complete_level`)."""
        if self.exact:
            return int(self.class_sizes.max())
        return int(self.class_lower[self.class_sizes < 0].min()) - 1

    @property
    def work(self) -> int:
        """Work charged to a caller's budget: none (a stored census is read, not searched)."""
        return 0

    @property
    def note(self) -> str:
        return "" if self.exact else f"{int((self.class_sizes < 0).sum())} classes without a proven size"

    def cost(self, table: int) -> int:
        """Minimum cost of one function (-1 when not proven)."""
        return int(self.sizes[self._check(table)])

    def bounds(self, table: int) -> tuple[int, int]:
        """Proven ``(lower, upper)`` bounds of the minimum cost of one function (equal when proven;
        upper -1 when no circuit is known)."""
        k = self.class_of(table)[0]
        return int(self.class_lower[k]), int(self.class_upper[k])

    def class_of(self, table: int) -> tuple[int, Transform]:
        """Index of the class of ``table`` and a `Transform` mapping the class representative to it."""
        rep, tr = class_transform(self._check(table), self.n, self.symmetry)
        k = int(np.searchsorted(self.class_reps, rep))
        if k >= len(self.class_reps) or int(self.class_reps[k]) != rep:
            raise AssertionError(f"class representative {rep:#x} missing from the census")
        return k, tr

    def circuit(self, k: int) -> Circuit:
        """The stored circuit ``(nodes, output)`` of class k (computes ``class_reps[k]``; output -1: none)."""
        rows = range(int(self.circuit_start[k]), int(self.circuit_start[k + 1]))
        nodes = [(self.gates[self.circuit_gate[j]],
                  tuple(int(a) for a in self.circuit_args[j] if a != _NO_ARG)) for j in rows]
        return nodes, int(self.circuit_output[k])

    def witness(self, table: int) -> Circuit:
        """A minimal circuit ``(nodes, output)`` for ``table`` (refs as in `CircuitTable.witness`).

        >>> circuit_census("aon", 3).witness(0x11)           # NOT x0 AND NOT x1 = NOT(x0 OR x1)
        ([('or', (0, 1)), ('not', (3,))], 4)
        """
        return self._witness(table, proven=True)

    def upper_witness(self, table: int) -> Circuit:
        """The stored circuit for ``table``: minimal where its class is proven, else the best known."""
        return self._witness(table, proven=False)

    def program(self, table: int) -> Program:
        """A minimal circuit for ``table`` as a `Program`."""
        nodes, out = self.witness(table)
        return Program(self.n, nodes, out, basis=self.basis if self.basis in BASES else self._basis())

    def proof(self, table: int) -> str:
        """How the cost of ``table`` was proven (a key of `PROOFS`)."""
        return PROOF_NAMES[self.class_proofs[self.class_of(table)[0]]]

    # -- summaries --------------------------------------------------------------------------------
    def histogram(self) -> dict[int, int]:
        """Number of functions per minimum cost (-1: not proven)."""
        v, c = np.unique(self.sizes, return_counts=True)
        return {int(a): int(b) for a, b in zip(v, c)}

    def class_histogram(self) -> dict[int, int]:
        """Number of symmetry classes (NPN or P: ``symmetry``) per minimum cost (-1: not proven)."""
        v, c = np.unique(self.class_sizes, return_counts=True)
        return {int(a): int(b) for a, b in zip(v, c)}

    def proof_counts(self) -> dict[str, int]:
        """Number of classes proven each way (`PROOFS`)."""
        v, c = np.unique(self.class_proofs, return_counts=True)
        return {PROOF_NAMES[int(a)]: int(b) for a, b in zip(v, c)}

    def as_dict(self) -> dict:
        """Plain JSON values holding the whole census (the inverse of `from_dict`)."""
        classes = []
        for k in range(len(self.class_reps)):
            nodes, out = self.circuit(k)
            classes.append({"rep": int(self.class_reps[k]), "size": int(self.class_sizes[k]),
                            "lower": int(self.class_lower[k]), "upper": int(self.class_upper[k]),
                            "proof": PROOF_NAMES[self.class_proofs[k]],
                            "nodes": [[g, list(a)] for g, a in nodes], "output": out})
        return {"format": FORMAT, "version": STORE_VERSION, "n": self.n, "basis": self.basis,
                "costs": dict(self.costs), "symmetry": self.symmetry, "exact": self.exact,
                "seconds": round(float(self.seconds), 3), "stages": dict(self.stages),
                "histogram": self.histogram(), "class_histogram": self.class_histogram(),
                "proof_counts": self.proof_counts(), "classes": classes}

    @classmethod
    def from_dict(cls, d: dict) -> "CircuitCensus":
        """Rebuild from `as_dict` output (per-function sizes are expanded from the classes)."""
        try:
            if d["format"] != FORMAT or d["version"] != STORE_VERSION:
                raise SynthError(f"census dict: format {d['format']!r} version {d['version']!r}, expected "
                                 f"{FORMAT!r} version {STORE_VERSION}")
            cl = d["classes"]
            circuits = [([(str(g), tuple(int(a) for a in args)) for g, args in c["nodes"]], int(c["output"]))
                        for c in cl]
            return _assemble(int(d["n"]), str(d["basis"]),
                             tuple(sorted((str(g), int(c)) for g, c in d["costs"].items())),
                             str(d["symmetry"]), np.array([c["rep"] for c in cl], dtype=np.int64),
                             np.array([c["size"] for c in cl], dtype=np.int16),
                             np.array([c["lower"] for c in cl], dtype=np.int16),
                             np.array([c["upper"] for c in cl], dtype=np.int16),
                             [str(c["proof"]) for c in cl], circuits, float(d.get("seconds", 0.0)),
                             dict(d.get("stages", {})), "")
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            if isinstance(e, SynthError):
                raise
            raise SynthError(f"census dict is damaged ({type(e).__name__}: {e})") from None

    # -- helpers ----------------------------------------------------------------------------------
    def _basis(self) -> Basis:
        return Basis(self.basis, dict(self.costs))

    def _check(self, table: int) -> int:
        if not isinstance(table, (int, np.integer)) or isinstance(table, bool) \
                or not 0 <= int(table) < (1 << (1 << self.n)):
            raise SynthError(f"truth table {table!r} is not a function of {self.n} inputs "
                             f"(needs an int 0 <= t < 2^{1 << self.n})")
        return int(table)

    def _witness(self, table: int, proven: bool) -> Circuit:
        k, tr = self.class_of(table)
        if proven and self.class_sizes[k] < 0:
            raise SynthError(f"the minimum circuit of {int(table):#x} in basis {self.basis!r} is not proven "
                             f"(upper_witness gives the best circuit known)")
        nodes, out = self.circuit(k)
        if out < 0:
            raise SynthError(f"no circuit of {int(table):#x} is known in basis {self.basis!r}")
        if self.symmetry == "npn":
            # of the transforms that give this function, the one adding the fewest NOT nodes (free here,
            # but maj(x0, x1, x2) reads better than not(maj(not(x1), not(x2), not(x0))))
            used = {a for _, args in nodes for a in args if a < self.n} | ({out} if out < self.n else set())
            mask = sum(1 << i for i in used)
            tr = min(transforms_between(int(self.class_reps[k]), int(table), self.n, self.symmetry),
                     key=lambda t: (bin(t.neg_inputs & mask).count("1") + t.neg_output, t.perm))
        return transform_circuit(nodes, out, self.n, tr,
                                 _dual_gates(self.costs) if self.symmetry == "pd" else None)


def _assemble(n: int, basis: str, costs, symmetry: str, reps: np.ndarray, csizes: np.ndarray,
              clower: np.ndarray, cupper: np.ndarray, proofs: list[str], circuits: list[Circuit],
              seconds: float, stages: dict, source: str) -> CircuitCensus:
    """A census from per-class lists (sizes per function expanded from the classes)."""
    gates = tuple(sorted({g for nodes, _ in circuits for g, _ in nodes}))
    gid = {g: i for i, g in enumerate(gates)}
    start, gate, args = [0], [], []
    for nodes, _ in circuits:
        for g, a in nodes:
            if len(a) > 3 or any(not 0 <= v < _NO_ARG for v in a):
                raise SynthError(f"census of {basis!r}: node {(g, a)} cannot be stored")
            gate.append(gid[g])
            args.append(tuple(a) + (_NO_ARG,) * (3 - len(a)))
        start.append(len(gate))
    unknown = sorted(set(proofs) - set(PROOFS))
    if unknown:
        raise SynthError(f"census of {basis!r}: unknown proof names {unknown} (known: {', '.join(PROOFS)})")
    return CircuitCensus(
        n, basis, tuple(costs), symmetry, _expand_sizes(reps, csizes, n, symmetry), reps.astype(np.int64),
        csizes.astype(np.int16), clower.astype(np.int16), cupper.astype(np.int16),
        np.array([PROOF_NAMES.index(p) for p in proofs], dtype=np.uint8), gates,
        np.array(start, dtype=np.int64), np.array(gate, dtype=np.uint8),
        np.array(args, dtype=np.uint8).reshape(len(args), 3),
        np.array([out for _, out in circuits], dtype=np.int16), seconds, dict(stages), source)


@lru_cache(maxsize=None)
def _class_table(n: int, symmetry: str) -> np.ndarray:
    """Class representative (smallest image) of every function of n inputs, all at once (about a second
    at n = 4: used when building and verifying, never when loading a stored census)."""
    _, lut, flip = _group(n, symmetry)
    f = np.arange(1 << (1 << n), dtype=np.int64)
    best = f.copy()
    for g in range(len(lut)):
        img = lut[g, 0, f & 0xFF]
        for j in range(1, lut.shape[1]):
            img = img | lut[g, j, (f >> (8 * j)) & 0xFF]
        np.minimum(best, img ^ flip[g], out=best)
    best.setflags(write=False)
    return best


def _expand_sizes(reps: np.ndarray, csizes: np.ndarray, n: int, symmetry: str) -> np.ndarray:
    cls = _class_table(n, symmetry)
    k = np.searchsorted(reps, cls)
    if len(reps) == 0 or (k >= len(reps)).any() or (reps[np.minimum(k, len(reps) - 1)] != cls).any():
        raise SynthError(f"census classes do not cover every function of {n} inputs")
    return csizes[k].astype(np.int16)


# ---------------------------------------------------------------------------------------------
# Files: one .npz per (n, basis)
# ---------------------------------------------------------------------------------------------


def save_circuit_census(cc: CircuitCensus, path: str | Path) -> Path:
    """Write ``cc`` to ``path`` (.npz, compressed) atomically: a temporary file in the same folder, then
    a rename, so a reader never sees half a file."""
    meta = {"format": FORMAT, "version": STORE_VERSION, "n": cc.n, "basis": cc.basis,
            "costs": dict(cc.costs), "symmetry": cc.symmetry, "gates": list(cc.gates),
            "proofs": list(PROOF_NAMES), "seconds": round(float(cc.seconds), 3), "stages": cc.stages}
    arrays = {
        "meta": np.array(json.dumps(meta, sort_keys=True)),
        "sizes": cc.sizes.astype(np.int8),
        "class_reps": cc.class_reps.astype(np.uint16),
        "class_sizes": cc.class_sizes.astype(np.int8),
        "class_lower": cc.class_lower.astype(np.int8),
        "class_upper": cc.class_upper.astype(np.int8),
        "class_proofs": cc.class_proofs.astype(np.uint8),
        "circuit_start": cc.circuit_start.astype(np.int32),
        "circuit_gate": cc.circuit_gate.astype(np.uint8),
        "circuit_args": cc.circuit_args.astype(np.uint8),
        "circuit_output": cc.circuit_output.astype(np.int16),
    }
    return _write_npz(Path(path), arrays)


def _write_npz(path: Path, arrays: dict) -> Path:
    """Write compressed arrays atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


_ARRAYS = {  # name: (dtype, shape from (n, classes, nodes))
    "sizes": (np.int8, lambda n, c, g: (1 << (1 << n),)),
    "class_reps": (np.uint16, lambda n, c, g: (c,)),
    "class_sizes": (np.int8, lambda n, c, g: (c,)),
    "class_lower": (np.int8, lambda n, c, g: (c,)),
    "class_upper": (np.int8, lambda n, c, g: (c,)),
    "class_proofs": (np.uint8, lambda n, c, g: (c,)),
    "circuit_start": (np.int32, lambda n, c, g: (c + 1,)),
    "circuit_gate": (np.uint8, lambda n, c, g: (g,)),
    "circuit_args": (np.uint8, lambda n, c, g: (g, 3)),
    "circuit_output": (np.int16, lambda n, c, g: (c,)),
}


def load_circuit_census(path: str | Path, basis: str | Basis | None = None) -> CircuitCensus:
    """Read a census file; with ``basis``, also check that it was built for that basis' gate costs.

    Any damage (unreadable file, missing or misshapen arrays, class sizes that disagree with the
    per-function sizes, another format version, other costs) raises a `SynthError` naming the file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in ("meta", *_ARRAYS)}
        meta = json.loads(str(data["meta"]))
    except FileNotFoundError:
        raise SynthError(f"census file {path} does not exist") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise SynthError(f"census file {path} is damaged ({type(e).__name__}: {e})") from None

    def bad(why: str) -> SynthError:
        return SynthError(f"census file {path}: {why}")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad(f"not an {FORMAT} file")
    if meta.get("version") != STORE_VERSION:
        raise bad(f"format version {meta.get('version')!r}; this synth reads version {STORE_VERSION}")
    try:
        n, name, symmetry = int(meta["n"]), str(meta["basis"]), str(meta["symmetry"])
        costs = tuple(sorted((str(g), int(c)) for g, c in meta["costs"].items()))
        gates, proofs = tuple(str(g) for g in meta["gates"]), [str(p) for p in meta["proofs"]]
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise bad(f"damaged metadata ({type(e).__name__}: {e})") from None
    if basis is not None:
        b = get_basis(basis)
        if costs != _costs_key(b) or symmetry != _symmetry(b):
            raise bad(f"built for gate costs {dict(costs)}, not for those of basis {b.name!r} "
                      f"{dict(_costs_key(b))}: stale, rebuild it")
    if not 1 <= n <= MAX_N or symmetry not in ("npn", "p", "pd") or not set(proofs) <= set(PROOFS):
        raise bad(f"n={n}, symmetry={symmetry!r}, proofs={proofs}: not a census this synth reads")
    c = len(data["class_reps"]) if data["class_reps"].ndim == 1 else -1
    g = len(data["circuit_gate"]) if data["circuit_gate"].ndim == 1 else -1
    for key, (dt, shape) in _ARRAYS.items():
        a = data[key]
        if a.dtype != dt or a.shape != shape(n, c, g):
            raise bad(f"array {key!r} is {a.dtype}{list(a.shape)}, "
                      f"expected {np.dtype(dt)}{list(shape(n, c, g))}")
    sizes = data["sizes"].astype(np.int16)
    reps = data["class_reps"].astype(np.int64)
    start = data["circuit_start"].astype(np.int64)
    args = data["circuit_args"]
    node_index = np.repeat(np.arange(c), np.diff(start)) if c > 0 and (np.diff(start) >= 0).all() else None
    if c <= 0 or (np.diff(reps) <= 0).any() or (sizes[reps] != data["class_sizes"]).any():
        raise bad("class representatives unsorted, or class sizes that disagree with the per-function sizes")
    if node_index is None or start[0] != 0 or start[-1] != g or (data["class_proofs"] >= len(proofs)).any() \
            or (data["circuit_gate"] >= len(gates)).any():
        raise bad("circuit index out of range")
    local = np.arange(g) - start[node_index]     # position of each node in its circuit
    if ((args != _NO_ARG) & (args >= n + local[:, None])).any() \
            or (data["circuit_output"] >= n + np.diff(start)).any():
        raise bad("a stored circuit reads a node that is not before it")
    remap = np.array([PROOF_NAMES.index(p) for p in proofs], dtype=np.uint8)
    return CircuitCensus(n, name, costs, symmetry, sizes, reps, data["class_sizes"].astype(np.int16),
                         data["class_lower"].astype(np.int16), data["class_upper"].astype(np.int16),
                         remap[data["class_proofs"]], gates, start, data["circuit_gate"], args,
                         data["circuit_output"], float(meta.get("seconds", 0.0)), dict(meta.get("stages", {})),
                         str(path))


def shipped_path(basis: str, n: int = SHIPPED_N[-1]) -> Path:
    """Where the package keeps the census of a named basis (the file may not exist)."""
    return DATA_DIR / f"circuits{n}_{basis}.npz"


def cache_dir() -> Path:
    """The user cache folder of computed censuses: ``$XDG_CACHE_HOME/occam-circuits`` (by default
    ``~/.cache/occam-circuits``)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "occam-circuits"


def _cache_path(b: Basis, n: int) -> Path:
    digest = hashlib.sha256(json.dumps(_costs_key(b)).encode()).hexdigest()[:12]
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in b.name)[:40]
    return cache_dir() / f"circuits{n}_{safe}_{digest}.npz"


# ---------------------------------------------------------------------------------------------
# Formula censuses: the least formula cost of every function of 4 inputs, shipped for the named
# bases whose census takes billions of work units (aig, aon, mig, mux: 8 s to 7 min each)
# ---------------------------------------------------------------------------------------------


def formula_path(basis: str, n: int = SHIPPED_N[-1]) -> Path:
    """Where the package keeps the formula census of a named basis (the file may not exist)."""
    return DATA_DIR / f"formulas{n}_{basis}.npz"


def save_formula_sizes(sizes: np.ndarray, basis: str | Basis, n: int, work: int, path: str | Path) -> Path:
    """Write an exact formula census (``sizes[t]``: least formula cost of table t) atomically."""
    b = get_basis(basis)
    sizes = np.asarray(sizes)
    if sizes.shape != (1 << (1 << n),) or (sizes < 0).any():
        raise SynthError(f"a formula census of {n} inputs has {1 << (1 << n)} sizes >= 0")
    meta = {"format": FORMULA_FORMAT, "version": STORE_VERSION, "n": int(n), "basis": b.name,
            "costs": dict(b.costs), "work": int(work)}
    return _write_npz(Path(path), {"meta": np.array(json.dumps(meta, sort_keys=True)),
                                   "sizes": sizes.astype(np.int8)})


def load_formula_sizes(path: str | Path, basis: str | Basis) -> np.ndarray:
    """Read a formula census file built for ``basis``' gate costs; any damage raises a `SynthError`
    naming the file."""
    path, b = Path(path), get_basis(basis)
    try:
        with np.load(path, allow_pickle=False) as z:
            meta, sizes = json.loads(str(z["meta"])), z["sizes"]
    except FileNotFoundError:
        raise SynthError(f"formula census file {path} does not exist") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise SynthError(f"formula census file {path} is damaged ({type(e).__name__}: {e})") from None
    n = meta.get("n") if isinstance(meta, dict) else None
    if not isinstance(n, int) or not 1 <= n <= MAX_N or meta.get("format") != FORMULA_FORMAT \
            or meta.get("version") != STORE_VERSION:
        raise SynthError(f"formula census file {path} is not a version {STORE_VERSION} {FORMULA_FORMAT} file")
    if meta.get("costs") != dict(b.costs):
        raise SynthError(f"formula census file {path} was built for costs {meta.get('costs')}, not "
                         f"{b.name!r}'s {dict(b.costs)}")
    if sizes.shape != (1 << (1 << n),) or sizes.dtype != np.int8 or (sizes < 0).any():
        raise SynthError(f"formula census file {path} is damaged (sizes of shape {sizes.shape}, "
                         f"dtype {sizes.dtype})")
    return sizes


def _op_costs(b: Basis) -> tuple | None:
    """What a formula census depends on when NOT is free: the cheapest cost of each step operation (None
    where the SAT engine cannot encode the basis)."""
    try:
        ops = step_ops(b)
    except SynthError:
        return None
    return tuple(sorted((a, t, op.cost) for a, o in ops.items() for t, op in o.items()))


def shipped_formula_sizes(basis: str | Basis, n: int) -> np.ndarray | None:
    """The shipped exact formula census for ``basis`` and ``n`` inputs, or None. A basis other than a
    named one with NOT free uses a named one's file when their steps are the same operations at the same
    costs (their formula censuses are then equal): {and, or} at cost 1 with NOT free is aig."""
    b = get_basis(basis)
    if b.domain != "bool" or n not in SHIPPED_N:
        return None
    key = (int(n), b.name, _costs_key(b))
    if key not in _FORMULAS:
        found = None
        for name, nb in BASES.items():
            if not formula_path(name, n).exists():
                continue
            if _costs_key(nb) == key[2] or (b.free_not and nb.free_not and _op_costs(b) is not None
                                              and _op_costs(nb) == _op_costs(b)):
                found = load_formula_sizes(formula_path(name, n), nb)
                break
        _FORMULAS[key] = found
    return _FORMULAS[key]


_FORMULAS: dict = {}


# ---------------------------------------------------------------------------------------------
# Building and looking up
# ---------------------------------------------------------------------------------------------


def _check_basis_n(basis: str | Basis, n: int) -> Basis:
    b = get_basis(basis)
    if b.domain != "bool":
        raise SynthError(f"basis {b.name!r} is not Boolean; a circuit census needs a Boolean basis")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_N:
        raise SynthError(f"number of inputs must be an int in 1..{MAX_N}, got {n!r}")
    return b


Bound = tuple[int, str, "Circuit | None"]
Prover = Callable[[int, int, "int | None"], tuple["int | None", int, "Circuit | None", int]]


def program_circuit(program: Program) -> Circuit:
    """A single-output `Program` as a census circuit ``(nodes, output)``.

    >>> program_circuit(Program.parse("and(x0, x1)", 2))
    ([('and', (0, 1))], 2)
    """
    return [(nd.op, tuple(nd.args)) for nd in program.nodes], int(program.output)


def cofactor(table: int, n: int, a: int, c: int) -> int:
    """The (n - 1)-input table of ``table`` with x_a fixed to ``c`` (the other inputs keep their order).

    >>> hex(cofactor(0xe8, 3, 0, 1))         # majority of 3 with x0 = 1: x1 OR x2
    '0xe'
    """
    out = 0
    for t in range(1 << (n - 1)):
        src = (t & ((1 << a) - 1)) | (c << a) | ((t >> a) << (a + 1))
        out |= ((table >> src) & 1) << t
    return out


def fixed_input_lower(table: int, n: int, basis: str | Basis, *,
                      budget: Budget | int | None = None) -> tuple[int, ...]:
    """Per input a, the larger proven least circuit cost of ``table`` with x_a fixed to 0 or to 1, from
    the (n - 1)-input census: the read limits (``restricted``) of `synth.sat.sat_minimum` in circuit mode
    (a circuit of s gates has at most s - bound_a gates reading x_a, in the bases of
    `synth.sat.read_limits_apply`). The truth-table case of `synth.restriction.fixed_input_bounds` (which
    reads this module's censuses, so this module cannot call it; a test holds the two equal). ``budget``
    bounds building that census where it is not shipped (`circuit_census`).

    >>> fixed_input_lower(0x6996, 4, "aig")     # parity of 4: each cofactor is a parity of 3 (6 ANDs)
    (6, 6, 6, 6)
    """
    low = circuit_census(basis, n - 1, budget=budget).lower
    return tuple(max(int(low[cofactor(table, n, a, c)]) for c in (0, 1)) for a in range(n))


# Work units of one probe of `SatProver`: SAT without symmetry breaking for a circuit one gate cheaper
# than the one in hand. Measured on aig classes of 4 inputs: for 0x166b, a 10-gate circuit took
# 0.27-0.55 M conflicts (16-49 s) over three seeds without symmetry breaking, and was not found in 2.5 M
# (5 min) with it: the constraints that make refutations short make the one satisfiable cost slow to
# find; for 0x1681 (seed 0), 4.05 M conflicts (13 min; a probe of 3 M left it open).
PROBE_WORK = 6_000_000_000


class SatProver:
    """The default prover of `build_circuit_census`: `synth.sat.sat_minimum` in circuit mode, with the
    read limits of the (n - 1)-input census where they apply (`fixed_input_lower`).

    ``prover(rep, lower, upper)`` -> ``(size or None, lower bound, circuit or None, conflicts)``: the
    minimum cost of ``rep`` given a proven ``lower`` bound and (when not None) a circuit of cost ``upper``
    in hand, with a new circuit when it found a cheaper one. With a circuit in hand, it first probes
    for a cheaper one (`PROBE_WORK` units each, ``probe``; 0 for none): SAT without symmetry breaking at
    one cost less, again while that finds one; then the walk up from ``lower`` (symmetry breaking on)
    refutes the costs below. A probe's "unsat" proves the circuit in hand minimal only where every costed
    gate costs 1 (the instance of s steps then holds every cheaper circuit too); elsewhere the walk
    decides. ``budget``: work units per class for that walk, with the probes' work on top (at most
    ``upper - lower`` probes), or a shared `synth.budget.Budget` that the probes draw on too (it does not
    cross to worker processes). It pickles, so `build_circuit_census` can run it in ``jobs`` processes."""

    def __init__(self, basis: str | Basis, n: int, budget: Budget | int | None = None, *,
                 probe: int = PROBE_WORK):
        self.basis = b = get_basis(basis)
        self.n, self.budget, self.probe = int(n), budget, int(probe)
        self.limits = read_limits_apply(b) and self.n > 1
        self.unit = all(c in (0, 1) for c in b.costs.values())    # a probe's "unsat" is then a proof

    def __call__(self, rep: int, lower: int, upper: int | None):
        spec = Spec.from_table(rep, self.n)
        found, used = None, 0
        while self.probe and upper is not None and upper - 1 >= lower:
            share = self.budget.sub(self.probe) if isinstance(self.budget, Budget) else self.probe
            r = sat_minimum(spec, self.basis, mode="circuit", lower=upper - 1, upper=upper, budget=share,
                            symmetry=Symmetry.none())
            used += r.conflicts
            if r.program is None:
                if r.exact and self.unit:     # upper - 1 refuted: the circuit in hand is minimal
                    lower = upper
                break
            found, upper = r.program, r.min_size
        if upper is not None and lower >= upper:
            res_size, res_lower, program = upper, upper, found
        else:
            kw = {"restricted": fixed_input_lower(rep, self.n, self.basis, budget=self.budget)} \
                if self.limits else {}
            res = sat_minimum(spec, self.basis, mode="circuit", lower=lower, upper=upper, budget=self.budget,
                              **kw)
            used += res.conflicts
            res_size = res.min_size if res.exact else None
            res_lower, program = res.lower_bound, res.program if res.program is not None else found
        circuit = None if program is None else program_circuit(program)
        return res_size, int(res_lower), circuit, int(used)



def build_circuit_census(basis: str | Basis, n: int = 4, *, census_budget: Budget | int | None = None,
                         census_seconds: float | None = None, sat_budget: Budget | int | None = None,
                         bounds: Callable[[int], Bound] | None = None, prover: Prover | None = None,
                         checkpoint: str | Path | None = None, jobs: int = 1,
                         progress: Callable[[str], None] | None = None) -> CircuitCensus:
    """Compute the census: the breadth-first census of `synth.circuits` as far as ``census_budget`` (work
    units; ``census_seconds``: an optional wall-clock safety valve) goes, then, for each class it leaves
    open, the best proven lower bound and an exact prover above it.

    A class the census leaves open costs more than the census' last complete level ("census-level").
    ``bounds(rep)``, when given, returns ``(lower, proof, circuit)`` for a class representative: another
    proven lower bound with its `PROOFS` name, and a circuit computing ``rep`` (or None). A circuit whose
    cost meets the best lower bound settles the class; otherwise ``prover`` (default `SatProver`, the SAT
    engine with ``sat_budget`` work units per class for its walk, its probes on top) refutes the costs
    from the lower bound up ("sat") or finds a circuit at one of them. A class not settled stays
    unproven (size -1, ``exact`` False) with its proven bounds. ``checkpoint``: a JSON-lines file where
    each open class is appended when the prover is done with it (its size, or the bounds it proved), and
    from which a rerun resumes (long builds).
    ``jobs`` > 1 runs the prover on that many classes at once, in worker processes (the prover must
    pickle: `SatProver` does, with a budget in work units; the result does not depend on ``jobs``)."""
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise SynthError(f"jobs must be a positive int, got {jobs!r}")
    if jobs > 1 and isinstance(sat_budget, Budget):
        raise SynthError("jobs > 1 needs sat_budget in work units per class: a shared Budget cannot be "
                         "shared across worker processes")
    b = _check_basis_n(basis, n)
    n = int(n)
    symmetry = _symmetry(b)
    prover = prover if prover is not None else SatProver(b, n, sat_budget)
    t0 = time.perf_counter()
    ct = exact_circuits(n, b, budget=census_budget, budget_s=census_seconds, progress=progress)
    t_census = time.perf_counter() - t0
    reps = np.unique(_class_table(n, symmetry))
    fsizes = ct.sizes.astype(np.int16)
    if symmetry == "pd":   # the census classes by permutations only: its sizes must already be self-dual
        full = (1 << (1 << n)) - 1
        f = np.arange(full + 1)
        dual = sum(((1 - ((f >> (t ^ ((1 << n) - 1))) & 1)) << t) for t in range(1 << n))
        both = (fsizes >= 0) & (fsizes[dual] >= 0)
        if (fsizes[both] != fsizes[dual][both]).any():
            raise AssertionError(f"basis {b.name!r}: census sizes are not invariant under duality")
    proven = fsizes[reps] >= 0
    level = int(ct.complete_level)      # every open class costs more than this
    found = ct.upper.astype(np.int16)[reps] if ct.upper is not None else np.full(len(reps), -1, np.int16)
    csizes = np.where(proven, fsizes[reps], -1).astype(np.int16)
    clower = csizes.copy()
    cupper = csizes.copy()
    proofs = ["census"] * len(reps)
    circuits: list[Circuit] = [([], -1)] * len(reps)
    for k in np.flatnonzero(proven):
        circuits[k] = ct.witness(int(reps[k]))
    done, partial = _read_checkpoint(checkpoint, b, n) if checkpoint is not None else ({}, {})
    t1 = time.perf_counter()
    open_classes = np.flatnonzero(~proven)
    todo: list[tuple[int, int, int, str, int | None]] = []      # (k, rep, lower, why, cost) for the prover
    for k in open_classes:
        rep = int(reps[k])
        if rep in done:
            csizes[k], proofs[k], circuits[k] = done[rep]
            clower[k] = cupper[k] = csizes[k]
            continue
        lower, why, circuit = level + 1, "census-level", None
        if found[k] >= 0:
            circuit = ct.upper_witness(rep)
        extra = [bounds(rep)] if bounds is not None else []
        if rep in partial:          # an earlier run's proven bound and circuit for a class it left open
            extra.append(partial[rep])
        for lo2, why2, circ2 in extra:
            if lo2 > lower:
                lower, why = int(lo2), why2
            if circ2 is not None and (circuit is None or circuit_cost(list(circ2[0]), b)
                                      < circuit_cost(list(circuit[0]), b)):
                circuit = circ2
        cost = None
        if circuit is not None:
            cost, circuits[k] = _checked(circuit, rep, n, b), (list(circuit[0]), int(circuit[1]))
            if cost < lower:
                raise AssertionError(f"class {rep:#x}: a circuit of cost {cost} beats lower bound {lower}")
        clower[k], cupper[k] = lower, -1 if cost is None else cost
        if cost is not None and cost == lower:
            csizes[k], proofs[k] = cost, why
            if checkpoint is not None:
                _append_checkpoint(checkpoint, b, n, rep, int(cost), why, circuits[k])
        else:
            todo.append((int(k), rep, lower, why, cost))
    conflicts = 0
    for i, (k, rep, lower, why, cost, (size, proved_lower, circ, used)) in enumerate(
            _prove_all(prover, todo, jobs)):
        conflicts += used
        if circ is not None:
            cost, circuits[k] = _checked(circ, rep, n, b), (list(circ[0]), int(circ[1]))
        if size is not None:
            csizes[k] = size
            if cost != size:
                raise AssertionError(f"class {rep:#x}: proven size {size} but the circuit costs {cost}")
        proofs[k] = "open" if size is None else (why if size == lower else "sat")
        if proved_lower > lower:
            lower, why = proved_lower, "sat"
        clower[k] = csizes[k] if csizes[k] >= 0 else lower
        cupper[k] = -1 if cost is None else cost
        if checkpoint is not None:
            _append_checkpoint(checkpoint, b, n, rep, int(csizes[k]), proofs[k],
                               circuits[k] if cost is not None else None, lower=(int(clower[k]), why))
        if progress:
            progress(f"{b.name} n={n}: open class {i + 1}/{len(todo)} {rep:#x}: "
                     f"{'size ' + str(int(csizes[k])) if csizes[k] >= 0 else f'bounds {lower}..{cost}'} "
                     f"({proofs[k]}), {time.perf_counter() - t0:.1f}s")
    stages = {"census_seconds": round(t_census, 3), "census_work": int(ct.work),
              "census_exact": bool(ct.exact),
              "census_complete_level": level, "open_classes": int(len(open_classes)),
              "sat_conflicts": int(conflicts), "open_seconds": round(time.perf_counter() - t1, 3)}
    return _assemble(n, b.name, _costs_key(b), symmetry, reps.astype(np.int64), csizes, clower, cupper,
                     proofs, circuits, time.perf_counter() - t0, stages, "")


def _checked(circuit, rep: int, n: int, b: Basis) -> int:
    """Cost of a circuit after checking that it computes ``rep``."""
    nodes, out = list(circuit[0]), int(circuit[1])
    if evaluate_circuit(nodes, out, n) != rep:
        raise AssertionError(f"a circuit given for class {rep:#x} does not compute it")
    return circuit_cost(nodes, b)


def _prove_all(prover: Prover, todo: list, jobs: int) -> Iterator[tuple]:
    """``todo`` entries ``(k, rep, lower, why, cost)`` with the prover's answer appended, in the order
    they finish (``jobs`` worker processes) or in order (``jobs`` = 1)."""
    if jobs == 1 or len(todo) <= 1:
        for item in todo:
            yield (*item, prover(item[1], item[2], item[4]))
        return
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(prover, rep, lower, cost): (k, rep, lower, why, cost)
                   for k, rep, lower, why, cost in todo}
        for fut in as_completed(futures):
            yield (*futures[fut], fut.result())
    finally:        # on an error (here or in the caller) the classes not started are dropped, not proven
        pool.shutdown(wait=True, cancel_futures=True)


def _read_checkpoint(path: str | Path, b: Basis, n: int) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """``(settled, partial)``: per class representative, ``(size, proof, circuit)`` of a settled class, and
    ``(lower, proof of lower, circuit or None)`` of one the prover left open (the last line of a class
    wins)."""
    done, partial = {}, {}
    path = Path(path)
    if not path.exists():
        return done, partial
    for i, line in enumerate(path.read_text().splitlines()):
        try:
            d = json.loads(line)
            if d["costs"] != dict(_costs_key(b)) or d["n"] != n:
                continue
            nodes = None if d["nodes"] is None else [(str(g), tuple(int(a) for a in args))
                                                     for g, args in d["nodes"]]
            out, size, rep = int(d["output"]), int(d["size"]), int(d["rep"])
            lower, lower_proof = int(d.get("lower", size)), str(d.get("lower_proof", "sat"))
        except (ValueError, KeyError, TypeError) as e:
            raise SynthError(f"checkpoint {path} line {i + 1} is damaged ({type(e).__name__}: {e})") from None
        ok = d["proof"] in PROOFS and (d["proof"] == "open") == (size < 0) and lower_proof in PROOFS
        if nodes is not None:
            ok = ok and evaluate_circuit(nodes, out, n) == rep and (size < 0 or circuit_cost(nodes, b) == size)
        if not ok or (size >= 0 and nodes is None):
            raise SynthError(f"checkpoint {path} line {i + 1}: the entry of {rep:#x} does not check")
        if size >= 0:
            done[rep] = (size, d["proof"], (nodes, out))
        else:
            partial[rep] = (lower, lower_proof, None if nodes is None else (nodes, out))
    return done, partial


def _append_checkpoint(path: str | Path, b: Basis, n: int, rep: int, size: int, proof: str,
                       circuit: Circuit | None, lower: tuple[int, str] | None = None) -> None:
    """One line; ``lower``: the proven lower bound of a class left open, with the name of its proof."""
    low, low_proof = (size, proof) if lower is None else lower
    line = json.dumps({"n": n, "costs": dict(_costs_key(b)), "rep": rep, "size": size, "proof": proof,
                       "lower": low, "lower_proof": low_proof,
                       "nodes": None if circuit is None else [[g, list(a)] for g, a in circuit[0]],
                       "output": -1 if circuit is None else circuit[1]})
    with open(path, "a") as fh:
        fh.write(line + "\n")


_LOADED: dict[tuple, CircuitCensus] = {}


def circuit_census(basis: str | Basis = "full", n: int = 4, *, budget: Budget | int | None = None,
                   progress: Callable[[str], None] | None = None) -> CircuitCensus:
    """The exact circuit census of ``basis`` for ``n`` inputs, read or computed once per process.

    Named bases at n in `SHIPPED_N` come from the package's data (a damaged or stale file is an error).
    Anything else (a user `Basis`, changed costs, a missing file) is built with `build_circuit_census`
    and, when exact and n >= 3, cached in `cache_dir` (a damaged cache file is rebuilt);
    ``budget`` (work units or a shared `synth.budget.Budget`) bounds that build, census and SAT engine
    together; reading a file charges nothing. An inexact build is returned but neither kept nor cached.
    """
    b = _check_basis_n(basis, n)
    n = int(n)
    key = (n, b.name, _costs_key(b))
    hit = _LOADED.get(key)
    if hit is not None:
        return hit
    named = b.name in BASES and _costs_key(BASES[b.name]) == key[2]
    if named and n in SHIPPED_N and shipped_path(b.name, n).exists():
        cc = load_circuit_census(shipped_path(b.name, n), b)
        _LOADED[key] = cc          # kept even when partial: a rebuild here could not do better
        return cc
    bud = as_budget(budget)
    if n < min(SHIPPED_N):         # milliseconds to build: never written
        cc = build_circuit_census(b, n, census_budget=bud, sat_budget=bud, progress=progress)
    else:
        path = _cache_path(b, n)
        cc = None
        if path.exists():
            try:
                cc = load_circuit_census(path, b)
            except SynthError:
                cc = None   # damaged or stale: rebuilt below
        if cc is None:
            cc = build_circuit_census(b, n, census_budget=bud, sat_budget=bud, progress=progress)
            if cc.exact:
                save_circuit_census(cc, path)
    if cc.exact:
        _LOADED[key] = cc
    return cc


def verify_circuit_census(cc: CircuitCensus, basis: str | Basis | None = None) -> None:
    """Check every stored circuit (it computes its class representative, at the stored cost, which is
    the proven size where there is one) and the per-function sizes against the class sizes; raises
    `SynthError` naming what disagrees."""
    b = get_basis(basis) if basis is not None else (BASES.get(cc.basis) or cc._basis())
    where = cc.source or f"census of {cc.basis!r}"
    if _costs_key(b) != cc.costs:
        raise SynthError(f"{where}: built for costs {dict(cc.costs)}, not those of {b.name!r}")
    for k in range(len(cc.class_reps)):
        nodes, out = cc.circuit(k)
        rep, size, up = int(cc.class_reps[k]), int(cc.class_sizes[k]), int(cc.class_upper[k])
        lo = int(cc.class_lower[k])
        if (size >= 0 and lo != size) or (up >= 0 and lo > up):
            raise SynthError(f"{where}: class {rep:#x} has bounds {lo}..{up} and size {size}")
        if out < 0:
            if size >= 0 or up >= 0:
                raise SynthError(f"{where}: class {rep:#x} has size {size}, upper {up} but no circuit")
            continue
        got, cost = evaluate_circuit(nodes, out, cc.n), circuit_cost(nodes, b)
        if got != rep or cost != up or (size >= 0 and cost != size):
            raise SynthError(f"{where}: the circuit of class {rep:#x} computes {got:#x} at cost {cost} "
                             f"(stored size {size}, upper {up})")
    if not np.array_equal(cc.sizes, _expand_sizes(cc.class_reps, cc.class_sizes, cc.n, cc.symmetry)):
        raise SynthError(f"{where}: per-function sizes disagree with the class sizes")
