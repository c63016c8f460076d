"""Build, check and time the shipped circuit censuses (`synth.census_store`): n = 3 and n = 4, every
named basis; writes ``synth/data/circuits<n>_<basis>.npz`` and ``bench/results/census4.json``.

    python bench/make_census4.py [--bases full,aig,...] [--n 3,4] [--census-seconds S]
                                 [--sat-budget UNITS] [--jobs J] [--force] [--checks-only] [--sat-sample K]

A basis whose file exists and loads is kept unless ``--force`` (so an interrupted run resumes). Every
built census is checked before it is written (`verify_circuit_census`: each stored circuit computes its
class representative at its stored cost). Then, over all bases at once:

* `full` reproduces Knuth's table of C(f) (TAOCP 4A 7.1.2) and its NPN histogram;
* orderings that hold for every one of the 65,536 functions because one basis' gates can stand in for
  another's at no more cost: full = xag (with free negation every 2-input gate is AND- or XOR-like),
  xag <= aig, mig <= aig (maj(a, b, 0) = a AND b), mux <= aig (ite(a, b, 0)), aig <= aon, xag <= aoxn,
  aoxn <= aon; and aon is invariant under duality (f -> NOT f(NOT x): AND and OR swap);
* a function of 4 inputs that ignores x3 costs what it costs with 3 inputs (constants are free);
* the minimum formula size (`synth.census(4, b, "formula")`, a different engine) bounds the circuit
  size from above, for every function (``--formula``);
* the independent SAT baseline `bench/sat_baseline.py` (full basis, shares no code with synth) gives
  the same size on ``--sat-sample`` seeded random functions;
* published NPN-class histograms: mockturtle's size-optimum MIG database of all 222 NPN classes
  (Soeken et al., "Optimizing majority-inverter graphs with functional hashing", DATE 2016;
  include/mockturtle/algorithms/node_resynthesis/mig_npn.hpp) must equal ours; its AIG database
  (experiments/databases/npn4_aig.db, not claimed optimal) bounds ours from above, class by class
  in cumulative counts.

Then the load time and a warm query (size and witness of one function) are measured in a fresh process
per basis.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synth.census_store import (  # noqa: E402
    build_circuit_census, circuit_census, load_circuit_census, program_circuit, save_circuit_census, shipped_path,
    transform_circuit, transforms_between, verify_circuit_census)
from synth.dsl import GATES  # noqa: E402
from synth.spec import Spec  # noqa: E402
from synth.transfer import negations_needed  # noqa: E402
from synth.errors import SynthError  # noqa: E402

BASES = ("full", "aig", "xag", "aon", "aoxn", "mig", "mux")
SEED = 0

# Knuth, TAOCP 4A 7.1.2: number of 4-input functions and NPN classes of each cost C(f)
KNUTH_FUNCTIONS = {0: 10, 1: 60, 2: 456, 3: 2474, 4: 10624, 5: 24184, 6: 25008, 7: 2720}
KNUTH_CLASSES = {0: 2, 1: 2, 2: 5, 3: 20, 4: 34, 5: 75, 6: 72, 7: 12}
# NPN classes per size in mockturtle's databases (counted from the files named in the docstring)
MIG_OPTIMUM_CLASSES = {0: 2, 1: 2, 2: 5, 3: 18, 4: 42, 5: 117, 6: 35, 7: 1}
AIG_DATABASE_CLASSES = {0: 2, 1: 1, 2: 2, 3: 7, 4: 9, 5: 24, 6: 30, 7: 61, 8: 45, 9: 37, 10: 4}
# basis pairs (a, b) with size_a <= size_b for every function, and the equal pairs
ORDERED = [("xag", "aig"), ("mig", "aig"), ("mux", "aig"), ("aig", "aon"), ("xag", "aoxn"),
           ("aoxn", "aon")]
EQUAL = [("full", "xag")]


def log(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------------------------------------
# aon: lower bounds from other censuses, circuits from aig circuits (see synth.census_store.PROOFS)
# ------------------------------------------------------------------------------------------------


def markov_nots(f: int, n: int) -> int:
    """Markov's bound (1958) on the NOT gates of an AND, OR, NOT circuit computing f:
    `synth.transfer.negations_needed` of its whole truth table."""
    return negations_needed(Spec.from_table(f, n))


def restrict(f: int, n: int, i: int, c: int) -> int:
    """The (n-1)-input table of f with x_i fixed to c (the other inputs keep their order)."""
    out = 0
    for t in range(1 << n):
        if ((t >> i) & 1) == c:
            out |= ((f >> t) & 1) << ((t & ((1 << i) - 1)) | ((t >> (i + 1)) << i))
    return out


def aig_to_aon(nodes, out: int, n: int):
    """The cheapest aon circuit (AND, OR, NOT cost 1) with the AND/OR skeleton of an aig circuit: every
    aig gate is an AND of two literals, possibly complemented, and is built either as AND of the literals
    or as OR of their complements (its complement); a signal needed in the polarity it is not built in
    costs one NOT, shared by all its readers. All 2^gates choices are tried (aig circuits here have <= 10)."""
    ands, lit = [], {i: (("x", i), 0) for i in range(n)}
    for j, (name, args) in enumerate(nodes):
        if name in ("0", "1"):
            lit[n + j] = (("c", 0), int(name == "1"))
        elif name == "not":
            base, neg = lit[args[0]]
            lit[n + j] = (base, neg ^ 1)
        else:
            table = GATES[name].table
            ones = [t for t in range(4) if (table >> t) & 1]
            comp = len(ones) == 3
            if comp:
                ones = [t for t in range(4) if not (table >> t) & 1]
            if len(ones) != 1:
                raise ValueError(f"gate {name!r} is not AND-like")
            (ba, ca), (bb, cb) = lit[args[0]], lit[args[1]]
            ands.append(((ba, ca ^ 1 ^ (ones[0] & 1)), (bb, cb ^ 1 ^ (ones[0] >> 1))))
            lit[n + j] = (("g", len(ands) - 1), int(comp))
    (ob, oc) = lit[out]
    best = None
    for mask in range(1 << len(ands)):
        built = lambda b: (mask >> b[1]) & 1 if b[0] == "g" else 0   # noqa: E731
        need = {b for w, pair in enumerate(ands) for b, c in pair
                if b[0] != "c" and (c ^ ((mask >> w) & 1)) != built(b)}
        if ob[0] != "c" and oc != built(ob):
            need.add(ob)
        if best is None or len(need) < len(best[1]):
            best = (mask, need)
    mask, need = best
    res, ref, neg = [], {("x", i): i for i in range(n)}, {}

    def phys(b, pol):                      # ref of the signal b complemented when pol is 1
        if b[0] == "c":
            key = ("c", pol ^ b[1])
            if key not in ref:
                res.append((str(pol ^ b[1]), ()))
                ref[key] = n + len(res) - 1
            return ref[key]
        if pol == (((mask >> b[1]) & 1) if b[0] == "g" else 0):
            return ref[b]
        if b not in neg:
            res.append(("not", (ref[b],)))
            neg[b] = n + len(res) - 1
        return neg[b]

    for w, ((ba, ca), (bb, cb)) in enumerate(ands):
        p = (mask >> w) & 1
        res.append(("or" if p else "and", (phys(ba, ca ^ p), phys(bb, cb ^ p))))
        ref[("g", w)] = n + len(res) - 1
    return res, phys(ob, oc)


def aon_bounds(n: int):
    """``bounds`` for `build_circuit_census` of aon: the best of three proven lower bounds (aig+markov,
    aoxn, restriction) and the cheapest aon circuit built from the aig circuits of f (every transform
    of its aig class circuit that yields f)."""
    aig, aoxn, aon_less = circuit_census("aig", n), circuit_census("aoxn", n), circuit_census("aon", n - 1)

    def bounds(f: int):
        cands = [(int(aig.sizes[f]) + markov_nots(f, n), "aig+markov"), (int(aoxn.sizes[f]), "aoxn")]
        if f not in [sum(1 << t for t in range(1 << n) if (t >> i) & 1) for i in range(n)]:
            cands += [(1 + int(aon_less.sizes[restrict(f, n, i, c)]), "restriction")
                      for i in range(n) if restrict(f, n, i, 0) != restrict(f, n, i, 1) for c in (0, 1)]
        lower, why = max(cands, key=lambda c: c[0])
        k, _ = aig.class_of(f)
        nodes, out = aig.circuit(k)
        best = None
        for tr in transforms_between(int(aig.class_reps[k]), f, n, "npn"):
            cand = aig_to_aon(*transform_circuit(nodes, out, n, tr), n)
            cost = sum(1 for g, _ in cand[0] if g not in ("0", "1"))
            if best is None or cost < best[0]:
                best = (cost, cand)
            if cost == lower:
                break
        return lower, why, best[1]

    return bounds


def translated_bounds(basis: str, n: int):
    """``bounds`` for `build_circuit_census` of a basis whose census leaves classes open (aig): no better
    lower bound than the census level, and an upper-bound circuit: the class' minimal `full`-basis circuit
    translated gate by gate (`synth.decompose.translate`, operands shared)."""
    from synth.decompose import translate
    full = circuit_census("full", n)

    def bounds(f: int):
        prog = translate(full.program(f), basis, tree=False)
        return 0, "census-level", program_circuit(prog)

    return bounds


# census work (truth tables computed) and wall-clock valve per basis at n = 4: enough for the levels the
# census can finish; the open classes go to the prover
CENSUS_SECONDS = {"aig": 3600.0, "mig": 900.0, "aon": 1500.0}


def aon_prover(n: int, conflicts: int | None):
    """Prover for `build_circuit_census` of aon: `aon_exact.aon_minimum` (SAT over aig skeletons with
    polarities), conflicts per SAT call bounded by ``conflicts``."""
    import aon_exact
    aig = circuit_census("aig", n)

    def prove(rep: int, lower: int, upper: int | None):
        size, lo, circ = aon_exact.aon_minimum(rep, n, lower=lower, upper=upper, aig_size=int(aig.sizes[rep]),
                                               markov=markov_nots(rep, n), conflicts=conflicts)
        return size, lo, circ, 0

    return prove


def build(basis: str, n: int, args, prover_factory=None) -> dict:
    path = shipped_path(basis, n)
    if path.exists() and not args.force:
        try:
            cc = load_circuit_census(path, basis)
            if cc.exact:
                log(f"{basis} n={n}: kept {path.name} (built in {cc.seconds:.1f}s)")
                return {"kept": True}
        except SynthError as e:
            log(f"{basis} n={n}: rebuilding ({e})")
    t0 = time.perf_counter()
    kw = {}
    if basis == "aon" and n == 4:
        kw["bounds"] = aon_bounds(n)
        kw["prover"] = aon_prover(n, args.sat_conflicts)
    elif prover_factory is not None:
        kw["prover"] = prover_factory(basis, n)
    if basis == "aig" and n == 4:
        kw["bounds"] = translated_bounds(basis, n)
    ckpt = Path(args.checkpoint_dir) / f"circuits{n}_{basis}.jsonl"
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    cc = build_circuit_census(basis, n, census_budget=args.census_work,
                              census_seconds=args.census_seconds or CENSUS_SECONDS.get(basis),
                              sat_budget=args.sat_budget, checkpoint=ckpt,
                              jobs=1 if "prover" in kw else args.jobs,    # aon's prover does not pickle
                              progress=log if n == 4 else None,
                              **kw)
    verify_circuit_census(cc, basis)
    if not cc.exact and not args.allow_partial:
        raise SystemExit(f"{basis} n={n}: not exact ({cc.note}); stages {cc.stages}; not written "
                         "(rerun to resume from the checkpoint, or --allow-partial)")
    save_circuit_census(cc, path)
    log(f"{basis} n={n}: built in {time.perf_counter() - t0:.1f}s, {path.stat().st_size} bytes, "
        f"proofs {cc.proof_counts()}{'' if cc.exact else ', PARTIAL: ' + cc.note}")
    return {"kept": False}


def checks(n_values, args) -> dict:
    out: dict = {}
    cc = {(b, n): load_circuit_census(shipped_path(b, n), b) for b in BASES for n in n_values
          if shipped_path(b, n).exists()}
    for key, c in cc.items():
        verify_circuit_census(c, key[0])
    if ("full", 4) in cc:
        f = cc["full", 4]
        assert f.histogram() == KNUTH_FUNCTIONS, f.histogram()
        assert f.class_histogram() == KNUTH_CLASSES, f.class_histogram()
        out["knuth_table"] = "reproduced"
    for n in n_values:
        for a, b in ORDERED + EQUAL:
            if (a, n) in cc and (b, n) in cc:
                sa, sb = cc[a, n].sizes, cc[b, n].sizes
                both = (sa >= 0) & (sb >= 0)
                ok = (sa == sb).all() if (a, b) in EQUAL else (sa[both] <= sb[both]).all()
                assert ok, f"n={n}: {a} vs {b} fails on {int(np.flatnonzero(sa > sb)[0]):#x}"
                out[f"n{n} {a}{'=' if (a, b) in EQUAL else '<='}{b}"] = "holds for every function"
        if ("aon", n) in cc and n == 3:    # at n = 4 the aon census is built on these classes
            m = (1 << (1 << n)) - 1
            f = np.arange(m + 1)
            dual = np.zeros_like(f)
            for t in range(1 << n):   # dual(f)(x) = NOT f(NOT x): bit t of the dual is NOT bit (t ^ all) of f
                dual |= (1 - ((f >> (t ^ ((1 << n) - 1))) & 1)) << t
            from synth.circuits import exact_circuits
            sizes = exact_circuits(n, "aon").sizes        # the engine classes by permutations only
            assert (sizes == sizes[dual]).all() and (cc["aon", n].sizes == sizes).all()
            out[f"n{n} aon duality"] = "holds for every function"
    if 3 in n_values and 4 in n_values:
        for b in BASES:
            if (b, 3) in cc and (b, 4) in cc:
                t3 = np.arange(256)
                t4 = t3 | (t3 << 8)            # the same function with x3 ignored
                assert (cc[b, 4].sizes[t4] == cc[b, 3].sizes[t3]).all(), b
        out["n4 restricted to x3-free = n3"] = "holds in every basis"
    if args.formula:
        from synth import census
        for b in BASES:
            if (b, 4) in cc:
                t = time.perf_counter()
                fs = census(4, b, "formula").sizes
                bad = np.flatnonzero((fs >= 0) & (cc[b, 4].sizes > fs))
                assert not len(bad), f"{b}: circuit > formula at {int(bad[0]):#x}"
                out[f"{b} circuit<=formula"] = f"every function ({time.perf_counter() - t:.0f}s)"
    if args.sat_sample and ("full", 4) in cc:
        import sat_baseline
        rng = np.random.default_rng(SEED)
        sample = rng.integers(0, 1 << 16, args.sat_sample)
        t = time.perf_counter()
        for f in sample:
            size, _ = sat_baseline.sat_min_circuit_size(int(f), 4)
            assert size == cc["full", 4].cost(int(f)), (hex(int(f)), size)
        out["full vs sat_baseline"] = f"{len(sample)} random functions agree ({time.perf_counter() - t:.0f}s)"
    if ("mig", 4) in cc:
        assert cc["mig", 4].class_histogram() == MIG_OPTIMUM_CLASSES, cc["mig", 4].class_histogram()
        out["mig vs mockturtle mig_npn (size-optimum)"] = "NPN histogram equal"
    if ("aig", 4) in cc and not cc["aig", 4].exact:
        out["aig vs mockturtle npn4_aig.db"] = ("skipped: the aig census is partial "
                                               f"({cc['aig', 4].class_histogram().get(-1, 0)} classes open)")
    elif ("aig", 4) in cc:
        ours = cc["aig", 4].class_histogram()
        cum = lambda h, s: sum(v for k, v in h.items() if 0 <= k <= s)  # noqa: E731
        assert all(cum(ours, s) >= cum(AIG_DATABASE_CLASSES, s) for s in range(12)), ours
        out["aig vs mockturtle npn4_aig.db"] = ("NPN histogram equal" if ours == AIG_DATABASE_CLASSES
                                               else f"ours below the database: {ours}")
    return out


def timing(basis: str, n: int) -> dict:
    """Load and warm-query times in a fresh process (imports excluded)."""
    code = f"""
