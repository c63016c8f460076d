"""Benchmark of `synth` beside peer exact-synthesis tools (cirbo, ABC) in the same run; table + JSON.

    python bench/synth_bench.py [--quick] [--rows PATTERN] [--timeout 90] [--census-timeout 120]
                                [--peers cirbo,abc exact,...] [--work UNITS] [--out FILE]

Rows (issue 9), each run by every tool that can take it, one fresh process per tool and row:

* ``knuth/<name> <basis>``: named 4-input functions (parity, majority, the mux, the symmetric functions
  S_k and thresholds of Knuth TAOCP 4A 7.1.2) in `full` and `aig`;
* ``npn/<table> <basis>``: a seeded sample of NPN classes of 4-input functions in `full` and `aig`;
* ``maj5``, ``parity5`` in `full` and `aig`;
* ``examples/parity3of20``: parity of 3 of 20 inputs from 1000 seeded random examples (xag, aon, mig);
  ``examples/mux6of8``: the 6-input multiplexer (x0, x1 address x2..x5) among 8 inputs from 128 examples
  (xag, mux);
* ``warm/<basis>``: ours only, a 4-input circuit query after a first one in the same process;
* ``census/<basis>``: ours only, ``synth.census(4, basis, "circuit")``.

Ours is `synth.synthesize(spec, basis=b, mode="circuit")` (and, when `synth.sat` exists, the SAT engine
alone). Peers get the row's problem when they can take it; else, where one exists, an easier problem
marked with a dagger (the full table of the function on its true support), else "n/a" and why. Every
answer that comes with a circuit is evaluated here on the row's truth table or examples.

Seconds are each tool's own time for the row in its process: ours around the `synthesize` call (cold:
imports done, nothing computed); cirbo around its solver calls; ABC the wall time of its processes less
its start-up time (measured once). A tool still running at ``--timeout`` is killed and reports the lower
bound it had proven. The ratio column is ours / the fastest peer that proved the same minimum.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402  (bench/ is not a package)
from peers import PEERS, Answer, Task, restrict, run_child, support  # noqa: E402

# lutexact -K 2 is twoexact's encoding with K-input LUTs: its times matched twoexact's in trial runs,
# so it is left out by default to halve the ABC time (--peers adds it).
DEFAULT_PEERS = ("cirbo", "abc exact", "abc twoexact")
OURS = "ours"
OURS_SAT = "ours SAT"
SEED = 0
ALL_BASES = ("full", "aig", "xag", "aon", "aoxn", "mig", "mux")


# ------------------------------------------------------------------------------------------------
# rows
# ------------------------------------------------------------------------------------------------

def _sym(n: int, counts) -> int:
    """Symmetric function S_counts of n inputs: 1 where the number of ones is in ``counts``."""
    return sum(1 << t for t in range(1 << n) if bin(t).count("1") in counts)


def _mux3() -> int:
    """Knuth's mux with our names: x0 ? x2 : x1 (over 4 inputs, x3 unused)."""
    return sum(1 << t for t in range(16) if ((t >> 2) & 1 if t & 1 else (t >> 1) & 1))


# name, table over 4 inputs, minimum circuit size in full where documented (else None), source
KNUTH = [
    ("parity4", 0x6996, 3, "x0^x1^x2^x3: three XORs"),
    ("maj3", 0xe8e8, 4, "<x0 x1 x2> (Knuth 7.1.2: the median costs 4)"),
    ("mux", _mux3(), 3, "x0 ? x2 : x1"),
    ("S1", _sym(4, {1}), None, "exactly one"),
    ("S2", _sym(4, {2}), None, "exactly two"),
    ("S3", _sym(4, {3}), None, "exactly three"),
    ("S04", _sym(4, {0, 4}), None, "all equal"),
    ("S>=2", _sym(4, {2, 3, 4}), None, "at least two"),
    ("S>=3", _sym(4, {3, 4}), None, "at least three"),
    ("x0x1|x2x3", 0xf888, 3, "two ANDs and an OR"),
]
assert KNUTH[4][1] == 0x1668 and KNUTH[7][1] == 0xfee8

MAJ5 = _sym(5, {3, 4, 5})
PARITY5 = _sym(5, {1, 3, 5})
assert MAJ5 == 0xfee8e880 and PARITY5 == 0x96696996


