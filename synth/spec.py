"""Spec: what a program must do — training examples (inputs → outputs) and held-out queries.

Boolean specs hold 0/1 values; Z_p specs (``p`` set) hold values in Z_p. A spec has one output (``y`` of
shape (m,)) or several (``y`` of shape (m, k), k >= 2); an engine that handles one output checks
``spec.n_outputs``. Every constructor checks what it is given and names the argument, file and line of
a bad value.

>>> s = Spec.from_table(0x96, 3)                    # 3-bit parity, every point known
>>> s.n_inputs, s.n_examples, s.n_queries
(3, 8, 0)
>>> s = Spec.from_table(0x96, 3, care=0x0f)         # only the first 4 points known
>>> s.n_examples, s.n_queries
(4, 4)
>>> s = Spec.from_tables((0x6, 0x8), 2)             # half adder: sum and carry
>>> s.n_outputs, s.y.shape, s.y[3].tolist()
(2, (4, 2), [0, 1])
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .dsl import MAX_INPUTS, MAX_MODULUS, MAX_NODES, Program, as_int, short_repr
from .errors import SynthError
from .semantics import MAX_TABLE_INPUTS

__all__ = ["Spec"]


def _all_points(n: int) -> np.ndarray:
    """All 2^n points in truth-table order (row t has x_i = (t >> i) & 1), as uint8."""
    t = np.arange(1 << n, dtype=np.int64)
    out = np.empty((1 << n, n), dtype=np.uint8)
    for i in range(n):
        out[:, i] = (t >> i) & 1
    return out


def _hex(v: int) -> str:
    return f"{v:#x}" if v.bit_length() <= 64 else f"an integer of {v.bit_length()} bits"


def _row(values) -> str:
    """A row of values for a message (long rows cut)."""
    vals = np.asarray(values).tolist()
    if not isinstance(vals, list):
        return str(vals)
    return str(vals) if len(vals) <= 16 else str(vals[:16])[:-1] + ", ...]"


def _asarray(values, name: str, where: str) -> np.ndarray:
    """``values`` as a numpy array of bools, integers, floats or Python ints; ragged lists, strings and
    other objects refused."""
    try:
        arr = np.asarray(values)
    except ValueError:
        raise SynthError(f"{where}: {name} have rows of different lengths (a ragged list)") from None
    if arr.dtype.kind in "biuf":
        return arr
    if arr.dtype.kind == "O":
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise SynthError(f"{where}: {name} must be integers; found {short_repr(v)} "
                                 f"({type(v).__name__}) at {_at(idx)}")
        return arr
    first = arr.ravel()[0].tolist() if arr.size else ""
    raise SynthError(f"{where}: {name} must be integers, got values of type {arr.dtype} "
                     f"(e.g. {short_repr(first)})")


def _at(idx: tuple) -> str:
    return f"row {idx[0]}" + (f", column {idx[1]}" if len(idx) > 1 else "") if idx else "the only entry"


def _in_domain(arr: np.ndarray, name: str, where: str, p: int | None) -> np.ndarray:
    """Check that every value is an integer of the domain; return the array with an integer dtype."""
    hi = 2 if p is None else p
    dom = "0/1" if p is None else f"in 0..{p - 1}"
    if not arr.size:
        return arr.astype(np.int64)
    if arr.dtype.kind == "O":
        for idx, v in np.ndenumerate(arr):
            if not 0 <= int(v) < hi:
                shown = int(v) if abs(int(v)) < 1 << 64 else f"an integer of {int(v).bit_length()} bits"
                raise SynthError(f"{where}: {name} must be {dom}; found {shown} at {_at(idx)}")
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        bad = ~finite
        bad[finite] = np.mod(arr[finite], 1) != 0
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise SynthError(f"{where}: {name} must be integers; found {arr[idx]} at {_at(idx)}")
    bad = (arr < 0) | (arr >= hi)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        v = arr[idx]
        raise SynthError(f"{where}: {name} must be {dom}; found {int(v) if arr.dtype.kind != 'f' else v} "
                         f"at {_at(idx)}")
    return arr if arr.dtype.kind in "iu" else arr.astype(np.int64)


def _first_equal(X: np.ndarray, hi: int) -> np.ndarray:
    """For each row of X (values in 0..hi-1), the index of the first row equal to it."""
    m, n = X.shape
    if n == 0:
        return np.zeros(m, dtype=np.int64)
    if hi ** n < 2**63:   # one int64 per row (Boolean rows of up to 62 inputs): a fast sort
        rows = X.astype(np.int64) @ (hi ** np.arange(n, dtype=np.int64))
    else:
        rows = np.ascontiguousarray(X).view(np.dtype((np.void, X.dtype.itemsize * n))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return first[inverse.ravel()]


def _conflict(X: np.ndarray, y: np.ndarray, rep: np.ndarray) -> tuple[int, int] | None:
    """(j, i): the first row i whose output differs from that of the first equal input row j."""
    diff = y != y[rep]
    if diff.ndim == 2:
        diff = diff.any(axis=1)
    if not diff.any():
        return None
    i = int(np.argmax(diff))
    return int(rep[i]), i


@dataclass(frozen=True, eq=False)
class Spec:
    """Training examples ``X -> y`` and held-out ``queries`` (inputs whose outputs are to be predicted).

    ``X``: (m, n) inputs; ``y``: (m,) outputs, or (m, k) for k >= 2 outputs (a 2-d ``y`` of one column is
    read as one output); ``queries``: (q, n); ``query_targets``: the true outputs at the queries, when
    known. Build one with `from_table`, `from_tables`, `from_examples`, `from_csv` or `from_program`; the
    constructor checks shapes, values (integers of the domain; at most `synth.dsl.MAX_INPUTS` inputs) and
    contradictions, and drops repeated rows. ``source`` says where the data came from (for messages).
    """

    X: np.ndarray
    y: np.ndarray
    queries: np.ndarray
    p: int | None = None
    source: str = "examples"
    query_targets: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.source, str):
            raise SynthError(f"Spec source must be a string, got {type(self.source).__name__}")
        where = self.source
        p = self.p
        if p is not None:
            p = as_int(p, f"{where}: modulus p", lo=2, hi=MAX_MODULUS, limit="synth.dsl.MAX_MODULUS")
        X = _asarray(self.X, "inputs", where)
        y = _asarray(self.y, "outputs", where)
        Q = _asarray(self.queries, "queries", where)
        if X.ndim != 2:
            raise SynthError(f"{where}: inputs must be a 2-d array (examples x inputs), got shape {X.shape}")
        if X.shape[0] == 0:
            raise SynthError(f"{where}: no examples (empty data)")
        m, n = X.shape
        if n > MAX_INPUTS:
            raise SynthError(f"{where}: {n} inputs, more than the limit synth.dsl.MAX_INPUTS = {MAX_INPUTS}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim not in (1, 2) or y.shape[0] != m or (y.ndim == 2 and y.shape[1] == 0):
            raise SynthError(f"{where}: {m} input rows but outputs have shape {y.shape} (expected ({m},) "
                             f"or ({m}, k))")
        if y.ndim == 2 and y.shape[1] > MAX_NODES:
            raise SynthError(f"{where}: {y.shape[1]} outputs, more than the limit synth.dsl.MAX_NODES = "
                             f"{MAX_NODES}")
        if Q.size == 0:
            Q = np.zeros((0, n), dtype=np.int64)
        if Q.ndim != 2 or Q.shape[1] != n:
            raise SynthError(f"{where}: queries must have shape (q, {n}), got {Q.shape}")
        X = _in_domain(X, "inputs", where, p)
        y = _in_domain(y, "outputs", where, p)
        Q = _in_domain(Q, "queries", where, p)
        T = None
        if self.query_targets is not None:
            T = _asarray(self.query_targets, "query_targets", where)
            if T.ndim == 2 and T.shape[1] == 1 and y.ndim == 1:
                T = T[:, 0]
            if T.shape != (Q.shape[0],) + y.shape[1:]:
                raise SynthError(f"{where}: query_targets must have shape {(Q.shape[0],) + y.shape[1:]} "
                                 f"(one per query), got {T.shape}")
            T = _in_domain(T, "query_targets", where, p)
        dt = np.uint8 if p is None or p <= 256 else np.int64
        X, y, Q = X.astype(dt), y.astype(dt), Q.astype(dt)
        T = T.astype(dt) if T is not None else None
        # contradictions and repeated rows
        rep = _first_equal(X, 2 if p is None else p)
        bad = _conflict(X, y, rep)
        if bad is not None:
            j, i = bad
            raise SynthError(f"{where}: input {_row(X[i])} is given two outputs "
                             f"({_row(y[j])} at row {j}, {_row(y[i])} at row {i})")
        keep = rep == np.arange(m)
        if not keep.all():
            X, y = X[keep], y[keep]
        if Q.shape[0]:
            qkeep = _first_equal(Q, 2 if p is None else p) == np.arange(Q.shape[0])
            if not qkeep.all():
                Q = Q[qkeep]
                T = T[qkeep] if T is not None else None
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "queries", Q)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "query_targets", T)

    # -- properties --------------------------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        """1 when ``y`` has shape (m,), k when it has shape (m, k)."""
        return 1 if self.y.ndim == 1 else self.y.shape[1]

    @property
    def n_examples(self) -> int:
        return self.X.shape[0]

    @property
    def n_queries(self) -> int:
        return self.queries.shape[0]

    @property
    def is_boolean(self) -> bool:
        return self.p is None

    def digest(self, *, examples_only: bool = False) -> str:
        """A SHA-256 of the examples, queries and modulus: equal for equal specs (a key for reusing results).
        ``examples_only``: of the examples and modulus alone (what the size of a consistent program depends on).

        >>> Spec.from_table(0x6, 2).digest() == Spec.from_table(0x6, 2).digest() != Spec.from_table(0x8, 2).digest()
        True
        """
        if examples_only:
            h = hashlib.sha256(repr((self.p, self.X.shape, self.y.shape)).encode())
            for a in (self.X, self.y):
                h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
            return h.hexdigest()
        h = hashlib.sha256(repr((self.p, self.X.shape, self.y.shape, self.queries.shape)).encode())
        for a in (self.X, self.y, self.queries, self.query_targets):
            h.update(b"-" if a is None else np.ascontiguousarray(a, dtype=np.int64).tobytes())
        return h.hexdigest()

    def covers_domain(self) -> bool:
        """True when examples and queries together are every point of {0,1}^n."""
        if self.p is not None or self.n_inputs > MAX_TABLE_INPUTS:
            return False
        return len(self.points_index()) == (1 << self.n_inputs)

    def points_index(self) -> dict[int, int]:
        """Map from a Boolean point's index t (x_i = (t >> i) & 1) to its row in ``points()``."""
        if self.p is not None or self.n_inputs > 62:
            raise SynthError(f"points_index() is for Boolean specs of at most 62 inputs; this one is "
                             f"{'Z_%d' % self.p if self.p else 'Boolean'} with {self.n_inputs} inputs")
        pts = self.points()
        weights = (1 << np.arange(self.n_inputs, dtype=np.int64))
        ts = pts.astype(np.int64) @ weights if self.n_inputs else np.zeros(len(pts), np.int64)
        return {int(t): i for i, t in enumerate(ts)}

    def points(self) -> np.ndarray:
        """Examples followed by the queries that are not examples: the points a search evaluates on."""
        if not self.n_queries:
            return self.X
        seen = {r.tobytes() for r in self.X}
        extra = [r for r in self.queries if r.tobytes() not in seen]
        return np.concatenate([self.X, np.array(extra, dtype=self.X.dtype).reshape(-1, self.n_inputs)])

    def with_queries(self, queries) -> "Spec":
        """The same examples with other held-out queries."""
        return Spec(self.X, self.y, queries, p=self.p, source=self.source)

    def __repr__(self) -> str:
        dom = "Boolean" if self.p is None else f"Z_{self.p}"
        outs = f", outputs={self.n_outputs}" if self.n_outputs > 1 else ""
        return (f"Spec({dom}, n_inputs={self.n_inputs}{outs}, examples={self.n_examples}, "
                f"queries={self.n_queries}, source={self.source!r})")

    # -- constructors --------------------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: int, n: int, care: int | None = None) -> "Spec":
        """A truth table over n inputs; ``care`` masks the known points (the rest become queries)."""
        n, m, care, cm = _table_domain(n, care)
        table = _table_bits(table, n, m, "truth table")
        src = f"table {_hex(table)} over {n} inputs" + ("" if care == (1 << m) - 1 else f" (care {_hex(care)})")
        pts = _all_points(n)
        return cls(pts[cm], _bits(table, m)[cm], pts[~cm], source=src, query_targets=None)

    @classmethod
    def from_tables(cls, tables, n: int, care: int | None = None) -> "Spec":
        """Several outputs from one truth table each (``tables[j]`` is output j over n inputs); ``care``
        masks the known points of every output (the rest become queries)."""
        n, m, care, cm = _table_domain(n, care)
        if isinstance(tables, (str, bytes, int, np.integer)) or not hasattr(tables, "__iter__"):
            raise SynthError("tables must be a sequence of truth tables, one per output, got "
                             f"{short_repr(tables)} (for one table use from_table)")
        tables = list(tables)
        if not tables:
            raise SynthError("tables is empty: give one truth table per output")
        if len(tables) > MAX_NODES:
            raise SynthError(f"{len(tables)} tables, more than the limit synth.dsl.MAX_NODES = {MAX_NODES}")
        tables = [_table_bits(t, n, m, f"truth table {j} (output {j})") for j, t in enumerate(tables)]
        y = np.stack([_bits(t, m) for t in tables], axis=1)
        src = f"tables ({', '.join(_hex(t) for t in tables[:8])}{', ...' if len(tables) > 8 else ''}) " \
              f"over {n} inputs" + ("" if care == (1 << m) - 1 else f" (care {_hex(care)})")
        pts = _all_points(n)
        return cls(pts[cm], y[cm], pts[~cm], source=src, query_targets=None)

    @classmethod
    def from_examples(cls, X, y, queries=None, *, p: int | None = None, source: str = "examples") -> "Spec":
        """Examples as arrays: X (m, n) and y (m,), or (m, k) for k outputs; optional held-out queries
        (q, n)."""
        where = source if isinstance(source, str) else "examples"
        X = _asarray(X, "inputs", where)
        if X.ndim == 1:
            X = X[:, None]
        Q = np.zeros((0, X.shape[1] if X.ndim == 2 else 0)) if queries is None else queries
        return cls(X, y, Q, p=p, source=source)

    @classmethod
    def from_csv(cls, path: str | Path, queries: str | Path | None = None, *, p: int | None = None,
                 n_outputs: int = 1) -> "Spec":
        """Examples from a CSV file: one column per input, the last ``n_outputs`` columns the outputs; a
        header row of names is optional (recognised only when no cell is a number), a UTF-8 byte-order
        mark is skipped, blank lines and lines starting with ``#`` are ignored. ``queries``: a CSV of
        inputs only (or with ignored output columns)."""
        if p is not None:
            p = as_int(p, "modulus p", lo=2, hi=MAX_MODULUS, limit="synth.dsl.MAX_MODULUS")
        n_outputs = as_int(n_outputs, "n_outputs", lo=1, hi=MAX_NODES, limit="synth.dsl.MAX_NODES")
        path = _as_path(path, "path")
        X, y, lines = _read_csv(path, p=p, n_outputs=n_outputs)
        rep = _first_equal(X, 2 if p is None else p)
        bad = _conflict(X, y, rep)
        if bad is not None:
            j, i = bad
            raise SynthError(f"{path}, line {lines[i]}: input {_row(X[i])} is given two outputs "
                             f"({_row(y[j])} on line {lines[j]}, {_row(y[i])} on line {lines[i]})")
        Q = np.zeros((0, X.shape[1]), dtype=np.int64)
        if queries is not None:
            Q, _, _ = _read_csv(_as_path(queries, "queries"), p=p, n_outputs=n_outputs, n_inputs=X.shape[1])
        return cls(X, y, Q, p=p, source=str(path))

    @classmethod
    def from_program(cls, program, train_fraction: float = 0.5, seed: int = 0,
                     n_train: int | None = None) -> "Spec":
        """Examples of a target program on a random training split of {0,1}^n; the rest are queries
        (with their true outputs kept in ``query_targets``). Same seed, same split. A program with
        several outputs gives a spec with several outputs."""
        if not isinstance(program, Program) or program.p is not None:
            raise SynthError("from_program needs a Boolean synth.Program")
        n = program.n_inputs
        if n > 20:
            raise SynthError(f"from_program enumerates all 2^n points; n = {n} is too many (limit 20)")
        seed = as_int(seed, "seed", lo=0)
        m = 1 << n
        if n_train is None:
            if isinstance(train_fraction, (bool, np.bool_)) or \
                    not isinstance(train_fraction, (int, float, np.integer, np.floating)) or \
                    not (0 < train_fraction <= 1):
                raise SynthError("train_fraction must be a number in (0, 1], got "
                                 f"{short_repr(train_fraction)}")
            n_train = max(1, int(round(train_fraction * m)))
        n_train = as_int(n_train, "n_train", lo=1, hi=m)
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        order = rng.permutation(m)
        train, held = np.sort(order[:n_train]), np.sort(order[n_train:])
        pts = _all_points(n)
        y = program.evaluate(pts).astype(np.uint8)
        return cls(pts[train], y[train], pts[held], source=f"program {program} (seed {seed})",
                   query_targets=y[held])

    def description_bits(self) -> float:
        """log2 of the number of functions consistent with the examples on the evaluated points."""
        per_point = self.n_outputs * (1.0 if self.p is None else math.log2(self.p))
        return float(self.n_queries) * per_point


