"""Tasks: a domain (Boolean with n inputs, or Z_p), a target function on it, and a seeded train split.

Domain indexing (everywhere in `compare`):

* Boolean, ``n`` inputs: point ``t`` in ``0 .. 2**n - 1`` has ``x_i = (t >> i) & 1`` -- the project's
  truth-table convention, so the labels over the whole domain *are* the truth table.
* Z_p: point ``t`` in ``0 .. p*p - 1`` is the pair ``(a, b) = (t // p, t % p)``.

Examples
--------
>>> task = make_task("parity", n=6, k=3, train_fraction=0.5, seed=0)
>>> task.n_inputs, task.domain_size, len(task.train_idx)
(6, 64, 32)
>>> hex(make_task("majority", n=3, k=3).table)
'0xe8'
>>> make_task("add", p=5).labels[:6].tolist()     # (0,0) .. (0,4), (1,0)
[0, 1, 2, 3, 4, 1]
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

import synth
from synth.dsl import MAX_MODULUS

from ..errors import CompareError

__all__ = [
    "Task",
    "Target",
    "TARGETS",
    "Dataset",
    "make_task",
    "bool_inputs",
    "table_from_labels",
    "labels_from_table",
]

_MAX_MODULUS = MAX_MODULUS  # Z_p tasks: the same bound as synth's programs
_MAX_BOOL_INPUTS = 24  # labels over 2**24 points are still a few MB
_EXHAUSTIVE_TEST = 1 << 16  # held-out set is the whole complement up to this domain size


# ----------------------------------------------------------------------------------------------- helpers

def bool_inputs(idx: np.ndarray, n: int) -> np.ndarray:
    """Rows ``x`` (uint8, shape (len(idx), n)) of the Boolean domain points ``idx``: ``x_i = (t >> i) & 1``."""
    idx = np.asarray(idx, dtype=np.int64)
    return ((idx[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1).astype(np.uint8)


def table_from_labels(labels: np.ndarray) -> int:
    """Truth table (int, bit t = labels[t]) of a 0/1 label vector over the whole Boolean domain."""
    bits = np.asarray(labels, dtype=bool)
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def labels_from_table(table: int, n: int) -> np.ndarray:
    """Inverse of `table_from_labels`: the bool vector of length 2**n with entry t = bit t of ``table``."""
    size = 1 << n
    nbytes = max(1, (size + 7) // 8)
    raw = np.frombuffer(int(table).to_bytes(nbytes, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


def _rng(seed: int | np.random.SeedSequence, *spawn_key: int) -> np.random.Generator:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    if spawn_key:
        ss = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + tuple(spawn_key))
    return np.random.default_rng(ss)


# ----------------------------------------------------------------------------------------------- targets

@dataclass(frozen=True)
class Target:
    """A named target in the registry: ``build(**params) -> (n_inputs or p, labels over the domain, program text)``."""

    name: str
    domain: str  # "bool" or "zp"
    build: Callable[..., tuple[int, np.ndarray, str | None]]
    doc: str = ""


def _need(params: dict, key: str, target: str) -> Any:
    if params.get(key) is None:
        raise CompareError(f"target {target!r}: parameter {key!r} is required")
    return params[key]


def _first_k(target: str, n: int | None, k: int | None, *, min_k: int = 1) -> tuple[int, int]:
    if k is None and n is None:
        raise CompareError(f"target {target!r}: give n (number of inputs) and/or k (inputs used)")
    k = n if k is None else int(k)
    n = k if n is None else int(n)
    if not min_k <= k <= n:
        raise CompareError(f"target {target!r}: need {min_k} <= k <= n, got k={k}, n={n}")
    return n, k


def _chain(op: str, names: list[str]) -> str:
    expr = names[0]
    for v in names[1:]:
        expr = f"{op}({expr}, {v})"
    return expr


def _all_x(n: int) -> np.ndarray:
    if not 1 <= n <= _MAX_BOOL_INPUTS:
        raise CompareError(f"Boolean tasks need 1 <= n <= {_MAX_BOOL_INPUTS} inputs, got n={n}")
    return bool_inputs(np.arange(1 << n), n)


def _and_or(op: str) -> Callable[..., tuple[int, np.ndarray, str | None]]:
    def build(n: int | None = None, k: int | None = None) -> tuple[int, np.ndarray, str | None]:
        n, k = _first_k(op, n, k)
        X = _all_x(n)[:, :k]
        y = X.all(1) if op == "and" else X.any(1)
        return n, y, _chain(op, [f"x{i}" for i in range(k)])
    return build


def _parity(n: int | None = None, k: int | None = None) -> tuple[int, np.ndarray, str | None]:
    n, k = _first_k("parity", n, k)
    y = (_all_x(n)[:, :k].sum(1) % 2).astype(bool)
    return n, y, _chain("xor", [f"x{i}" for i in range(k)])


def _majority(n: int | None = None, k: int | None = None) -> tuple[int, np.ndarray, str | None]:
    n, k = _first_k("majority", n, k)
    if k % 2 == 0:
        raise CompareError(f"target 'majority': k must be odd, got k={k} (use 'threshold' for even k)")
    y = _all_x(n)[:, :k].sum(1) * 2 > k
    return n, y, ("maj(x0, x1, x2)" if k == 3 else "x0" if k == 1 else None)


def _threshold(n: int | None = None, k: int | None = None, t: int | None = None
               ) -> tuple[int, np.ndarray, str | None]:
    n, k = _first_k("threshold", n, k)
    t = _need({"t": t}, "t", "threshold")
    if not 0 <= t <= k + 1:
        raise CompareError(f"target 'threshold': need 0 <= t <= k + 1, got t={t}, k={k}")
    y = _all_x(n)[:, :k].sum(1) >= t
    return n, y, None


def _mux(n: int | None = None, a: int | None = None) -> tuple[int, np.ndarray, str | None]:
    if a is None:
        raise CompareError("target 'mux': parameter 'a' (number of address bits) is required")
    a = int(a)
    need = a + (1 << a)
    n = need if n is None else int(n)
    if a < 1 or n < need:
        raise CompareError(f"target 'mux': a={a} address bits need n >= {need} inputs, got n={n}")
    X = _all_x(n)
    addr = sum(X[:, i].astype(np.int64) << i for i in range(a))
    y = X[np.arange(len(X)), a + addr].astype(bool)
    prog = "ite(x0, x2, x1)" if a == 1 else None   # x0 = 1 selects x2 (a + 1), x0 = 0 selects x1
    return n, y, prog


def _two_bit(kind: str) -> Callable[..., tuple[int, np.ndarray, str | None]]:
    def build(n: int | None = None) -> tuple[int, np.ndarray, str | None]:
        n = 4 if n is None else int(n)
        if n < 4:
            raise CompareError(f"target {kind!r}: needs n >= 4 inputs (u = x0 + 2 x1, v = x2 + 2 x3), got {n}")
        X = _all_x(n).astype(np.int64)
        u, v = X[:, 0] + 2 * X[:, 1], X[:, 2] + 2 * X[:, 3]
        return n, (u == v) if kind == "equality2" else (u > v), None
    return build


def _random(n: int | None = None, fn_seed: int = 0, p_one: float = 0.5) -> tuple[int, np.ndarray, str | None]:
    n = int(_need({"n": n}, "n", "random"))
    _all_x(n)  # validates n
    y = _rng(fn_seed, 1).random(1 << n) < p_one
    return n, y, None


def _zp(op: str) -> Callable[..., tuple[int, np.ndarray, str | None]]:
    def build(p: int | None = None) -> tuple[int, np.ndarray, str | None]:
        p = int(_need({"p": p}, "p", op))
        if p < 2:
            raise CompareError(f"target {op!r}: need a modulus p >= 2, got p={p}")
        t = np.arange(p * p, dtype=np.int64)
        a, b = t // p, t % p
        y = {"add": a + b, "sub": a - b, "mul": a * b}[op] % p
        return p, y, f"{op}(a, b)"
    return build


TARGETS: Mapping[str, Target] = MappingProxyType({
    "and": Target("and", "bool", _and_or("and"), "AND of x0..x{k-1} (params n, k)"),
    "or": Target("or", "bool", _and_or("or"), "OR of x0..x{k-1} (params n, k)"),
    "parity": Target("parity", "bool", _parity, "XOR of x0..x{k-1}: sparse parity k of n (params n, k)"),
    "majority": Target("majority", "bool", _majority, "majority of x0..x{k-1}, k odd (params n, k)"),
    "threshold": Target("threshold", "bool", _threshold, "x0 + .. + x{k-1} >= t (params n, k, t)"),
    "mux": Target("mux", "bool", _mux, "multiplexer: address x0..x{a-1} selects data bit x{a + addr} "
                  "(params a, n >= a + 2**a)"),
    "equality2": Target("equality2", "bool", _two_bit("equality2"), "x0 + 2 x1 == x2 + 2 x3 (param n >= 4)"),
    "compare2": Target("compare2", "bool", _two_bit("compare2"), "x0 + 2 x1 > x2 + 2 x3 (param n >= 4)"),
    "random": Target("random", "bool", _random, "seeded uniformly random function (params n, fn_seed, p_one)"),
    "add": Target("add", "zp", _zp("add"), "a + b mod p (param p)"),
    "sub": Target("sub", "zp", _zp("sub"), "a - b mod p (param p)"),
    "mul": Target("mul", "zp", _zp("mul"), "a * b mod p (param p)"),
})


# ----------------------------------------------------------------------------------------------- Task

class Dataset(NamedTuple):
    """Tensors a network trains on: inputs (encoded) and labels for the train and held-out points."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any