@dataclass(frozen=True)
class Row:
    """One benchmark row. ``spec``: ("table", table, n) or ("examples", generator name, seed)."""

    name: str
    kind: str            # "synth", "warm" or "census"
    basis: str
    spec: tuple = ()
    expect: int | None = None
    source: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        if self.spec and self.spec[0] == "table":
            d["spec"] = ["table", hex(self.spec[1]), self.spec[2]]
        return d


def npn_sample(k: int, seed: int) -> list[int]:
    """``k`` NPN class representatives of 4-input functions that depend on at least 2 inputs, seeded."""
    from synth.circuits import npn_classes
    reps = sorted(set(int(v) for v in npn_classes(4)))
    reps = [t for t in reps if len(support(t, 0xffff, 4)) >= 2]
    rng = np.random.default_rng(seed)
    return sorted(int(t) for t in rng.choice(reps, size=k, replace=False))


def all_rows(npn: int = 20) -> list[Row]:
    rows = []
    for b in ("full", "aig"):
        for name, t, c, src in KNUTH:
            rows.append(Row(f"knuth/{name}", "synth", b, ("table", t, 4), c if b == "full" else None, src))
    for b in ("full", "aig"):
        for t in npn_sample(npn, SEED):
            rows.append(Row(f"npn/{t:#06x}", "synth", b, ("table", t, 4)))
    rows += [
        Row("maj5", "synth", "full", ("table", MAJ5, 5), 10, "majority of 5 (Knuth 7.1.2)"),
        Row("maj5", "synth", "aig", ("table", MAJ5, 5)),
        Row("parity5", "synth", "full", ("table", PARITY5, 5), 4, "four XORs"),
        Row("parity5", "synth", "aig", ("table", PARITY5, 5), 12, "3 ANDs per XOR (to be checked)"),
    ]
    for b in ("xag", "aon", "mig"):
        rows.append(Row("examples/parity3of20", "synth", b, ("examples", "parity3of20", SEED),
                        2 if b in ("xag",) else None, "1000 seeded examples"))
    for b in ("xag", "mux"):
        rows.append(Row("examples/mux6of8", "synth", b, ("examples", "mux6of8", SEED), None,
                        "128 seeded examples"))
    rows += [Row(f"warm/{b}", "warm", b) for b in ("full", "aig")]
    rows += [Row(f"census/{b}", "census", b) for b in ALL_BASES]
    rows.append(Row("formula-census/full", "formula", "full"))
    return rows


QUICK = ["knuth/maj3 full", "knuth/parity4 aig", "parity5 full", "examples/mux6of8 xag", "warm/full full"]


def row_id(r: Row) -> str:
    return f"{r.name} {r.basis}"


# ------------------------------------------------------------------------------------------------
# the examples tasks
# ------------------------------------------------------------------------------------------------

def parity3of20(seed: int) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """1000 random points of 20 inputs, y = parity of 3 seeded inputs; returns X, y, support, the
    function's table on its support."""
    rng = np.random.default_rng(seed)
    sup = sorted(int(i) for i in rng.choice(20, size=3, replace=False))
    X = rng.integers(0, 2, (1000, 20)).astype(np.uint8)
    y = (X[:, sup].sum(axis=1) % 2).astype(np.uint8)
    return X, y, sup, 0x96


def mux6of8(seed: int) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """128 distinct random points of 8 inputs; y = x[2 + x0 + 2 x1] (x6, x7 unused)."""
    rng = np.random.default_rng(seed)
    pts = np.sort(rng.choice(256, size=128, replace=False))
    X = ((pts[:, None] >> np.arange(8)) & 1).astype(np.uint8)
    y = X[np.arange(128), 2 + X[:, 0] + 2 * X[:, 1]].astype(np.uint8)
    table6 = sum(1 << t for t in range(64) if (t >> (2 + (t & 1) + 2 * ((t >> 1) & 1))) & 1)
    return X, y, [0, 1, 2, 3, 4, 5], table6


EXAMPLES = {"parity3of20": parity3of20, "mux6of8": mux6of8}


def row_data(row: Row) -> tuple[np.ndarray, np.ndarray]:
    """All points (table rows) or the examples of a row, as X (m, n) and y (m,)."""
    if row.spec[0] == "table":
        _, t, n = row.spec
        X = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.uint8)
        y = ((t >> np.arange(1 << n)) & 1).astype(np.uint8)
        return X, y
    X, y, _, _ = EXAMPLES[row.spec[1]](row.spec[2])
    return X, y