# -- truth tables -----------------------------------------------------------------------------------

def _table_domain(n, care) -> tuple[int, int, int, np.ndarray]:
    """n checked, the number of points m, the care mask (int) and its (m,) bool array."""
    n = as_int(n, "n", lo=1)
    if n > MAX_TABLE_INPUTS:
        raise SynthError(f"n = {n} is too large for a full truth table (limit {MAX_TABLE_INPUTS}, "
                         "synth.semantics.MAX_TABLE_INPUTS); give examples instead")
    m = 1 << n
    care = (1 << m) - 1 if care is None else _table_bits(care, n, m, "care mask")
    if care == 0:
        raise SynthError("care mask is 0: no examples (empty data)")
    return n, m, care, _bits(care, m).astype(bool)


def _table_bits(table, n: int, m: int, what: str) -> int:
    if isinstance(table, (bool, np.bool_)) or not isinstance(table, (int, np.integer)):
        raise SynthError(f"{what} must be an integer, got {short_repr(table)} "
                         f"({type(table).__name__})")
    table = int(table)
    if table < 0 or table >> m:
        raise SynthError(f"{what} {_hex(table)} does not fit {n} inputs (must be in 0..2^{m}-1)")
    return table


def _bits(table: int, m: int) -> np.ndarray:
    """Bits 0..m-1 of an int as a uint8 array."""
    if m <= 4096:
        return np.array([(table >> t) & 1 for t in range(m)], dtype=np.uint8)
    return np.unpackbits(np.frombuffer(table.to_bytes(m // 8, "little"), np.uint8), bitorder="little")


# -- CSV --------------------------------------------------------------------------------------------

_CSV_INT = re.compile(r"[+-]?[0-9]+")


def _as_path(path, what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise SynthError(f"{what} must be a file path, got {short_repr(path)}")
    return Path(path)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_header(cells: list[str]) -> bool:
    """A header row names every column: each cell has a letter and is not a number."""
    return all(any(ch.isalpha() or ch == "_" for ch in c) and not _is_number(c) for c in cells)


def _read_csv(path: Path, *, p: int | None, n_outputs: int, n_inputs: int | None = None
              ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(inputs, outputs, line numbers) of a CSV file of integers, every value checked with file:line
    messages. With ``n_inputs`` (a queries file) outputs are not read: the file has ``n_inputs`` columns,
    or ``n_inputs + n_outputs`` whose last ones are ignored."""
    hi = 2 if p is None else p
    dom = "0/1" if p is None else f"in 0..{p - 1}"
    rows: list[list[int]] = []
    line_of: list[int] = []
    header: tuple[int, int] | None = None   # (line, columns)
    width = n_read = n_in = 0
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise SynthError(f"{path}: file not found") from None
    except OSError as e:
        raise SynthError(f"{path}: cannot read the file ({e.strerror or type(e).__name__})") from None
    with fh:
        reader = csv.reader(fh)
        try:
            for rec in reader:
                line = reader.line_num
                cells = [c.strip() for c in rec]
                if not any(cells) or cells[0].startswith("#"):
                    continue
                where = f"{path}, line {line}"
                if not rows and header is None and _is_header(cells):
                    first: dict[str, int] = {}
                    for c, name in enumerate(cells):
                        if name in first:
                            raise SynthError(f"{where}: the header names column {first[name] + 1} and column "
                                             f"{c + 1} both {short_repr(name)}: each column needs its own name")
                        first[name] = c
                    header = (line, len(cells))
                    continue
                if not rows:
                    width = len(cells)
                    if n_inputs is None:
                        if width < n_outputs + 1:
                            hint = " (columns must be separated by commas)" if any(
                                s in cells[0] for s in ";\t|") else ""
                            raise SynthError(f"{where}: {width} column(s); need at least one input column "
                                             f"and {n_outputs} output column(s){hint}")
                        n_in, n_read = width - n_outputs, width
                    else:
                        if width not in (n_inputs, n_inputs + n_outputs):
                            raise SynthError(f"{where}: queries have {width} columns, the examples "
                                             f"{n_inputs} inputs")
                        n_in = n_read = n_inputs
                    if n_in > MAX_INPUTS:
                        raise SynthError(f"{where}: {n_in} input columns, more than the limit "
                                         f"synth.dsl.MAX_INPUTS = {MAX_INPUTS}")
                    if header is not None and header[1] != width:
                        raise SynthError(f"{where}: {width} columns, but the header on line {header[0]} "
                                         f"has {header[1]}")
                elif len(cells) != width:
                    raise SynthError(f"{where}: {len(cells)} columns, expected {width}")
                vals = []
                for c in range(n_read):
                    cell = cells[c]
                    what = "inputs" if c < n_in else "outputs"
                    if not _CSV_INT.fullmatch(cell):
                        shown = repr(cell) if len(cell) <= 30 else repr(cell[:27] + "...")
                        msg = f"values must be integers, got {shown}" if cell else "empty value"
                        if len(cells) == 1 and any(s in cell for s in ";\t|"):
                            msg += " (columns must be separated by commas)"
                        elif cell and _is_number(cell):
                            msg += " (not a whole number)"
                        elif cell and not rows and header is None:
                            msg += " (a header row must name every column, with no numbers)"
                        raise SynthError(f"{where}, column {c + 1}: {msg}")
                    digits = cell.lstrip("+-").lstrip("0") or "0"
                    v = int(digits) if len(digits) <= 6 else hi
                    if cell.startswith("-") and v:
                        v = -v
                    if not 0 <= v < hi:
                        shown = cell if len(cell) <= 30 else f"{cell[:20]}... ({len(digits)} digits)"
                        raise SynthError(f"{where}, column {c + 1}: {what} must be {dom}; found {shown}")
                    vals.append(v)
                rows.append(vals)
                line_of.append(line)
        except UnicodeDecodeError:
            raise SynthError(f"{path}, line {reader.line_num + 1}: not UTF-8 text (is it a CSV file?)") from None
        except csv.Error as e:
            raise SynthError(f"{path}, line {reader.line_num}: not a readable CSV line ({e})") from None
    if not rows:
        after = "" if header is None else f" after the header on line {header[0]}"
        raise SynthError(f"{path}: no data rows{after} (empty data)")
    arr = np.array(rows, dtype=np.int64).reshape(len(rows), n_read)
    if n_inputs is not None:
        return arr, np.zeros(0, dtype=np.int64), line_of
    y = arr[:, n_in:]
    return arr[:, :n_in], (y[:, 0] if n_outputs == 1 else y), line_of
