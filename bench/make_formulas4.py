"""Build, check and time the shipped formula censuses of 4 inputs (`synth.census_store.formula_path`):
the least formula cost of each of the 65,536 functions, for the named bases whose census the enumerator
(`synth.census`) finishes only with billions of work units. Writes ``synth/data/formulas4_<basis>.npz``
and ``bench/results/formulas4.json``.

    python bench/make_formulas4.py [--bases aig,aon,mig,mux] [--force] [--sat-sample K]

A file that exists and loads is kept unless ``--force``. Every census is checked before it is written:

* its size on ``--sat-sample`` seeded random functions (and a few named ones) equals the SAT engine's
  minimum formula (`synth.sat.sat_minimum`, a different engine, with read limits from the censuses
  already shipped: in aon, aig's);
* orderings that hold for every function because one basis' gates stand in for another's at no more
  cost (constant leaves are free): xag <= aig, mig <= aig (maj(a, b, 0) = a AND b), mux <= aig
  (ite(a, b, 0)), aig <= aon, aoxn <= aon, xag <= aoxn; and aon is invariant under duality
  (f -> NOT f(NOT x): AND and OR swap);
* a circuit costs no more than a formula: the shipped circuit census bounds every size from below.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synth import Spec, census  # noqa: E402
from synth.census_store import (  # noqa: E402
    circuit_census, formula_path, save_formula_sizes)
from synth.restriction import read_limits  # noqa: E402
from synth.sat import sat_minimum  # noqa: E402

BASES = ("aig", "aon", "mig", "mux")
ALL = ("full", "xag", "aig", "aon", "aoxn", "mig", "mux")
ORDERED = [("xag", "aig"), ("mig", "aig"), ("mux", "aig"), ("aig", "aon"), ("aoxn", "aon"), ("xag", "aoxn")]
N = 4
SEED = 0


def log(msg: str) -> None:
    print(msg, flush=True)


def dual(n: int) -> np.ndarray:
    """Index map t -> table of NOT f(NOT x) for every function of n inputs."""
    m = 1 << n
    tables = np.arange(1 << m, dtype=np.int64)
    out = np.zeros_like(tables)
    for u in range(m):
        out |= (1 - ((tables >> (u ^ (m - 1))) & 1)) << u
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bases", default=",".join(BASES))
    ap.add_argument("--force", action="store_true", help="rebuild files that exist")
    ap.add_argument("--sat-sample", type=int, default=40, help="random functions checked by the SAT engine")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "formulas4.json"))
    args = ap.parse_args()
    rows = {}
    for name in [b for b in args.bases.split(",") if b]:
        path = formula_path(name, N)
        if path.exists() and not args.force:
            log(f"{name}: kept {path.name}")
            continue
        t0 = time.perf_counter()
        c = census(N, name, "formula", shipped=False)
        secs = time.perf_counter() - t0
        if not c.exact:
            log(f"{name}: census not exact: {c.notes}")
            return 1
        sizes, work = c.sizes.copy(), int(c.budget["used"])
        del c                         # its programs keep the enumerator's levels: gigabytes
        gc.collect()
        log(f"{name}: census {secs:.1f} s, work {work:.3g}; checking against SAT")
        rng = np.random.default_rng(SEED)
        sample = sorted(set(rng.integers(0, 1 << 16, args.sat_sample).tolist()) | {0, 0xFFFF, 0xAAAA, 0x5555})
        t1 = time.perf_counter()
        for t in sample:
            spec = Spec.from_table(int(t), N)
            r = sat_minimum(spec, name, mode="formula", **read_limits(spec, name, "formula"))
            if not r.exact or r.min_size != sizes[t]:
                log(f"{name}: {t:#06x} census {sizes[t]}, SAT {r.min_size} (exact {r.exact})")
                return 1
        sat_s = time.perf_counter() - t1
        save_formula_sizes(sizes, name, N, work, path)
        hist = {int(k): int(v) for k, v in zip(*np.unique(sizes, return_counts=True))}
        rows[name] = {"seconds": round(secs, 1), "work": work, "histogram": hist,
                      "sat_checked": len(sample), "sat_seconds": round(sat_s, 1),
                      "bytes": path.stat().st_size}
        log(f"{name}: {secs:.1f} s, work {work:.3g}, histogram {hist}; {len(sample)} functions "
            f"equal SAT's minimum ({sat_s:.1f} s); wrote {path.name} ({path.stat().st_size} bytes)")
    # checks over every basis (shipped files, or the enumerator where it is fast)
    have = [b for b in ALL if b not in BASES or formula_path(b, N).exists()]     # the rest: fast to enumerate
    every = {b: census(N, b, "formula").sizes.astype(np.int64) for b in have}
    pairs = [(lo, hi) for lo, hi in ORDERED if lo in every and hi in every]
    for lo, hi in pairs:
        bad = np.flatnonzero(every[lo] > every[hi])
        assert not len(bad), f"{lo} <= {hi} fails on {len(bad)} functions, e.g. {bad[0]:#06x}"
    if "aon" in every:
        assert (every["aon"] == every["aon"][dual(N)]).all(), "aon formula sizes are not invariant under duality"
    for b in every:
        if b != "aon":            # aon's circuit census of 4 is not shipped
            bad = np.flatnonzero(circuit_census(b, N).lower.astype(np.int64) > every[b])
            assert not len(bad), f"{b}: circuit lower bound above the formula size on {len(bad)} functions"
    log("checks: orderings " + ", ".join(f"{a} <= {b}" for a, b in pairs) + "; aon duality; circuit <= formula")
    out = Path(args.json)
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(rows)
    out.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