def peer_tasks(row: Row) -> tuple[Task, Task | None]:
    """The row's problem as a peer task, and an easier one for peers that cannot take it (or None)."""
    if row.spec[0] == "table":
        _, t, n = row.spec
        full = (1 << (1 << n)) - 1
        s = support(t, full, n)
        return Task(len(s), restrict(t, n, s), (1 << (1 << len(s))) - 1, row.basis, tuple(s)), None
    X, y, sup, table_s = EXAMPLES[row.spec[1]](row.spec[2])
    n = X.shape[1]
    idx = (X.astype(np.int64) << np.arange(n)).sum(axis=1)
    table = sum(1 << int(i) for i, v in zip(idx, y) if v)
    care = sum(1 << int(i) for i in set(idx.tolist()))
    exact = Task(n, table, care, row.basis, tuple(range(n)))
    easier = Task(len(sup), table_s, (1 << (1 << len(sup))) - 1, row.basis, tuple(sup),
                  easier=f"the full {len(sup)}-input table of the target on its true support "
                         f"{sup} (support given, all points labelled)")
    return exact, easier


def check_on_data(table_hex: str, task: Task, X: np.ndarray, y: np.ndarray) -> bool:
    """A peer circuit (its table over the task's inputs) agrees with the row's data."""
    tab = int(table_hex, 16)
    idx = (X[:, list(task.inputs)].astype(np.int64) << np.arange(task.n)).sum(axis=1)
    return bool(np.all(((tab >> idx) & 1) == y))


# ------------------------------------------------------------------------------------------------
# ours (each function runs in a child process: `peers.run_child`)
# ------------------------------------------------------------------------------------------------

def _accepted(fn, **kw) -> dict:
    """The keyword arguments ``fn`` takes (None values dropped)."""
    params = inspect.signature(fn).parameters
    return {k: v for k, v in kw.items() if v is not None and k in params}


def _spec(row: Row):
    from synth import Spec
    if row.spec[0] == "table":
        return Spec.from_table(row.spec[1], row.spec[2])
    X, y = row_data(row)
    return Spec.from_examples(X, y)


def _read(res) -> tuple[int | None, bool, int | None, object]:
    """(size, proven, lower bound, program) from a `SynthesisResult` or a SAT-engine result."""
    size = next((getattr(res, a) for a in ("min_size", "size", "upper_bound") if hasattr(res, a)), None)
    proven = bool(next((getattr(res, a) for a in ("exact", "proven", "optimal") if hasattr(res, a)), False))
    lb = getattr(res, "lower_bound", None)
    prog = getattr(res, "program", None)
    if prog is None and getattr(res, "shortest", None):
        prog = res.shortest[0]
    return size, proven, lb, prog


def ours_solve(row_d: dict, engine: str, budget_s: float, work: int | None, progress) -> dict:
    """One row by `synthesize` (engine "synthesize") or the SAT engine alone (engine "sat")."""
    import synth
    row = Row(**{**row_d, "spec": tuple(row_d["spec"])})
    if row.spec[0] == "table":
        row = Row(row.name, row.kind, row.basis, ("table", int(row.spec[1], 16), row.spec[2]))
    spec = _spec(row)
    X, y = row_data(row)
    kw = dict(basis=row.basis, mode="circuit", top_k=1, slack=0, budget_s=budget_s, budget=work)
    if engine == "sat":
        from synth import sat
        fn = sat.sat_minimum
        args = (spec, row.basis)
        kw.pop("basis")
    else:
        fn, args = synth.synthesize, (spec,)
    kw = _accepted(fn, **kw)
    t0 = time.perf_counter()
    res = fn(*args, **kw)
    sec = time.perf_counter() - t0
    size, proven, lb, prog = _read(res)
    verified, text, cost = None, "", None
    if prog is not None:
        verified = bool(np.array_equal(np.asarray(prog.evaluate(X)).astype(np.uint8), y))
        text = str(prog)
        cost = getattr(prog, "size", None)
    stats = getattr(res, "stats", {}) or {}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"peak_memory_mb": round(peak, 1), "size": size, "proven": proven, "lower_bound": lb, "seconds": sec, "verified": verified,
            "program": text, "program_cost": cost, "engine": stats.get("engine"),
            "budget": stats.get("budget"), "notes": list(getattr(res, "notes", []) or [])[:4],
            "call": f"{fn.__module__}.{fn.__name__}(spec, {', '.join(f'{k}={v!r}' for k, v in kw.items())})"}


