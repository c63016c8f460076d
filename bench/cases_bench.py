"""Seconds per default case for one seed (goal: <= 60 s on 2 cores): prints tables, writes JSON.

    python bench/cases_bench.py [--out /tmp/occam-bench] [--cases sparse_parity,majority]

Each case runs once with ``--seeds 1`` into a fresh folder, without the model cache, so the time covers
training, synthesis in every basis, extraction, comparison and the report. A second table gives, per
case and basis, the verdict (does the network implement the shortest program: yes / no / undetermined),
whether the shortest size is proven and by which engine (enumerator, census, sat), its bounds, the work
the synthesis used, and its seconds. Budgets count work, so every column but the seconds is the same on
any machine (unless a wall-clock valve fired: the last column says so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compare.output.runfolder import atomic_write_json, versions  # noqa: E402
from compare.runs.cases import list_cases  # noqa: E402
from compare.runs.study import run_case  # noqa: E402

GOAL_S = 60.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="folder for the run folders (default: a temp folder)")
    ap.add_argument("--cases", default=None, help="comma-separated case names (default: all)")
    args = ap.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="occam-bench-"))
    rows = []
    want = None if args.cases is None else set(args.cases.split(","))
    for c in list_cases():
        if c["error"] or (want and c["name"] not in want):
            continue
        shutil.rmtree(out / c["name"], ignore_errors=True)
        t0 = time.perf_counter()
        r = run_case(c["path"], seeds=1, out=out, cache=False)
        secs = time.perf_counter() - t0
        seed_dir = next((r.folder / "seeds").iterdir())
        timings = json.loads((seed_dir / "timings.json").read_text())
        agg = r.metrics["aggregate"]["bases"]
        seed_metrics = json.loads((seed_dir / "metrics.json").read_text())
        per_basis = {}
        for b, comp in seed_metrics["comparisons"].items():
            k = comp["complexity"]
            per_basis[b] = {"implements_shortest": comp["implements_shortest"], "proven": k["shortest_exact"],
                            "bounds": [k["shortest_lower_bound"], k["shortest_upper_bound"]],
                            "work": (seed_metrics["synthesis"][b].get("budget") or {}).get("used"),
                            "proved_by": seed_metrics["synthesis"][b].get("proved_by"),
                            "seconds": timings.get(f"synth_{b}")}
        rows.append({"case": c["name"], "seconds": round(secs, 1), "ok": secs <= GOAL_S, "timings": timings,
                     "implements_shortest": {b: v["implements_shortest"] for b, v in agg.items()},
                     "bases": per_basis, "valve_fired": seed_metrics.get("valve_fired", []),
                     "folder": str(r.folder)})
        print(f"{c['name']:<18} {secs:6.1f} s  {'ok' if secs <= GOAL_S else 'OVER'}", flush=True)
    print()
    print(f"{'case':<18} {'seconds':>8}  {'train':>6} {'synth':>6} {'extract':>7} {'match':>6}")
    for r in rows:
        t = r["timings"]
        part = lambda p: sum(v for k, v in t.items() if k.startswith(p))  # noqa: E731
        print(f"{r['case']:<18} {r['seconds']:>8.1f}  {part('train'):>6.1f} {part('synth'):>6.1f} "
              f"{part('extract'):>7.1f} {part('match'):>6.1f}")
    print()
    print(f"{'case':<18} {'basis':<5} {'verdict':<12} {'proven':<6} {'by':<10} {'bounds':<9} {'work':>10} "
          f"{'synth s':>8}  valve")
    word = {True: "yes", False: "no", None: "undetermined"}
    for r in rows:
        for b, v in r["bases"].items():
            lo, hi = v["bounds"]
            fired = ",".join(w for w in r["valve_fired"] if w.endswith("." + b)) or "-"
            print(f"{r['case']:<18} {b:<5} {word[v['implements_shortest']]:<12} {'yes' if v['proven'] else 'no':<6} "
                  f"{v['proved_by'] or '-':<10} {f'{lo}-{hi}':<9} {v['work'] or 0:>10.3g} {v['seconds'] or 0:>8.1f}  {fired}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    atomic_write_json(Path(__file__).resolve().parent / "results" / "cases_bench.json",
                      {"goal_seconds": GOAL_S, "cases": rows, "cpu_count": os.cpu_count(),
                       "load_average": load, "machine": platform.machine(), "versions": versions(),
                       "when": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
