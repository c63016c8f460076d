"""Spec: what a program must do — training examples (inputs → output) and held-out queries.

Boolean specs hold 0/1 inputs; Z_p specs (``p`` set) hold pairs (a, b) with values in Z_p.

>>> s = Spec.from_table(0x96, 3)                    # 3-bit parity, every point known
>>> s.n_inputs, s.n_examples, s.n_queries
(3, 8, 0)
>>> s = Spec.from_table(0x96, 3, care=0x0f)         # only the first 4 points known
>>> s.n_examples, s.n_queries
(4, 4)
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import SynthError
from .semantics import MAX_TABLE_INPUTS

__all__ = ["Spec"]


def _all_points(n: int) -> np.ndarray:
    """All 2^n points in truth-table order (row t has x_i = (t >> i) & 1)."""
    t = np.arange(1 << n, dtype=np.int64)
    return ((t[:, None] >> np.arange(n)) & 1).astype(np.uint8)


@dataclass(frozen=True, eq=False)
class Spec:
    """Training examples ``X -> y`` and held-out ``queries`` (inputs whose outputs are to be predicted).

    Build one with `from_table`, `from_examples`, `from_csv` or `from_program`; the constructor checks
    shapes, values and contradictions. ``source`` says where the data came from (for messages).
    """

    X: np.ndarray
    y: np.ndarray
    queries: np.ndarray
    p: int | None = None
    source: str = "examples"
    query_targets: np.ndarray | None = field(default=None)  # true outputs at the queries, when known

    def __post_init__(self) -> None:
        X, y, Q = np.asarray(self.X), np.asarray(self.y), np.asarray(self.queries)
        where = self.source
        if X.ndim != 2:
            raise SynthError(f"{where}: inputs must be a 2-d array (examples x inputs), got shape {X.shape}")
        if X.shape[0] == 0:
            raise SynthError(f"{where}: no examples (empty data)")
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise SynthError(f"{where}: {X.shape[0]} input rows but outputs have shape {y.shape}")
        n = X.shape[1]
        if Q.size == 0:
            Q = np.zeros((0, n), dtype=X.dtype)
        if Q.ndim != 2 or Q.shape[1] != n:
            raise SynthError(f"{where}: queries must have shape (q, {n}), got {Q.shape}")
        hi = 2 if self.p is None else self.p
        for name, arr in (("inputs", X), ("outputs", y), ("queries", Q)):
            if arr.size and (not np.issubdtype(arr.dtype, np.integer) and arr.dtype != bool):
                if not np.all(np.mod(arr, 1) == 0):
                    raise SynthError(f"{where}: {name} must be integers")
            if arr.size and (arr.min() < 0 or arr.max() >= hi):
                bad = np.argwhere((arr < 0) | (arr >= hi))[0]
                dom = "0/1" if self.p is None else f"in 0..{self.p - 1}"
                raise SynthError(f"{where}: {name} must be {dom}; found {arr[tuple(bad)]} at row {bad[0]}")
        dt = np.uint8 if self.p is None or self.p <= 256 else np.int64
        X, y, Q = X.astype(dt), y.astype(dt), Q.astype(dt)
        # contradictions and duplicates
        keys: dict[bytes, int] = {}
        keep = []
        for i, row in enumerate(X):
            k = row.tobytes()
            if k in keys:
                j = keys[k]
                if y[j] != y[i]:
                    raise SynthError(f"{where}: input {row.tolist()} is given two outputs "
                                     f"({int(y[j])} at row {j}, {int(y[i])} at row {i})")
                continue
            keys[k] = i
            keep.append(i)
        if len(keep) < X.shape[0]:
            X, y = X[keep], y[keep]
        if Q.shape[0]:
            qk = [r.tobytes() for r in Q]
            _, first = np.unique(np.array(qk, dtype=object), return_index=True) if len(set(qk)) < len(qk) \
                else (None, np.arange(len(qk)))
            Q = Q[np.sort(first)]
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "queries", Q)
        if self.query_targets is not None:
            object.__setattr__(self, "query_targets", np.asarray(self.query_targets).astype(dt))

    # -- properties --------------------------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @property
    def n_examples(self) -> int:
        return self.X.shape[0]

    @property
    def n_queries(self) -> int:
        return self.queries.shape[0]

    @property
    def is_boolean(self) -> bool:
        return self.p is None

    def covers_domain(self) -> bool:
        """True when examples and queries together are every point of {0,1}^n."""
        if self.p is not None or self.n_inputs > MAX_TABLE_INPUTS:
            return False
        return len(self.points_index()) == (1 << self.n_inputs)

    def points_index(self) -> dict[int, int]:
        """Map from a Boolean point's index t (x_i = (t >> i) & 1) to its row in ``points()``."""
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
        return Spec(self.X, self.y, np.asarray(queries), p=self.p, source=self.source)

    def __repr__(self) -> str:
        dom = "Boolean" if self.p is None else f"Z_{self.p}"
        return (f"Spec({dom}, n_inputs={self.n_inputs}, examples={self.n_examples}, "
                f"queries={self.n_queries}, source={self.source!r})")

    # -- constructors --------------------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: int, n: int, care: int | None = None) -> "Spec":
        """A truth table over n inputs; ``care`` masks the known points (the rest become queries)."""
        if not isinstance(n, int) or n < 1:
            raise SynthError(f"n must be an int >= 1, got {n!r}")
        if n > MAX_TABLE_INPUTS:
            raise SynthError(f"n = {n} is too large for a full truth table (limit {MAX_TABLE_INPUTS}); "
                             "give examples instead")
        m = 1 << n
        if not isinstance(table, int) or table < 0 or table >> m:
            raise SynthError(f"truth table {table!r} does not fit {n} inputs (must be in 0..2^{m}-1)")
        care = (1 << m) - 1 if care is None else care
        if not isinstance(care, int) or care < 0 or care >> m:
            raise SynthError(f"care mask {care!r} does not fit {n} inputs")
        if care == 0:
            raise SynthError("care mask is 0: no examples (empty data)")
        pts = _all_points(n)
        bits = np.array([(table >> t) & 1 for t in range(m)], dtype=np.uint8) if m <= 4096 else \
            np.unpackbits(np.frombuffer(table.to_bytes(m // 8, "little"), np.uint8), bitorder="little")
        cm = np.array([(care >> t) & 1 for t in range(m)], dtype=bool) if m <= 4096 else \
            np.unpackbits(np.frombuffer(care.to_bytes(m // 8, "little"), np.uint8), bitorder="little") \
            .astype(bool)
        src = f"table {table:#x} over {n} inputs" + ("" if care == (1 << m) - 1 else f" (care {care:#x})")
        return cls(pts[cm], bits[cm], pts[~cm], source=src, query_targets=None)

    @classmethod
    def from_examples(cls, X, y, queries=None, *, p: int | None = None, source: str = "examples") -> "Spec":
        """Examples as arrays: X (m, n) and y (m,); optional held-out queries (q, n)."""
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim == 1:
            X = X[:, None]
        Q = np.zeros((0, X.shape[1] if X.ndim == 2 else 0)) if queries is None else np.asarray(queries)
        return cls(X, y, Q, p=p, source=source)

    @classmethod
    def from_csv(cls, path: str | Path, queries: str | Path | None = None, *, p: int | None = None) -> "Spec":
        """Examples from a CSV file: one column per input, the last column the output; a header row of
        names is optional. ``queries``: a CSV of inputs only (or with an ignored output column)."""
        X, y, lines = _read_csv(Path(path), with_output=True)
        _check_rows(Path(path), X, y, lines, p)
        Q = None
        if queries is not None:
            Q, _, qlines = _read_csv(Path(queries), with_output=False, n_inputs=X.shape[1])
            _check_rows(Path(queries), Q, None, qlines, p)
        return cls(X, y, Q if Q is not None else np.zeros((0, X.shape[1])), p=p, source=str(path))

    @classmethod
    def from_program(cls, program, train_fraction: float = 0.5, seed: int = 0,
                     n_train: int | None = None) -> "Spec":
        """Examples of a target program on a random training split of {0,1}^n; the rest are queries
        (with their true outputs kept in ``query_targets``). Same seed, same split."""
        from .dsl import Program
        if not isinstance(program, Program) or program.p is not None:
            raise SynthError("from_program needs a Boolean synth.Program")
        n = program.n_inputs
        if n > 20:
            raise SynthError(f"from_program enumerates all 2^n points; n = {n} is too many (limit 20)")
        m = 1 << n
        if n_train is None:
            if not (0 < train_fraction <= 1):
                raise SynthError(f"train_fraction must be in (0, 1], got {train_fraction!r}")
            n_train = max(1, int(round(train_fraction * m)))
        if not (1 <= n_train <= m):
            raise SynthError(f"n_train must be in 1..{m}, got {n_train!r}")
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        order = rng.permutation(m)
        train, held = np.sort(order[:n_train]), np.sort(order[n_train:])
        pts = _all_points(n)
        y = program.evaluate(pts).astype(np.uint8)
        return cls(pts[train], y[train], pts[held], source=f"program {program} (seed {seed})",
                   query_targets=y[held])

    def description_bits(self) -> float:
        """log2 of the number of Boolean functions consistent with the examples on the evaluated points."""
        return float(self.n_queries) if self.p is None else self.n_queries * math.log2(self.p)


def _check_rows(path: Path, X: np.ndarray, y: np.ndarray | None, lines: list[int], p: int | None) -> None:
    """Values in the domain and one output per input, with errors naming the file's line numbers."""
    hi = 2 if p is None else p
    dom = "0/1" if p is None else f"in 0..{p - 1}"
    for name, arr in (("inputs", X), ("outputs", y)):
        if arr is None or not arr.size:
            continue
        bad = np.argwhere((arr < 0) | (arr >= hi))
        if len(bad):
            row = int(bad[0][0])
            raise SynthError(f"{path}, line {lines[row]}: {name} must be {dom}; found {arr[tuple(bad[0])]}")
    if y is None:
        return
    first: dict[bytes, int] = {}
    for i, row in enumerate(X):
        k = row.tobytes()
        if k in first and y[first[k]] != y[i]:
            j = first[k]
            raise SynthError(f"{path}, line {lines[i]}: input {row.tolist()} is given two outputs "
                             f"({int(y[j])} on line {lines[j]}, {int(y[i])} on line {lines[i]})")
        first.setdefault(k, i)


def _read_csv(path: Path, *, with_output: bool, n_inputs: int | None = None
              ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    if not path.exists():
        raise SynthError(f"{path}: file not found")
    rows: list[list[int]] = []
    line_of: list[int] = []
    try:
        with path.open(newline="") as fh:
            for lineno, rec in enumerate(csv.reader(fh), start=1):
                if not rec or all(not c.strip() for c in rec) or rec[0].lstrip().startswith("#"):
                    continue
                try:
                    vals = [int(c.strip()) for c in rec]
                except ValueError:
                    if not rows and lineno == 1:
                        continue  # header
                    raise SynthError(f"{path}, line {lineno}: values must be integers, got {rec}") from None
                if rows and len(vals) != len(rows[0]):
                    raise SynthError(f"{path}, line {lineno}: {len(vals)} columns, expected {len(rows[0])}")
                rows.append(vals)
                line_of.append(lineno)
    except UnicodeDecodeError:
        raise SynthError(f"{path}: not a text CSV file") from None
    if not rows:
        raise SynthError(f"{path}: no data rows (empty data)")
    arr = np.array(rows, dtype=np.int64)
    if with_output:
        if arr.shape[1] < 2:
            raise SynthError(f"{path}: need at least one input column and an output column")
        return arr[:, :-1], arr[:, -1], line_of
    if n_inputs is not None and arr.shape[1] == n_inputs + 1:
        arr = arr[:, :-1]
    if n_inputs is not None and arr.shape[1] != n_inputs:
        raise SynthError(f"{path}: queries have {arr.shape[1]} columns, the examples {n_inputs} inputs")
    return arr, np.zeros(0), line_of