@dataclass(frozen=True, eq=False)
class Task:
    """A domain, a target's labels on it, and a seeded train / held-out split.

    Build one with `make_task`, `Task.from_program`, `Task.from_table`, or `Task.from_examples` (a user's
    own examples). ``labels`` covers the *whole* domain (the held-out truth); ``train_idx`` are the points
    a network (and `train_spec`) sees; ``test_idx`` the held-out points used for accuracy (the whole
    complement when the domain has at most 2**16 points, else a seeded sample of it -- see ``test_note``).
    ``known`` (None: everywhere) marks the points where the target's label is known: a task made from
    examples knows its target only on the examples and on labelled queries; elsewhere ``labels`` holds a
    placeholder 0 that is never reported as the target (see `target_known`).
    """

    name: str
    domain: str
    n_inputs: int
    labels: np.ndarray = field(repr=False)
    train_idx: np.ndarray = field(repr=False)
    test_idx: np.ndarray = field(repr=False)
    p: int | None = None
    encoding: str = "01"
    seed: int = 0
    program_text: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    known: np.ndarray | None = field(default=None, repr=False)

    # -------------------------------------------------------------- construction
    @classmethod
    def _build(cls, name: str, domain: str, n_or_p: int, labels: np.ndarray, *, program_text: str | None,
               train_fraction: float | None, train_count: int | None, seed: int, encoding: str,
               max_test: int, params: Mapping[str, Any]) -> "Task":
        if encoding not in ("01", "pm1"):
            raise CompareError(f"task {name!r}: encoding must be '01' or 'pm1', got {encoding!r}")
        if domain == "zp":
            p, n = n_or_p, 2
            size = p * p
        else:
            p, n = None, n_or_p
            size = 1 << n
        labels = np.asarray(labels)
        labels = labels.astype(bool) if domain == "bool" else labels.astype(np.int64)
        if labels.shape != (size,):
            raise CompareError(f"task {name!r}: labels must have shape ({size},), got {labels.shape}")
        if train_fraction is not None and train_count is not None:
            raise CompareError(f"task {name!r}: give train_fraction or train_count, not both")
        if train_count is None:
            frac = 0.5 if train_fraction is None else float(train_fraction)
            if not 0.0 < frac <= 1.0:
                raise CompareError(f"task {name!r}: train_fraction must be in (0, 1], got {train_fraction!r}")
            train_count = max(1, int(round(frac * size)))
        train_count = int(train_count)
        if not 1 <= train_count <= size:
            raise CompareError(f"task {name!r}: train_count must be in 1..{size}, got {train_count}")
        rng = _rng(seed, 2)
        train_idx = np.sort(rng.choice(size, size=train_count, replace=False)).astype(np.int64)
        mask = np.ones(size, dtype=bool)
        mask[train_idx] = False
        rest = np.flatnonzero(mask).astype(np.int64)
        if size > _EXHAUSTIVE_TEST and len(rest) > max_test:
            rest = np.sort(rng.choice(rest, size=max_test, replace=False)).astype(np.int64)
        labels.setflags(write=False)
        train_idx.setflags(write=False)
        rest.setflags(write=False)
        return cls(name=name, domain=domain, n_inputs=n, labels=labels, train_idx=train_idx, test_idx=rest,
                   p=p, encoding=encoding, seed=int(seed), program_text=program_text, params=dict(params))

    @classmethod
    def from_table(cls, table: int, n_inputs: int, train_fraction: float | None = None, seed: int = 0, *,
                   train_count: int | None = None, encoding: str = "01", name: str | None = None,
                   max_test: int = 4096) -> "Task":
        """Task whose target is the Boolean function with truth table ``table`` (bit t = f(x), x_i = (t >> i) & 1)."""
        if not 1 <= n_inputs <= _MAX_BOOL_INPUTS:
            raise CompareError(f"Task.from_table: need 1 <= n_inputs <= {_MAX_BOOL_INPUTS}, got {n_inputs}")
        if not 0 <= int(table) < (1 << (1 << n_inputs)):
            raise CompareError(f"Task.from_table: table {table:#x} has bits beyond 2**{n_inputs} points")
        return cls._build(name or f"table({int(table):#x}, n={n_inputs})", "bool", n_inputs,
                          labels_from_table(table, n_inputs), program_text=None, train_fraction=train_fraction,
                          train_count=train_count, seed=seed, encoding=encoding, max_test=max_test,
                          params={"table": hex(int(table)), "n": n_inputs})

    @classmethod
    def from_program(cls, program: Any, n_inputs: int | None = None, train_fraction: float | None = None,
                     seed: int = 0, *, p: int | None = None, train_count: int | None = None,
                     encoding: str = "01", name: str | None = None, max_test: int = 4096) -> "Task":
        """Task whose target is a `synth.Program` (or program text, parsed with ``n_inputs`` / ``p``)."""

        if isinstance(program, str):
            try:
                program = synth.Program.parse(program, n_inputs, p=p) if p else synth.Program.parse(program,
                                                                                                  n_inputs)
            except synth.SynthError as exc:
                raise CompareError(f"Task.from_program: cannot parse program {program!r}: {exc}") from exc
        prog_p = getattr(program, "p", None)
        text = str(program)
        if prog_p:
            t = np.arange(prog_p * prog_p, dtype=np.int64)
            labels = np.asarray(program.evaluate(np.stack([t // prog_p, t % prog_p], 1))) % prog_p
            return cls._build(name or text, "zp", int(prog_p), labels, program_text=text,
                              train_fraction=train_fraction, train_count=train_count, seed=seed,
                              encoding=encoding, max_test=max_test, params={"program": text, "p": prog_p})
        n = program.n_inputs if n_inputs is None else int(n_inputs)
        if n < program.n_inputs:
            raise CompareError(f"Task.from_program: n_inputs={n} but the program reads {program.n_inputs} inputs")
        X = _all_x(n)
        labels = np.asarray(program.evaluate(X[:, :program.n_inputs])).astype(bool)
        return cls._build(name or text, "bool", n, labels, program_text=text, train_fraction=train_fraction,
                          train_count=train_count, seed=seed, encoding=encoding, max_test=max_test,
                          params={"program": text, "n": n})

    @classmethod
    def from_examples(cls, X: Any, y: Any, *, queries: Any = None, query_labels: Any = None,
                      name: str | None = None, encoding: str = "01", seed: int = 0,
                      max_test: int = 4096) -> "Task":
        """A Boolean task from a user's own examples: ``X`` (examples x inputs, 0/1) and labels ``y`` (0/1).

        The examples are the training points (repeated rows with the same label are kept once). The
        held-out points are ``queries`` (rows of 0/1 inputs, none of them an example) when given, else every
        other point of the domain (a seeded sample of ``max_test`` of them above 2**16 points). The target
        is known on the examples and, when ``query_labels`` are given, on the queries; elsewhere it is
        unknown, and comparisons say so (`target_known`) instead of quoting agreement with a target.

        Values are checked by `synth.Spec` (a ragged ``X``, a value other than 0/1, a row count that
        differs between ``X`` and ``y``, one input with two labels); each problem is a `CompareError`
        naming the argument (``X`` = inputs, ``y`` = outputs) and the row.

        >>> t = Task.from_examples([[0, 0], [0, 1], [1, 0]], [0, 1, 1])
        >>> t.train_idx.tolist(), t.test_idx.tolist(), t.target_known, t.target_known_at(t.train_idx)
        ([0, 1, 2], [3], False, True)
        >>> Task.from_examples([[0, 1], [0, 1]], [0, 1])
        Traceback (most recent call last):
        compare.errors.CompareError: Task.from_examples (X = inputs, y = outputs): input [0, 1] is given two outputs (0 at row 0, 1 at row 1)
        """

        if query_labels is not None and queries is None:
            raise CompareError("Task.from_examples: query_labels given without queries")
        try:
            spec = synth.Spec.from_examples(X, y, source="Task.from_examples (X = inputs, y = outputs)")
            n = spec.n_inputs
            Qx, Qy = np.zeros((0, n), dtype=np.uint8), None
            if queries is not None and query_labels is not None:
                qspec = synth.Spec.from_examples(queries, query_labels, source="Task.from_examples (queries = "
                                                 "inputs, query_labels = outputs)")
                Qx, Qy = qspec.X, qspec.y
            elif queries is not None:
                Qx = synth.Spec(spec.X, spec.y, queries, source="Task.from_examples (queries)").queries
        except synth.SynthError as exc:
            raise CompareError(str(exc)) from None
        if spec.n_outputs != 1 or (Qy is not None and Qy.ndim != 1):
            raise CompareError("Task.from_examples: y and query_labels must be one 0/1 label per row")
        if Qx.shape[1] != n:
            raise CompareError(f"Task.from_examples: queries have {Qx.shape[1]} columns but X has {n} inputs")
        if not 1 <= n <= _MAX_BOOL_INPUTS:
            raise CompareError(f"Task.from_examples: X has {n} inputs; a Boolean task's domain of 2**n points "
                               f"allows 1 <= n <= {_MAX_BOOL_INPUTS}")
        size = 1 << n
        weights = np.int64(1) << np.arange(n, dtype=np.int64)
        t_train = spec.X.astype(np.int64) @ weights
        labels = np.zeros(size, dtype=bool)
        known = np.zeros(size, dtype=bool)
        labels[t_train] = spec.y.astype(bool)
        known[t_train] = True
        if queries is not None:
            t_q = Qx.astype(np.int64) @ weights     # duplicate query rows were dropped by Spec
            clash = np.flatnonzero(known[t_q])
            if len(clash):
                row = Qx[clash[0]].tolist()
                raise CompareError(f"Task.from_examples: queries row {row} is also an example in X (held-out "
                                   f"points must be new inputs)")
            order = np.argsort(t_q, kind="stable")
            test_idx = t_q[order]
            if Qy is not None:
                labels[test_idx] = Qy[order].astype(bool)
                known[test_idx] = True
        else:
            test_idx = np.flatnonzero(~known).astype(np.int64)
            if size > _EXHAUSTIVE_TEST and len(test_idx) > max_test:
                test_idx = np.sort(_rng(seed, 2).choice(test_idx, size=max_test, replace=False)).astype(np.int64)
        if encoding not in ("01", "pm1"):
            raise CompareError(f"Task.from_examples: encoding must be '01' or 'pm1', got {encoding!r}")
        train_idx = np.sort(t_train).astype(np.int64)
        known_mask = None if known.all() else known
        for arr in (labels, train_idx, test_idx, known):
            arr.setflags(write=False)
        n_known = int(known.sum())
        return cls(name=name or f"examples({len(train_idx)} of {size} points)", domain="bool", n_inputs=n,
                   labels=labels, train_idx=train_idx, test_idx=test_idx.astype(np.int64), p=None,
                   encoding=encoding, seed=int(seed), program_text=None,
                   params={"n": n, "examples": int(len(train_idx)), "queries": int(len(test_idx)),
                           "target_known_points": n_known}, known=known_mask)

    @classmethod
    def from_csv(cls, path: str | Any, *, queries: str | Any | None = None, queries_labelled: bool = False,
                 name: str | None = None, encoding: str = "01", seed: int = 0, max_test: int = 4096) -> "Task":
        """`from_examples` of a CSV file read by `synth.Spec.from_csv` (one 0/1 column per input, the label
        last; an optional header row; ``#`` comments). ``queries``: a CSV of held-out inputs (a label
        column is ignored) or, with ``queries_labelled``, of held-out inputs and their labels (the target
        is then known there)."""

        try:
            spec = synth.Spec.from_csv(path)
            Q, QL = None, None
            if queries is not None and queries_labelled:
                labelled = synth.Spec.from_csv(queries)
                if labelled.n_inputs != spec.n_inputs:
                    raise CompareError(f"{queries}: {labelled.n_inputs} input columns and a label, but the "
                                       f"examples in {path} have {spec.n_inputs} inputs")
                Q, QL = labelled.X, labelled.y
            elif queries is not None:
                Q = synth.Spec.from_csv(path, queries).queries
        except synth.SynthError as exc:
            raise CompareError(str(exc)) from None
        return cls.from_examples(spec.X, spec.y, queries=Q, query_labels=QL, name=name or str(path),
                                 encoding=encoding, seed=seed, max_test=max_test)

    # -------------------------------------------------------------- views
    @property
    def target_known(self) -> bool:
        """True when the target's label is known on the whole domain."""
        return self.known is None

    def target_known_at(self, idx: np.ndarray) -> bool:
        """True when the target's label is known at every domain point in ``idx``."""
        return self.known is None or bool(self.known[np.asarray(idx, dtype=np.int64)].all())

    @property
    def domain_size(self) -> int:
        """Number of points in the domain (2**n or p**2)."""
        return len(self.labels)

    @property
    def n_classes(self) -> int:
        """2 for Boolean tasks, p for Z_p tasks."""
        return 2 if self.domain == "bool" else int(self.p)

    @property
    def test_note(self) -> str:
        """How the held-out set was chosen (the whole complement of the train set, or a sample of it)."""
        rest = self.domain_size - len(self.train_idx)
        if len(self.test_idx) == rest:
            return f"held-out = all {rest} points outside the train set"
        return f"held-out = seeded sample of {len(self.test_idx)} of the {rest} points outside the train set"

    @cached_property
    def table(self) -> int:
        """Truth table of the target (Boolean tasks)."""
        if self.domain != "bool":
            raise CompareError(f"task {self.name!r}: a Z_p task has no Boolean truth table")
        if not self.target_known:
            raise CompareError(f"task {self.name!r}: the target is known on {int(self.known.sum())} of "
                               f"{self.domain_size} points only, so it has no truth table")
        return table_from_labels(self.labels)

    @cached_property
    def care(self) -> int:
        """Bit mask of the training points (the points a synthesizer's spec constrains)."""
        mask = np.zeros(self.domain_size, dtype=bool)
        mask[self.train_idx] = True
        return table_from_labels(mask)

    def inputs(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Raw inputs of domain points (all when ``idx`` is None): 0/1 uint8 rows, or (a, b) int rows for Z_p."""
        idx = np.arange(self.domain_size, dtype=np.int64) if idx is None else np.asarray(idx, dtype=np.int64)
        if self.domain == "zp":
            return np.stack([idx // self.p, idx % self.p], 1)
        return bool_inputs(idx, self.n_inputs)

    def encode(self, X: np.ndarray) -> Any:
        """Network inputs for raw inputs: float tensor in {0,1} or {-1,+1} (Boolean); long tensor (Z_p)."""
        import torch

        X = np.asarray(X)
        if self.domain == "zp":
            return torch.as_tensor(X, dtype=torch.long)
        Xf = torch.as_tensor(X.astype(np.float32))
        return Xf * 2 - 1 if self.encoding == "pm1" else Xf

    def dataset(self) -> Dataset:
        """The train and held-out tensors (inputs encoded; labels long: 0/1 or residues mod p); the
        held-out tensors hold only the points whose label is known (none when the target is unknown)."""
        import torch

        def lab(idx: np.ndarray) -> Any:
            return torch.as_tensor(self.labels[idx].astype(np.int64))

        test = self.test_idx if self.known is None else self.test_idx[self.known[self.test_idx]]
        return Dataset(self.encode(self.inputs(self.train_idx)), lab(self.train_idx),
                       self.encode(self.inputs(test)), lab(test))

    def train_spec(self, *, queries: bool = True) -> Any:
        """`synth.Spec` holding exactly the training examples the network sees (held-out points as queries)."""

        X = self.inputs(self.train_idx).astype(np.int64)
        y = self.labels[self.train_idx].astype(np.int64)
        Q = self.inputs(self.test_idx).astype(np.int64) if queries else None
        return synth.Spec.from_examples(X, y, Q, p=self.p, source=f"task {self.name} (train split, seed {self.seed})")

    def key(self) -> str:
        """Stable hash of everything that defines the task's data (for caches and run folders)."""
        h = hashlib.sha256()
        h.update(f"{self.domain}|{self.n_inputs}|{self.p}|{self.encoding}|".encode())
        for arr in (self.labels, self.train_idx, self.test_idx):
            h.update(np.ascontiguousarray(arr).tobytes())
        if self.known is not None:
            h.update(b"known|" + np.ascontiguousarray(self.known).tobytes())
        return h.hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able record of the task (for manifests)."""
        return {"name": self.name, "domain": self.domain, "n_inputs": self.n_inputs, "p": self.p,
                "encoding": self.encoding, "seed": self.seed, "n_train": int(len(self.train_idx)),
                "n_test": int(len(self.test_idx)), "test_note": self.test_note, "program": self.program_text,
                "params": dict(self.params), "key": self.key(),
                **({} if self.known is None else {"target_known_points": int(self.known.sum())})}

    @cached_property
    def target_program(self) -> Any:
        """The target as a `synth.Program` when one is known (None otherwise)."""
        if self.program_text is None:
            return None

        if self.domain == "zp":
            return synth.Program.parse(self.program_text, p=self.p)
        return synth.Program.parse(self.program_text, self.n_inputs)


_INT_PARAMS = ("n", "k", "t", "a", "p", "fn_seed")


def _whole_param(target: str, key: str, value: Any) -> Any:
    """An integer parameter of a target as an int: floats, bools and strings are refused (4.7 is not 4)."""
    if key not in _INT_PARAMS or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise CompareError(f"target {target!r}: parameter {key} must be an integer, got {value!r}")
    if key == "fn_seed" and value < 0:
        raise CompareError(f"target {target!r}: parameter fn_seed must be >= 0, got {value!r}")
    return int(value)


def make_task(target: str | Any, *, train_fraction: float | None = None, train_count: int | None = None,
              seed: int = 0, encoding: str = "01", max_test: int = 4096, **params: Any) -> Task:
    """Task for a named target in `TARGETS` (params such as n, k, t, a, p, fn_seed) or for a program."""
    if not isinstance(target, str) or target not in TARGETS:
        if isinstance(target, str) and "(" not in target:
            raise CompareError(f"unknown target {target!r} (known: {', '.join(TARGETS)}; or give program text)")
        return Task.from_program(target, params.pop("n", None), train_fraction, seed, p=params.pop("p", None),
                                 train_count=train_count, encoding=encoding, max_test=max_test)
    spec = TARGETS[target]
    params = {k: _whole_param(target, k, v) for k, v in params.items()}
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CompareError(f"target {target!r}: seed must be an integer >= 0, got {seed!r}")
    if params.get("p") is not None and params["p"] > _MAX_MODULUS:
        raise CompareError(f"target {target!r}: modulus p={params['p']} is above the limit {_MAX_MODULUS} "
                           "(synth.dsl.MAX_MODULUS; the task holds all p*p pairs)")
    known = list(inspect.signature(spec.build).parameters)
    unknown = [k for k in params if k not in known]
    if unknown:
        raise CompareError(f"target {target!r}: bad parameters: unknown parameter {unknown[0]!r} (its parameters: "
                           f"{', '.join(known)}; {spec.doc})")
    try:
        n_or_p, labels, text = spec.build(**params)
    except TypeError as exc:
        raise CompareError(f"target {target!r}: bad parameters {params}: {exc} ({spec.doc})") from None
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    return Task._build(f"{target}({shown})", spec.domain, n_or_p, labels, program_text=text,
                       train_fraction=train_fraction, train_count=train_count, seed=seed, encoding=encoding,
                       max_test=max_test, params=params)