def ours_warm(basis: str, budget_s: float, progress) -> dict:
    """A first 4-input query, then 20 seeded random 4-input queries in the same process."""
    from synth import Spec, synthesize
    kw = _accepted(synthesize, basis=basis, mode="circuit", top_k=1, slack=0, budget_s=budget_s)
    t0 = time.perf_counter()
    first = synthesize(Spec.from_table(0x6996, 4), **kw)
    cold = time.perf_counter() - t0
    progress({"cold_seconds": cold})
    rng = np.random.default_rng(SEED)
    X = ((np.arange(16)[:, None] >> np.arange(4)) & 1).astype(np.uint8)
    times, ok, proven = [], True, True
    for t in rng.integers(0, 1 << 16, size=20):
        t = int(t)
        t0 = time.perf_counter()
        r = synthesize(Spec.from_table(t, 4), **kw)
        times.append(time.perf_counter() - t0)
        y = ((t >> np.arange(16)) & 1).astype(np.uint8)
        ok &= r.program is not None and bool(np.array_equal(np.asarray(r.program.evaluate(X)).astype(np.uint8), y))
        proven &= bool(r.exact)
    return {"cold_seconds": cold, "first_exact": bool(first.exact), "median_seconds": statistics.median(times),
            "max_seconds": max(times), "queries": len(times), "verified": ok, "proven": proven}


def ours_census(basis: str, budget_s: float, progress) -> dict:
    from synth import census
    kw = _accepted(census, budget_s=budget_s)
    t0 = time.perf_counter()
    c = census(4, basis, "circuit", **kw)
    sec = time.perf_counter() - t0
    hist = c.histogram()
    return {"seconds": sec, "exact": bool(c.exact), "histogram": {int(k): int(v) for k, v in hist.items()},
            "max_size": max(int(k) for k in hist), "call": f"synth.census(4, {basis!r}, 'circuit'"
            + "".join(f", {k}={v!r}" for k, v in kw.items()) + ")"}