import json, time
import synth.census_store as cs
t0 = time.perf_counter(); cc = cs.circuit_census({basis!r}, {n}); t1 = time.perf_counter()
cs.circuit_census({basis!r}, {n}).upper_witness(0x1); t2 = time.perf_counter()
qs = [0x6996 % (1 << (1 << {n})), 0x1ee1 % (1 << (1 << {n})), 0x8000 % (1 << (1 << {n}))]
t3 = time.perf_counter()
for _ in range(100):
    for q in qs:
        c = cs.circuit_census({basis!r}, {n}); c.cost(q); c.upper_witness(q)
t4 = time.perf_counter()
print(json.dumps({{"load_ms": (t1 - t0) * 1e3, "first_witness_ms": (t2 - t1) * 1e3,
                  "warm_query_ms": (t4 - t3) / 300 * 1e3}}))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return {k: round(v, 3) for k, v in json.loads(r.stdout.strip().splitlines()[-1]).items()}


def main(argv=None, prover_factory=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bases", default=",".join(BASES))
    ap.add_argument("--n", default="3,4")
    ap.add_argument("--census-work", type=int, default=None,
                    help="work budget of the breadth-first census (truth tables) before SAT takes over")
    ap.add_argument("--census-seconds", type=float, default=None,
                    help="wall-clock valve of the census (default per basis: CENSUS_SECONDS)")
    ap.add_argument("--sat-budget", type=int, default=None,
                    help="SAT work units per open class for the walk up from its lower bound "
                    "(SatProver's probes, PROBE_WORK each, come on top)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="open classes proven at once, in worker processes (SatProver bases; not aon)")
    ap.add_argument("--sat-conflicts", type=int, default=None,
                    help="aon: conflicts per SAT call (classes not settled stay open; rerun to resume)")
    ap.add_argument("--checkpoint-dir", default=str(Path(os.environ.get("XDG_CACHE_HOME")
                                                         or Path.home() / ".cache") / "occam-circuits" / "build"),
                    help="settled open classes are appended here, and read back by a rerun")
    ap.add_argument("--allow-partial", action="store_true",
                    help="write a census with unproven classes (their proven bounds are stored)")
    ap.add_argument("--force", action="store_true", help="rebuild files that exist")
    ap.add_argument("--checks-only", action="store_true")
    ap.add_argument("--formula", action="store_true", help="also check circuit <= formula sizes")
    ap.add_argument("--sat-sample", type=int, default=20, help="random functions checked by sat_baseline")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "census4.json"))
    args = ap.parse_args(argv)
    bases = [b for b in args.bases.split(",") if b]
    ns = [int(v) for v in args.n.split(",")]
    bases.sort(key=lambda b: b == "aon")      # aon's bounds read the aig and aoxn censuses
    if not args.checks_only:
        for n in ns:
            for b in bases:
                build(b, n, args, prover_factory)
    results = {"checks": checks(ns, args), "bases": {}}
    for b in BASES:
        for n in ns:
            p = shipped_path(b, n)
            if not p.exists():
                continue
            cc = load_circuit_census(p, b)
            results["bases"][f"{b} n={n}"] = {
                "build_seconds": round(cc.seconds, 1), "stages": cc.stages, "proofs": cc.proof_counts(),
                "symmetry": cc.symmetry, "bytes": p.stat().st_size,
                "functions_per_size": cc.histogram(), "classes_per_size": cc.class_histogram(),
                **timing(b, n)}
            r = results["bases"][f"{b} n={n}"]
            log(f"{b:5s} n={n}: built {r['build_seconds']:8.1f}s  {r['bytes']:6d} B  load {r['load_ms']:.1f} ms"
                f"  warm query {r['warm_query_ms']:.3f} ms  proofs {r['proofs']}")
            log(f"        functions {r['functions_per_size']}")
            log(f"        {cc.symmetry} classes {r['classes_per_size']}")
    for k, v in results["checks"].items():
        log(f"check: {k}: {v}")
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
