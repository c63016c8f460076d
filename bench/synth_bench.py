"""Benchmark of `synth`: censuses, per-task searches, a SAT baseline; prints a table, writes JSON.

Every item runs in a fresh process (so its peak memory is its own) and reports seconds, what it found,
and peak resident memory. Speed goals are checked as ratios against a reference measured in the same run
where there is one (the pure-Python reference enumerator of ``tests/reference.py``; python-sat exact
synthesis from ``bench/sat_baseline.py``), never against a stored number.

    python bench/synth_bench.py [--quick] [--out bench/results/synth_bench.json]

Goals (issue 2): formula census n=4 `full` <= 1 s, >= 20x the reference, >= 5e7 candidates/s; circuit
census n=4 `full` exact <= 60 s; peak memory of each <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

GB = 1024 ** 3


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------------
# items (each runs in its own process and returns a dict)
# ------------------------------------------------------------------------------------------------

def formula_census() -> dict:
    from synth import census
    census(3, "full", "formula")  # warm numpy and imports
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        c = census(4, "full", "formula")
        runs.append(time.perf_counter() - t)
    best = min(runs)
    return {"seconds": best, "seconds_runs": runs, "exact": c.exact, "candidates": c.candidates,
            "candidates_per_s": c.candidates / best, "histogram": c.histogram(),
            "found": f"max size {max(c.histogram())}"}


def reference_formula_census() -> dict:
    import reference
    t = time.perf_counter()
    sizes = reference.ref_formula_sizes(4, "full")
    sec = time.perf_counter() - t
    hist: dict[int, int] = {}
    for v in sizes.values():
        hist[v] = hist.get(v, 0) + 1
    return {"seconds": sec, "exact": True, "histogram": dict(sorted(hist.items())),
            "found": f"max size {max(hist)}"}


def circuit_census() -> dict:
    from synth import census
    t = time.perf_counter()
    c = census(4, "full", "circuit")
    sec = time.perf_counter() - t
    return {"seconds": sec, "exact": c.exact, "histogram": c.histogram(),
            "npn_histogram": c.npn_histogram(), "found": f"max size {max(c.histogram())}"}


def _task(spec_fn, basis: str, mode: str = "formula", budget_s: float = 60.0) -> dict:
    from synth import synthesize
    spec = spec_fn()
    t = time.perf_counter()
    r = synthesize(spec, basis=basis, mode=mode, budget_s=budget_s, slack=0)
    sec = time.perf_counter() - t
    return {"seconds": sec, "exact": r.exact, "size": r.min_size, "lower_bound": r.lower_bound,
            "program": str(r.shortest[0]) if r.shortest else None,
            "found": f"size {r.min_size}" + ("" if r.exact else f" (lower bound {r.lower_bound})"),
            "candidates": r.stats.get("candidates")}


def _parity_spec():
    import numpy as np
    from synth import Spec
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (256, 10))
    return Spec.from_examples(X, X[:, 0] ^ X[:, 1] ^ X[:, 2])


def _mux_spec():
    import numpy as np
    from synth import Spec
    X = (np.arange(64)[:, None] >> np.arange(6)) & 1
    y = X[np.arange(64), 2 + X[:, 0] + 2 * X[:, 1]]
    idx = np.sort(np.random.default_rng(0).permutation(64)[:32])
    rest = np.setdiff1d(np.arange(64), idx)
    return Spec.from_examples(X[idx], y[idx], X[rest])


def _maj5_spec():
    from synth import Spec
    table = sum(1 << t for t in range(32) if bin(t).count("1") >= 3)
    return Spec.from_table(table, 5)


def parity_xag() -> dict:
    return _task(_parity_spec, "xag")


def mux_mux() -> dict:
    return _task(_mux_spec, "mux")


def mux_xag() -> dict:
    return _task(_mux_spec, "xag")


def maj5_xag() -> dict:
    return _task(_maj5_spec, "xag")


def maj5_mig() -> dict:
    return _task(_maj5_spec, "mig")


def sat_baseline() -> dict:
    try:
        import sat_baseline as sb
    except ImportError as e:  # the `sat` extra is not installed
        return {"skipped": f"python-sat not available ({e})"}
    from synth import census
    t = time.perf_counter()
    c = census(4, "full", "circuit")
    ours_census = time.perf_counter() - t
    tables = sb.sample_npn_classes(4, k=20, seed=0)
    rows = []
    sat_total = 0.0
    ours_lookup = 0.0
    for tab in tables:
        t = time.perf_counter()
        size, steps = sb.sat_min_circuit_size(tab, 4)
        dt = time.perf_counter() - t
        sat_total += dt
        t = time.perf_counter()
        ours = c.size(tab)
        ours_lookup += time.perf_counter() - t
        rows.append({"table": hex(tab), "sat": size, "ours": ours, "sat_seconds": round(dt, 4)})
    agree = all(r["sat"] == r["ours"] for r in rows)
    return {"seconds": sat_total, "exact": True, "classes": len(rows), "agree": agree, "rows": rows,
            "ours_census_seconds": ours_census, "sat_seconds_per_class": sat_total / len(rows),
            "ours_seconds_per_function_amortised": ours_census / 65536,
            "found": f"{len(rows)} classes, {'all agree' if agree else 'DISAGREE'}"}


ITEMS = {
    "formula census n=4 full": formula_census,
    "reference (pure Python) formula census n=4 full": reference_formula_census,
    "circuit census n=4 full": circuit_census,
    "parity 3 of 10, 256 examples, xag": parity_xag,
    "6-mux, 32 examples, mux": mux_mux,
    "6-mux, 32 examples, xag": mux_xag,
    "majority of 5, full table, xag": maj5_xag,
    "majority of 5, full table, mig": maj5_mig,
    "python-sat baseline, 20 NPN classes n=4": sat_baseline,
}
QUICK = ["formula census n=4 full", "parity 3 of 10, 256 examples, xag", "6-mux, 32 examples, mux"]


def _child(name: str, q) -> None:
    try:
        out = ITEMS[name]()
    except Exception as e:  # report, don't crash the table
        out = {"error": f"{type(e).__name__}: {e}"}
    out["peak_memory_mb"] = round(_peak_mb(), 1)
    q.put(out)


def run_item(name: str, timeout: float) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, q))
    t = time.perf_counter()
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        return {"error": f"timed out after {timeout:g} s", "seconds": time.perf_counter() - t}
    return q.get() if not q.empty() else {"error": f"exit code {proc.exitcode}"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="only the fast items")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "synth_bench.json"))
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per item")
    args = ap.parse_args(argv)
    names = QUICK if args.quick else list(ITEMS)
    results = {}
    for name in names:
        print(f"running: {name} ...", file=sys.stderr, flush=True)
        results[name] = run_item(name, args.timeout)
    # ratios and goals
    goals = []
    fc = results.get("formula census n=4 full", {})
    ref = results.get("reference (pure Python) formula census n=4 full", {})
    if "seconds" in fc and "error" not in fc:
        goals.append(("formula census n=4 full <= 1 s", f"{fc['seconds']:.3f} s", fc["seconds"] <= 1.0))
        goals.append(("candidates/s >= 5e7", f"{fc['candidates_per_s']:.3g}", fc["candidates_per_s"] >= 5e7))
        if "seconds" in ref and "error" not in ref:
            ratio = ref["seconds"] / fc["seconds"]
            fc["speedup_vs_reference"] = ratio
            same = {int(k): v for k, v in ref["histogram"].items()} == \
                {int(k): v for k, v in fc["histogram"].items()}
            goals.append((">= 20x the pure-Python reference (same run)", f"{ratio:.1f}x", ratio >= 20))
            goals.append(("same histogram as the reference", str(same), same))
    cc = results.get("circuit census n=4 full", {})
    if "seconds" in cc and "error" not in cc:
        goals.append(("circuit census n=4 full exact <= 60 s", f"{cc['seconds']:.2f} s, exact={cc['exact']}",
                      cc["exact"] and cc["seconds"] <= 60))
    for name, r in results.items():
        if "peak_memory_mb" in r:
            goals.append((f"peak memory <= 2 GB: {name}", f"{r['peak_memory_mb']:.0f} MB",
                          r["peak_memory_mb"] * 1024 ** 2 <= 2 * GB))
    sb = results.get("python-sat baseline, 20 NPN classes n=4", {})
    if "agree" in sb:
        goals.append(("python-sat baseline gives the same sizes", str(sb["agree"]), sb["agree"]))
    # table
    print(f"\n{'item':50} {'seconds':>9} {'exact':>6} {'peak MB':>8}  found")
    for name, r in results.items():
        if "error" in r or "skipped" in r:
            print(f"{name:50} {'-':>9} {'-':>6} {r.get('peak_memory_mb', 0):8.0f}  "
                  f"{r.get('error') or r.get('skipped')}")
            continue
        print(f"{name:50} {r['seconds']:9.3f} {str(r.get('exact', '')):>6} {r['peak_memory_mb']:8.0f}  "
              f"{r.get('found', '')}")
    if "rows" in sb:
        print(f"\npython-sat: {sb['sat_seconds_per_class']:.3f} s per class; ours: census "
              f"{sb['ours_census_seconds']:.2f} s for all 65,536 functions "
              f"({sb['ours_seconds_per_function_amortised'] * 1e6:.0f} µs per function amortised)")
    print(f"\n{'goal':60} {'measured':>22}  met")
    for g, v, ok in goals:
        print(f"{g:60} {v:>22}  {'yes' if ok else 'NO'}")
    doc = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                       "cpus": os.cpu_count()},
           "when": time.strftime("%Y-%m-%d %H:%M:%S"), "results": results,
           "goals": [{"goal": g, "measured": v, "met": bool(ok)} for g, v, ok in goals]}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str))
    os.replace(tmp, out)
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
