"""Seconds per default case for one seed (goal: <= 60 s on 2 cores): prints a table, writes JSON.

    python bench/cases_bench.py [--out /tmp/occam-bench] [--cases sparse_parity,majority]

Each case runs once with ``--seeds 1`` into a fresh folder, without the model cache, so the time covers
training, synthesis in every basis, extraction, comparison and the report.
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

from compare.cases import list_cases  # noqa: E402
from compare.runfolder import atomic_write_json, versions  # noqa: E402
from compare.study import run_case  # noqa: E402

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
        rows.append({"case": c["name"], "seconds": round(secs, 1), "ok": secs <= GOAL_S, "timings": timings,
                     "implements_shortest": {b: v["implements_shortest"] for b, v in agg.items()},
                     "folder": str(r.folder)})
        print(f"{c['name']:<18} {secs:6.1f} s  {'ok' if secs <= GOAL_S else 'OVER'}", flush=True)
    print()
    print(f"{'case':<18} {'seconds':>8}  {'train':>6} {'synth':>6} {'extract':>7} {'match':>6}")
    for r in rows:
        t = r["timings"]
        part = lambda p: sum(v for k, v in t.items() if k.startswith(p))  # noqa: E731
        print(f"{r['case']:<18} {r['seconds']:>8.1f}  {part('train'):>6.1f} {part('synth'):>6.1f} "
              f"{part('extract'):>7.1f} {part('match'):>6.1f}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    atomic_write_json(Path(__file__).resolve().parent / "results" / "cases_bench.json",
                      {"goal_seconds": GOAL_S, "cases": rows, "cpu_count": os.cpu_count(),
                       "load_average": load, "machine": platform.machine(), "versions": versions(),
                       "when": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