def ours_formula_census(progress) -> dict:
    """Formula census n = 4 `full` (best of 3, after a warm-up) against the pure-Python reference
    enumerator of tests/reference.py, same histogram required (issue 2: <= 1 s, >= 20x the reference)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import reference
    from synth import census
    census(3, "full", "formula")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        c = census(4, "full", "formula")
        runs.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    sizes = reference.ref_formula_sizes(4, "full")
    ref = time.perf_counter() - t0
    ref_hist: dict[int, int] = {}
    for v in sizes.values():
        ref_hist[int(v)] = ref_hist.get(int(v), 0) + 1
    hist = {int(k): int(v) for k, v in c.histogram().items()}
    return {"seconds": min(runs), "runs": runs, "exact": bool(c.exact), "reference_seconds": ref,
            "speedup": ref / min(runs), "same_histogram": hist == ref_hist, "histogram": hist}


def have_sat_engine() -> str | None:
    """None when `synth.sat.sat_minimum` exists, else why the column is empty."""
    try:
        from synth import sat  # noqa: F401
    except ImportError as e:
        return f"synth.sat not importable ({e})"
    return None if hasattr(sat, "sat_minimum") else "synth.sat has no sat_minimum"


# ------------------------------------------------------------------------------------------------
# running one row
# ------------------------------------------------------------------------------------------------

def run_ours(row: Row, engine: str, timeout: float, work: int | None) -> Answer:
    budget_s = max(1.0, timeout - 3.0)   # safety valve: ours returns its bounds before the hard kill
    status, p, wall = run_child("synth_bench", "ours_solve", (row.as_dict(), engine, budget_s, work),
                                timeout + 10)
    if status == "timeout":
        return Answer("timeout", seconds=wall, note=f"killed after {timeout + 10:g} s")
    if status != "done":
        return Answer("error", seconds=wall, note=p.get("error", "")[-400:])
    st = "proven" if p["proven"] and p["size"] is not None else ("found" if p["size"] is not None
                                                                 else "timeout")
    if p["verified"] is False:
        st = "wrong"
    note = "; ".join(p["notes"])[:300]
    return Answer(st, p["size"], p["lower_bound"], p["seconds"], p["verified"], p["program"], (p["call"],),
                  note, extra={k: p[k] for k in ("engine", "budget", "program_cost", "peak_memory_mb")
                               if p.get(k) is not None})


def run_peer(name: str, row: Row, timeout: float, X, y) -> tuple[Answer, Task | None]:
    peer = PEERS[name]
    why = peer.installed()
    if why:
        return Answer("skipped", note=why), None
    exact, easier = peer_tasks(row)
    task, reason = exact, peer.unsupported(exact)
    if reason and easier is not None and peer.unsupported(easier) is None:
        task = easier
    elif reason:
        return Answer("n/a", note=reason), None
    ans = peer.solve(task, timeout)
    d = ans.as_dict()
    if task is easier:
        d["easier"] = task.easier
        d["note"] = (f"{reason}; given instead {task.easier}" + (f"; {ans.note}" if ans.note else ""))
    table_hex = ans.extra.get("circuit_table")
    if table_hex is not None and row.spec[0] == "examples":
        on_data = check_on_data(table_hex, task, X, y)
        d["extra"] = {**ans.extra, "agrees_with_examples": on_data}
        d["verified"] = bool(ans.verified) and on_data
    if d["verified"] is False:
        d["status"] = "wrong"
    return Answer.from_dict(d), task


def compare(row_res: dict) -> dict:
    """Ratio ours / fastest peer that proved the same minimum, and a verdict."""
    ans = row_res["answers"]
    ours = ans.get(OURS)
    good = {k: a for k, a in ans.items() if k not in (OURS, OURS_SAT) and a.status == "proven" and a.verified}
    out = {"fastest_peer": None, "ratio": None, "verdict": ""}
    sizes = {a.size for a in good.values() if not a.easier}
    if len(sizes) > 1:
        out["verdict"] = f"peers disagree: {sorted(sizes)}"
    if not good:
        out["verdict"] = out["verdict"] or ("only ours proves it" if ours and ours.status == "proven"
                                            else "no tool proves it")
        return out
    name, best = min(good.items(), key=lambda kv: kv[1].seconds)
    out["fastest_peer"] = name
    out["peer_seconds"] = best.seconds
    if ours is None or ours.status != "proven":
        out["verdict"] = "LOSE: ours unproven"
        return out
    if not best.easier and best.size != ours.size:
        out["verdict"] = f"DISAGREE: ours {ours.size}, {name} {best.size}"
    out["ratio"] = ours.seconds / max(best.seconds, 1e-3)   # times under 1 ms count as 1 ms
    tag = " (peer solved an easier problem)" if best.easier else ""
    if not out["verdict"]:
        out["verdict"] = ("win" if out["ratio"] <= 1 else "LOSE") + tag
    return out


def run_row(row: Row, args, tools: list[str], sat: bool) -> dict:
    res: dict = {"row": row.as_dict(), "answers": {}}
    if row.kind == "warm":
        status, p, wall = run_child("synth_bench", "ours_warm", (row.basis, args.census_timeout),
                                    args.census_timeout + 10)
        res["ours_warm"] = p if status == "done" else {"status": status, **p, "wall": wall}
        return res
    if row.kind == "census":
        status, p, wall = run_child("synth_bench", "ours_census", (row.basis, args.census_timeout),
                                    args.census_timeout + 10)
        res["ours_census"] = p if status == "done" else {"status": status, **p, "wall": wall}
        return res
    if row.kind == "formula":
        status, p, wall = run_child("synth_bench", "ours_formula_census", (), 3 * args.census_timeout)
        res["ours_formula_census"] = p if status == "done" else {"status": status, **p, "wall": wall}
        return res
    X, y = row_data(row)
    res["answers"][OURS] = run_ours(row, "synthesize", args.timeout, args.work)
    if sat:
        res["answers"][OURS_SAT] = run_ours(row, "sat", args.timeout, args.work)
    tasks = {}
    for name in tools:
        ans, task = run_peer(name, row, args.timeout, X, y)
        res["answers"][name] = ans
        if task is not None:
            tasks[name] = task.as_dict()
    res["peer_tasks"] = tasks
    res.update(compare(res))
    return res


# ------------------------------------------------------------------------------------------------
# output
# ------------------------------------------------------------------------------------------------

def cell(a: Answer | None) -> str:
    if a is None:
        return "-"
    dag = "†" if a.easier else ""
    sec = "" if a.seconds is None else f" {a.seconds:.2f}s"
    if a.status == "proven":
        return f"{a.size}{'' if a.verified else '?'}{sec}{dag}"
    if a.status == "found":
        return f"<={a.size} >={a.lower_bound}{sec}"
    if a.status == "timeout":
        return f"T/O >={a.lower_bound}{dag}" if a.lower_bound is not None else f"T/O{dag}"
    if a.status == "wrong":
        return f"WRONG({a.size}){sec}{dag}"
    return {"n/a": "n/a", "skipped": "skip", "error": "ERR"}.get(a.status, a.status)


def print_table(results: list[dict], tools: list[str], sat: bool) -> list[str]:
    cols = [OURS] + ([OURS_SAT] if sat else []) + tools
    w = 16
    lines = [f"{'row':24} {'basis':5} {'exp':>3}  " + " ".join(f"{c:>{w}}" for c in cols)
             + f"  {'ours/fastest':>12}  verdict"]
    notes: dict[str, str] = {}
    for r in results:
        row = r["row"]
        if row["kind"] != "synth":
            continue
        cells = []
        for c in cols:
            a = r["answers"].get(c)
            cells.append(f"{cell(a):>{w}}")
            if a is not None and a.status in ("n/a", "skipped", "error") or (a is not None and a.easier):
                key = f"{c}: {' '.join(a.note.split())[:240]}"
                notes.setdefault(key, row["name"] + " " + row["basis"])
        ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.3g}x"
        exp = "" if row["expect"] is None else str(row["expect"])
        lines.append(f"{row['name']:24} {row['basis']:5} {exp:>3}  " + " ".join(cells)
                     + f"  {ratio:>12}  {r.get('verdict', '')}")
    lines.append("")
    lines.append("cells: size and seconds (proven minimum); <=u >=l: bounds, not proven; T/O >=l: killed at "
                 "the timeout with lower bound l; WRONG: the circuit does not compute the function; "
                 "†: the peer solved an easier problem (below)")
    for k, first in notes.items():
        lines.append(f"  {k}  (first: {first})")
    warm = [r for r in results if r["row"]["kind"] == "warm"]
    if warm:
        lines.append("")
        lines.append("warm 4-input query (ours; goal <= 10 ms):")
        for r in warm:
            p = r["ours_warm"]
            if "median_seconds" in p:
                lines.append(f"  {r['row']['basis']:5} first query {p['cold_seconds']:.3f} s, then median "
                             f"{p['median_seconds'] * 1e3:.2f} ms, max {p['max_seconds'] * 1e3:.2f} ms over "
                             f"{p['queries']} queries; all verified {p['verified']}, all proven {p['proven']}")
            else:
                lines.append(f"  {r['row']['basis']:5} {p}")
    cen = [r for r in results if r["row"]["kind"] == "census"]
    if cen:
        lines.append("")
        lines.append("n = 4 circuit census (ours):")
        for r in cen:
            p = r["ours_census"]
            if "seconds" in p:
                lines.append(f"  {r['row']['basis']:5} {p['seconds']:8.2f} s  exact={p['exact']}  "
                             f"max size {p['max_size']}")
            else:
                lines.append(f"  {r['row']['basis']:5} {p.get('status')}: {str(p.get('error', ''))[:200]}")
    for r in results:
        if r["row"]["kind"] == "formula":
            p = r["ours_formula_census"]
            lines.append("")
            if "seconds" in p:
                lines.append(f"formula census n = 4 full (ours): {p['seconds']:.3f} s (goal <= 1 s), "
                             f"{p['speedup']:.0f}x the pure-Python reference ({p['reference_seconds']:.1f} s; "
                             f"goal >= 20x), same histogram {p['same_histogram']}")
            else:
                lines.append(f"formula census n = 4 full (ours): {p}")
    return lines


def machine() -> dict:
    import synth
    repo = Path(synth.__file__).resolve().parents[1]

    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=repo).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "")
    except OSError:
        pass
    import importlib.metadata as md
    vers = {}
    for pkg in ("numpy", "python-sat", "cirbo"):
        try:
            vers[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            vers[pkg] = None
    return {"synth_path": str(repo / "synth"), "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "cpu": cpu, "packages": vers, "commit": run(["git", "rev-parse", "HEAD"]),
            "dirty_files": [ln[3:] for ln in run(["git", "status", "--short"]).splitlines()]}


# ------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"only {len(QUICK)} rows (< 2 minutes)")
    ap.add_argument("--rows", default=None, help="regular expression on '<row> <basis>'")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per tool and row (default 90; 8 with --quick)")
    ap.add_argument("--census-timeout", type=float, default=None,
                    help="seconds for a census row and for the first warm query (default 120; 20 with --quick)")
    ap.add_argument("--work", type=int, default=None, help="work budget (units) passed to ours, if taken")
    ap.add_argument("--npn", type=int, default=20, help="NPN classes sampled (default 20)")
    ap.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                    help=f"comma-separated peers to run (default {', '.join(DEFAULT_PEERS)}; known: "
                         f"{', '.join(PEERS)})")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "synth_bench.json"))
    args = ap.parse_args(argv)
    os.environ.setdefault("BENCH_SCRATCH", "/tmp/synth_bench_scratch")
    tools = [t.strip() for t in args.peers.split(",") if t.strip()]
    unknown = [t for t in tools if t not in PEERS]
    if unknown:
        ap.error(f"unknown peers {unknown}; known: {list(PEERS)}")
    rows = all_rows(args.npn)
    if args.timeout is None:
        args.timeout = 8.0 if args.quick else 90.0
    if args.census_timeout is None:
        args.census_timeout = 20.0 if args.quick else 120.0
    if args.quick:
        rows = [r for r in rows if row_id(r) in QUICK]
    if args.rows:
        rows = [r for r in rows if re.search(args.rows, row_id(r))]
    sat_why = have_sat_engine()
    sat = sat_why is None
    load0 = os.getloadavg()
    t_start = time.perf_counter()
    versions = {k: v for k, v in peers.versions().items() if k in tools}
    print(f"peers: {versions}", file=sys.stderr)
    print(f"ours SAT engine alone: {'yes' if sat else 'no (' + sat_why + ')'}", file=sys.stderr)
    results = []
    info = {"what": "synth vs cirbo and ABC, exact minimum circuits (issue 9)",
            "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
            "when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "load_average_start": load0,
            "peer_versions": versions, "ours_sat_engine": "yes" if sat else sat_why, "args": vars(args)}
    out = Path(args.out)
    for i, row in enumerate(rows):
        t0 = time.perf_counter()
        print(f"[{i + 1}/{len(rows)}] {row_id(row)} ...", file=sys.stderr, flush=True)
        results.append(run_row(row, args, tools, sat))
        print(f"    {time.perf_counter() - t0:.1f} s: {results[-1].get('verdict', '')}", file=sys.stderr,
              flush=True)
        _write(out, {**info, "complete": False, "rows": _rows_json(results)})
    total = time.perf_counter() - t_start
    load1 = os.getloadavg()
    lines = print_table(results, tools, sat)
    print("\n".join(lines))
    losses = [{"row": f"{r['row']['name']} {r['row']['basis']}", "verdict": r["verdict"],
               "ratio": r.get("ratio"), "fastest_peer": r.get("fastest_peer")}
              for r in results if r.get("verdict", "").startswith(("LOSE", "DISAGREE"))]
    print(f"\n{len(losses)} rows where we lose or disagree; run took {total:.0f} s; load average "
          f"{load0[0]:.2f} at start, {load1[0]:.2f} at end")
    doc = {**info, "complete": True, "seconds_total": round(total, 1), "load_average_end": load1,
           "abc_startup_seconds": peers.abc_startup() if PEERS["abc exact"].installed() is None else None,
           "losses": losses, "table": lines, "rows": _rows_json(results)}
    _write(out, doc)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _rows_json(results: list[dict]) -> list[dict]:
    return [{**r, "answers": {k: a.as_dict() for k, a in r["answers"].items()}} for r in results]


def _write(out: Path, doc: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=str))
    os.replace(tmp, out)


if __name__ == "__main__":
    sys.exit(main())
